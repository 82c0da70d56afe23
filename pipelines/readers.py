"""Readers: decode one source file into a frame of text columns, each row numbered by its line.

`__line` is where the row sits in the file: the physical line for CSV and JSON Lines (header =
line `header_line`), the sheet row for XLSX, the object's line for a JSON array written one object
per line, and the feature's number for GeoJSON. Blank lines stay as all-null rows (dropped later).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.errors import FileRejected
from pipelines.source_config import SourceConfig

LINE = "__line"
BOM = b"\xef\xbb\xbf"
RESEND = "open it to check it is the month's export, then ask the sender for a new copy"


def decode(data: bytes, encoding: str, file: str) -> tuple[bytes, str]:
    """The bytes as UTF-8 without BOM, and their encoding; `auto` tries UTF-8, then GB18030."""
    if encoding in {"utf-8", "utf-8-sig", "auto"} and data.startswith(BOM):
        data = data[len(BOM) :]
        encoding = "utf-8-sig" if encoding == "auto" else encoding
    candidates = ["utf-8", "gb18030"] if encoding == "auto" else [encoding]
    for candidate in candidates:
        try:
            text = data.decode("utf-8" if candidate == "utf-8-sig" else candidate)
        except UnicodeDecodeError as error:
            if candidate == candidates[-1]:
                tried = " or ".join(candidates)
                raise FileRejected(
                    file,
                    f"not valid {tried} text (byte {error.start})",
                    "check the file's encoding against its source config (encoding:), "
                    "or ask for a new export",
                ) from None
            continue
        if candidate == "utf-8" or candidate == "utf-8-sig":
            return data, "utf-8-sig" if encoding == "utf-8-sig" else "utf-8"
        return text.encode("utf-8"), candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _empty(data: bytes, file: str) -> None:
    # a text that starts with something is not empty: strip (a copy of) the whole file only when
    # its start is blank
    if not data[:4096].strip() and not data.strip():
        raise FileRejected(
            file, "the file is empty", "ask the sender for the month's export", "empty"
        )


def _strip_names(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({name: str(name).strip() for name in frame.columns})


def _numbered(frame: pl.DataFrame, first_line: int) -> pl.DataFrame:
    frame = _strip_names(frame)
    return frame.with_row_index(LINE, offset=first_line).with_columns(pl.col(LINE).cast(pl.Int64))


def _parse_csv(data: bytes | Path, header_line: int, file: str) -> pl.DataFrame:
    try:
        return pl.read_csv(
            data,
            infer_schema=False,
            skip_rows=header_line - 1,
            truncate_ragged_lines=False,
            raise_if_empty=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise FileRejected(file, f"not a readable CSV table ({first_line})", RESEND) from None


def _parsed_in_place(path: Path, encoding: str, header_line: int) -> pl.DataFrame | None:
    """A UTF-8 CSV without BOM parsed from the file itself (no copy of its bytes in memory), or
    None when it needs the path below: a BOM, a blank start, or any error or repaired name."""
    if header_line != 1 or encoding not in {"utf-8", "auto"}:
        return None
    with path.open("rb") as handle:
        start = handle.read(4096)
    if start.startswith(BOM) or not start.strip():
        return None
    try:
        frame = _parse_csv(path, header_line, str(path))
    except FileRejected:
        return None  # read again below, which says why
    if any("\ufffd" in name for name in frame.columns):
        return None
    return _numbered(frame, header_line + 1)


def read_csv(path: Path, encoding: str, header_line: int = 1) -> pl.DataFrame:
    """A CSV file as text columns plus `__line`, the physical line of each row."""
    frame = _parsed_in_place(path, encoding, header_line)
    if frame is not None:
        return frame
    data = path.read_bytes()
    _empty(data, str(path))
    if header_line == 1 and encoding in {"utf-8", "utf-8-sig", "auto"}:
        # the parser rejects invalid UTF-8 in every field, though not in the header (whose names
        # it decodes with replacement characters): decoding the file in Python first would only
        # repeat that check; a file the parser refuses, or whose names it had to repair, takes
        # the path below, which finds the bad byte (or another encoding)
        try:
            frame = _parse_csv(data.removeprefix(BOM), header_line, str(path))
        except FileRejected as rejection:
            if "utf-8" not in rejection.problem:
                raise
        else:
            if not any("\ufffd" in name for name in frame.columns):
                return _numbered(frame, header_line + 1)
    utf8, _ = decode(data, encoding, str(path))
    return _numbered(_parse_csv(utf8, header_line, str(path)), header_line + 1)


def read_xlsx(path: Path, sheet: str | int, header_line: int) -> pl.DataFrame:
    """An XLSX sheet as text columns; the header is at sheet row `header_line` (titles above)."""
    import fastexcel

    _empty(path.read_bytes()[:64], str(path))
    try:
        reader = fastexcel.read_excel(str(path))
        rows = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    except Exception as error:  # fastexcel raises its own CalamineError / FastExcelError
        first_line = str(error).strip().splitlines()[0]
        raise FileRejected(
            str(path), f"not a readable XLSX workbook ({first_line})", RESEND
        ) from None
    if rows.height < header_line:
        raise FileRejected(
            str(path),
            f"the sheet has {rows.height} rows, no header at row {header_line}",
            "check header_line in its source config, or ask for the month's export",
            "not_a_table",
        )
    header = [None if v is None else str(v).strip() for v in rows.row(header_line - 1)]
    keep = [i for i, name in enumerate(header) if name]
    names = [str(header[i]) for i in keep]
    body = rows.slice(header_line).select([rows.columns[i] for i in keep])
    body = body.rename(dict(zip(body.columns, names, strict=True)))
    return _numbered(body, header_line + 1)


def _records(
    records: list[tuple[int, Any]], file: str, expected: tuple[str, ...] = ()
) -> pl.DataFrame:
    """JSON objects (with their line numbers) as text columns; nested values kept as JSON text."""
    columns: dict[str, None] = dict.fromkeys(expected)
    for _, record in records:
        if not isinstance(record, dict):
            raise FileRejected(file, "a record is not a JSON object", RESEND, "not_a_table")
        columns.update(dict.fromkeys(record))
    data: dict[str, list[str | None]] = {name: [] for name in columns}
    lines: list[int] = []
    for line, record in records:
        lines.append(line)
        for name in columns:
            value = record.get(name)
            if value is None:
                data[name].append(None)
            elif isinstance(value, str):
                data[name].append(value)
            elif isinstance(value, (dict, list)):
                data[name].append(json.dumps(value, ensure_ascii=False))
            else:
                data[name].append(str(value))
    frame = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))
    frame = _strip_names(frame)
    return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))


def read_jsonl(path: Path, encoding: str, expected: tuple[str, ...] = ()) -> pl.DataFrame:
    """JSON Lines: one object per physical line; blank lines become all-null rows.

    An empty file is a valid export with no records (JSON Lines has no header to lose).
    """
    data = path.read_bytes()
    utf8, _ = decode(data, encoding, str(path))
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(utf8.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            records.append((number, {}))
            continue
        try:
            records.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise FileRejected(
                str(path), f"line {number} is not a JSON object ({error.msg})", RESEND
            ) from None
    return _records(records, str(path), expected)


def _load_json(path: Path, encoding: str) -> tuple[str, object]:
    """A JSON file's decoded text and its parsed value; rejected when empty or not JSON."""
    data = path.read_bytes()
    _empty(data, str(path))
    text = decode(data, encoding, str(path))[0].decode("utf-8")
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRejected(
            str(path), f"not valid JSON (line {error.lineno}: {error.msg})", RESEND
        ) from None


def read_json_array(path: Path, encoding: str) -> pl.DataFrame:
    """A JSON array of objects; each row's line is where its object starts."""
    text, parsed = _load_json(path, encoding)
    if not isinstance(parsed, list):
        raise FileRejected(str(path), "not a JSON array of records", RESEND, "not_a_table")
    starts = [m.start() for m in re.finditer(r"(?m)^\s*\{", text)]
    if len(starts) == len(parsed):
        lines, line, counted = [], 1, 0
        for start in starts:  # count newlines once through the text, not from its start each time
            line += text.count("\n", counted, start)
            counted = start
            lines.append(line)
    else:
        lines = list(range(2, len(parsed) + 2))
    return _records(list(zip(lines, parsed, strict=True)), str(path))


def read_geojson(path: Path, encoding: str) -> pl.DataFrame:
    """A GeoJSON FeatureCollection: each feature's properties plus `geometry` as JSON text."""
    _, parsed = _load_json(path, encoding)
    features = parsed.get("features") if isinstance(parsed, dict) else None
    if not isinstance(features, list):
        raise FileRejected(
            str(path), "not a GeoJSON FeatureCollection (no features)", RESEND, "not_a_table"
        )
    records: list[tuple[int, Any]] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise FileRejected(str(path), f"feature {number} is not an object", RESEND)
        properties = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        properties["geometry"] = (
            None if geometry is None else json.dumps(geometry, separators=(",", ":"))
        )
        records.append((number, properties))
    return _records(records, str(path))


def read_source_file(path: Path, config: SourceConfig) -> pl.DataFrame:
    """Read a file the way its source config says."""
    if config.format == "csv":
        return read_csv(path, config.encoding, config.header_line)
    if config.format == "xlsx":
        return read_xlsx(path, config.sheet, config.header_line)
    if config.format == "jsonl":
        # records carry their own keys: a file with none still has the mapped columns
        expected = () if path.stat().st_size else tuple(config.source_columns())
        return read_jsonl(path, config.encoding, expected)
    if config.format == "json":
        return read_json_array(path, config.encoding)
    if config.format == "geojson":
        return read_geojson(path, config.encoding)
    raise FileRejected(str(path), f"format {config.format} has no reader", "fix the source config")
