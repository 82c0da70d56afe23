"""Tables reach the browser as Arrow, typed as st.dataframe's pandas round trip types them."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pyarrow as pa
from streamlit import dataframe_util

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
