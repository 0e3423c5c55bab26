"""Figures as plain dicts (no go.Figure in hot paths): one builder per chart, shared by pages, embeds and exports.

Maps reference the release's geometry by URL (plotly.js fetches it once per page); the figure carries only
TERYT codes and values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from portal.catalogue import Indicator
from portal.i18n import translator

# Colour-blind-safe sequential scale (ColorBrewer YlGnBu, 7 classes); darker = more.
SEQ = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"]
# Neutral indicators: a single-hue purple scale carries no "good/bad" reading.
NEUTRAL = ["#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"]
NO_DATA = "#d9d9d9"
HIGHLIGHT = "#d7301f"
PEER = "#225ea8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

def _texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'more_better': _('more = better'), 'less_better': _('less = better'), 'neutral': _('no judgement: more ≠ better'), 'synthetic': _('SYNTHETIC DATA – not official statistics'), 'no_data': _('no data'), 'poland': _('Poland'), 'peers': _('Similar units'), 'median': _('median'), 'unit': _('selected unit'), 'peer_median': _('peer median'), 'iqr': _('middle 50% of peers')}


def _t(lang: str) -> dict[str, str]:
    return _texts(lang)


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
    labels_above: bool = False,
) -> dict:
    """Horizontal bars (compare units, top/bottom lists, ranking embeds), optional reference line (e.g. a median).

    ``labels_above``: each name is written above its bar instead of beside it, so long names are never cut and
    the bars get the full width (phones; lists of display names)."""
    colours = [HIGHLIGHT if (highlight and highlight[i]) else PEER for i in range(len(names))]
    unit = indicator.unit.get(lang)
    text = [None if v is None else f"{v:,.{indicator.decimals}f}".replace(",", "\u00a0").replace(".", ",")
            if lang != "en" else f"{v:,.{indicator.decimals}f}" for v in values]
    traces = [{"type": "bar", "orientation": "h", "x": list(values), "y": list(names), "marker": {"color": colours},
               "hovertemplate": "%{y}: %{x} " + unit + "<extra></extra>", "text": text,
               "textposition": "auto", "cliponaxis": False}]
    layout = base_layout(lang, synthetic)
    if labels_above:
        layout.update(_labels_above_bars(names, height or 76 + 54 * len(names), synthetic, unit, bargap=0.42))
        layout["showlegend"] = False
        layout["margin"]["b"] = 44
        layout["xaxis"]["title"] = {"text": unit}
        # A white ground under each name: the median's dashed line, in the gaps between bars, never crosses a name.
        labels = [dict(a, text=str(a["text"]).rstrip("\u200b"), bgcolor="rgba(255,255,255,0.9)", borderpad=1)
                  for a in layout.pop("_labels")]
        layout["xaxis"].update({"exponentformat": "none", "separatethousands": True})
        layout["annotations"] = _badge_above_labels(layout["annotations"]) + labels
    else:
        layout.update({
            "height": height or max(160, 40 + 34 * len(names)),
            "xaxis": {"title": {"text": unit}, "gridcolor": "#eee", "rangemode": "tozero", "exponentformat": "none",
                      "separatethousands": True},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "margin": {"l": 8, "r": 16, "t": 48 if synthetic else 24, "b": 44},
        })
        if synthetic:
            # Above the reference line's label, so the two never overlap.
            layout["annotations"] = [dict(a, yshift=18) for a in layout["annotations"]]
    if reference is not None and math.isfinite(reference):
        # Behind the bars when names sit above them: the line shows in the gaps, never across a label or value.
        layout["shapes"] = [{"type": "line", "x0": reference, "x1": reference, "yref": "paper", "y0": 0, "y1": 1,
                             "layer": "below" if labels_above else "above",
                             "line": {"color": "#444", "dash": "dash", "width": 1.5}}]
        layout["annotations"] = [*layout["annotations"], {
            "x": reference, "y": 1, "yref": "paper", "text": reference_label or _t(lang)["median"], "showarrow": False,
            "yanchor": "bottom", "yshift": 16 if labels_above else 0, "font": {"size": 11, "color": "#444"},
            # From the line rightwards when names sit above the bars (a median near zero is not cut at the left).
            "xanchor": "left" if labels_above else "center",
            "bgcolor": "rgba(255,255,255,0.85)"}]
        if labels_above:
            layout["margin"]["t"] += 18
            layout["height"] += 18
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


# ------------------------------------------------------------------------------------- labels above bars
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


# The budget view's peer charts and the funnel plot live in their own modules; importers keep this one name.
from portal.figures_funnel import fit_funnel, funnel_figure, funnel_texts  # noqa: E402
from portal.figures_peers import (  # noqa: E402
    LEGEND_BOTTOM,
    STRUCTURE_COLOURS,
    cost_outcome_figure,
    peer_bars_figure,
    small_multiples_figure,
    stacked_structure_figure,
)

__all__ = ["LEGEND_BOTTOM", "STRUCTURE_COLOURS", "bar_figure", "base_layout", "color_range",
           "colorscale", "cost_outcome_figure", "direction_label", "distribution_figure", "fit_funnel",
           "funnel_figure", "funnel_texts", "graph_config", "map_figure", "peer_bars_figure", "small_multiples_figure",
           "sparkline", "sparkline_svg", "stacked_structure_figure", "synthetic_annotation", "trend_figure"]
