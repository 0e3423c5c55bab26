"""The funnel plot as a plain dict: value against denominator size with chance limits around a reference."""

from __future__ import annotations

from collections.abc import Sequence

from portal.catalogue import Indicator
from portal.figures import HIGHLIGHT, _t, base_layout
from portal.i18n import translator


def funnel_texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'reference': _("group's weighted average"), 'l95': _('95% limits'), 'l998': _('99.8% limits'), 'n': _('denominator size (log scale)'), 'within95': _('within 95% limits'), 'outside95': _('outside 95% limits'), 'outside998': _('outside 99.8% limits')}


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
    t = {**_t(lang), **funnel_texts(lang)}
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


def fit_funnel(fig: dict) -> dict:
    """Axis titles move to a caption above the chart and the legend below the ticks: on a phone the long
    titles overlapped the plot and the legend's rows covered the x title."""
    layout = fig["layout"]
    layout["xaxis"]["title"] = None
    layout["yaxis"]["title"] = None
    layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.08, "yanchor": "top"}
    layout["margin"] = {**layout["margin"], "l": 40, "b": 30}
    layout["height"] = 460
    return fig
