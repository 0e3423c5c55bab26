"""Unit profile callbacks: the year control ↔ the URL's `rok` (re-rendering the body by year); anchors."""

from __future__ import annotations

from dash import Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from layouts.components.shell import with_lang
from layouts.profile import LATEST, profile_body
from portal import ids
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
    lang = parse_search(search).get("lang", "pl")
    link = with_lang("", lang, rok=year or None)
    return link or ""


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
