"""Where the project's files live: repository root, SQL models, contracts, the default warehouse."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = ROOT / "sql"
CONTRACTS_DIR = ROOT / "data_contracts"
SOURCES_DIR = ROOT / "pipelines" / "sources"
SETTINGS_FILE = ROOT / "warehouse" / "settings.yaml"
DEFAULT_WAREHOUSE = Path("data") / "warehouse.duckdb"


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse: the explicit path, else env DUBAN_WAREHOUSE, else data/warehouse.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("DUBAN_WAREHOUSE")
    return Path(env) if env else DEFAULT_WAREHOUSE
