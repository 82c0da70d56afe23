"""Repeated rows found by hash screening: the same rows as polars' exact methods, collisions
included."""

from __future__ import annotations

import polars as pl
import pytest

import pipelines.repeats as repeats
from pipelines.batch import distinct_rows
from pipelines.readers import LINE

FRAME = pl.DataFrame(
    {
        "k": ["a", "b", "a", None, None, "c", "b", "d", None],
        "v": ["1", "2", "1", None, "x", "3", "9", "4", None],
    }
)


def _every_row_collides(frame: pl.DataFrame) -> pl.Series:
    return pl.Series([True] * frame.height)


@pytest.mark.parametrize("collide", [False, True])
@pytest.mark.parametrize("columns", [["k"], ["v"], ["k", "v"]])
def test_repeated_rows_is_is_duplicated(
    columns: list[str], collide: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if collide:  # a hash that always collides leaves everything to the exact comparison
        monkeypatch.setattr(repeats, "hash_repeats", _every_row_collides)
    frame = FRAME.select(columns)
    assert repeats.repeated_rows(frame).to_list() == frame.is_duplicated().to_list()


def _expected(frame: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, int]:
    """The definition: blank rows dropped, then the first of each exact duplicate kept."""
    filled = frame.filter(~pl.all_horizontal(pl.col(columns).is_null()))
    return filled.unique(subset=columns, keep="first", maintain_order=True), filled.height


@pytest.mark.parametrize("collide", [False, True])
@pytest.mark.parametrize("screen", [None, ["k"], ["v"]])
def test_distinct_rows_drops_blank_rows_and_exact_duplicates_keeping_the_first(
    screen: list[str] | None, collide: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if collide:
        monkeypatch.setattr("pipelines.batch.hash_repeats", _every_row_collides)
    frame = FRAME.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    kept, rows_read = distinct_rows(frame, ["k", "v"], screen)
    expected, expected_read = _expected(frame, ["k", "v"])
    assert kept.equals(expected)
    assert rows_read == expected_read == 7  # two blank lines
    assert kept.get_column(LINE).to_list() == [2, 3, 6, 7, 8, 9]  # the second ("a", "1") went


def test_distinct_rows_returns_the_frame_itself_when_nothing_is_dropped() -> None:
    frame = pl.DataFrame({LINE: [2, 3], "k": ["a", "b"], "v": ["1", None]})
    kept, rows_read = distinct_rows(frame, ["k", "v"], ["k"])
    assert kept is frame
    assert rows_read == 2
