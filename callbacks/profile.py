"""Unit profile callbacks: the year control ↔ the URL's `rok` (re-rendering the year-dependent parts), the
similarity variables ↔ `zmienne`, the debate-pack link; anchors open a folded area."""

from __future__ import annotations

from dataclasses import replace

from dash import Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from portal import ids, views
from portal.api.debate import pack_href
from portal.profile import LATEST, profile_state, similar_variables
from portal.state import parse_search, unit_of_path
from portal.store import get_store


def teryt_of(pathname: str | None) -> str | None:
    """The unit of a /jst/<teryt> path (resolved to today's code), or None."""
    code = unit_of_path(pathname, "jst")
    if code is None:
        return None
    teryt, _ = get_store().resolve(code)
    return str(teryt) if teryt else None


def chosen_vars(variables: list[str] | None, available: tuple[str, ...]) -> tuple[str, ...] | None:
    """The ticked variables in their fixed order; None when all available are ticked (no `zmienne`)."""
    chosen = tuple(v for v in available if v in (variables or []))
    return None if chosen == available else chosen


def similar_update(variables: list[str] | None, search: str | None, pathname: str | None) -> tuple:
    """(search to write, the similar-units list) for a change of the variables checklist."""
    teryt = teryt_of(pathname)
    if teryt is None:
        raise PreventUpdate
    store = get_store()
    state = profile_state(store, teryt, parse_search(search))
    chosen = chosen_vars(variables, similar_variables(store, store.units.at[teryt, "level"]))
    new = replace(state, variables=chosen)
    return new.search(), views.similar_list(store, teryt, chosen, new.lang)


def pack_link(indicators: list[str] | None, search: str | None, pathname: str | None) -> str:
    """The debate-pack href for the ticked indicators (an empty choice links to the 400 that says so)."""
    teryt = teryt_of(pathname) or ""
    lang = "en" if parse_search(search).get("lang") == "en" else "pl"
    return pack_href(teryt, list(indicators or []), lang, demo=get_store().demo)


def sync(trigger: str | None, year: str | None, search: str | None, pathname: str | None) -> tuple:
    """(search to write, body, areas, year value); no_update where nothing changes.

    A change of the year control writes `rok` to the URL; a URL change (back/forward) sets the control.
    Either way the year-dependent parts are rebuilt, unless the URL only echoes the control.
    """
    teryt = teryt_of(pathname)
    if teryt is None:
        raise PreventUpdate
    store = get_store()
    state = profile_state(store, teryt, parse_search(search))
    chosen = "" if year in (None, LATEST) else year
    url_year = str(state.year) if state.year else ""
    if trigger == ids.PROFILE_YEAR:
        if url_year == chosen:
            return no_update, no_update, no_update, no_update
        new = profile_state(store, teryt, {**parse_search(search), "rok": chosen})
        body, areas = views.profile_parts(new)
        return new.search(), body, areas, no_update
    if url_year == chosen:
        raise PreventUpdate
    body, areas = views.profile_parts(state)
    return no_update, body, areas, url_year or LATEST


@callback(
    Output(ids.PROFILE_URL, "search"),
    Output(ids.PROFILE_BODY, "children"),
    Output(ids.PROFILE_AREAS, "children"),
    Output(ids.PROFILE_YEAR, "value"),
    Input(ids.PROFILE_YEAR, "value"),
    Input(ids.PROFILE_URL, "search"),
    State(ids.PROFILE_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_profile(year, search, pathname):
    return sync(ctx.triggered_id, year, search, pathname)


@callback(
    Output(ids.PROFILE_URL, "search", allow_duplicate=True),
    Output(ids.PROFILE_SIMILAR, "children"),
    Input(ids.PROFILE_SIMILAR_VARS, "value"),
    State(ids.PROFILE_URL, "search"),
    State(ids.PROFILE_URL, "pathname"),
    prevent_initial_call=True,
)
def update_similar(variables, search, pathname):
    return similar_update(variables, search, pathname)


@callback(
    Output(ids.PROFILE_PACK_LINK, "href"),
    Input(ids.PROFILE_PACK_INDICATORS, "value"),
    State(ids.PROFILE_URL, "search"),
    State(ids.PROFILE_URL, "pathname"),
    prevent_initial_call=True,
)
def update_pack_link(indicators, search, pathname):
    return pack_link(indicators, search, pathname)


# /jst/<teryt>#edukacja: the section exists only after the router renders the page, so scroll once it does;
# a folded area (phones) opens first.
clientside_callback(
    """function(hash) {
        if (hash && hash.length > 1) {
            setTimeout(function() {
                var el = document.getElementById(decodeURIComponent(hash.slice(1)));
                if (el) { if (el.tagName === 'DETAILS') { el.open = true; } el.scrollIntoView(); }
            }, 50);
        }
        return window.dash_clientside.no_update;
    }""",
    Output(ids.PROFILE_SCROLL, "title"),
    Input(ids.PROFILE_URL, "hash"),
)
