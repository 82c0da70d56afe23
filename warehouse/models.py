"""SQL models under sql/: discovery, headers, dependencies and build order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from warehouse.paths import SQL_DIR

LAYERS = {"staging": "view", "intermediate": "view", "marts": "table"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
HEADER_PATTERN = re.compile(r"^-- .+; one row per .+")
REFERENCE_PATTERN = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b(?!\.)", re.IGNORECASE)
COMMENT_PATTERN = re.compile(r"--[^\n]*")
CONFIG_PATTERN = re.compile(r"^-- config: materialized=(view|table)\b", re.MULTILINE)


@dataclass(frozen=True)
class Model:
    """One SQL model: a file under sql/<layer>/ creating the object named like the file."""

    name: str
    layer: str
    path: Path
    sql: str
    depends_on: frozenset[str]

    @property
    def materialization(self) -> str:
        """`view` for staging and intermediate models, `table` for marts, unless the model's
        header says otherwise in a `-- config: materialized=table` line."""
        configured = CONFIG_PATTERN.search(self.sql[:500])
        return configured.group(1) if configured else LAYERS[self.layer]

    @property
    def header(self) -> str:
        """The first line: what the model is and its grain."""
        return self.sql.splitlines()[0] if self.sql else ""


def discover(sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    """Every model under sql/, with its dependencies on other models."""
    texts: dict[str, tuple[str, Path, str]] = {}
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            name = path.stem
            if not NAME_PATTERN.match(name):
                raise ValueError(f"{path}: a model's file name must be lower snake case")
            if name in texts:
                raise ValueError(f"{path}: model {name} is defined twice")
            texts[name] = (layer, path, path.read_text(encoding="utf-8").strip())
    models: dict[str, Model] = {}
    for name, (layer, path, sql) in texts.items():
        code = COMMENT_PATTERN.sub("", sql)
        references = {match.lower() for match in REFERENCE_PATTERN.findall(code)}
        depends_on = frozenset(ref for ref in references if ref in texts and ref != name)
        models[name] = Model(name, layer, path, sql, depends_on)
    return models


def build_order(models: dict[str, Model]) -> list[Model]:
    """Models sorted so that each comes after everything it selects from."""
    sorter = TopologicalSorter({name: model.depends_on for name, model in models.items()})
    try:
        order = list(sorter.static_order())
    except CycleError as error:
        raise ValueError(f"SQL models depend on each other in a cycle: {error.args[1]}") from None
    return [models[name] for name in order]
