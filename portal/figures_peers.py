"""The budget view's peer charts as plain dicts: bars against the peer median and quartiles, small multiples,
cost against outcome, stacked structure (one builder per chart, as in portal/figures.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from portal.figures import (
    HIGHLIGHT,
    PEER,
    _badge_above_labels,
    _labels_above_bars,
    _t,
    base_layout,
    synthetic_annotation,
)

# Legends at the foot of the figure (container coordinates), below the axis title instead of over it.
LEGEND_BOTTOM = {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0.0, "yanchor": "bottom"}


def peer_bars_figure(
    *,
    labels: Sequence[str],
    values: Sequence[float | None],
    q1: Sequence[float | None],
    median: Sequence[float | None],
    q3: Sequence[float | None],
    unit_name: str,
    x_title: str,
    lang: str = "pl",
    synthetic: bool = False,
    height: int | None = None,
) -> dict:
    """One bar per category for the unit, with the peer median (marker) and interquartile range (whisker)."""
    t = _t(lang)
    lo = [None if (m is None or a is None) else round(m - a, 1) for m, a in zip(median, q1, strict=True)]
    hi = [None if (m is None or b is None) else round(b - m, 1) for m, b in zip(median, q3, strict=True)]
    traces = [
        {"type": "bar", "orientation": "h", "x": list(values), "y": list(labels), "name": unit_name,
         "marker": {"color": PEER},
         "hovertemplate": "%{y}: %{x:,.0f} " + x_title + "<extra>" + unit_name + "</extra>"},
        {"type": "scatter", "mode": "markers", "x": list(median), "y": list(labels), "name": f"{t['peer_median']} "
         f"({t['iqr']})", "marker": {"symbol": "diamond", "size": 11, "color": HIGHLIGHT,
                                     "line": {"color": "white", "width": 1}},
         "error_x": {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo, "color": "#333",
                     "thickness": 1.6, "width": 6},
         "hovertemplate": "%{y}: " + t["peer_median"] + " %{x:,.0f}<extra></extra>"},
    ]
    layout = base_layout(lang, synthetic)
    layout.update(_labels_above_bars(labels, height or 110 + 56 * len(labels), synthetic, None, bargap=0.45))
    layout["annotations"] = _badge_above_labels(layout["annotations"]) + layout.pop("_labels")
    return {"data": traces, "layout": layout}



def small_multiples_figure(
    *,
    panels: Sequence[dict],
    lang: str = "pl",
    synthetic: bool = False,
    columns: int = 3,
    mark_year: int | None = None,
    unit_name: str | None = None,
) -> dict:
    """A grid of small line charts in one figure (one x/y axis pair per panel, placed by domains).

    Each panel: {title, years, unit, median, q1, q3} – the unit's line against the peer median and the
    peers' interquartile band. Axes are independent: the panels compare shapes over time, not levels.
    """
    t = _t(lang)
    rows = max(1, math.ceil(len(panels) / columns))
    gap_x, gap_y = 0.06, 0.1
    width = (1 - gap_x * (columns - 1)) / columns
    height = (1 - gap_y * (rows - 1)) / rows
    traces: list[dict] = []
    layout = base_layout(lang, synthetic)
    annotations = list(layout["annotations"])
    shapes = []
    for k, p in enumerate(panels):
        r, c = divmod(k, columns)
        suffix = "" if k == 0 else str(k + 1)
        x0 = c * (width + gap_x)
        y1 = 1 - r * (height + gap_y)
        ax, ay = f"x{suffix}", f"y{suffix}"
        years = list(p["years"])
        first = k == 0
        traces += [
            {"type": "scatter", "x": years, "y": list(p["q1"]), "mode": "lines", "line": {"width": 0},
             "xaxis": ax, "yaxis": ay, "hoverinfo": "skip", "showlegend": False, "name": "q1"},
            {"type": "scatter", "x": years, "y": list(p["q3"]), "mode": "lines", "line": {"width": 0},
             "fill": "tonexty", "fillcolor": "rgba(136,136,136,0.22)", "xaxis": ax, "yaxis": ay,
             "hoverinfo": "skip", "name": t["iqr"], "showlegend": first, "legendgroup": "iqr"},
            {"type": "scatter", "x": years, "y": list(p["median"]), "mode": "lines",
             "line": {"color": "#555", "dash": "dot", "width": 1.5}, "xaxis": ax, "yaxis": ay,
             "name": t["peer_median"], "showlegend": first, "legendgroup": "median",
             "hovertemplate": "%{x}: %{y:,.0f}<extra>" + t["peer_median"] + "</extra>"},
            {"type": "scatter", "x": years, "y": list(p["unit"]), "mode": "lines+markers",
             "line": {"color": PEER, "width": 2.2}, "marker": {"size": 4}, "xaxis": ax, "yaxis": ay,
             "name": unit_name or t["unit"], "showlegend": first, "legendgroup": "unit",
             "hovertemplate": "%{x}: %{y:,.0f}<extra>" + (unit_name or t["unit"]) + "</extra>"},
        ]
        layout[f"xaxis{suffix}"] = {"domain": [x0, x0 + width], "anchor": ay, "gridcolor": "#eee",
                                    "tickfont": {"size": 10}, "dtick": 3 if len(years) > 6 else 1,
                                    "fixedrange": True}
        layout[f"yaxis{suffix}"] = {"domain": [y1 - height, y1], "anchor": ax, "gridcolor": "#eee",
                                    "tickfont": {"size": 10}, "rangemode": "tozero", "fixedrange": True,
                                    "separatethousands": True}
        annotations.append({"text": f"<b>{p['title']}</b>", "xref": "paper", "yref": "paper", "x": x0,
                            "y": y1, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                            "font": {"size": 12}})
        if mark_year is not None and years and years[0] <= mark_year <= years[-1]:
            shapes.append({"type": "line", "xref": ax, "yref": f"{ay} domain", "x0": mark_year, "x1": mark_year,
                           "y0": 0, "y1": 1, "line": {"color": "#b35806", "width": 1, "dash": "dash"}})
    layout.update({
        "height": 150 + 190 * rows, "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": -0.04, "yanchor": "top"},
        "margin": {"l": 48, "r": 12, "t": 60 if synthetic else 36, "b": 40},
        "annotations": annotations, "shapes": shapes,
    })
    if synthetic:
        layout["annotations"][0] = synthetic_annotation(lang, y=1.0 + 40 / (150 + 190 * rows))
    return {"data": traces, "layout": layout}


def cost_outcome_figure(
    *,
    x: Sequence[float],
    y: Sequence[float],
    names: Sequence[str],
    unit_x: float | None,
    unit_y: float | None,
    unit_name: str,
    x_median: float | None,
    y_median: float | None,
    x_title: str,
    y_title: str,
    lang: str = "pl",
    synthetic: bool = False,
    peer_name: str | None = None,
) -> dict:
    """Peers as dots (cost on x, outcome on y), the unit marked, the peer medians as dashed lines."""
    t = _t(lang)
    traces = [{"type": "scatter", "mode": "markers", "x": [round(v, 2) for v in x], "y": [round(v, 2) for v in y],
               "text": list(names), "name": peer_name or t["peers"],
               "marker": {"size": 8, "color": "rgba(34,94,168,0.45)", "line": {"color": "white", "width": 0.5}},
               "hovertemplate": "%{text}<br>%{x:,.0f} · %{y:,.1f}<extra></extra>"}]
    if unit_x is not None and unit_y is not None:
        traces.append({"type": "scatter", "mode": "markers+text", "x": [unit_x], "y": [unit_y], "text": [unit_name],
                       "textposition": "top center", "name": unit_name, "textfont": {"color": HIGHLIGHT, "size": 13},
                       "marker": {"size": 15, "symbol": "diamond", "color": HIGHLIGHT,
                                  "line": {"color": "white", "width": 1.5}},
                       "hovertemplate": unit_name + "<br>%{x:,.0f} · %{y:,.1f}<extra></extra>"})
    shapes = []
    if x_median is not None:
        shapes.append({"type": "line", "x0": x_median, "x1": x_median, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": "#555", "dash": "dash", "width": 1.2}})
    if y_median is not None:
        shapes.append({"type": "line", "y0": y_median, "y1": y_median, "xref": "paper", "x0": 0, "x1": 1,
                       "line": {"color": "#555", "dash": "dash", "width": 1.2}})
    layout = base_layout(lang, synthetic)
    layout.update({
        "height": 440, "shapes": shapes, "showlegend": True, "legend": LEGEND_BOTTOM,
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#eee", "zeroline": False, "separatethousands": True},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#eee", "zeroline": False, "automargin": True},
        "margin": {"l": 60, "r": 16, "t": 30 if synthetic else 12, "b": 100},
    })
    if x_median is not None:
        layout["annotations"] = [*layout["annotations"], {
            "x": x_median, "y": 1, "yref": "paper", "text": t["peer_median"], "showarrow": False, "xanchor": "left",
            "yanchor": "top", "font": {"size": 11, "color": "#444"}, "bgcolor": "rgba(255,255,255,0.7)"}]
    return {"data": traces, "layout": layout}


STRUCTURE_COLOURS = ["#0c2c84", "#1d91c0", "#7fcdbb", "#e08214", "#bdbdbd", "#762a83"]


def stacked_structure_figure(
    *,
    rows: Sequence[str],
    parts: Sequence[dict],
    x_title: str,
    lang: str = "pl",
    synthetic: bool = False,
) -> dict:
    """Horizontal stacked bars: one bar per row (e.g. the unit, the peer median), parts [{name, values}] stacked."""
    traces = []
    for k, part in enumerate(parts):
        traces.append({"type": "bar", "orientation": "h", "x": list(part["values"]), "y": list(rows),
                       "name": part["name"], "marker": {"color": STRUCTURE_COLOURS[k % len(STRUCTURE_COLOURS)]},
                       "hovertemplate": part["name"] + ": %{x:,.0f}<extra>%{y}</extra>"})
    layout = base_layout(lang, synthetic)
    layout.update(_labels_above_bars(rows, 110 + 64 * len(rows), synthetic, None, bargap=0.5))
    layout["annotations"] = _badge_above_labels(layout["annotations"]) + layout.pop("_labels")
    layout["barmode"] = "stack"
    layout["legend"]["traceorder"] = "normal"
    return {"data": traces, "layout": layout}


