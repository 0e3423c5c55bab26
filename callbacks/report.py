"""Report page callbacks: the chooser (year, chapters, indicators) ↔ the URL, the body and the DOCX link;
print."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from portal import ids, views
from portal.report import (
    SOURCES,
    ReportChoice,
    build_report,
    chapters_for,
    choice_query,
    parse_choice,
    report_href,
    report_years,
)
from portal.state import parse_query
from portal.store import get_store


def teryt_of(pathname: str | None) -> str | None:
    """The unit of a /raport/<teryt> path (resolved to today's code), or None."""
    if not pathname or not pathname.startswith("/raport/"):
        return None
    teryt, _ = get_store().resolve(pathname.rstrip("/").rsplit("/", 1)[-1])
    return str(teryt) if teryt else None


def _params(search: str | None) -> dict[str, str]:
    return parse_query(search)


def choice_from_controls(
    store,
    teryt: str,
    year: str | None,
    chapters: list[str] | None,
    indicator_values: list[list[str]] | None,
    indicator_ids: list[dict] | None,
    search: str | None,
) -> ReportChoice:
    """The choice the controls show, with the URL's goals and language kept."""
    base = parse_choice(store, teryt, _params(search))
    all_chapters = chapters_for(store, teryt, base.lang)
    chosen_ch = [c["id"] for c in all_chapters if c["id"] in set(chapters or []) or c["id"] == SOURCES]
    ticked = {i for values in (indicator_values or []) for i in (values or [])}
    listed = {
        i
        for spec in (indicator_ids or [])
        for c in all_chapters
        if c["id"] == spec.get("chapter")
        for i in c["indicators"]
    }
    known = [i for c in all_chapters for i in c["indicators"]]
    # Indicators of chapters without a checklist on the page stay chosen.
    indicators = tuple(i for i in known if i in ticked or i not in listed)
    try:
        year_value = int(year) if year else None
    except ValueError:
        year_value = None
    years = report_years(store, str(store.units.at[teryt, "level"]))
    if year_value not in years or year_value == years[-1]:
        year_value = None  # the latest year is the default: not written to the URL
    return ReportChoice(
        year=year_value,
        chapters=None if len(chosen_ch) == len(all_chapters) else tuple(chosen_ch),
        indicators=None if len(indicators) == len(known) else indicators,
        goals=base.goals,
        lang=base.lang,
        goals_error=base.goals_error,
        demo=base.demo,
    )


def update(trigger: object, year, chapters, indicator_values, indicator_ids, search, pathname) -> tuple:
    """(search, body, docx href, year, chapters, indicator values) for a change of the controls or the URL."""
    teryt = teryt_of(pathname)
    if teryt is None:
        raise PreventUpdate
    store = get_store()
    if trigger == ids.REPORT_URL:
        choice = parse_choice(store, teryt, _params(search))
        from_controls = choice_from_controls(
            store, teryt, year, chapters, indicator_values, indicator_ids, search
        )
        if choice_query(store, teryt, choice) == choice_query(store, teryt, from_controls):
            raise PreventUpdate
        all_chapters = chapters_for(store, teryt, choice.lang)
        ch_value = [c["id"] for c in all_chapters] if choice.chapters is None else list(choice.chapters)
        ind_values = [
            [
                i
                for c in all_chapters
                if c["id"] == spec["chapter"]
                for i in c["indicators"]
                if choice.indicators is None or i in choice.indicators
            ]
            for spec in indicator_ids or []
        ]
        year_value = str(choice.year or build_report(store, teryt, choice)["year"])
        out_search = no_update
    else:
        choice = choice_from_controls(store, teryt, year, chapters, indicator_values, indicator_ids, search)
        query = choice_query(store, teryt, choice)
        if query == choice_query(store, teryt, parse_choice(store, teryt, _params(search))):
            raise PreventUpdate  # the controls show what the URL says (e.g. the checklists just mounted)
        out_search = "?" + urlencode(query, safe=",") if query else ""
        year_value, ch_value, ind_values = no_update, no_update, [no_update] * len(indicator_ids or [])
    report = build_report(store, teryt, choice)
    body = views.report_body(report, choice_query(store, teryt, choice))
    return out_search, body, report_href(store, teryt, choice, docx=True), year_value, ch_value, ind_values


@callback(
    Output(ids.REPORT_URL, "search"),
    Output(ids.REPORT_BODY, "children"),
    Output(ids.REPORT_DOCX, "href"),
    Output(ids.REPORT_YEAR, "value"),
    Output(ids.REPORT_CHAPTERS, "value"),
    Output(ids.report_indicators(ALL), "value"),
    Input(ids.REPORT_YEAR, "value"),
    Input(ids.REPORT_CHAPTERS, "value"),
    Input(ids.report_indicators(ALL), "value"),
    Input(ids.REPORT_URL, "search"),
    State(ids.report_indicators(ALL), "id"),
    State(ids.REPORT_URL, "pathname"),
    prevent_initial_call=True,
)
def sync_report(year, chapters, indicator_values, search, indicator_ids, pathname):
    trigger = ctx.triggered_id
    if isinstance(trigger, dict):
        trigger = "indicators"
    return update(trigger, year, chapters, indicator_values, indicator_ids, search, pathname)


clientside_callback(
    "function(n) { if (n) { window.print(); } return window.dash_clientside.no_update; }",
    Output(ids.REPORT_PRINT_SINK, "title"),
    Input(ids.REPORT_PRINT, "n_clicks"),
    prevent_initial_call=True,
)
