"""Area explorer: indicator picker by dimension, year, level; map, ranking and distribution tabs."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.shell import page
from layouts.components.units import dropdown_labels
from layouts.not_found import NotFound
from portal import ids
from portal.area_map import map_view
from portal.catalogue import DIMENSION_NAMES
from portal.figures import graph_config
from portal.i18n import N_, translator
from portal.pickers import level_choices
from portal.state import LEVEL_WORD, ViewState, keep_demo, peer_value, resolve_state
from portal.store import get_store

LEVEL_NAMES = {"gmina": N_("gminas"), "powiat": N_("counties"), "wojewodztwo": N_("voivodeships")}


AG_GRID_PL = {"noRowsToShow": "Brak jednostek do pokazania", "loadingOoo": "Wczytywanie…",
              "ariaRowSelect": "Wybierz wiersz"}


def ranking_grid(columns: list[dict], rows: list[dict], row_style: dict, scroll: dict | None, lang: str) -> dag.AgGrid:
    """The ranking table: sortable, virtualised, the selected unit highlighted and scrolled into view."""
    return dag.AgGrid(
        id=ids.AREA_RANKING, columnDefs=columns, rowData=rows, getRowId="params.data.teryt",
        getRowStyle=row_style, scrollTo=scroll,
        defaultColDef={"sortable": True, "resizable": True, "suppressMovable": True},
        dashGridOptions={"animateRows": False, "suppressCellFocus": False, "rowHeight": 38,
                         "ensureDomOrder": True, "localeText": {} if lang == "en" else AG_GRID_PL},
        style={"height": "560px", "width": "100%"},
        className="ag-theme-quartz ranking-grid",
    )


def indicator_options(area: str, lang: str) -> list[dict]:
    """Options grouped by dimension: a disabled header per dimension, then its indicators."""
    store = get_store()
    options: list[dict] = []
    for dim in ("ilosc", "jakosc", "dostepnosc", "efektywnosc", "kontekst"):
        inds = [i for i in store.catalogue.in_area(area) if i.dimension == dim]
        if not inds:
            continue
        options.append({"label": "— " + DIMENSION_NAMES[dim]["en" if lang == "en" else "pl"].upper() + " —",
                        "value": f"__{dim}", "disabled": True})
        for ind in inds:
            label = ind.name.get(lang) + (" *" if store.is_synthetic(ind.id) else "")
            options.append({"label": label, "value": ind.id})
    return options


def level_options(indicator_id: str, lang: str) -> list[dict]:
    store = get_store()
    ind = store.catalogue.by_id[indicator_id]
    _ = translator(lang)
    return [{"label": _(LEVEL_NAMES[lvl]), "value": lvl} for lvl in ("gmina", "powiat", "wojewodztwo")
            if lvl in ind.levels]


def year_options(indicator_id: str, level: str) -> list[dict]:
    return [{"label": str(y), "value": y} for y in reversed(get_store().years(indicator_id, level))]


def peer_options(lang: str, enabled: bool = True) -> list[dict]:
    """The two peer filters of the ranking: "1" the fixed peer group, "knn" the 10 nearest units.

    Both need a selected unit: without one they are disabled and say so (a switch that silently does nothing
    confuses)."""
    _ = translator(lang)
    hint = "" if enabled else " (" + _("choose a unit first") + ")"
    return [{"label": _("Only units similar to the selected one") + hint, "value": "1", "disabled": not enabled},
            {"label": _("Only the 10 most similar units") + hint, "value": "knn", "disabled": not enabled}]


def download_links(state: ViewState) -> list:
    q = state.to_query()
    q.pop("widok", None)
    if get_store().demo:
        q["demo"] = "1"  # downloads answer from the demo only when their own URL asks
    from urllib.parse import urlencode

    qs = urlencode(q)
    return [
        html.A("CSV", href=f"/pobierz/ranking.csv?{qs}", className="btn btn-sm btn-outline-secondary me-1"),
        html.A("XLSX", href=f"/pobierz/ranking.xlsx?{qs}", className="btn btn-sm btn-outline-secondary me-1"),
    ]


def layout(area: str = "edukacja", lang: str = "pl", **params: str) -> list:
    store = get_store()
    if area not in store.catalogue.area_by_id:
        raise NotFound("area", area)
    params["lang"] = lang
    if store.catalogue.area_by_id[area].headline is None:
        # No official indicator of this area in this release: one sentence on what would fill it, and the demo.
        from layouts.components.official import area_without_official

        lang = "en" if lang == "en" else "pl"
        area_obj = store.catalogue.area_by_id[area]
        content = [html.H1(area_obj.name.get(lang), className="h2"),
                   html.P(area_obj.description.get(lang), className="text-muted"),
                   area_without_official(area_obj, lang)]
        return page(lang, f"/obszar/{area}", {}, content, indicator_ids=[])
    state = resolve_state(store, area, params)
    lang = state.lang
    _ = translator(lang)
    area_obj = store.catalogue.area_by_id[area]
    controls = dbc.Row(
        [
            dbc.Col([dbc.Label(_("Indicator"), html_for=ids.AREA_INDICATOR),
                     dcc.Dropdown(id=ids.AREA_INDICATOR, options=indicator_options(area, lang), value=state.indicator,
                                  clearable=False, searchable=True, optionHeight=44,
                                  labels=dropdown_labels(lang))], xs=12, lg=6),
            dbc.Col([dbc.Label(_("Year"), html_for=ids.AREA_YEAR),
                     dcc.Dropdown(id=ids.AREA_YEAR, options=year_options(state.indicator, state.level),
                                  value=state.year, clearable=False, searchable=False)], xs=4, lg=2),
            dbc.Col([dbc.Label(_("Level"), html_for=ids.AREA_LEVEL),
                     dbc.Select(id=ids.AREA_LEVEL, options=level_options(state.indicator, lang),
                                value=state.level)], xs=8, lg=4),
            dbc.Col([dbc.Label(_("Selected unit"), html_for=ids.AREA_UNIT),
                     dcc.Dropdown(id=ids.AREA_UNIT, options=level_choices(state.jst, lang, state.level), value=state.jst,
                                  placeholder=_("Type a name to choose…"), searchable=True, clearable=True,
                                  search_order="original", labels=dropdown_labels(lang))], xs=12, lg=8),
            dbc.Col(dbc.Checklist(id=ids.AREA_PEERS_ONLY, options=peer_options(lang, enabled=bool(state.jst)),
                                  value=peer_value(state.peers), switch=True, className="mt-lg-3"),
                    xs=12, lg=4),
        ],
        className="g-2 controls mb-2",
    )
    tabs = dbc.Tabs(
        [
            dbc.Tab(html.Div([
                dcc.Graph(id=ids.AREA_MAP, config=graph_config(lang, "omup-mapa"), className="area-map",
                          figure={"data": [], "layout": {"height": 560}}),
                html.P(_("The same data as a table: the Ranking tab."), className="small text-muted mt-1"),
            ]), label=_("Map"), tab_id="mapa"),
            # The grid (and its ~220 KB script chunk) is created only when the ranking tab is opened.
            dbc.Tab(html.Div(id=ids.AREA_RANKING_BOX, className="ranking-box"), label=_("Ranking"), tab_id="ranking"),
            dbc.Tab(dcc.Graph(id=ids.AREA_DISTRIBUTION, config=graph_config(lang, "omup-rozklad"),
                              figure={"data": [], "layout": {"height": 300}}), label=_("Distribution"), tab_id="rozklad"),
            dbc.Tab(html.Div([
                html.Div(id=ids.AREA_FUNNEL_NOTE, className="funnel-note mt-2"),
                dcc.Graph(id=ids.AREA_FUNNEL, config=graph_config(lang, "omup-lejek"),
                          className="funnel-graph", figure={"data": [], "layout": {"height": 420}}),
            ]), label=_("Uncertainty"), tab_id="lejek"),
        ],
        id=ids.AREA_TABS,
        active_tab=state.view,
        className="mt-2",
    )
    content = [
        html.H1(area_obj.name.get(lang), className="h2"),
        html.P(area_obj.description.get(lang), className="text-muted"),
        controls,
        html.Div(id=ids.AREA_HEADING, className="view-heading mt-2", **{"aria-live": "polite"}),
        tabs,
        html.Div(id=ids.AREA_LEGEND, className="mt-2"),
        html.Div(id=ids.AREA_SHARE, className="mt-2"),
        html.Details([html.Summary(_("How to read this")), html.P(_("Colour shows the indicator's value in the chosen year; darker means more and, where the indicator has a direction, better. Click a unit on the map (or choose it from the list) to see its place in the ranking and among similar units. 'Similar' means the same type and size (peer group). Grey areas: no data."), className="mt-2")], className="howto mt-3"),
        dcc.Store(id=ids.AREA_STATE, data=state.as_dict()),
        # The first map comes with the page: plotly.js draws it as soon as the page is in, with no round trip.
        dcc.Store(id=ids.AREA_MAP_FIGURE, data=map_view(state)),
        # The address as the server resolved it: the location does not report itself on mount, so the explorer's
        # callbacks start at once instead of after a round trip that would resolve the same state again.
        dcc.Location(id=ids.AREA_URL, refresh="callback-nav", pathname=f"/obszar/{area}",
                     search=keep_demo(state.search())),
    ]
    area_ids = [i.id for i in store.catalogue.in_area(area)]
    return page(lang, f"/obszar/{area}", state.to_query(), content, indicator_ids=area_ids)


__all__ = ["LEVEL_WORD", "layout"]
