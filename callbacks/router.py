"""The router: render the page for the path (the query string is read once, then owned by the page)."""

from __future__ import annotations

from dash import Input, Output, State, callback, clientside_callback

from portal import ids, routing, views
from portal.pagecache import cached_page
from portal.state import parse_search


@callback(Output(ids.PAGE, "children"), Output(ids.TITLE_SINK, "children"), Input(ids.URL, "pathname"),
          State(ids.URL, "search"))
def render_page(pathname: str | None, search: str | None) -> tuple[object, str]:
    path = pathname or "/"
    lang = "en" if parse_search(search).get("lang") == "en" else "pl"
    return cached_page(path, search, views.page), routing.title_of(path, lang)


clientside_callback(
    "function(title) { if (title) { document.title = title; } return window.dash_clientside.no_update; }",
    Output(ids.TITLE_SINK, "title"),
    Input(ids.TITLE_SINK, "children"),
)
