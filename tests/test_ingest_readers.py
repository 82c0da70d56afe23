"""Readers during an ingest: a process querying in a loop always gets answers, never a half-loaded
batch, and sees the new data once it is published (it reopens when inode or mtime change)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipelines.generator import generate
from pipelines.ingest import ingest

READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    key, con, seen = None, None, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stat = os.stat(path)
        if (stat.st_ino, stat.st_mtime_ns) != key:
            if con is not None:
                con.close()
            con = duckdb.connect(path, read_only=True)
            key = (stat.st_ino, stat.st_mtime_ns)
        files, rows, promised = con.execute(
            "select (select count(*) from raw.load_ledger), "
            "(select count(*) from raw.complaints), "
            "(select coalesce(sum(rows_loaded), 0) from raw.load_ledger "
            " where dataset = 'complaints' and outcome = 'loaded')"
        ).fetchall()[0]
        seen.append([files, rows, int(promised)])
        time.sleep(0.01)
    print(json.dumps(seen))
    """
)


@pytest.mark.slow
def test_a_reader_in_a_loop_never_sees_half_a_load(tmp_path: Path) -> None:
    source = tmp_path / "src"
    generate(source, scale="tiny", end="2025-06", months=3)
    warehouse = tmp_path / "w.duckdb"
    ingest([source / "reference"], warehouse)
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, str(script), str(warehouse), "12"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    report = ingest([source], warehouse)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    seen = json.loads(out)
    assert len(seen) > 20
    assert all(rows == promised for _, rows, promised in seen)  # never half a batch
    states = {tuple(s) for s in seen}
    first, last = seen[0], seen[-1]
    assert first[1] == 0
    assert last[1] > 0 and last[1] == sum(
        o.rows_loaded for o in report.outcomes if o.dataset == "complaints"
    )
    assert states == {tuple(first), tuple(last)}  # before, then after the publish: nothing between
