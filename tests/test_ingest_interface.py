"""What `duban ingest` shows: a progress bar on a terminal, the per-file table, a no-op said so."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.cli import print_summary
from pipelines.ingest import ingest
from tests.factories import hotline_row, write_hotline
from tests.test_ingest import write_reference


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_hotline(tmp_path / "in", "2025-03", [hotline_row("GD1", "2025-03-01 09:00:00")])
    write_reference(tmp_path / "in")
    return tmp_path


def test_a_progress_bar_on_request_and_none_off_a_terminal(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest([folder / "in"], folder / "w.duckdb", progress=True)
    assert "ingest: 100%" in capsys.readouterr().err
    ingest([folder / "in"], folder / "w2.duckdb")  # stderr is not a terminal under pytest
    assert "ingest:" not in capsys.readouterr().err


def test_the_summary_is_a_table_per_file_and_a_second_ingest_says_nothing_changed(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = folder / "w.duckdb"
    print_summary(ingest([folder / "in"], warehouse, progress=False))
    first = capsys.readouterr().out.splitlines()
    assert first[0].split() == ["source", "file", "period", "read", "loaded", "quarant.", "dup.",
                                "outcome"]  # fmt: skip
    hotline = next(line.split() for line in first if line.startswith("hotline"))
    assert hotline[1:] == ["12345_工单_2025-03.csv", "2025-03", "1", "1", "0", "0", "loaded"]
    assert not any(line.startswith("nothing changed") for line in first)
    print_summary(ingest([folder / "in"], warehouse, progress=False))
    again = capsys.readouterr().out
    assert "0 loaded, 3 unchanged" in again
    assert "nothing changed: every file was ingested before" in again


def test_the_cli_takes_a_folder_of_extra_source_configs(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    command = [str(Path(sys.executable).with_name("duban")), "ingest",
               str(root / "tests" / "fixtures" / "la311"),
               "--sources", str(root / "pipelines" / "sources" / "examples"),
               "--warehouse", str(tmp_path / "w.duckdb")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    # the requests and the councils load; the two lookups the example does not use match nothing
    assert "2 files: 2 loaded, 0 unchanged, 0 rejected; 2 files matched no source" in result.stdout
    assert "10000  10000" in result.stdout
    without = subprocess.run(command[:3] + command[5:], capture_output=True, text=True,
                             timeout=300, check=False)  # fmt: skip
    assert "0 loaded" in without.stdout and "matched no source" in without.stdout
