"""Real data by configuration alone: LA 311 requests loaded as complaints, repeat rate measured."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest import ingest
from warehouse.build import build
from warehouse.connection import writer

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "la311"
EXAMPLES = ROOT / "pipelines" / "sources" / "examples"


def expected_repeats() -> tuple[int, int]:
    """Repeats by METRICS.md, computed independently: same normalised address and request type,
    an earlier request (by created time, ties by smaller id) no more than 720 h before."""
    requests = pl.read_csv(FIXTURE / "la311_2020_requests_10k.csv", infer_schema=False)

    def normalised(column: str) -> pl.Expr:
        text = pl.col(column).str.normalize("NFKC").str.strip_chars().str.replace_all(r"\s+", " ")
        return pl.when(text == "").then(None).otherwise(text)

    frame = requests.select(
        pl.col("srnumber").alias("id"),
        pl.col("createddate").str.strptime(pl.Datetime, "%m/%d/%y %H:%M").alias("at"),
        normalised("address").alias("place"),
        normalised("requesttype").alias("kind"),
    ).sort("place", "kind", "at", "id")
    frame = frame.with_columns(previous=pl.col("at").shift(1).over("place", "kind"))
    window = pl.duration(hours=720)
    repeats = frame.filter(
        pl.col("place").is_not_null() & (pl.col("at") - pl.col("previous") <= window)
    )
    return repeats.height, frame.height


@pytest.fixture(scope="module")
def la_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("la311") / "w.duckdb"
    report = ingest([FIXTURE], warehouse, extra_sources=[EXAMPLES])
    assert not report.rejected
    with writer(warehouse) as con:
        build(con)
    return warehouse


def test_la311_requests_load_as_complaints(la_warehouse: Path) -> None:
    with duckdb.connect(str(la_warehouse), read_only=True) as con:
        ledger = con.execute(
            "select source, rows_read, rows_loaded, rows_quarantined from raw.load_ledger "
            "order by source"
        ).fetchall()
        sample = con.execute(
            "select received_at::varchar, community_id, category_l3, department "
            "from raw.complaints where complaint_id = '1-1523590121'"
        ).fetchall()
    assert ledger == [("la311", 10000, 10000, 0), ("la311_councils", 100, 100, 0)]
    with duckdb.connect(str(la_warehouse), read_only=True) as con:
        drift = con.execute("select extra_columns, renamed_columns from raw.load_ledger").fetchall()
    assert drift == [([], [])] * 2  # every column the extracts carry is mapped or ignored
    assert sample == [("2020-01-01 00:05:00", "19", "Illegal Dumping Pickup", "BOS")]


def test_la311_repeat_complaint_rate_matches_an_independent_count(la_warehouse: Path) -> None:
    repeats, total = expected_repeats()
    with duckdb.connect(str(la_warehouse), read_only=True) as con:
        result = con.execute(
            "select count(*) filter (where is_repeat), count(*) from complaint_tickets"
        ).fetchall()
    assert result == [(repeats, total)]
    assert 0 < repeats < total
