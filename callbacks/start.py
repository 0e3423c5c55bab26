"""Start page: search as you type."""

from __future__ import annotations

from dash import Input, Output, State, callback

from layouts.start import search_results
from portal import ids
from portal.state import parse_search


@callback(Output(ids.START_RESULTS, "children"), Input(ids.START_SEARCH, "value"), State(ids.URL, "search"),
          prevent_initial_call=True)
def update_results(query: str | None, search: str | None) -> list:
    lang = "en" if parse_search(search).get("lang") == "en" else "pl"
    return search_results(query, lang)
