"""Convention tests that keep the repository honest (see ../shared/conventions.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from dashboard.i18n import MESSAGES
from dashboard.registry import PAGES
from pipelines.cli import cli
from pipelines.source_config import load_sources
from pipelines.validation import compile_suite
from warehouse.contracts import load_contracts
from warehouse.models import HEADER_PATTERN, LAYERS, discover

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["dashboard", "pipelines", "warehouse", "bench", "tests"]


def python_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", sorted((ROOT / "sql").rglob("*.sql")), ids=lambda p: p.name)
def test_every_sql_file_starts_with_its_header_and_grain(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert HEADER_PATTERN.match(first), (
        f"{path}: first line must be '-- <what>; one row per <grain>'"
    )


def test_sql_files_live_in_the_three_layers_only() -> None:
    folders = {p.parent.name for p in (ROOT / "sql").rglob("*.sql")}
    assert folders <= set(LAYERS)


def test_every_model_ends_with_a_select_from_its_last_cte() -> None:
    for model in discover().values():
        assert re.search(r"\bselect \* from \w+\s*$", model.sql), f"{model.path}: end with select *"


def test_every_mart_has_a_given_expected_test() -> None:
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for model in discover().values():
        if model.layer == "marts":
            assert re.search(rf"from {model.name}\b", tests), f"no test selects from {model.name}"


def test_every_page_is_registered_in_the_router() -> None:
    files = {p.name for p in (ROOT / "dashboard" / "app_pages").glob("*.py")} - {"__init__.py"}
    assert files == {page.file for page in PAGES}
    router = (ROOT / "dashboard" / "streamlit_app.py").read_text(encoding="utf-8")
    assert "for index, page in enumerate(PAGES)" in router


def test_every_cli_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert isinstance(cli, click.Group)
    for name in cli.commands:
        assert f"duban {name}" in readme, f"README.md does not document `duban {name}`"


def test_the_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_opens_with_a_docstring(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path}: add a one-line module docstring"


def test_every_message_has_both_languages_and_every_used_key_exists() -> None:
    for key, entry in MESSAGES.items():
        assert set(entry) == {"zh", "en"}, key
    used: set[str] = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z_.]+)\"", path.read_text(encoding="utf-8")))
    assert used, "no message keys found in dashboard code"
    assert used <= set(MESSAGES), f"unknown message keys: {sorted(used - set(MESSAGES))}"


def test_pages_hold_no_chinese_string_literals() -> None:
    for path in (ROOT / "dashboard" / "app_pages").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value == docstring:
                    continue
                assert not re.search(r"[\u4e00-\u9fff]", node.value), f"{path}: {node.value!r}"


def test_every_contract_compiles_to_a_named_suite() -> None:
    contracts = load_contracts()
    assert {"complaints", "inspections"} <= set(contracts)
    for name, contract in contracts.items():
        suite = compile_suite(contract)
        assert suite.name == name
        assert len(suite.expectations) >= len([c for c in contract.columns if c.required])


def test_every_source_config_maps_into_a_contract() -> None:
    sources = load_sources()
    assert {s.name for s in sources} >= {"hotline", "minzheng"}
    contracts = load_contracts()
    for source in sources:
        assert source.dataset in contracts
