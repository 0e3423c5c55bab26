"""Unit profile callbacks: the year control ↔ the URL's `rok` (re-rendering the body by year); anchors."""

from __future__ import annotations

from dash import Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from layouts.components.shell import with_lang
from layouts.profile import LATEST, profile_body, similar_list
from portal import ids
from portal.api.debate import pack_href
from portal.similar import VARIABLES
from portal.state import parse_search
from portal.store import get_store


def teryt_of(pathname: str | None) -> str | None:
    """The unit of a /jst/<teryt> path (resolved to today's code), or None."""
    if not pathname or not pathname.startswith("/jst/"):
        return None
    code = pathname.rstrip("/").rsplit("/", 1)[-1]
    teryt, _ = get_store().resolve(code)
    return str(teryt) if teryt else None


def year_search(year: str | None, search: str | None) -> str:
    """The query string for a chosen year, keeping the language ('' = latest data: no `rok`)."""
    params = parse_search(search)
    link = with_lang("", params.get("lang", "pl"), rok=year or None, zmienne=params.get("zmienne"))
    return link or ""


def chosen_vars(variables: list[str] | None) -> tuple[str, ...] | None:
    """The ticked variables in their fixed order; None when all are ticked (the default, no `zmienne`)."""
    chosen = tuple(v for v in VARIABLES if v in (variables or []))
    return None if len(chosen) == len(VARIABLES) else chosen


def vars_search(variables: list[str] | None, search: str | None) -> str:
    """The query string for the chosen similarity variables, keeping the year and the language."""
    params = parse_search(search)
    chosen = chosen_vars(variables)
    zmienne = None if chosen is None else (",".join(chosen) or "brak")  # "brak": none ticked
    return with_lang("", params.get("lang", "pl"), rok=params.get("rok"), zmienne=zmienne) or ""


def similar_update(variables: list[str] | None, search: str | None, pathname: str | None) -> tuple:
    """(search to write, the similar-units list) for a change of the variables checklist."""
    teryt = teryt_of(pathname)
    if teryt is None:
        raise PreventUpdate
    lang = "en" if parse_search(search).get("lang") == "en" else "pl"
    return vars_search(variables, search), similar_list(get_store(), teryt, chosen_vars(variables), lang)


def pack_link(indicators: list[str] | None, search: str | None, pathname: str | None) -> str:
    """The debate-pack href for the ticked indicators (an empty choice links to the 400 that says so)."""
    teryt = teryt_of(pathname) or ""
    lang = "en" if parse_search(search).get("lang") == "en" else "pl"
    return pack_href(teryt, list(indicators or []), lang)


def sync(trigger: str | None, year: str | None, search: str | None, pathname: str | None) -> tuple:
    """(search to write, body, year value); no_update where nothing changes.

    A change of the year control writes `rok` to the URL; a URL change (back/forward) sets the control.
    Either way the year-dependent body is rebuilt, unless the URL only echoes the control.
    """
    teryt = teryt_of(pathname)
    if teryt is None:
        raise PreventUpdate
    params = parse_search(search)
    lang = "en" if params.get("lang") == "en" else "pl"
    year = "" if year in (None, LATEST) else year
    if trigger == ids.PROFILE_YEAR:
        if (params.get("rok") or "") == year:
            return no_update, no_update, no_update
        return year_search(year, search), profile_body(teryt, year or None, lang), no_update
    url_year = params.get("rok") or ""
    if url_year == year:
        raise PreventUpdate
    return no_update, profile_body(teryt, url_year or None, lang), url_year or LATEST


@callback(
    Output(ids.PROFILE_URL, "search"),
    Output(ids.PROFILE_BODY, "children"),
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


# /jst/<teryt>#edukacja: the section exists only after the router renders the page, so scroll once it does.
clientside_callback(
    """function(hash) {
        if (hash && hash.length > 1) {
            setTimeout(function() {
                var el = document.getElementById(decodeURIComponent(hash.slice(1)));
                if (el) { el.scrollIntoView(); }
            }, 50);
        }
        return window.dash_clientside.no_update;
    }""",
    Output(ids.PROFILE_SCROLL, "title"),
    Input(ids.PROFILE_URL, "hash"),
)
