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
    out = np.round(np.asarray(values, dtype=float), max(decimals, 0))
    finite = np.isfinite(out)
    if finite.all():
        return out.tolist()
    return [v if ok else None for v, ok in zip(out.tolist(), finite.tolist(), strict=True)]


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


def color_range(values: np.ndarray) -> tuple[float, float]:
    """The map's colour range: 2nd–98th percentile of the finite values (outliers do not wash it out)."""
    values = np.asarray(values, float)
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(finite, [2, 98]))
    return (lo - 1, hi + 1) if lo == hi else (lo, hi)


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
    zrange: tuple[float, float] | None = None,
) -> dict:
    """Choropleth of one indicator-year-level; geometry by URL, featureidkey = feature id (TERYT).

    The colour scale spans the 2nd–98th percentile of the values (``color_range``); pass ``zrange`` to reuse
    one computed before (the explorer caches it per indicator-year-level)."""
    values = np.asarray(values, float)
    finite = np.isfinite(values)
    codes = np.asarray(codes)
    z = _round(values[finite], indicator.decimals)
    unit = indicator.unit.get(lang)
    lo, hi = zrange if zrange is not None else color_range(values)
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
    pos = int(np.searchsorted(codes, selected)) if selected else -1
    if selected and 0 <= pos < len(codes) and codes[pos] == selected:
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
        # SVG even for 2,479 gminy: the served plotly.js bundle has no WebGL traces (portal/static/plotly).
        traces.append({"type": "scatter", "mode": "markers",
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
        "margin": {"l": 8, "r": 16, "t": 48 if synthetic else 24, "b": 44},
    })
    if synthetic:
        # Above the reference line's label, so the two never overlap.
        layout["annotations"] = [dict(a, yshift=18) for a in layout["annotations"]]
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


# ------------------------------------------------------------------------------------- peer comparisons (budget view)
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


def _badge_above_labels(annotations: list[dict]) -> list[dict]:
    """The synthetic-data badge lifted clear of the first bar's label (which rises into the top margin)."""
    return [dict(a, yshift=22) if a.get("bordercolor") == "#8a1c00" else a for a in annotations]


def _labels_above_bars(labels: Sequence[str], height: int, synthetic: bool, x_title: str | None,
                       bargap: float = 0.45) -> dict:
    """Category names written above their bars (not beside them), so the bars get the full width on phones."""
    top, bottom = (66 if synthetic else 22), 34
    plot_h = max(height - top - bottom, 40)
    shift = plot_h / max(len(labels), 1) * (1 - bargap) / 2 + 1
    return {
        "height": height, "showlegend": True, "bargap": bargap,
        "legend": {"orientation": "h", "x": 0, "y": -26 / plot_h, "yanchor": "top"},
        "xaxis": {"gridcolor": "#eee", "rangemode": "tozero", "separatethousands": True,
                  "title": {"text": x_title} if x_title else None},
        "yaxis": {"autorange": "reversed", "showticklabels": False},
        "margin": {"l": 8, "r": 16, "t": top, "b": bottom},
        "_labels": [{"text": label, "xref": "paper", "x": 0, "yref": "y", "y": label, "xanchor": "left",
                     "yanchor": "bottom", "yshift": shift, "showarrow": False, "font": {"size": 12}} for label in labels],
    }


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


def sparkline_svg(years: Sequence[int], values: Sequence[float | None], *,
                  peer_median: Sequence[float | None] | None = None, width: int = 300, height: int = 56,
                  breaks: Sequence[int] = ()) -> str:
    """The sparkline as a small static SVG (no plotly.js): for pages with dozens of trends and for print.

    Same reading as :func:`sparkline`: the unit as a solid line (gaps where values are missing, its last
    point marked), the peer median dotted. ``breaks``: years where a series break starts (portal/breaks.py),
    drawn as dashed orange verticals just before that year. Returns the SVG text; scales to its container.
    """
    xs = list(years)
    series = [list(values)] + ([list(peer_median)] if peer_median is not None else [])
    finite = [v for s in series for v in s if v is not None and math.isfinite(v)]
    pad = 4.0
    if not xs or not finite:
        return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"></svg>'
    lo, hi = min(finite), max(finite)
    if hi == lo:
        lo, hi = lo - 1.0, hi + 1.0
    x0, x1 = xs[0], xs[-1] if xs[-1] != xs[0] else xs[0] + 1

    def xy(x: float, v: float) -> str:
        px = pad + (x - x0) / (x1 - x0) * (width - 2 * pad)
        py = height - pad - (v - lo) / (hi - lo) * (height - 2 * pad)
        return f"{px:.0f},{py:.0f}"

    def path(vals: Sequence[float | None]) -> str:
        parts, pen = [], "M"
        for x, v in zip(xs, vals, strict=False):
            if v is None or not math.isfinite(v):
                pen = "M"
                continue
            parts.append(pen + xy(x, v))
            pen = "L"
        return " ".join(parts)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">']
    for b in breaks:
        if x0 < b <= x1:
            bx = pad + (b - 0.5 - x0) / (x1 - x0) * (width - 2 * pad)
            out.append(f'<line class="break" x1="{bx:.0f}" y1="0" x2="{bx:.0f}" y2="{height}" stroke="#b35806" '
                       'stroke-width="1.5" stroke-dasharray="4 3"/>')
    if peer_median is not None:
        out.append(f'<path d="{path(series[1])}" fill="none" stroke="#6c757d" stroke-width="1.5" '
                   'stroke-dasharray="2 3"/>')
    out.append(f'<path d="{path(series[0])}" fill="none" stroke="{PEER}" stroke-width="2.5" '
               'stroke-linejoin="round"/>')
    last = [(x, v) for x, v in zip(xs, series[0], strict=False) if v is not None and math.isfinite(v)]
    if last:
        cx, cy = xy(*last[-1]).split(",")
        out.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{PEER}"/>')
    out.append("</svg>")
    return "".join(out)


FUNNEL_TEXTS = {
    "pl": {"reference": "średnia ważona grupy", "l95": "granice 95%", "l998": "granice 99,8%",
           "n": "liczebność mianownika (2020, skala log.)", "within95": "w granicach 95%",
           "outside95": "poza granicami 95%", "outside998": "poza granicami 99,8%"},
    "en": {"reference": "group's weighted average", "l95": "95% limits", "l998": "99.8% limits",
           "n": "denominator size (2020, log scale)", "within95": "within 95% limits",
           "outside95": "outside 95% limits", "outside998": "outside 99.8% limits"},
}


def funnel_figure(
    *,
    points: Sequence[dict],
    reference: float,
    limits_curve: dict,
    indicator: Indicator,
    lang: str = "pl",
    synthetic: bool = False,
    selected: str | None = None,
    x_title: str | None = None,
) -> dict:
    """Funnel plot: value against denominator size (log x) with 95% / 99.8% limits around the reference.

    ``points``, ``reference`` and ``limits_curve`` come from ``portal.uncertainty.funnel`` (points: teryt,
    name, n, value, flag; curve: n, lower95, upper95, lower998, upper998). Colours tell only whether a unit
    lies outside the limits, not whether that is good. ``customdata`` carries the TERYT for click handlers.
    """
    t = {**_t(lang), **FUNNEL_TEXTS["en" if lang == "en" else "pl"]}
    unit = indicator.unit.get(lang)
    fmt = ",." + str(indicator.decimals) + "f"
    xs = limits_curve["n"]
    hover_ref = t["reference"] + ": %{y:" + fmt + "} " + unit + "<extra></extra>"

    def line(key: str, name: str, colour: str, width: float, dash: str, legend: bool) -> dict:
        return {"type": "scatter", "mode": "lines", "x": xs, "y": limits_curve[key], "name": name,
                "line": {"color": colour, "width": width, "dash": dash}, "hoverinfo": "skip",
                "legendgroup": key[-3:], "showlegend": legend}

    traces = [
        line("upper998", t["l998"], "#7a7a7a", 1.2, "dot", True),
        line("lower998", t["l998"], "#7a7a7a", 1.2, "dot", False),
        line("upper95", t["l95"], "#4d4d4d", 1.5, "dash", True),
        line("lower95", t["l95"], "#4d4d4d", 1.5, "dash", False),
        {"type": "scatter", "mode": "lines", "x": [xs[0], xs[-1]], "y": [reference, reference],
         "name": t["reference"], "line": {"color": "#222", "width": 1.5}, "hovertemplate": hover_ref},
    ]
    groups = (("within95", ("within95",), "rgba(34,94,168,0.35)"),
              ("outside95", ("above95", "below95"), "rgba(224,130,20,0.75)"),
              ("outside998", ("above998", "below998"), "rgba(118,42,131,0.85)"))
    for key, flags, colour in groups:
        pts = [p for p in points if p.get("flag") in flags]
        if not pts:
            continue
        traces.append({
            "type": "scatter", "mode": "markers", "name": t[key],
            "x": [p["n"] for p in pts], "y": [p["value"] for p in pts],
            "text": [p["name"] for p in pts], "customdata": [p["teryt"] for p in pts],
            "marker": {"size": 5, "color": colour},
            "hovertemplate": "%{text}<br>%{y:" + fmt + "} " + unit + "<br>n = %{x:,.0f}<extra></extra>",
        })
    chosen = next((p for p in points if p["teryt"] == selected), None) if selected else None
    if chosen is not None:
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": chosen["name"], "x": [chosen["n"]],
            "y": [chosen["value"]], "text": [chosen["name"]], "customdata": [chosen["teryt"]],
            "textposition": "top center", "showlegend": False,
            "marker": {"size": 13, "symbol": "diamond", "color": HIGHLIGHT,
                       "line": {"color": "white", "width": 1}},
            "hovertemplate": "%{text}<br>%{y:" + fmt + "} " + unit + "<br>n = %{x:,.0f}<extra></extra>",
        })
    layout = base_layout(lang, synthetic)
    layout.update({
        "height": 420, "showlegend": True, "legend": {"orientation": "h", "y": -0.22},
        "xaxis": {"type": "log", "title": {"text": x_title or t["n"]}, "gridcolor": "#eee"},
        "yaxis": {"title": {"text": unit}, "gridcolor": "#eee", "zeroline": False},
        "margin": {"l": 56, "r": 16, "t": 34 if synthetic else 16, "b": 60},
        "hovermode": "closest",
    })
    return {"data": traces, "layout": layout}
