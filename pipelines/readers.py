"""Readers: decode one source file into a frame of text columns, each row numbered by its line."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from pipelines.errors import FileRejected
from pipelines.source_config import SourceConfig

LINE = "__line"


def read_csv(path: Path, encoding: str) -> pl.DataFrame:
    """A CSV file as text columns plus `__line`, the physical line of each row (header = line 1)."""
    data = path.read_bytes()
    if not data.strip():
        raise FileRejected(str(path), "the file is empty", "ask the sender for the month's export")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise FileRejected(
            str(path),
            f"not valid {encoding} text (byte {error.start})",
            "check the file's encoding against its source config, or ask for a new export",
        ) from None
    text = text.removeprefix("\ufeff")
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            infer_schema=False,
            truncate_ragged_lines=False,
            raise_if_empty=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise FileRejected(
            str(path),
            f"not a readable CSV table ({first_line})",
            "open it to check it is the month's export, then send it again",
        ) from None
    frame = frame.rename({name: name.strip() for name in frame.columns})
    return frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))


def read_source_file(path: Path, config: SourceConfig) -> pl.DataFrame:
    """Read a file the way its source config says."""
    if config.format == "csv":
        return read_csv(path, config.encoding)
    raise FileRejected(str(path), f"format {config.format} has no reader", "fix the source config")
