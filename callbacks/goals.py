"""Goals page callbacks: add a target, remove a goal, load a goals file; the goals are written to the URL."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from portal import goals as goals_mod
from portal import ids, views
from portal.state import parse_query
from portal.store import get_store


def teryt_of(pathname: str | None) -> str | None:
    if not pathname or not pathname.startswith("/cele/"):
        return None
    teryt, _ = get_store().resolve(pathname.rstrip("/").rsplit("/", 1)[-1])
    return str(teryt) if teryt else None


def _number(raw: object) -> float | None:
    try:
        value = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def upload_text(contents: str | None) -> bytes:
    """The bytes of a dcc.Upload value ('data:<type>;base64,<data>')."""
    if not contents or "," not in contents:
        raise goals_mod.GoalsFileError(None, "nie udało się odczytać pliku", "the file could not be read")
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except ValueError:
        raise goals_mod.GoalsFileError(
            None, "nie udało się odczytać pliku", "the file could not be read"
        ) from None


def update(
    trigger: object, text, indicator, baseline, target, target_year, upload, search, pathname
) -> tuple:
    """(search, goal list, message, export href, report href) after an add, a remove or an upload."""
    teryt = teryt_of(pathname)
    if teryt is None or trigger is None:
        raise PreventUpdate
    store = get_store()
    params = parse_query(search)
    lang = "en" if params.get("lang") == "en" else "pl"
    known = goals_mod.known_indicator_ids(store)
    try:
        goals = goals_mod.decode(params.get("cele"), known)
    except goals_mod.GoalsFileError:
        goals = ()
    try:
        if trigger == ids.GOALS_ADD:
            value, y0, y1 = _number(target), _number(baseline), _number(target_year)
            if indicator not in store.catalogue.by_id:
                raise goals_mod.GoalsFileError(None, "wybierz wskaźnik", "choose an indicator")
            if value is None or y0 is None or y1 is None or not (y0.is_integer() and y1.is_integer()):
                raise goals_mod.GoalsFileError(
                    None,
                    "podaj rok bazowy, wartość docelową i rok docelowy",
                    "give the baseline year, the target value and the target year",
                )
            goals = goals_mod.add_target(
                goals, text or "", goals_mod.Target(indicator, int(y0), value, int(y1))
            )
        elif isinstance(trigger, dict) and trigger.get("type") == "goal-remove":
            if not any(ctx.triggered and t.get("value") for t in ctx.triggered):
                raise PreventUpdate
            goals = goals_mod.remove_goal(goals, int(trigger["index"]))
        elif trigger == ids.GOALS_UPLOAD:
            goals = goals_mod.parse_csv(upload_text(upload), known)
        else:
            raise PreventUpdate
    except goals_mod.GoalsFileError as exc:
        return no_update, no_update, exc.message(lang), no_update, no_update
    query = {k: v for k, v in params.items() if k != "cele"}
    if goals:
        query["cele"] = goals_mod.encode(goals)
    export, report = goals_mod.goal_links(store, teryt, goals, lang)
    return ("?" + urlencode(query) if query else ""), views.goal_list(store, teryt, goals, lang), "", export, report


@callback(
    Output(ids.GOALS_URL, "search"),
    Output(ids.GOALS_LIST, "children"),
    Output(ids.GOALS_MESSAGE, "children"),
    Output(ids.GOALS_EXPORT, "href"),
    Output(ids.GOALS_REPORT, "href"),
    Input(ids.GOALS_ADD, "n_clicks"),
    Input(ids.goal_remove(ALL), "n_clicks"),
    Input(ids.GOALS_UPLOAD, "contents"),
    State(ids.GOALS_TEXT, "value"),
    State(ids.GOALS_INDICATOR, "value"),
    State(ids.GOALS_BASELINE, "value"),
    State(ids.GOALS_TARGET, "value"),
    State(ids.GOALS_TARGET_YEAR, "value"),
    State(ids.GOALS_URL, "search"),
    State(ids.GOALS_URL, "pathname"),
    prevent_initial_call=True,
)
def change_goals(_add, _remove, upload, text, indicator, baseline, target, target_year, search, pathname):
    return update(ctx.triggered_id, text, indicator, baseline, target, target_year, upload, search, pathname)
