"""Deterministic writers: CSV (UTF-8, BOM, GBK/GB18030), JSON Lines, JSON arrays and XLSX."""

from __future__ import annotations

import bisect
import codecs
import datetime as dt
import io
import itertools
import json
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

_SHEET_SLICE = 16384  # data rows turned into sheet XML at a time
XLSX_HEADER_ROW = 4  # 1-based sheet row of the header (title, subtitle and a blank row above)


def _chunks(frame: pl.DataFrame, blank_before: list[int]) -> list[pl.DataFrame]:
    """Split the frame before each 1-based data row that gets a blank line."""
    cuts = [0, *[b - 1 for b in blank_before], frame.height]
    return [frame[a:b] for a, b in itertools.pairwise(cuts)]


_SCAN = 1 << 24  # bytes scanned for newlines at a time (bounds the scan's scratch memory)


def _line_starts(body: memoryview) -> np.ndarray:
    """Offset of each line's first byte, plus len(body) at the end."""
    data = np.frombuffer(body, dtype=np.uint8)
    ends = [np.flatnonzero(data[i : i + _SCAN] == 10) + (i + 1) for i in range(0, len(data), _SCAN)]
    return np.concatenate([np.zeros(1, dtype=np.int64), *ends])


def _pieces(body: memoryview, first_row_line: int, blank_before: list[int]) -> list[memoryview]:
    """The text cut before each 1-based data row in blank_before (repeats allowed; one past the
    last row means the end), to be written with an empty line between pieces. Data row r starts
    on 0-based line first_row_line + r - 1."""
    if not blank_before:
        return [body]
    starts = _line_starts(body)
    at = starts[first_row_line + np.asarray(blank_before, dtype=np.int64) - 1].tolist()
    return [body[a:b] for a, b in itertools.pairwise([0, *at, len(body)])]


def _write_pieces(path: Path, pieces: list[memoryview], prefix: bytes = b"") -> None:
    """Write prefix, then the pieces joined by newlines, without joining them in memory."""
    with path.open("wb") as f:
        f.write(prefix)
        for i, piece in enumerate(pieces):
            if i:
                f.write(b"\n")
            f.write(piece)


def write_csv(path: Path, frame: pl.DataFrame, encoding: str, blank_before: list[int]) -> None:
    """CSV with a header line; a blank line is written before each data row in blank_before."""
    buf = io.BytesIO()
    frame.write_csv(buf, line_terminator="\n")
    body = buf.getbuffer()
    if len(_line_starts(body)) - 1 == frame.height + 1:
        pieces = _pieces(body, 1, blank_before)
    else:  # a value holds a newline: cut the frame instead of the text
        header = frame[:0].write_csv(line_terminator="\n")
        text = header + "\n".join(_csv_body(c) for c in _chunks(frame, blank_before))
        pieces = [memoryview(text.encode("utf-8"))]
    if encoding in ("utf-8", "utf8"):
        _write_pieces(path, pieces)
    elif encoding == "utf-8-sig":
        _write_pieces(path, pieces, codecs.BOM_UTF8)
    else:
        text = b"\n".join(pieces).decode("utf-8")
        path.write_bytes(text.encode(encoding))


def _csv_body(frame: pl.DataFrame) -> str:
    return frame.write_csv(include_header=False, line_terminator="\n") if frame.height else ""


def write_jsonl(path: Path, frame: pl.DataFrame, blank_before: list[int]) -> None:
    """One JSON object per line (keys in column order, nulls as null), UTF-8."""
    buf = io.BytesIO()
    if frame.height:
        frame.write_ndjson(buf)
    # JSON escapes newlines inside strings, so each object is exactly one line
    _write_pieces(path, _pieces(buf.getbuffer(), 0, blank_before))


def write_json_array(path: Path, frame: pl.DataFrame) -> None:
    """A JSON array, one object per line after the opening bracket, UTF-8."""
    buf = io.BytesIO()
    if frame.height:
        frame.write_ndjson(buf)
    body = buf.getvalue()
    if not body:
        path.write_bytes(b"[\n\n]\n")
        return
    # each object's newline becomes ",\n" except the last one's
    objects = body[:-1].replace(b"\n", b",\n")
    path.write_bytes(b"[\n" + objects + b"\n]\n")


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = "http://schemas.openxmlformats.org"
_STATIC = {
    "[Content_Types].xml": f'<Types xmlns="{_NS}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_NS}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_NS}/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_NS}/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/></Relationships>',
    "docProps/app.xml": f'<Properties xmlns="{_NS}/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>",
    "xl/workbook.xml": f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" '
    f'xmlns:r="{_NS}/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_NS}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_NS}/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>',
    "xl/styles.xml": f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">'
    '<fonts count="3"><font><sz val="11"/><name val="宋体"/></font>'
    '<font><b/><sz val="14"/><name val="宋体"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/></font>'
    '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills><borders count="2">'
    "<border><left/><right/><top/><bottom/><diagonal/></border>"
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}


def _letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_esc(text)}</t></is></c>'


def _sheet_rows(frame: pl.DataFrame, first_row: int, numeric_cols: tuple[str, ...]) -> bytes:
    """The data rows as UTF-8 sheet XML, built column-wise by polars (no Python loop per row)."""
    if frame.height == 0:
        return b""
    rn = pl.int_range(first_row, first_row + frame.height, eager=False).cast(pl.String)
    cells = []
    for j, c in enumerate(frame.columns):
        col = pl.col(c)
        esc = (
            col.str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
        ref = [pl.lit(f'<c r="{_letter(j)}'), rn]
        text = pl.concat_str(
            [
                *ref,
                pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
                esc,
                pl.lit("</t></is></c>"),
            ]
        )
        if c in numeric_cols:
            number = pl.concat_str([*ref, pl.lit('"><v>'), col, pl.lit("</v></c>")])
            text = pl.when(col.str.contains(r"^[0-9]+$")).then(number).otherwise(text)
        cells.append(pl.when(col.is_null()).then(pl.lit("")).otherwise(text))
    row = pl.concat_str([pl.lit('<row r="'), rn, pl.lit('">'), *cells, pl.lit("</row>")])
    # as bytes: no round trip through a Python str of the whole sheet
    return frame.select(row.str.join("").cast(pl.Binary)).item()


def write_xlsx(
    path: Path,
    frame: pl.DataFrame,
    title: str,
    subtitle: str,
    created: dt.datetime,
    numeric_cols: tuple[str, ...] = (),
) -> None:
    """A sheet with a title block above the header at row 4 and a totals row after the data.

    Written directly as SpreadsheetML with inline strings (the layout xlsxwriter's constant_memory
    mode produces), so large ledgers need no Python loop per cell; zip entries carry a fixed date.
    """
    h = XLSX_HEADER_ROW
    total = h + frame.height + 1
    header = "".join(_text_cell(f"{_letter(j)}{h}", c, 2) for j, c in enumerate(frame.columns))
    last = f"{_letter(max(frame.width, 2) - 1)}{total}"
    head = (
        f'{_XML}<worksheet xmlns="{_NS}/spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}/officeDocument/2006/relationships"><dimension ref="A1:{last}"/>'
        f'<cols><col min="1" max="{max(frame.width, 2)}" width="16" customWidth="1"/></cols>'
        f'<sheetData><row r="1">{_text_cell("A1", title, 1)}</row>'
        f'<row r="2">{_text_cell("A2", subtitle)}</row><row r="{h}">{header}</row>'
    )
    tail = (
        f'<row r="{total}">{_text_cell(f"A{total}", "合计")}'
        f"{_text_cell(f'B{total}', f'共{frame.height}条')}</row></sheetData>"
        f'<mergeCells count="1"><mergeCell ref="A1:{last[: -len(str(total))]}1"/></mergeCells>'
        "</worksheet>"
    )
    rows = (
        _sheet_rows(frame.slice(a, _SHEET_SLICE), h + 1 + a, numeric_cols)
        for a in range(0, frame.height, _SHEET_SLICE)
    )
    sheet = itertools.chain([head.encode("utf-8")], rows, [tail.encode("utf-8")])
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        f'<cp:coreProperties xmlns:cp="{_NS}/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_esc(title)}</dc:title><dc:creator>duban</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    parts: dict[str, Iterable[bytes]] = {
        **{k: [_with_declaration(v)] for k, v in _STATIC.items()},
        "docProps/core.xml": [_with_declaration(core)],
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, pieces in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            # what ZipFile.writestr(compresslevel=1) sets (private before Python 3.13)
            info._compresslevel = 1  # type: ignore[attr-defined]
            # streamed: the sheet is built and compressed a slice of rows at a time (the size
            # ZipFile.writestr would set beforehand only decides ZIP64, needed from 2 GB)
            with zf.open(info, "w") as dest:
                for piece in pieces:
                    dest.write(piece)


def _with_declaration(body: str) -> bytes:
    return (body if body.startswith("<?xml") else _XML + body).encode("utf-8")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True)


def write_json(path: Path, obj: Any) -> None:
    """JSON with sorted keys, UTF-8: a top-level object one key per line, and each element of a
    list value (records, features) on its own line; fast (C encoder) and diff-friendly."""
    if isinstance(obj, list):
        path.write_text("[\n" + ",\n".join(_dumps(v) for v in obj) + "\n]\n", "utf-8")
        return
    if not isinstance(obj, dict):
        path.write_text(_dumps(obj) + "\n", "utf-8")
        return
    parts = []
    for key in sorted(obj):
        value = obj[key]
        if isinstance(value, list) and value:
            inner = ",\n".join("    " + _dumps(v) for v in value)
            parts.append(f"  {_dumps(key)}: [\n{inner}\n  ]")
        else:
            parts.append(f"  {_dumps(key)}: {_dumps(value)}")
    path.write_text("{\n" + ",\n".join(parts) + "\n}\n", "utf-8")


def data_line(fmt: str, row: int, blank_before: list[int]) -> int:
    """Physical line (text) or sheet row (XLSX) of 1-based data row `row`."""
    blanks = bisect.bisect_right(blank_before, row)
    if fmt == "xlsx":
        return XLSX_HEADER_ROW + row
    if fmt == "jsonl":
        return row + blanks
    if fmt == "json":
        return row + 1
    return 1 + row + blanks


def blank_line(fmt: str, before: int, blank_before: list[int]) -> int:
    """Physical line of the blank line written before 1-based data row `before`."""
    return data_line(fmt, before, blank_before) - 1


class BackgroundWriter:
    """Writes files on one worker thread while the caller builds the next frame.

    The writers spend their time in polars and zlib, which release the GIL, so on two cores the
    writing of one month overlaps the building of the next. At most `depth` writes wait, which
    bounds the frames held in memory; `flush` waits for all of them and re-raises any error.
    """

    def __init__(self, depth: int = 1) -> None:
        self.depth = depth
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duban-writer")
        self.pending: deque[Future[None]] = deque()

    def submit(self, fn: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """Queue one write, first waiting while `depth` writes are already queued."""
        while len(self.pending) >= self.depth:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(fn, *args, **kwargs))

    def flush(self) -> None:
        """Wait until every queued write is on disk."""
        while self.pending:
            self.pending.popleft().result()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.flush()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
