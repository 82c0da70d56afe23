"""Charts: a frame in, a Plotly figure out, with Chinese-readable labels and fixed colours."""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import plotly.graph_objects as go
import polars as pl
from plotly.colors import sample_colorscale

STATUS_COLOURS = {
    "green": "#2e7d32",
    "amber": "#f9a825",
    "red": "#c62828",
    "none": "#757575",
    "met": "#2e7d32",
    "not_met": "#c62828",
    "target": "#ef6c00",
    "series": "#1565c0",
    "baseline": "#8e24aa",
}
# one colour per department, the same on every page
DEPARTMENT_COLOURS = {
    "民政": "#1f77b4", "城管": "#ff7f0e", "卫健": "#2ca02c", "公安": "#d62728",
    "消防": "#9467bd", "住建": "#8c564b", "市场监管": "#e377c2", "生态环境": "#7f7f7f",
    "应急管理": "#bcbd22", "水务": "#17becf", "交通": "#393b79", "司法": "#637939",
}  # fmt: skip
F = TypeVar("F", bound=Callable[..., go.Figure])
CACHED_FIGURES = 128  # figures kept for reruns that draw the same data again
_figures: OrderedDict[object, go.Figure] = OrderedDict()
_figures_lock = threading.Lock()
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
HEAT = "YlOrRd"


def _frozen(value: object) -> object:
    """A hashable stand-in for a builder's argument; a frame stands in by its content."""
    if isinstance(value, pl.DataFrame):
        rows = value.hash_rows().to_numpy().tobytes() if value.height else b""
        digest = hashlib.blake2b(rows, digest_size=16).hexdigest()
        return ("frame", tuple((n, str(d)) for n, d in value.schema.items()), value.height, digest)
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("seq", tuple(_frozen(v) for v in value))
    return value


def shared(build: F) -> F:
    """Build a figure once per distinct input and hand the same figure to every rerun that draws
    it (building one, with plotly's validation, costs more than drawing it). The figure is
    shared: callers never change it; the builders take the options pages need."""

    @functools.wraps(build)
    def cached(*args: Any, **kwargs: Any) -> go.Figure:
        key = (build.__name__, _frozen(args), _frozen(sorted(kwargs.items())))
        with _figures_lock:
            found = _figures.get(key)
            if found is not None:
                _figures.move_to_end(key)
                return found
        figure = _finished(build(*args, **kwargs))
        with _figures_lock:
            _figures[key] = figure
            while len(_figures) > CACHED_FIGURES:
                _figures.popitem(last=False)
        return figure

    return cached  # type: ignore[return-value]


def _finished(figure: go.Figure) -> go.Figure:
    """The figure with its dict made once: st.plotly_chart asks every rerun for `to_dict()`,
    which deep-copies every trace's data and base64-encodes its arrays each time."""
    made = figure.to_dict()
    figure.to_dict = lambda: made
    return figure


def department_colour(name: str | None) -> str:
    """The department's fixed colour (grey for an unknown one)."""
    return DEPARTMENT_COLOURS.get(name or "", STATUS_COLOURS["none"])


def _layout(figure: go.Figure, height: int = 340, **extra: object) -> go.Figure:
    figure.update_layout(
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=height,
        hoverlabel={"font": {"family": FONT}},
        **extra,
    )
    return figure


def _fractions(frame: pl.DataFrame, numerator: str | None, denominator: str | None) -> list[str]:
    if not numerator or not denominator:
        return [""] * frame.height
    return [f"{n:,} / {d:,}" for n, d in zip(frame[numerator], frame[denominator], strict=True)]


@shared
def rate_trend(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    target: float | None,
    x_label: str,
    y_label: str,
    target_label: str,
    numerator: str | None = None,
    denominator: str | None = None,
    baseline: float | None = None,
    baseline_label: str = "",
    value_format: str = ".0%",
    hovertemplate: str = "%{x|%Y-%m}: %{y:.1%} (%{customdata})<extra></extra>",
) -> go.Figure:
    """A monthly rate as a line, with its target (and a baseline) as dashed lines;
    `value_format` and `hovertemplate` for a value that is not a rate."""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=frame[x].to_list(),
            y=frame[y].to_list(),
            customdata=_fractions(frame, numerator, denominator),
            mode="lines+markers",
            name=y_label,
            line={"color": STATUS_COLOURS["series"], "width": 2},
            hovertemplate=hovertemplate,
        )
    )
    if target is not None:
        figure.add_hline(
            y=target,
            line={"color": STATUS_COLOURS["target"], "dash": "dash"},
            annotation_text=f"{target_label} {target:.0%}",
        )
    if baseline is not None:
        figure.add_hline(
            y=baseline,
            line={"color": STATUS_COLOURS["baseline"], "dash": "dot"},
            annotation_text=f"{baseline_label} {baseline:.1%}",
            annotation_position="bottom right",
        )
    return _layout(
        figure,
        xaxis={"title": x_label, "tickformat": "%Y-%m"},
        yaxis={"title": y_label, "tickformat": value_format, "rangemode": "tozero"},
        showlegend=False,
    )


@shared
def rate_bars(
    frame: pl.DataFrame,
    *,
    category: str,
    rate: str,
    numerator: str,
    denominator: str,
    target: float | None,
    rate_label: str,
    target_label: str,
    colours: Sequence[str] | None = None,
) -> go.Figure:
    """Horizontal bars of a rate per category, worst first, target as a dashed line."""
    ordered = frame.sort(rate, descending=False, nulls_last=False)
    colour = list(colours) if colours else STATUS_COLOURS["series"]
    if target is not None and not colours:
        colour = [
            STATUS_COLOURS["red"] if (v or 0) >= target else STATUS_COLOURS["green"]
            for v in ordered[rate]
        ]
    figure = go.Figure(
        go.Bar(
            x=ordered[rate].to_list(),
            y=[str(v) for v in ordered[category]],
            orientation="h",
            marker={"color": colour},
            customdata=_fractions(ordered, numerator, denominator),
            hovertemplate="%{y}: %{x:.1%} (%{customdata})<extra></extra>",
            text=[f"{v:.0%}" if v is not None else "" for v in ordered[rate]],
            textposition="outside",
        )
    )
    if target is not None:
        figure.add_vline(
            x=target,
            line={"color": STATUS_COLOURS["target"], "dash": "dash"},
            annotation_text=f"{target_label} {target:.0%}",
        )
    return _layout(
        figure,
        height=max(160, 32 * ordered.height + 90),
        xaxis={"title": rate_label, "tickformat": ".0%", "rangemode": "tozero"},
        yaxis={"automargin": True},
        showlegend=False,
    )


@shared
def count_bars(
    frame: pl.DataFrame,
    *,
    category: str,
    value: str,
    value_label: str,
    colour: str | None = None,
    department_colours: bool = False,
    value_format: str | None = None,
) -> go.Figure:
    """Horizontal bars of a count per category, largest on top; `department_colours`: each bar
    in its department's colour (the category is the department); `value_format`: the axis's."""
    ordered = frame.sort(value)
    colours: str | list[str] = colour or STATUS_COLOURS["series"]
    if department_colours:
        colours = [department_colour(d) for d in ordered[category]]
    figure = go.Figure(
        go.Bar(
            x=ordered[value].to_list(),
            y=[str(v) for v in ordered[category]],
            orientation="h",
            marker={"color": colours},
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    axis = {"title": value_label} | ({"tickformat": value_format} if value_format else {})
    return _layout(
        figure,
        height=max(160, 28 * ordered.height + 90),
        xaxis=axis,
        yaxis={"automargin": True},
        showlegend=False,
    )


@shared
def matrix(
    frame: pl.DataFrame,
    *,
    rows: str,
    columns: str,
    value: str,
    row_label: str,
    column_label: str,
    percent: bool = False,
) -> go.Figure:
    """A heat map of `value` for each (row, column) pair, e.g. who duplicates whom; `percent`:
    values 0-100 coloured red to green, shown rounded, column names slanted."""
    row_names = sorted({str(v) for v in frame[rows]})
    column_names = sorted({str(v) for v in frame[columns]})
    cells = {(str(r), str(c)): v for r, c, v in frame.select(rows, columns, value).iter_rows()}
    z = [[cells.get((r, c), 0) for c in column_names] for r in row_names]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=column_names,
            y=row_names,
            colorscale=HEAT,
            text=z,
            texttemplate="%{text}",
            hovertemplate=f"{row_label} %{{y}} → {column_label} %{{x}}: %{{z}}<extra></extra>",
        )
    )
    if percent:
        figure.update_traces(colorscale="RdYlGn", zmin=0, zmax=100, texttemplate="%{z:.0f}")
    return _layout(
        figure,
        height=max(320, 34 * len(row_names) + 120),
        xaxis={"title": column_label, "side": "top"} | ({"tickangle": -60} if percent else {}),
        yaxis={"title": row_label, "autorange": "reversed"},
    )


@shared
def funnel(stages: list[str], counts: list[int]) -> go.Figure:
    """The closed loop as a funnel: each stage's count and its share of the first."""
    figure = go.Figure(
        go.Funnel(
            y=stages,
            x=counts,
            customdata=[
                [
                    c / counts[0] if counts[0] else 0,
                    (c / counts[i - 1] if counts[i - 1] else 0) if i else 1,
                ]
                for i, c in enumerate(counts)
            ],
            texttemplate="%{value} · %{customdata[0]:.0%} / %{customdata[1]:.0%}",
            marker={"color": [STATUS_COLOURS["series"]] * len(stages)},
        )
    )
    return _layout(figure, height=360)


SHADES = 8  # the map's colour steps: one filled trace per step keeps the figure small


@shared
def grid_map(
    frame: pl.DataFrame, *, value: str, value_label: str, name: str = "grid_name"
) -> go.Figure:
    """Grids' polygons (GeoJSON text in `geometry`) filled by `value`; drawn offline, no tiles.

    The polygons of each colour step are one trace (rings apart by gaps), so thousands of grids
    stay a handful of traces; a point per grid carries its name and value on hover."""
    values = [v or 0.0 for v in frame[value].to_list()]
    top = max(values) if values and max(values) > 0 else 1.0
    steps = [min(SHADES - 1, int(SHADES * v / top)) for v in values]
    shades = sample_colorscale(HEAT, [(k + 0.5) / SHADES for k in range(SHADES)])
    xs: list[list[float | None]] = [[] for _ in range(SHADES)]
    ys: list[list[float | None]] = [[] for _ in range(SHADES)]
    centres: list[tuple[float | None, float | None]] = []
    for geometry, step in zip(frame["geometry"].to_list(), steps, strict=True):
        rings = _rings(geometry)
        centres.append(_centre(rings))
        for ring in rings:
            xs[step] += [p[0] for p in ring] + [None]
            ys[step] += [p[1] for p in ring] + [None]
    figure = go.Figure()
    for step in range(SHADES):
        if xs[step]:
            figure.add_trace(
                go.Scatter(
                    x=xs[step], y=ys[step], fill="toself", fillcolor=shades[step],
                    mode="lines", line={"color": "#555555", "width": 1}, hoverinfo="skip",
                    showlegend=False,
                )
            )  # fmt: skip
    return _layout(
        _value_points(figure, centres, frame[name].to_list(), values, value_label, top, 0.1),
        height=460,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1.15},
        plot_bgcolor="white",
    )


@shared
def point_map(
    frame: pl.DataFrame, *, value: str, value_label: str, name: str = "area_name"
) -> go.Figure:
    """Areas as points at `x`, `y` (e.g. a community at the centre of its grids), by `value`."""
    values = [v or 0.0 for v in frame[value].to_list()]
    top = max(values) if values and max(values) > 0 else 1.0
    centres = list(zip(frame["x"].to_list(), frame["y"].to_list(), strict=True))
    figure = _value_points(go.Figure(), centres, frame[name].to_list(), values, value_label, top, 7)
    return _layout(
        figure,
        height=460,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1.15},
        plot_bgcolor="white",
    )


def _value_points(
    figure: go.Figure,
    centres: Sequence[tuple[float | None, float | None]],
    names: Sequence[object],
    values: list[float],
    value_label: str,
    top: float,
    size: float,
) -> go.Figure:
    """A point per area (its name and value on hover) and the colour bar."""
    figure.add_trace(
        go.Scatter(
            x=[c[0] for c in centres],
            y=[c[1] for c in centres],
            mode="markers",
            marker={
                "size": size, "color": values, "colorscale": HEAT, "cmin": 0, "cmax": top,
                "colorbar": {"title": {"text": value_label}},
            },
            text=[f"{n}: {v:,.1f}" for n, v in zip(names, values, strict=True)],
            hoverinfo="text",
            showlegend=False,
        )
    )  # fmt: skip
    return figure


def _rings(geometry: str | None) -> list[list[list[float]]]:
    try:
        shape = json.loads(geometry or "null")
    except ValueError:
        return []
    if not isinstance(shape, dict):
        return []
    if shape.get("type") == "Polygon":
        return [shape["coordinates"][0]]
    if shape.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in shape["coordinates"]]
    return []


def centre_of(geometry: str | None) -> tuple[float | None, float | None]:
    """The mean of a GeoJSON polygon's points (None, None without any)."""
    return _centre(_rings(geometry))


def _centre(rings: list[list[list[float]]]) -> tuple[float | None, float | None]:
    points = [p for ring in rings for p in ring]
    if not points:
        return None, None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


@shared
def stacked_months(
    frame: pl.DataFrame, *, x: str, y: str, group: str, y_label: str, colours: dict[str, str]
) -> go.Figure:
    """Monthly counts stacked by group (e.g. department) with fixed colours."""
    figure = go.Figure()
    for name in sorted({str(v) for v in frame[group]}):
        part = frame.filter(pl.col(group) == name).sort(x)
        figure.add_trace(
            go.Bar(
                x=part[x].to_list(),
                y=part[y].to_list(),
                name=name,
                marker={"color": colours.get(name, STATUS_COLOURS["none"])},
            )
        )
    return _layout(figure, barmode="stack", xaxis={"tickformat": "%Y-%m"}, yaxis={"title": y_label})
