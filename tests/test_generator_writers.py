"""The generator's writers, byte for byte: blank lines, encodings, JSON layouts, sliced XLSX."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest

from pipelines.generator import writers
from pipelines.generator.writers import (
    BackgroundWriter,
    write_csv,
    write_json_array,
    write_jsonl,
    write_xlsx,
)

FRAME = pl.DataFrame(
    {
        "编号": ["A1", "A2", "A3", "A4", "A5"],
        "地址": ["翠苑1幢", 'say "hi"', None, "a,b", "  空格  "],
        "数": ["１２", "3", "", "4", "5"],
    }
)


def _chunked_csv(frame: pl.DataFrame, blank_before: list[int]) -> str:
    """The layout spelled out: the header, then the rows cut before each blank line."""
    cuts = [0, *[b - 1 for b in blank_before], frame.height]
    bodies = [
        frame[a:b].write_csv(include_header=False, line_terminator="\n") if b > a else ""
        for a, b in itertools.pairwise(cuts)
    ]
    return frame[:0].write_csv(line_terminator="\n") + "\n".join(bodies)


@pytest.mark.parametrize("blank_before", [[], [2], [1, 3, 3], [2, 6], [6, 6]])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_blank_lines_land_before_their_rows(
    tmp_path: Path, blank_before: list[int], encoding: str
) -> None:
    path = tmp_path / "f.csv"
    write_csv(path, FRAME, encoding, blank_before)
    expected = _chunked_csv(FRAME, blank_before).encode(encoding)
    assert path.read_bytes() == expected
    assert path.read_bytes().startswith(codecs.BOM_UTF8) == (encoding == "utf-8-sig")
    lines = path.read_bytes().decode(encoding).lstrip("\ufeff").split("\n")
    assert lines.count("") == len(blank_before) + 1  # and the empty string after the last newline


def test_csv_values_spanning_lines_keep_their_blank_lines(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": ["x", "two\nlines", "y", "z"], "b": ["1", "2", "3", "4"]})
    path = tmp_path / "f.csv"
    write_csv(path, frame, "utf-8", [3])
    assert path.read_bytes() == _chunked_csv(frame, [3]).encode()
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
    assert rows == [["a", "b"], ["x", "1"], ["two\nlines", "2"], [], ["y", "3"], ["z", "4"]]


def test_json_lines_and_arrays(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "f.jsonl", FRAME, [2, 2, 6])
    lines = (tmp_path / "f.jsonl").read_text("utf-8").split("\n")
    assert lines[1:3] == ["", ""] and lines[-2:] == ["", ""]
    assert [json.loads(x)["编号"] for x in lines if x] == FRAME["编号"].to_list()
    write_json_array(tmp_path / "f.json", FRAME)
    text = (tmp_path / "f.json").read_text("utf-8")
    assert text.startswith("[\n{") and text.endswith("}\n]\n")
    assert len(text.splitlines()) == FRAME.height + 2
    assert json.loads(text) == FRAME.to_dicts()
    write_json_array(tmp_path / "e.json", FRAME[:0])
    assert (tmp_path / "e.json").read_text("utf-8") == "[\n\n]\n"


def test_background_writer_writes_everything_and_reraises(tmp_path: Path) -> None:
    with BackgroundWriter(depth=2) as bg:
        for i in range(5):
            bg.submit(write_csv, tmp_path / f"{i}.csv", FRAME, "utf-8", [])
    assert all((tmp_path / f"{i}.csv").read_bytes() == FRAME.write_csv().encode() for i in range(5))

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), BackgroundWriter() as bg:
        bg.submit(fail)
        bg.submit(write_csv, tmp_path / "later.csv", FRAME, "utf-8", [])


def test_xlsx_written_in_slices_is_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pl.concat([FRAME] * 7).with_columns(pl.col("数").str.replace("１２", "12"))
    created = dt.datetime(2025, 7, 1, 9)
    write_xlsx(tmp_path / "one.xlsx", frame, "标题", "副标题", created, numeric_cols=("数",))
    monkeypatch.setattr(writers, "_SHEET_SLICE", 4)
    write_xlsx(tmp_path / "sliced.xlsx", frame, "标题", "副标题", created, numeric_cols=("数",))
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "sliced.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "sliced.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert sheet.count("<row ") == frame.height + 4  # title, subtitle, header, totals
    assert '<c r="C6"><v>3</v></c>' in sheet and 'r="A39"' in sheet
