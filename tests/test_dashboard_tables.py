"""Tables reach the browser as Arrow, typed as st.dataframe's pandas round trip types them."""

from __future__ import annotations

import gc
from datetime import date, datetime

import polars as pl
import pyarrow as pa
import pytest
from streamlit import dataframe_util

from dashboard import components, text
from dashboard.components import _arrow


def through_pandas(data: pl.DataFrame) -> pa.Table:
    frame = dataframe_util.convert_anything_to_pandas_df(data, ensure_copy=False)
    return pa.ipc.open_stream(dataframe_util.convert_pandas_df_to_arrow_bytes(frame)).read_all()


def test_the_arrow_table_has_the_round_trips_types_and_values() -> None:
    data = pl.DataFrame(
        {
            "name": ["幸福里", None],
            "on": [date(2025, 3, 1), None],
            "at": [datetime(2025, 3, 1, 9, 30), None],
            "count_with_gaps": [3, None],
            "count": [3, 4],
            "small": pl.Series([1, 2], dtype=pl.UInt32),
            "rate": [0.25, None],
            "flag": [True, None],
        }
    )
    shown = _arrow(data)
    assert isinstance(shown, pa.Table)
    expected = through_pandas(data)
    assert shown.schema == expected.schema.remove_metadata()
    assert shown.to_pylist() == expected.to_pylist()


def test_other_types_take_the_pandas_way() -> None:
    data = pl.DataFrame({"total": pl.Series([1, 2], dtype=pl.Int128)})
    assert _arrow(data) is data


def test_a_frame_shown_again_is_converted_once_per_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = pl.DataFrame({"community": ["幸福里", "和平里"], "count_complaints": [3, None]})
    for module in (components, text):  # the key's language and the labels' are the session's
        monkeypatch.setattr(module, "language", lambda: "zh")
    shown, sent = components._shown_table(data)
    assert components._shown_table(data)[1] is sent  # the same frame: no second conversion
    assert shown.equals(components._exportable(data))
    assert components._shown_table(data.clone())[1] is not sent  # another frame: its own
    for module in (components, text):
        monkeypatch.setattr(module, "language", lambda: "en")
    english, _ = components._shown_table(data)
    assert english.columns != shown.columns  # labels follow the language
    key = (id(data), "en")
    assert key in components._shown
    del data
    gc.collect()
    assert key not in components._shown  # the entry goes with its frame
