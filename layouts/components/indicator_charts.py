"""The indicator page's charts for a year and level: map, top and bottom lists, distribution, funnel plot.

callbacks/indicator.py re-renders them when the URL's year, level, reference or window change.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html

from layouts.components.share import share_panel
from layouts.components.shell import with_lang
from portal import ids
from portal.catalogue import Indicator
from portal.explain import format_number
from portal.figures import bar_figure, distribution_figure, fit_funnel, funnel_figure, graph_config, map_figure
from portal.i18n import N_, translator
from portal.indicator_stats import bar_labels, top_bottom
from portal.state import LEVEL_WORD, IndicatorState, peer_group_ids
from portal.store import get_store
from portal.uncertainty import funnel

LEVEL_NAMES = {"gmina": N_("gminas"), "powiat": N_("counties"), "wojewodztwo": N_("voivodeships")}


def level_options(ind: Indicator, lang: str) -> list[dict]:
    _ = translator(lang)
    return [{"label": _(LEVEL_NAMES[lvl]), "value": lvl} for lvl in ind.levels]


def year_options(indicator_id: str, level: str) -> list[dict]:
    return [{"label": str(y), "value": str(y)} for y in reversed(get_store().years(indicator_id, level))]


def group_options(level: str, lang: str) -> list[dict]:
    store = get_store()
    _ = translator(lang)
    return [{"label": _("all of Poland"), "value": "PL"}] + [
        {"label": store.peer_group_name(g, lang), "value": g} for g in peer_group_ids(store, level)]


def figure_box(caption: list, graph: dcc.Graph, alt: str) -> html.Figure:
    return html.Figure([html.Figcaption([*caption, html.Span(" " + alt, className="visually-hidden")]), graph],
                       className="indicator-figure")


def _downloads(ind: Indicator, state: IndicatorState) -> list[tuple[str, str]]:
    q = {"wskaznik": ind.id, "rok": state.year, "poziom": LEVEL_WORD[state.level]}
    store = get_store()
    if store.demo:
        q["demo"] = "1"  # downloads answer from the demo only when their own URL asks
    qs = urlencode(q)
    return [("CSV", f"/pobierz/ranking.csv?{qs}"), ("XLSX", f"/pobierz/ranking.xlsx?{qs}")]


def body_view(state: IndicatorState) -> list:
    """Map, top/bottom and distribution for the state's year and level."""
    store = get_store()
    lang = state.lang
    _ = translator(lang)
    ind = store.catalogue.by_id[state.indicator]
    sl = store.slice(ind.id, state.year, state.level)
    if sl is None or not np.isfinite(sl.value).any():
        return [html.P(_("No data for this year and level."), className="text-muted")]
    synthetic = bool(sl.synthetic.any()) or store.is_synthetic(ind.id)
    path = f"/wskaznik/{ind.id}"
    query = state.to_query()
    downloads = _downloads(ind, state)
    level_name = _(LEVEL_NAMES[state.level])
    out: list = []
    geo = store.geometry_file(state.level)
    if geo is not None:
        fig = map_figure(codes=sl.codes, values=sl.value, indicator=ind, geojson_url=f"/geo/{geo.split('/')[-1]}",
                         lang=lang, synthetic=synthetic, height=520)
        alt = _("Map: {name}, {level}, {year}. Unit values are in the ranking table of the area explorer.").format(
            name=ind.name.get(lang), level=level_name, year=state.year)
        out.append(html.Section([
            html.H2(_("Map") + f": {level_name}, {state.year}", className="h4"),
            # The figure reaches the graph through the browser, which fits it to the screen (assets/omup-maps.js).
            dcc.Store(id=ids.INDICATOR_MAP_FIGURE, data=fig),
            figure_box([], dcc.Graph(id=ids.INDICATOR_MAP, config=graph_config(lang, f"omup-{ind.id}-mapa"),
                                     className="indicator-map"), alt),
            share_panel("indicator-map", path=path, query=query, lang=lang, embed="mapa", downloads=downloads),
        ], className="mb-4"))
    top, bottom = top_bottom(store, ind.id, state.year, state.level)
    national = store.group(ind.id, state.year, state.level, "national", "PL")
    reference = national["median"] if national else None
    neutral = ind.direction == "neutral"
    if int(np.isfinite(sl.value).sum()) <= 20:
        lists = [(_("All"), top + [b for b in reversed(bottom) if b["teryt"] not in {t["teryt"] for t in top}])]
    else:
        lists = [(_("Highest 10") if neutral else _("Best 10"), top),
                 (_("Lowest 10") if neutral else _("Weakest 10") + " (" + _("weakest first") + ")", bottom)]
    cols = []
    for title, items in lists:
        fig = bar_figure(names=bar_labels(items), values=[d["value"] for d in items], indicator=ind, lang=lang,
                         synthetic=synthetic, reference=reference, reference_label=_("median") + " PL",
                         labels_above=True)
        graph = dcc.Graph(figure=fig, config={**graph_config(lang, f"omup-{ind.id}"), "displayModeBar": False},
                          style={"height": f"{fig['layout']['height']}px"})
        cols.append(dbc.Col(figure_box([html.H3(title, className="h5")], graph,
                                       _("Bar chart: {title}.").format(title=title)),
                            xs=12, lg=6 if len(lists) > 1 else 12))
    out.append(html.Section([
        html.H2(_("Ranking") + f": {level_name}, {state.year}", className="h4"),
        dbc.Row(cols, className="g-3"),
        share_panel("indicator-ranking", path=path, query=query, lang=lang, embed="ranking", downloads=downloads),
    ], className="mb-4"))
    dist = distribution_figure(all_values=sl.value, peer_values=None, selected_value=None, indicator=ind, lang=lang,
                               synthetic=synthetic)
    out.append(html.Section([
        html.H2(_("Distribution of values") + f": {level_name}, {state.year}", className="h4"),
        figure_box([], dcc.Graph(figure=dist, config=graph_config(lang, f"omup-{ind.id}-rozklad")),
                   _("Distribution of all units' values: the box shows the middle 50% of units, dots single units.")),
        share_panel("indicator-distribution", path=path, query=query, lang=lang, downloads=downloads),
    ], className="mb-4"))
    explore = with_lang(f"/obszar/{ind.area}", lang, wskaznik=ind.id, rok=state.year, poziom=LEVEL_WORD[state.level])
    out.append(html.P([dcc.Link(_("Open in the area explorer (ranking, table)"), href=explore, className="me-3"),
                       html.Span(_("Download data:"), className="small me-1")]
                      + [html.A(label, href=href, className="btn btn-sm btn-outline-secondary me-1")
                         for label, href in downloads]))
    return out


def funnel_axes(data: dict, ind: Indicator, lang: str) -> str:
    """The caption naming the funnel's axes (denominator and indicator unit)."""
    _ = translator(lang)
    name = data["denominator_name"]["en" if lang == "en" else "pl"]
    if data["denominator_source"] == "register":  # one year's count stands in for every value's denominator
        return _("Horizontal axis: {x} ({year}, log scale). Vertical axis: {y}.").format(
            x=name, year=data["denominator_year"], y=ind.unit.get(lang))
    return _("Horizontal axis: {x}, the denominator of each unit's {year} value (log scale). Vertical axis: "
             "{y}.").format(x=name, year=data["denominator_year"], y=ind.unit.get(lang))


def funnel_view(state: IndicatorState) -> list:
    """The funnel plot of a rate indicator with its plain explanation; [] for other indicators."""
    store = get_store()
    ind = store.catalogue.by_id[state.indicator]
    if not ind.rate:
        return []
    lang = state.lang
    _ = translator(lang)
    try:
        data = funnel(store, ind.id, state.year, state.level, state.group, window=state.window)
    except ValueError:
        return [html.P(_("No data for the funnel plot in this year and level."), className="text-muted")]
    name = data["denominator_name"]["en" if lang == "en" else "pl"]
    fig = funnel_figure(points=data["points"], reference=data["reference"], limits_curve=data["curve"], indicator=ind,
                        lang=lang, synthetic=data["synthetic"],
                        x_title=_("{name} ({year}, log scale)").format(name=name, year=data["denominator_year"])
                        if data["denominator_source"] == "register" else _("{name} (log scale)").format(name=name))
    c = data["counts"]

    def n(x: float) -> str:
        return format_number(x, 0, lang)

    counts = _("Outside the 95% limits: {out95} of {n} ({above} above, {below} below); outside the 99.8% limits: "
               "{out998}.").format(out95=n(sum(c[k] for k in ("above95", "below95", "above998", "below998"))),
                                   n=n(len(data["points"])), above=n(c["above95"] + c["above998"]),
                                   below=n(c["below95"] + c["below998"]), out998=n(c["above998"] + c["below998"]))
    fit_funnel(fig)
    out: list = [html.P(counts, className="funnel-counts small mb-1"),
                 html.P(funnel_axes(data, ind, lang), className="funnel-axes small mb-1"),
                 html.P(data["model"]["en" if lang == "en" else "pl"], className="funnel-model small text-muted mb-1")]
    if data["window"]:
        out.append(html.P(_("Values are means over {a}–{b} (at least two years with data).").format(
            a=state.year - 2, b=state.year), className="small mb-1"))
    alt = _("Funnel plot: {name}, {level}, {year}. The numbers of units outside the limits are given above the "
            "chart.").format(name=ind.name.get(lang), level=_(LEVEL_NAMES[state.level]), year=state.year)
    out.append(figure_box([], dcc.Graph(figure=fig, config=graph_config(lang, f"omup-{ind.id}-lejek"),
                                        className="funnel-graph"), alt))
    out.append(share_panel("indicator-funnel", path=f"/wskaznik/{ind.id}", query=state.to_query(), lang=lang))
    return out


def funnel_section(ind: Indicator, state: IndicatorState) -> html.Section:
    """Controls (reference, three-year average) and the funnel; hidden for indicators that are not rates."""
    lang = state.lang
    _ = translator(lang)
    controls = dbc.Row([
        dbc.Col([dbc.Label(_("Reference"), html_for=ids.INDICATOR_GROUP),
                 dbc.Select(id=ids.INDICATOR_GROUP, options=group_options(state.level, lang), value=state.group or "PL")],
                xs=12, md=6, lg=4),
        dbc.Col(dbc.Checklist(id=ids.INDICATOR_WINDOW,
                              options=[{"label": _("Three-year average (steadier for small units)"), "value": "3"}],
                              value=["3"] if state.window else [], switch=True, className="mt-md-4 pt-md-2"),
                xs=12, md=6, lg=5),
    ], className="g-2 controls mb-2")
    lead = _("In a small gmina a few people more or less move the indicator by many points, so a plain ranking "
             "misleads. The funnel plot shows each unit as a dot: its value (vertical axis) against the number of "
             "people the indicator counts (horizontal axis). The dashed lines bound chance variation around the "
             "reference average: 95% (dashes) and 99.8% (dots). The funnel is wide for small units and narrow for "
             "large ones. A dot inside the funnel differs from the average no more than chance could make it – it "
             "should not be called better or worse.")
    return html.Section([html.H2(_("Uncertainty: funnel plot"), className="h4"), html.P(lead, className="funnel-lead"),
                         controls, html.Div(funnel_view(state), id=ids.INDICATOR_FUNNEL, **{"aria-live": "polite"})],
                        className="mb-4 funnel-section", hidden=not ind.rate)


__all__ = ["body_view", "funnel_axes", "funnel_section", "funnel_view", "group_options", "level_options",
           "year_options"]
