"""Compare page callbacks: one URL ↔ controls sync (add, remove, area, year) and the add control's search."""

from __future__ import annotations

from dataclasses import replace

from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from portal import ids, views
from portal.pickers import suggested_options, typed_options
from portal.state import COMPARE_MAX_UNITS as MAX_UNITS
from portal.state import CompareState, compare_years, keep_demo, parse_compare, parse_search
from portal.store import get_store


# ---------------------------------------------------------------------------------------------- logic
def add_unit(units: list[str] | tuple[str, ...], teryt: str | None) -> tuple[str, ...]:
    """The units with one more at the end (unchanged when already there, unknown or the list is full)."""
    units = tuple(units)
    if not teryt or teryt in units or len(units) >= MAX_UNITS or teryt not in get_store().units.index:
        return units
    return (*units, teryt)


def remove_unit(units: list[str] | tuple[str, ...], teryt: str | None) -> tuple[str, ...]:
    return tuple(t for t in units if t != teryt)


def next_state(
    trigger: str | dict | None,
    search: str | None,
    current: dict | None,
    *,
    added: str | None = None,
    area: str | None = None,
    year: str | None = None,
) -> tuple[CompareState, bool]:
    """The new state and whether the URL must be written (a control, not the URL, changed it)."""
    if trigger in (None, ids.COMPARE_URL) or not current:
        return parse_compare(get_store(), parse_search(search)), False
    state = CompareState.from_dict(current)
    if isinstance(trigger, dict) and trigger.get("type") == "compare-remove":
        new = replace(state, units=remove_unit(state.units, trigger.get("teryt")))
    elif trigger == ids.COMPARE_ADD:
        new = replace(state, units=add_unit(state.units, added))
    elif trigger == ids.COMPARE_AREA and area:
        new = replace(state, area=area)
    elif trigger == ids.COMPARE_YEAR:
        new = replace(state, year=int(year) if (year or "").isdigit() else None)
    else:
        new = state
    # Re-validate (a year the new units or area lack falls back to the latest); notes belong to the URL only.
    if new.year is not None and new.year not in compare_years(get_store(), new.area, new.units):
        new = replace(new, year=None)
    new = replace(new, notes=())
    return new, new != state


# ---------------------------------------------------------------------------------------------- callbacks
@callback(
    Output(ids.COMPARE_URL, "search"),
    Output(ids.COMPARE_STATE, "data"),
    Output(ids.COMPARE_NOTES, "children"),
    Output(ids.COMPARE_UNITS, "children"),
    Output(ids.COMPARE_BODY, "children"),
    Output(ids.COMPARE_AREA, "value"),
    Output(ids.COMPARE_YEAR, "options"),
    Output(ids.COMPARE_YEAR, "value"),
    Output(ids.COMPARE_ADD, "value"),
    Output(ids.COMPARE_ADD, "disabled"),
    Output(ids.COMPARE_ADD, "options", allow_duplicate=True),
    Output(ids.SYNTHETIC_BANNER, "children"),
    Input(ids.COMPARE_URL, "search"),
    Input(ids.COMPARE_ADD, "value"),
    Input(ids.compare_remove(ALL), "n_clicks"),
    Input(ids.COMPARE_AREA, "value"),
    Input(ids.COMPARE_YEAR, "value"),
    State(ids.COMPARE_STATE, "data"),
    State(ids.COMPARE_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_compare(search, added, _removed, area, year, current, pathname):
    trigger = ctx.triggered_id
    if not (pathname or "").startswith("/porownaj"):
        raise PreventUpdate
    # Re-rendered × buttons fire this callback with n_clicks 0: not a click.
    if isinstance(trigger, dict) and not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate
    if trigger == ids.COMPARE_ADD and not added:
        raise PreventUpdate
    state, write_url = next_state(trigger, search, current, added=added, area=area, year=year)
    if state == CompareState.from_dict(current) and not state.notes and trigger != ids.COMPARE_ADD:
        raise PreventUpdate
    return (
        keep_demo(state.search()) if write_url else no_update,
        state.as_dict(),
        views.compare_notes(state.notes, state.lang),
        views.compare_units(state),
        views.compare_body(state),
        state.area,
        views.compare_year_options(state),
        "latest" if state.year is None else str(state.year),
        None,
        len(state.units) >= MAX_UNITS,
        # Suggestions follow the units compared (nearest to the first; chosen ones left out).
        suggested_options(state.units, state.lang) if state.units != CompareState.from_dict(current).units
        else no_update,
        # The banner names the synthetic indicators of the area shown.
        views.synthetic_banner(state.lang, [i.id for i in get_store().catalogue.in_area(state.area)])
        if state.area != CompareState.from_dict(current).area else no_update,
    )


@callback(
    Output(ids.COMPARE_ADD, "options"),
    Input(ids.COMPARE_ADD, "search_value"),
    State(ids.COMPARE_STATE, "data"),
    prevent_initial_call=True,
)
def search_units(search_value: str | None, current: dict | None):
    state = CompareState.from_dict(current)
    options = typed_options(search_value, state.units, state.lang)
    return no_update if options is None else options
