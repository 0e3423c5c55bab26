"""Area explorer callbacks: URL ↔ controls sync, then map, ranking, distribution and the heading.

Each callback parses its inputs and calls a plain function below; the functions are what the tests call.
"""

from __future__ import annotations

import math

import numpy as np
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html, no_update

from portal import ids, views
from portal.area_map import map_view
from portal.cache import memoize_versioned
from portal.explain import caveat, format_value, unit_sentence
from portal.figures import direction_label, distribution_figure, funnel_figure
from portal.i18n import N_, translator
from portal.pickers import level_choices, search_options, unit_option
from portal.similar import similar_units
from portal.state import (
    ViewState,
    keep_demo,
    parse_search,
    peer_value,
    resolve_state,
    with_changes,
    with_lang,
)
from portal.store import get_store
from portal.uncertainty import funnel, indistinguishable

LEVEL_NAMES = {"gmina": N_("gminas"), "powiat": N_("counties"), "wojewodztwo": N_("voivodeships")}
FLAG_TEXT = {"ok": "", "no_data": N_("no data"), "estimated": N_("estimate"), "partial": N_("partial"),
             "zero": N_("zero")}


# ---------------------------------------------------------------------------------------------- logic
def sync(
    trigger: str | None,
    search: str | None,
    controls: dict,
    current: dict | None,
    pathname: str | None,
) -> tuple[ViewState, bool]:
    """The new state and whether the URL must be written (True when a control, not the URL, changed)."""
    store = get_store()
    area = (pathname or "").rstrip("/").rsplit("/", 1)[-1] or None
    if trigger in (None, ids.AREA_URL) or not current:
        return resolve_state(store, area, parse_search(search)), False
    state = resolve_state(store, area, {**parse_search(search), **ViewState(**current).to_query()})
    changes: dict = {}
    if trigger == ids.AREA_INDICATOR and controls.get("indicator"):
        changes["indicator"] = controls["indicator"]
    elif trigger == ids.AREA_YEAR and controls.get("year") is not None:
        changes["year"] = int(controls["year"])
    elif trigger == ids.AREA_LEVEL and controls.get("level"):
        changes["level"] = controls["level"]
        if state.jst and len(state.jst) > {"gmina": 7, "powiat": 4, "wojewodztwo": 2}[controls["level"]]:
            pass  # keep the unit: the view highlights its powiat or województwo
    elif trigger == ids.AREA_UNIT:
        changes["jst"] = controls.get("unit") or None
    elif trigger == ids.AREA_TABS and controls.get("view"):
        changes["view"] = controls["view"]
    elif trigger == ids.AREA_PEERS_ONLY:
        changes["peers"] = peer_mode(controls.get("peers"), state.peers)
    elif trigger == ids.AREA_MAP:
        location = _clicked(controls.get("click"))
        if location:
            changes["jst"] = location
    new = with_changes(state, store, **changes) if changes else state
    return new, new != state


def peer_mode(value: list | bool | None, current: bool | str) -> bool | str:
    """The peer filter from the checklist: the option just switched on wins (the two exclude each other)."""
    chosen = set(value or []) if isinstance(value, (list, tuple)) else ({"1"} if value else set())
    if not chosen:
        return False
    if chosen == {"knn"} or ("knn" in chosen and current != "knn"):
        return "knn"
    return "grupa"


def knn_members(teryt: str, k: int = 10) -> set[str]:
    """The unit and its k most similar units (portal/similar.py, all context variables)."""
    result = similar_units(get_store(), teryt, k=k)
    return {teryt} | {u["teryt"] for u in result["units"]}


def _clicked(click: dict | None) -> str | None:
    try:
        point = click["points"][0]
        loc = point.get("location")
        return str(loc) if loc else None
    except (TypeError, KeyError, IndexError):
        return None


# Units without a value sort last both ways (assets/dashAgGridFunctions.js); AG Grid puts nulls first ascending.
NULLS_LAST = {"function": "omupNullsLast"}


@memoize_versioned
def _all_rows(indicator: str, year: int, level: str, lang: str) -> list[dict]:
    """Every unit's ranking row for one indicator-year-level, best first (memoised: ~10–100 ms to build)."""
    store = get_store()
    sl = store.slice(indicator, year, level)
    if sl is None:
        return []
    df = sl.frame(store.units)
    ind = sl.indicator
    _ = translator(lang)
    flags = {k: _(v) if v else "" for k, v in FLAG_TEXT.items()}
    unit = ind.unit.get(lang)
    suffix = "?lang=en" if lang == "en" else ""
    group_names = {g: store.peer_group_name(g, lang) for g in df["peer_group"].unique()}
    yes = _("yes")
    rows = []
    for r in df.itertuples(index=False):
        value = None if not math.isfinite(r.value) else round(float(r.value), ind.decimals)
        rows.append({
            "teryt": r.teryt,
            "rank": None if not math.isfinite(r.rank_pl) else int(r.rank_pl),
            "rank_peer": None if not math.isfinite(r.rank_peer) else int(r.rank_peer),
            "name": f"[{r.display_name}](/jst/{r.teryt}{suffix})",
            "plain_name": r.display_name,
            "peer_group": r.peer_group,
            "group": group_names[r.peer_group],
            "value": value,
            "value_text": format_value(value, unit, ind.decimals, lang) if value is not None else flags["no_data"],
            "flag": flags.get(r.flag, r.flag),
            "synthetic": yes if r.synthetic else "",
        })
    present = sorted((r for r in rows if r["rank"] is not None), key=lambda r: (r["rank"], r["plain_name"]))
    return present + [r for r in rows if r["rank"] is None]


def ranking_rows(state: ViewState, sort_by: list[dict] | None = None) -> list[dict]:
    """All rows of the ranking (filtered to peers when asked), sorted; fresh dicts the caller may change."""
    store = get_store()
    rows = _all_rows(state.indicator, state.year, state.level, state.lang)
    selected = state.selected_at_level
    if state.peers == "knn" and selected and selected in store.units.index:
        members = knn_members(selected)
        rows = [r for r in rows if r["teryt"] in members]
    elif state.peers and selected and selected in store.units.index:
        group = store.units.at[selected, "peer_group"]
        rows = [r for r in rows if r["peer_group"] == group]
    rows = [dict(r) for r in rows]
    if sort_by:
        col = sort_by[0].get("column_id")
        if col in ("rank", "rank_peer", "value_text", "plain_name", "name", "group"):
            key = {"value_text": "value", "name": "plain_name"}.get(col, col)
            descending = sort_by[0].get("direction") == "desc"
            present = sorted((r for r in rows if r[key] is not None), key=lambda r: r[key], reverse=descending)
            rows = present + [r for r in rows if r[key] is None]
    return rows


def ranking_view(state: ViewState) -> dict:
    """Column definitions, rows, row styles and the scroll target of the ranking grid."""
    rows = ranking_rows(state)
    lang = state.lang
    ind = get_store().catalogue.by_id[state.indicator]
    selected = state.selected_at_level
    _ = translator(lang)
    head = (_("Rank"), _("Among peers"), pgettext_unit(_), _("Peer group"), _("Value"), _("Notes"), _("Synthetic"))
    columns = [
        {"headerName": head[0], "field": "rank", "maxWidth": 110, "type": "numericColumn", "sort": "asc",
         "comparator": NULLS_LAST},
        {"headerName": head[1], "field": "rank_peer", "maxWidth": 150, "type": "numericColumn",
         "comparator": NULLS_LAST},
        {"headerName": head[2], "field": "name", "cellRenderer": "markdown", "minWidth": 220, "flex": 2},
        {"headerName": head[3], "field": "group", "minWidth": 160, "flex": 1},
        {"headerName": f"{head[4]} ({ind.unit.get(lang)})", "field": "value", "type": "numericColumn",
         "valueFormatter": {"function": "params.data.value_text"}, "minWidth": 140, "comparator": NULLS_LAST},
        {"headerName": head[5], "field": "flag", "maxWidth": 130},
        {"headerName": head[6], "field": "synthetic", "maxWidth": 130},
    ]
    style = {"styleConditions": []}
    scroll = None
    if selected and any(r["teryt"] == selected for r in rows):
        style["styleConditions"].append({"condition": f"params.data.teryt === '{selected}'",
                                         "style": {"backgroundColor": "#fde0dd", "fontWeight": "700"}})
        scroll = {"rowId": selected, "rowPosition": "middle"}
    for r in rows:
        del r["plain_name"], r["peer_group"]
    return {"columns": columns, "rows": rows, "row_style": style, "scroll": scroll}


def distribution_view(state: ViewState) -> dict:
    store = get_store()
    sl = store.slice(state.indicator, state.year, state.level)
    if sl is None:
        return {"data": [], "layout": {"height": 300}}
    selected = state.selected_at_level
    peer_values = None
    selected_value = None
    selected_name = None
    peer_name = None
    if selected and selected in store.units.index:
        group = store.units.at[selected, "peer_group"]
        members = set(store.peers(selected).tolist())
        mask = np.array([c in members for c in sl.codes])
        peer_values = sl.value[mask]
        idx = int(np.searchsorted(sl.codes, selected))
        if idx < len(sl.codes) and sl.codes[idx] == selected:
            selected_value = float(sl.value[idx]) if math.isfinite(sl.value[idx]) else None
        selected_name = store.units.at[selected, "name"]
        peer_name = store.peer_group_name(group, state.lang)
        if len(peer_name) > 28:
            peer_name = translator(state.lang)("Similar units")
    return distribution_figure(all_values=sl.value, peer_values=peer_values, selected_value=selected_value,
                               indicator=sl.indicator, lang=state.lang, synthetic=bool(sl.synthetic.any()),
                               selected_name=selected_name, peer_name=peer_name)


def heading_view(state: ViewState) -> list:
    """Title of the view, the selected unit's sentence, legend with unit and direction, downloads and links."""
    store = get_store()
    lang = state.lang
    ind = store.catalogue.by_id[state.indicator]
    _ = translator(lang)
    level_name = _(LEVEL_NAMES[state.level])
    children: list = [html.H2(f"{ind.name.get(lang)} – {level_name}, {state.year}", className="h4 mb-1"),
                      html.P(ind.description.get(lang), className="mb-1")]
    selected = state.selected_at_level
    if selected and selected in store.units.index:
        point = store.point(ind.id, selected, state.year)
        chance = indistinguishable(store, ind.id, selected, state.year) if ind.rate else None
        text = _sentence(ind, selected, state.year, point, lang, chance=chance)
        name = store.units.at[selected, "display_name"]
        label = [chance_label(lang), " "] if chance else []
        children.append(html.P([html.Strong(name + ": "), text, " ", *label,
                                html.A("→ " + _("profile"),
                                       href=with_lang(f"/jst/{selected}", lang))], className="selected-sentence"))
        note = caveat(bool(point and point["synthetic"]), point["flag"] if point else "no_data", lang,
                      level=store.units.at[selected, "level"])
        if note:
            children.append(html.P(note, className="small caveat"))
    national = store.group(ind.id, state.year, state.level, "national", "PL")
    legend = [html.Span(f"{ind.unit.get(lang)} · {direction_label(ind, lang)}", className="badge text-bg-light me-2")]
    if national:
        med = format_value(national["median"], ind.unit.get(lang), ind.decimals, lang)
        legend.append(html.Span(_("median") + ": " + med, className="small me-2"))
    legend.append(html.A(_("Definition and source"), href=with_lang(f"/wskaznik/{ind.id}", lang), className="small me-3"))
    legend.append(html.Span(_("Download:") + " ", className="small me-1"))
    legend.extend(views.area_downloads(state))
    children.append(html.Div(legend, className="d-flex flex-wrap align-items-center gap-1"))
    return children


def _sentence(ind, teryt: str, year: int, point: dict | None, lang: str, chance: bool | None = None) -> str:
    store = get_store()
    unit = store.units.loc[teryt]
    value = point["value"] if point else None
    value_text = format_value(value, ind.unit.get(lang), ind.decimals, lang) if value is not None else None
    level = "miasto" if (unit["level"] == "gmina" and unit["mnpp"]) else unit["level"]
    return unit_sentence(ind.sentence.get(lang), year=year, value_text=value_text, level=level, lang=lang,
                         point=point, direction=ind.direction,
                         peer_group_name=store.peer_group_name(unit["peer_group"], lang),
                         indistinguishable=chance)


def pgettext_unit(_) -> str:
    """«Jednostka» as a column of units (the same English word as a unit of measure)."""
    return _.pgettext("territorial unit", "Unit")


def chance_label(lang: str) -> html.Span:
    """The «w granicach przypadkowych wahań» badge for a unit indistinguishable from its peers."""
    return html.Span(translator(lang)("within chance variation"), className="badge chance-label")


def funnel_view(state: ViewState) -> tuple[dict, str | None]:
    """The funnel figure (selected unit highlighted) and a note; an empty figure for non-rate indicators."""
    store = get_store()
    ind = store.catalogue.by_id[state.indicator]
    _ = translator(state.lang)
    empty = {"data": [], "layout": {"height": 40, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}
    if not ind.rate:
        return empty, _("The funnel plot is available only for indicators computed as a share or a number per "
                         "1000 residents (with a countable denominator). This indicator is not one of them.")
    try:
        data = funnel(store, ind.id, state.year, state.level)
    except ValueError:
        return empty, _("No data for the funnel plot in this year and level.")
    from portal.figures import fit_funnel

    fig = funnel_figure(points=data["points"], reference=data["reference"], limits_curve=data["curve"],
                        indicator=ind, lang=state.lang, synthetic=data["synthetic"],
                        selected=state.selected_at_level)
    for trace in fig["data"]:
        if trace.get("mode") == "markers+text":  # the selected unit: its name must not be cut at the left edge
            trace["textposition"] = "top right"
    lead = _("Each dot is one unit: its value (vertical axis) against the number of people the indicator counts "
             "(horizontal axis, log scale). The dashed lines bound chance variation around the national average: "
             "small units swing from year to year, so the funnel is wide there. A dot inside the funnel differs from "
             "the average no more than chance could make it.")
    return fit_funnel(fig), lead + " " + views.funnel_axes(data, ind, state.lang)


def unit_search_options(search_value: str | None, lang: str, jst: str | None = None):
    """Options for a typed name or code, the selected unit kept last (Dash's dropdown drops a value that
    is missing from its options and shows no label for it; its own filter hides the unit while it does not
    match the text). no_update while the text is empty or one character long: a cleared search follows a
    selection, and the sync callback sends the options for the new unit."""
    if not search_value or len(search_value.strip()) < 2:
        return no_update
    options = search_options(search_value, lang, limit=15)
    if jst and jst in get_store().units.index and jst not in {o["value"] for o in options}:
        options.append(unit_option(jst, lang))
    return options


# ---------------------------------------------------------------------------------------------- callbacks
@callback(
    Output(ids.AREA_URL, "search"),
    Output(ids.AREA_STATE, "data"),
    Output(ids.AREA_INDICATOR, "value"),
    Output(ids.AREA_YEAR, "options"),
    Output(ids.AREA_YEAR, "value"),
    Output(ids.AREA_LEVEL, "options"),
    Output(ids.AREA_LEVEL, "value"),
    Output(ids.AREA_UNIT, "options", allow_duplicate=True),
    Output(ids.AREA_UNIT, "value"),
    Output(ids.AREA_TABS, "active_tab"),
    Output(ids.AREA_PEERS_ONLY, "value"),
    Output(ids.AREA_PEERS_ONLY, "options"),
    Input(ids.AREA_URL, "search"),
    Input(ids.AREA_INDICATOR, "value"),
    Input(ids.AREA_YEAR, "value"),
    Input(ids.AREA_LEVEL, "value"),
    Input(ids.AREA_UNIT, "value"),
    Input(ids.AREA_TABS, "active_tab"),
    Input(ids.AREA_PEERS_ONLY, "value"),
    Input(ids.AREA_MAP, "clickData"),
    State(ids.AREA_STATE, "data"),
    State(ids.AREA_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_area(search, indicator, year, level, unit, view, peers, click, current, pathname):
    if not (pathname or "").startswith("/obszar/"):
        return (no_update,) * 12
    controls = {"indicator": indicator, "year": year, "level": level, "unit": unit, "view": view,
                "peers": peers, "click": click}
    state, write_url = sync(ctx.triggered_id, search, controls, current, pathname)
    return (
        keep_demo(state.search()) if write_url else no_update,
        state.as_dict(),
        state.indicator,
        views.area_year_options(state.indicator, state.level),
        state.year,
        views.area_level_options(state.indicator, state.lang),
        state.level,
        level_choices(state.jst, state.lang, state.level),
        state.jst,
        state.view,
        peer_value(state.peers),
        views.area_peer_options(state.lang, enabled=bool(state.jst)),
    )


# The page's layout carries the first figure (layouts/area.py); this callback follows changes of the view.
@callback(Output(ids.AREA_MAP_FIGURE, "data"), Input(ids.AREA_STATE, "data"), prevent_initial_call=True)
def update_map(state: dict) -> dict:
    return map_view(ViewState(**state))


# The figure reaches the graph through the browser, which fits the zoom to the screen width (assets/omup-maps.js).
clientside_callback(
    ClientsideFunction(namespace="omup", function_name="fitMap"),
    Output(ids.AREA_MAP, "figure"),
    Input(ids.AREA_MAP_FIGURE, "data"),
    State(ids.AREA_MAP, "id"),
)


@callback(Output(ids.AREA_RANKING_BOX, "children"), Input(ids.AREA_STATE, "data"))
def update_ranking(state: dict):
    view_state = ViewState(**state)
    if view_state.view != "ranking":
        return no_update  # built when the ranking tab is opened (state.view follows the tab)
    view = ranking_view(view_state)
    return views.ranking_grid(view["columns"], view["rows"], view["row_style"], view["scroll"], view_state.lang)


# The distribution and the funnel are drawn when their tab is shown (state.view follows the tab): drawn in a
# hidden tab they kept the browser busy while the map was drawing. Hidden, they hold an empty figure (never a
# stale one).
@callback(Output(ids.AREA_DISTRIBUTION, "figure"), Input(ids.AREA_STATE, "data"))
def update_distribution(state: dict) -> dict:
    view_state = ViewState(**state)
    if view_state.view != "rozklad":
        return {"data": [], "layout": {"height": 300}}
    return distribution_view(view_state)


@callback(Output(ids.AREA_FUNNEL, "figure"), Output(ids.AREA_FUNNEL_NOTE, "children"),
          Input(ids.AREA_STATE, "data"))
def update_funnel(state: dict):
    view_state = ViewState(**state)
    if view_state.view != "lejek":
        return {"data": [], "layout": {"height": 420}}, None
    return funnel_view(view_state)


@callback(Output(ids.AREA_HEADING, "children"), Input(ids.AREA_STATE, "data"))
def update_heading(state: dict) -> list:
    return heading_view(ViewState(**state))


@callback(Output(ids.AREA_UNIT, "options", allow_duplicate=True), Input(ids.AREA_UNIT, "search_value"),
          State(ids.AREA_STATE, "data"), prevent_initial_call=True)
def search_units(search_value: str | None, state: dict | None):
    state = state or {}
    return unit_search_options(search_value, state.get("lang", "pl"), state.get("jst"))
