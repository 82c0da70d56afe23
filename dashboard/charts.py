"""Charts: a frame in, a Plotly figure out, with Chinese-readable labels and status colours."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

STATUS_COLOURS = {"met": "#2e7d32", "not_met": "#c62828", "none": "#757575", "target": "#f9a825"}
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


def rate_trend(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    target: float | None,
    x_label: str,
    y_label: str,
    target_label: str,
) -> go.Figure:
    """A monthly rate as a line with its target as a dashed line."""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=frame[x].to_list(),
            y=frame[y].to_list(),
            mode="lines+markers",
            name=y_label,
            line={"color": "#1565c0", "width": 2},
            hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra></extra>",
        )
    )
    if target is not None:
        figure.add_hline(
            y=target,
            line={"color": STATUS_COLOURS["target"], "dash": "dash"},
            annotation_text=f"{target_label} {target:.0%}",
        )
    figure.update_layout(
        font={"family": FONT},
        xaxis={"title": x_label, "tickformat": "%Y-%m"},
        yaxis={"title": y_label, "tickformat": ".0%", "rangemode": "tozero"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        height=320,
        showlegend=False,
    )
    return figure
