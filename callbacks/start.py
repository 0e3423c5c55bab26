"""Start page: search as you type; Enter opens the first result."""

from __future__ import annotations

from dash import Input, Output, State, callback, no_update

from portal import ids, views
from portal.search import first_result
from portal.state import parse_search


def _lang(search: str | None) -> str:
    return "en" if parse_search(search).get("lang") == "en" else "pl"


@callback(Output(ids.START_RESULTS, "children"), Input(ids.START_SEARCH, "value"), State(ids.URL, "search"),
          prevent_initial_call=True)
def update_results(query: str | None, search: str | None) -> list:
    return views.search_results(query, _lang(search))


@callback(Output(ids.URL, "pathname"), Output(ids.URL, "search"), Input(ids.START_SEARCH, "n_submit"),
          State(ids.START_SEARCH, "value"), State(ids.URL, "search"), prevent_initial_call=True)
def open_first(n_submit: int | None, query: str | None, search: str | None):
    """Enter in the search box: the first result's page (nothing when nothing is found)."""
    href = first_result(query, _lang(search)) if n_submit else None
    if href is None:
        return no_update, no_update
    path, _, rest = href.partition("?")
    return path, ("?" + rest) if rest else ""
