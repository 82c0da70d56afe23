"""The `duban` CLI end to end in a temporary folder: the whole slice, errors, and serving."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.cli import cli

DUBAN = str(Path(sys.executable).with_name("duban"))
END = "2025-06"


def duban(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DUBAN, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "GX_ANALYTICS_ENABLED": "False", **(env or {})},
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def slice_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated tiny demo files, ingested and built once for the module."""
    folder = tmp_path_factory.mktemp("slice")
    generated = duban("generate", "--out", str(folder / "src"), "--scale", "tiny", "--end", END,
                      "--months", "3")  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    warehouse = str(folder / "w.duckdb")
    ingested = duban("ingest", str(folder / "src"), "--warehouse", warehouse)
    assert ingested.returncode in (0, 1), ingested.stderr
    assert "Traceback" not in ingested.stderr
    built = duban("build", "--warehouse", warehouse)
    assert built.returncode == 0, built.stderr
    return folder


@pytest.mark.slow
def test_every_command_has_help() -> None:
    assert set(cli.commands) == {"generate", "ingest", "build", "kpi", "serve", "demo", "user"}
    for name in cli.commands:
        result = duban(name, "--help")
        assert result.returncode == 0, result.stderr
        assert "Usage: duban" in result.stdout
        if name in {"ingest", "build", "kpi", "serve", "demo"}:
            assert "--warehouse" in result.stdout


@pytest.mark.slow
def test_the_slice_ingests_the_hotline_and_the_department_file(slice_dir: Path) -> None:
    import duckdb

    with duckdb.connect(str(slice_dir / "w.duckdb"), read_only=True) as con:
        ledger = dict(
            con.execute(
                "select source, sum(rows_loaded) from raw.load_ledger "
                "where outcome = 'loaded' group by source"
            ).fetchall()
        )
        tickets = con.execute("select count(*) from complaint_tickets").fetchall()[0][0]
    assert ledger.get("hotline", 0) > 0
    assert ledger.get("minzheng", 0) > 0
    assert tickets > 0


@pytest.mark.slow
def test_kpi_json_has_the_agreed_shape_and_real_numbers(slice_dir: Path) -> None:
    warehouse = str(slice_dir / "w.duckdb")
    result = duban("kpi", "--json", "--from", "2025-04-01", "--to", "2025-06-30",
                   "--as-of", "2025-07-15T12:00", "--warehouse", warehouse)  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["period"] == {"from": "2025-04-01", "to": "2025-06-30",
                                  "as_of": "2025-07-15T12:00:00"}  # fmt: skip
    rate = document["kpis"]["repeat_complaint_rate"]
    assert set(rate) == {"value", "numerator", "denominator", "target", "unit"}
    assert rate["denominator"] > 0
    assert 0 < rate["numerator"] < rate["denominator"]
    assert rate["value"] == pytest.approx(rate["numerator"] / rate["denominator"])
    assert (rate["target"], rate["unit"]) == (0.10, "ratio")
    satisfied = document["kpis"]["rectification_satisfaction_rate"]
    assert (satisfied["target"], satisfied["unit"]) == (0.80, "ratio")
    assert 0 < satisfied["numerator"] <= satisfied["denominator"]
    below = document["kpis"]["second_rectification_rate"]
    assert satisfied["denominator"] == below["denominator"]  # the same evaluated cases


@pytest.mark.slow
def test_kpi_table_and_the_warehouse_from_the_environment(slice_dir: Path) -> None:
    result = duban("kpi", env={"DUBAN_WAREHOUSE": str(slice_dir / "w.duckdb")})
    assert result.returncode == 0, result.stderr
    assert "repeat_complaint_rate" in result.stdout
    assert "rectification_satisfaction_rate" in result.stdout
    assert f"{END}-01 .. {END}-30" in result.stdout


@pytest.mark.slow
def test_ingesting_again_is_a_no_op(slice_dir: Path) -> None:
    result = duban("ingest", str(slice_dir / "src"), "--warehouse", str(slice_dir / "w.duckdb"))
    assert " 0 loaded" in result.stdout
    assert "unchanged" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpi", "--warehouse", "/nonexistent/w.duckdb"], "does not exist"),
        (["ingest", "/nonexistent/folder"], "no such file or folder"),
        (["kpi", "--as-of", "yesterday", "--warehouse", "/nonexistent/w.duckdb"], "--as-of"),
        (["generate", "--out", "/tmp/x", "--end", "2025-13"], "2025-13"),
    ],
)
def test_user_mistakes_give_one_line_and_no_traceback(args: list[str], message: str) -> None:
    result = duban(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_on_its_port(slice_dir: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [DUBAN, "serve", "--port", str(port), "--warehouse", str(slice_dir / "w.duckdb")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{port}/_stcore/health"
                with urllib.request.urlopen(url, timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == b"ok"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_kpi_for_one_grid_counts_its_rows_and_says_how(slice_dir: Path) -> None:
    import duckdb

    warehouse = str(slice_dir / "w.duckdb")
    period = ["--from", "2025-04-01", "--to", "2025-06-30", "--as-of", "2025-07-15T12:00"]
    with duckdb.connect(warehouse, read_only=True) as con:
        grid, tickets, repeats = con.execute(
            "select grid_id, count(*), count(*) filter (where is_repeat) from complaint_tickets "
            "where grid_id is not null and received_on between '2025-04-01' and '2025-06-30' "
            "group by grid_id order by count(*) desc, grid_id limit 1"
        ).fetchall()[0]
    result = duban("kpi", "--json", "--grid", grid, *period, "--warehouse", warehouse)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["filters"] == {"grid": grid}
    rate = document["kpis"]["repeat_complaint_rate"]
    assert (rate["numerator"], rate["denominator"]) == (repeats, tickets)
    assert set(document["grid_scope"]) == set(document["kpis"])
    assert "ledger grid" in document["grid_scope"]["rectification_completion_rate"]
    table = duban("kpi", "--grid", grid, *period, "--warehouse", warehouse)
    assert f"grid {grid}: complaint KPIs count the tickets whose address" in table.stdout
    unknown = duban("kpi", "--grid", "NO-SUCH-GRID", "--warehouse", warehouse)
    assert unknown.returncode != 0 and "no grid NO-SUCH-GRID" in unknown.stderr


@pytest.mark.slow
def test_the_grids_kpi_parts_add_up_to_the_rows_placed_in_a_grid(slice_dir: Path) -> None:
    """Every grid's denominators summed: the street's tickets, visits and cases that have a grid
    (none counted twice, none lost)."""
    from dataclasses import replace
    from datetime import date, datetime

    import duckdb

    from warehouse.metrics import Period, compute

    names = ["repeat_complaint_rate", "duplicate_inspection_rate", "rectification_completion_rate"]
    street = Period(date(2025, 4, 1), date(2025, 6, 30), datetime(2025, 7, 15, 12))
    with duckdb.connect(str(slice_dir / "w.duckdb"), read_only=True) as con:
        rows = con.execute("select grid_id from stg_reference__grids").fetchall()
        summed = dict.fromkeys(names, 0.0)
        for grid in [row[0] for row in rows]:
            for name, value in compute(con, replace(street, grid=grid), names).items():
                summed[name] += value.denominator
        expected = con.execute(
            "select (select count(*) from complaint_tickets where grid_id is not null "
            "and received_on between '2025-04-01' and '2025-06-30'), "
            "(select count(*) from inspection_visits where grid_id is not null "
            "and inspected_on between '2025-04-01' and '2025-06-30'), "
            "(select count(*) from rectification_cases where grid is not null "
            "and noticed_on between '2025-04-01' and '2025-06-30' "
            "and noticed_at <= '2025-07-15 12:00' and rectification_deadline_on <= '2025-07-15')"
        ).fetchall()[0]
    assert summed["repeat_complaint_rate"] == expected[0] > 0
    assert summed["duplicate_inspection_rate"] == expected[1] > 0
    assert summed["rectification_completion_rate"] == expected[2] > 0
