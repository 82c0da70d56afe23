"""Charts are built once per distinct input and shared, so pages never change a figure."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from dashboard import charts

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "app_pages"


def bars(values: list[int]) -> pl.DataFrame:
    return pl.DataFrame({"department": ["城管", "民政", "消防"], "count": values})


def test_the_same_data_draws_the_same_shared_figure() -> None:
    first = charts.count_bars(
        bars([3, 1, 2]), category="department", value="count", value_label="n"
    )
    again = charts.count_bars(
        bars([3, 1, 2]), category="department", value="count", value_label="n"
    )
    assert again is first


def test_other_data_or_options_draw_another_figure() -> None:
    first = charts.count_bars(
        bars([3, 1, 2]), category="department", value="count", value_label="n"
    )
    other = charts.count_bars(
        bars([3, 1, 4]), category="department", value="count", value_label="n"
    )
    assert other is not first
    assert list(other.data[0].x) == [1, 3, 4]
    coloured = charts.count_bars(
        bars([3, 1, 2]), category="department", value="count", value_label="n",
        department_colours=True, value_format=".1%",
    )  # fmt: skip
    assert coloured is not first
    assert list(coloured.data[0].marker.color) == [charts.department_colour(d)
                                                    for d in ["民政", "消防", "城管"]]  # fmt: skip
    assert coloured.layout.xaxis.tickformat == ".1%"


def test_a_frame_in_another_order_is_another_figure() -> None:
    frame = pl.DataFrame({"month_on": ["2025-01", "2025-02"], "value": [0.1, 0.2]})
    options = {"x": "month_on", "y": "value", "target": None, "x_label": "m", "y_label": "v",
               "target_label": "t"}  # fmt: skip
    forward = charts.rate_trend(frame, **options)  # type: ignore[arg-type]
    backward = charts.rate_trend(frame.reverse(), **options)  # type: ignore[arg-type]
    assert list(backward.data[0].y) == [0.2, 0.1]
    assert list(forward.data[0].y) == [0.1, 0.2]


def test_pages_never_change_a_figure_they_did_not_build() -> None:
    changes = re.compile(r"\bfig(?:ure)?\.(?:update|add|for_each|set)_")
    for page in PAGES.glob("*.py"):
        assert not changes.search(page.read_text(encoding="utf-8")), f"{page.name} changes a figure"


def test_a_shared_figure_gives_its_dict_once_made() -> None:
    figure = charts.count_bars(
        bars([5, 6, 7]), category="department", value="count", value_label="n"
    )
    made = figure.to_dict()
    assert figure.to_dict() is made
    assert [trace["x"] for trace in made["data"]] == [[5, 6, 7]]
