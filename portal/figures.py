"""Figures as plain dicts (no go.Figure in hot paths): one builder per chart, shared by pages, embeds and exports.

Maps reference the release's geometry by URL (plotly.js fetches it once per page); the figure carries only
TERYT codes and values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from portal.catalogue import Indicator

# Colour-blind-safe sequential scale (ColorBrewer YlGnBu, 7 classes); darker = more.
SEQ = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"]
# Neutral indicators: a single-hue purple scale carries no "good/bad" reading.
NEUTRAL = ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"]
NO_DATA = "#d9d9d9"
HIGHLIGHT = "#d7301f"
PEER = "#225ea8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

TEXTS = {
    "pl": {"more_better": "więcej = lepiej", "less_better": "mniej = lepiej", "neutral": "bez oceny: więcej ≠ lepiej",
           "synthetic": "DANE SYNTETYCZNE – nie są to dane urzędowe", "no_data": "brak danych",
           "poland": "Polska", "peers": "Podobne JST", "median": "mediana", "unit": "wybrana JST",
           "peer_median": "mediana podobnych", "iqr": "środkowe 50% podobnych"},
    "en": {"more_better": "more = better", "less_better": "less = better", "neutral": "no judgement: more ≠ better",
           "synthetic": "SYNTHETIC DATA – not official statistics", "no_data": "no data",
           "poland": "Poland", "peers": "Similar units", "median": "median", "unit": "selected unit",
           "peer_median": "peer median", "iqr": "middle 50% of peers"},
}


def _t(lang: str) -> dict[str, str]:
    return TEXTS["en" if lang == "en" else "pl"]


def direction_label(indicator: Indicator, lang: str) -> str:
    t = _t(lang)
    return {"higher_better": t["more_better"], "lower_better": t["less_better"]}.get(indicator.direction, t["neutral"])


def colorscale(indicator: Indicator) -> list[list]:
    """Darker = better for directional indicators (so the scale follows the direction); purple for neutral."""
    colours = NEUTRAL if indicator.direction == "neutral" else SEQ
    if indicator.direction == "lower_better":
        colours = colours[::-1]
    n = len(colours) - 1
    return [[i / n, c] for i, c in enumerate(colours)]


def _round(values: np.ndarray, decimals: int) -> list:
    """Values for the browser: rounded (smaller payloads), None for missing."""
    out = np.round(values.astype(float), max(decimals, 0) + 1)
    return [None if not math.isfinite(v) else v for v in out.tolist()]


def synthetic_annotation(lang: str, y: float = 1.0) -> dict:
    return {
        "text": _t(lang)["synthetic"], "xref": "paper", "yref": "paper", "x": 0.0, "y": y, "xanchor": "left",
        "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#8a1c00"},
        "bgcolor": "rgba(255,237,204,0.9)", "bordercolor": "#8a1c00", "borderwidth": 1, "borderpad": 3,
    }


def base_layout(lang: str, synthetic: bool, **extra) -> dict:
    layout = {
        "margin": {"l": 48, "r": 16, "t": 28 if synthetic else 12, "b": 40},
        "font": {"family": FONT, "size": 13, "color": "#212529"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "separators": ", " if lang != "en" else ".,",
        "annotations": [synthetic_annotation(lang)] if synthetic else [],
        "showlegend": False,
    }
    layout.update(extra)
    return layout


def map_figure(
    *,
    codes: Sequence[str],
    values: np.ndarray,
    indicator: Indicator,
    geojson_url: str,
    lang: str = "pl",
    synthetic: bool = False,
    selected: str | None = None,
    bbox: Sequence[float] | None = None,
    height: int | None = None,
) -> dict:
    """Choropleth of one indicator-year-level; geometry by URL, featureidkey = feature id (TERYT)."""
    values = np.asarray(values, float)
    finite = np.isfinite(values)
    codes = np.asarray(codes)
    z = _round(values[finite], indicator.decimals)
    unit = indicator.unit.get(lang)
    if finite.any():
        lo, hi = np.nanpercentile(values[finite], [2, 98])
        if lo == hi:
            lo, hi = lo - 1, hi + 1
    else:
        lo, hi = 0.0, 1.0
    traces = []
    if (~finite).any():
        traces.append({
            "type": "choroplethmap", "geojson": geojson_url, "locations": codes[~finite].tolist(),
            "z": [0] * int((~finite).sum()), "colorscale": [[0, NO_DATA], [1, NO_DATA]], "showscale": False,
            "marker": {"line": {"width": 0.3, "color": "white"}},
            "hovertemplate": "%{properties.name}<br>" + _t(lang)["no_data"] + "<extra></extra>", "name": "no-data",
        })
    traces.append({
        "type": "choroplethmap", "geojson": geojson_url, "locations": codes[finite].tolist(), "z": z,
        "zmin": float(lo), "zmax": float(hi), "colorscale": colorscale(indicator),
        "marker": {"line": {"width": 0.3, "color": "white"}, "opacity": 0.95},
        "colorbar": {"title": {"text": f"{unit}<br><span style='font-size:11px'>{direction_label(indicator, lang)}</span>",
                               "side": "top"}, "thickness": 12, "len": 0.75, "x": 1.0, "xanchor": "right",
                     "bgcolor": "rgba(255,255,255,0.8)"},
        "hovertemplate": "%{properties.name}<br>%{z:,." + str(indicator.decimals) + "f} " + unit + "<extra></extra>",
        "name": "values",
    })
    if selected and selected in set(codes.tolist()):
        traces.append({
            "type": "choroplethmap", "geojson": geojson_url, "locations": [selected], "z": [1],
            "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
            "marker": {"line": {"width": 3, "color": HIGHLIGHT}}, "hoverinfo": "skip", "name": "selected",
        })
    center, zoom = {"lat": 52.05, "lon": 19.3}, 5.1
    if bbox:
        center = {"lon": (bbox[0] + bbox[2]) / 2, "lat": (bbox[1] + bbox[3]) / 2}
    layout = base_layout(lang, synthetic)
    layout.update({
        "margin": {"l": 0, "r": 0, "t": 28 if synthetic else 0, "b": 0},
        "map": {"style": "white-bg", "center": center, "zoom": zoom},
        "uirevision": "map",
        "clickmode": "event",
        "dragmode": "pan",
    })
    if height:
        layout["height"] = height
    return {"data": traces, "layout": layout}


def distribution_figure(
    *,
    all_values: np.ndarray,
    peer_values: np.ndarray | None,
    selected_value: float | None,
    indicator: Indicator,
    lang: str = "pl",
    synthetic: bool = False,
    selected_name: str | None = None,
    peer_name: str | None = None,
) -> dict:
    """Where one unit sits: all units and its peers as strips with box summaries, the unit marked."""
    t = _t(lang)
    unit = indicator.unit.get(lang)
    rows = [(t["poland"], np.asarray(all_values, float))]
    if peer_values is not None:
        rows.append((peer_name or t["peers"], np.asarray(peer_values, float)))
    traces = []
    rng = np.random.default_rng(0)
    for k, (label, vals) in enumerate(rows):
        vals = vals[np.isfinite(vals)]
        y = [label] * len(vals)
        traces.append({"type": "box", "x": _round(vals, indicator.decimals), "y": y, "orientation": "h",
                       "boxpoints": False, "fillcolor": "rgba(34,94,168,0.12)", "line": {"color": PEER, "width": 1.5},
                       "hoverinfo": "skip", "name": label})
        jitter = (rng.random(len(vals)) - 0.5) * 0.5
        traces.append({"type": "scattergl" if len(vals) > 1000 else "scatter", "mode": "markers",
                       "x": _round(vals, indicator.decimals), "y": (k + jitter).round(3).tolist(),
                       "marker": {"size": 4, "color": "rgba(34,94,168,0.35)"}, "hoverinfo": "x", "name": label,
                       "yaxis": "y2"})
    if selected_value is not None and math.isfinite(selected_value):
        traces.append({"type": "scatter", "mode": "markers+text", "x": [selected_value] * len(rows),
                       "y": list(range(len(rows))), "yaxis": "y2",
                       "marker": {"size": 14, "symbol": "diamond", "color": HIGHLIGHT, "line": {"color": "white", "width": 1}},
                       "text": [selected_name or t["unit"]] + [""] * (len(rows) - 1), "textposition": "top center",
                       "hovertemplate": f"{selected_name or t['unit']}: %{{x}} {unit}<extra></extra>", "name": "selected"})
    layout = base_layout(lang, synthetic)
    layout.update({
        "height": 120 + 90 * len(rows),
        "xaxis": {"title": {"text": unit}, "zeroline": False, "gridcolor": "#eee"},
        "yaxis": {"categoryorder": "array", "categoryarray": [r[0] for r in rows], "automargin": True,
                  "range": [-0.6, len(rows) - 0.4]},
        "yaxis2": {"overlaying": "y", "range": [-0.6, len(rows) - 0.4], "visible": False},
        "margin": {"l": 120, "r": 16, "t": 34 if synthetic else 16, "b": 44},
    })
    return {"data": traces, "layout": layout}


def sparkline(years: Sequence[int], values: Sequence[float | None], *, peer_median: Sequence[float | None] | None = None,
              breaks: Sequence[int] = (), lang: str = "pl") -> dict:
    """A small trend line for a card: the unit (dark) and the peer median (dashed); no axes."""
    traces = [{"type": "scatter", "mode": "lines+markers", "x": list(years), "y": list(values),
               "line": {"color": PEER, "width": 2}, "marker": {"size": 4}, "connectgaps": False,
               "hovertemplate": "%{x}: %{y}<extra></extra>", "name": "unit"}]
    if peer_median is not None:
        traces.append({"type": "scatter", "mode": "lines", "x": list(years), "y": list(peer_median),
                       "line": {"color": "#888", "width": 1, "dash": "dot"}, "hoverinfo": "skip", "name": "peer"})
    shapes = [{"type": "line", "x0": b - 0.5, "x1": b - 0.5, "yref": "paper", "y0": 0, "y1": 1,
               "line": {"color": "#b35806", "width": 1, "dash": "dash"}} for b in breaks]
    return {"data": traces, "layout": {
        "height": 60, "margin": {"l": 2, "r": 2, "t": 4, "b": 4}, "showlegend": False, "shapes": shapes,
        "xaxis": {"visible": False, "fixedrange": True}, "yaxis": {"visible": False, "fixedrange": True},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"family": FONT, "size": 11},
        "separators": ", " if lang != "en" else ".,",
    }}


def trend_figure(
    *,
    years: Sequence[int],
    series: dict[str, Sequence[float | None]],
    indicator: Indicator,
    lang: str = "pl",
    synthetic: bool = False,
    band: tuple[Sequence[float | None], Sequence[float | None]] | None = None,
    median: Sequence[float | None] | None = None,
    breaks: Sequence[int] = (),
) -> dict:
    """Lines over years for one or more units, with the peer interquartile band and median."""
    t = _t(lang)
    traces = []
    if band is not None:
        q1, q3 = band
        traces.append({"type": "scatter", "x": list(years), "y": list(q1), "mode": "lines", "line": {"width": 0},
                       "hoverinfo": "skip", "showlegend": False, "name": "q1"})
        traces.append({"type": "scatter", "x": list(years), "y": list(q3), "mode": "lines", "line": {"width": 0},
                       "fill": "tonexty", "fillcolor": "rgba(136,136,136,0.18)", "name": t["iqr"], "hoverinfo": "skip"})
    if median is not None:
        traces.append({"type": "scatter", "x": list(years), "y": list(median), "mode": "lines",
                       "line": {"color": "#666", "dash": "dot"}, "name": t["peer_median"]})
    palette = [PEER, HIGHLIGHT, "#1a9850", "#762a83", "#e08214"]
    for k, (name, vals) in enumerate(series.items()):
        traces.append({"type": "scatter", "x": list(years), "y": list(vals), "mode": "lines+markers", "name": name,
                       "line": {"color": palette[k % len(palette)], "width": 2.5}})
    layout = base_layout(lang, synthetic)
    layout.update({
        "height": 320, "showlegend": True, "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"dtick": 1, "gridcolor": "#eee"},
        "yaxis": {"title": {"text": indicator.unit.get(lang)}, "gridcolor": "#eee", "rangemode": "tozero"},
        "shapes": [{"type": "line", "x0": b - 0.5, "x1": b - 0.5, "yref": "paper", "y0": 0, "y1": 1,
                    "line": {"color": "#b35806", "width": 1.5, "dash": "dash"}} for b in breaks],
    })
    return {"data": traces, "layout": layout}


def bar_figure(
    *,
    names: Sequence[str],
    values: Sequence[float | None],
    indicator: Indicator,
    lang: str = "pl",
    synthetic: bool = False,
    reference: float | None = None,
    reference_label: str | None = None,
    highlight: Sequence[bool] | None = None,
    height: int | None = None,
) -> dict:
    """Horizontal bars (compare units, top/bottom lists), optional reference line (e.g. peer median)."""
    colours = [HIGHLIGHT if (highlight and highlight[i]) else PEER for i in range(len(names))]
    unit = indicator.unit.get(lang)
    traces = [{"type": "bar", "orientation": "h", "x": list(values), "y": list(names), "marker": {"color": colours},
               "hovertemplate": "%{y}: %{x} " + unit + "<extra></extra>",
               "text": [None if v is None else f"{v:,.{indicator.decimals}f}".replace(",", " ").replace(".", ",")
                        if lang != "en" else f"{v:,.{indicator.decimals}f}" for v in values],
               "textposition": "auto", "cliponaxis": False}]
    layout = base_layout(lang, synthetic)
    layout.update({
        "height": height or max(160, 40 + 34 * len(names)),
        "xaxis": {"title": {"text": unit}, "gridcolor": "#eee", "rangemode": "tozero"},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "margin": {"l": 8, "r": 16, "t": 30 if synthetic else 10, "b": 44},
    })
    if reference is not None and math.isfinite(reference):
        layout["shapes"] = [{"type": "line", "x0": reference, "x1": reference, "yref": "paper", "y0": 0, "y1": 1,
                             "line": {"color": "#444", "dash": "dash", "width": 1.5}}]
        layout["annotations"] = [*layout["annotations"], {
            "x": reference, "y": 1, "yref": "paper", "text": reference_label or _t(lang)["median"], "showarrow": False,
            "yanchor": "bottom", "font": {"size": 11, "color": "#444"}}]
    return {"data": traces, "layout": layout}


GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def graph_config(lang: str, filename: str = "omup") -> dict:
    cfg = dict(GRAPH_CONFIG)
    cfg["toImageButtonOptions"] = {"format": "png", "scale": 2, "filename": filename}
    return cfg
