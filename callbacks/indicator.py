"""Indicator page callbacks: year and level ↔ URL in one sync, which re-renders the charts."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from portal import ids, views
from portal.state import LEVEL_WORD, IndicatorState, keep_demo, parse_indicator, parse_search
from portal.store import get_store


def indicator_of(pathname: str | None) -> str | None:
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
    window: list | None = None,
    group: str | None = None,
) -> tuple[IndicatorState, bool]:
    """The new state and whether the URL must be written (a control, not the URL, changed it)."""
    params = parse_search(search)
    if trigger in (None, ids.INDICATOR_URL) or not current:
        return parse_indicator(get_store(), indicator, params), False
    state = IndicatorState(**current)
    query = state.to_query()
    if trigger == ids.INDICATOR_LEVEL and level:
        query["poziom"] = LEVEL_WORD.get(level, level)
    elif trigger == ids.INDICATOR_YEAR and year:
        query["rok"] = year
    elif trigger == ids.INDICATOR_WINDOW:
        query.pop("srednia", None)
        if window and "3" in window:
            query["srednia"] = "3"
    elif trigger == ids.INDICATOR_GROUP:
        query.pop("grupa", None)
        if group and group != "PL":
            query["grupa"] = group
    new = parse_indicator(get_store(), indicator, query)
    return new, new != state


@callback(
    Output(ids.INDICATOR_URL, "search"),
    Output(ids.INDICATOR_STATE, "data"),
    Output(ids.INDICATOR_LEVEL, "value"),
    Output(ids.INDICATOR_YEAR, "options"),
    Output(ids.INDICATOR_YEAR, "value"),
    Output(ids.INDICATOR_BODY, "children"),
    Output(ids.INDICATOR_FUNNEL, "children"),
    Output(ids.INDICATOR_GROUP, "options"),
    Output(ids.INDICATOR_GROUP, "value"),
    Output(ids.INDICATOR_WINDOW, "value"),
    Input(ids.INDICATOR_URL, "search"),
    Input(ids.INDICATOR_LEVEL, "value"),
    Input(ids.INDICATOR_YEAR, "value"),
    Input(ids.INDICATOR_WINDOW, "value"),
    Input(ids.INDICATOR_GROUP, "value"),
    State(ids.INDICATOR_STATE, "data"),
    State(ids.INDICATOR_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_indicator(search, level, year, window, group, current, pathname):
    indicator = indicator_of(pathname)
    if indicator is None:
        raise PreventUpdate
    state, write_url = next_state(
        ctx.triggered_id, search, current, indicator, level=level, year=year, window=window, group=group
    )
    if current and state == IndicatorState(**current):
        raise PreventUpdate
    old = IndicatorState(**current) if current else None
    # Only the funnel depends on the reference and the three-year average: keep the other charts.
    funnel_only = old is not None and (old.indicator, old.level, old.year, old.lang) == (
        state.indicator, state.level, state.year, state.lang
    )
    return (
        keep_demo(state.search()) if write_url else no_update,
        state.as_dict(),
        state.level,
        views.indicator_year_options(state.indicator, state.level),
        str(state.year),
        no_update if funnel_only else views.indicator_body(state),
        views.indicator_funnel(state),
        views.indicator_group_options(state.level, state.lang),
        state.group or "PL",
        ["3"] if state.window else [],
    )


# The map figure reaches the graph through the browser, which fits the zoom to the screen (assets/omup-maps.js).
clientside_callback(
    ClientsideFunction(namespace="omup", function_name="fitMap"),
    Output(ids.INDICATOR_MAP, "figure"),
    Input(ids.INDICATOR_MAP_FIGURE, "data"),
    State(ids.INDICATOR_MAP, "id"),
)
