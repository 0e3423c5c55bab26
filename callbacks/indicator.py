"""Indicator page callbacks: year and level ↔ URL in one sync, which re-renders the charts."""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from layouts.indicator import IndicatorState, body_view, parse_state, year_options
from portal import ids
from portal.state import LEVEL_WORD, parse_search


def indicator_of(pathname: str | None) -> str | None:
    from portal.store import get_store

    path = (pathname or "").rstrip("/")
    if not path.startswith("/wskaznik/"):
        return None
    ind = path.rsplit("/", 1)[-1]
    return ind if ind in get_store().catalogue.by_id else None


def next_state(
    trigger: str | None,
    search: str | None,
    current: dict | None,
    indicator: str,
    *,
    level: str | None = None,
    year: str | None = None,
) -> tuple[IndicatorState, bool]:
    """The new state and whether the URL must be written (a control, not the URL, changed it)."""
    params = parse_search(search)
    if trigger in (None, ids.INDICATOR_URL) or not current:
        return parse_state(indicator, params), False
    state = IndicatorState(**current)
    query = state.to_query()
    if trigger == ids.INDICATOR_LEVEL and level:
        query["poziom"] = LEVEL_WORD.get(level, level)
    elif trigger == ids.INDICATOR_YEAR and year:
        query["rok"] = year
    new = parse_state(indicator, query)
    return new, new != state


@callback(
    Output(ids.INDICATOR_URL, "search"),
    Output(ids.INDICATOR_STATE, "data"),
    Output(ids.INDICATOR_LEVEL, "value"),
    Output(ids.INDICATOR_YEAR, "options"),
    Output(ids.INDICATOR_YEAR, "value"),
    Output(ids.INDICATOR_BODY, "children"),
    Input(ids.INDICATOR_URL, "search"),
    Input(ids.INDICATOR_LEVEL, "value"),
    Input(ids.INDICATOR_YEAR, "value"),
    State(ids.INDICATOR_STATE, "data"),
    State(ids.INDICATOR_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_indicator(search, level, year, current, pathname):
    indicator = indicator_of(pathname)
    if indicator is None:
        raise PreventUpdate
    state, write_url = next_state(ctx.triggered_id, search, current, indicator, level=level, year=year)
    if current and state == IndicatorState(**current):
        raise PreventUpdate
    return (
        state.search() if write_url else no_update,
        state.as_dict(),
        state.level,
        year_options(state.indicator, state.level),
        str(state.year),
        body_view(state),
    )
