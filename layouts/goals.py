"""/cele/<teryt>: the unit's goals and targets (portal/goals.py) – write a goal, tie it to indicators, see
target against actual, the path needed and on track / off track; export and import the goals file. Goals
live in the URL (``cele=``); nothing is stored on the server.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from portal import goals as goals_mod
from portal import ids
from portal.api.debate import MAX_INDICATORS as MAX_PACK_INDICATORS
from portal.api.debate import pack_href
from portal.explain import format_value
from portal.i18n import translator
from portal.report import level_indicators, report_years
from portal.store import get_store

T = {
    "pl": {
        "title": "Cele i wartości docelowe",
        "lead": "Zapisz cele jednostki, powiąż każdy ze wskaźnikami i "
        "ustal rok bazowy, wartość docelową i rok docelowy. Portal pokaże wartość na tle celu, ścieżkę "
        "potrzebną do jego osiągnięcia i ocenę. Cele są zapisane tylko w adresie strony i w pliku, który "
        "pobierzesz – serwer niczego nie przechowuje.",
        "add_h": "Dodaj cel",
        "text": "Treść celu (ten sam tekst dopisuje wskaźnik do istniejącego celu)",
        "indicator": "Wskaźnik",
        "baseline": "Rok bazowy",
        "target": "Wartość docelowa",
        "target_year": "Rok docelowy",
        "add": "Dodaj",
        "list_h": "Cele ({n})",
        "none": "Nie ma jeszcze celów. Dodaj pierwszy albo wczytaj plik celów.",
        "remove": "Usuń cel: {text}",
        "export": "Pobierz plik celów (CSV)",
        "report": "Raport z tymi celami",
        "import": "Wczytaj plik celów (CSV): przeciągnij go tutaj albo kliknij",
        "file_h": "Plik celów",
        "file_help": "Plik CSV w UTF-8, jeden wiersz na wskaźnik celu; nagłówek: "
        "cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy (separator przecinek albo średnik, przecinek "
        "dziesiętny dozwolony). Wiersze z tą samą treścią celu tworzą jeden cel.",
        "rule_h": "Jak oceniamy",
        "col_ind": "Wskaźnik",
        "col_base": "Wartość bazowa",
        "col_target": "Cel",
        "col_latest": "Ostatnia wartość",
        "col_path": "Ścieżka w tym roku",
        "col_needed": "Potrzebna zmiana rocznie",
        "col_status": "Status",
        "traj": "Ścieżka i wartości: {name}",
        "year": "Rok",
        "path": "Ścieżka",
        "actual": "Wartość",
        "choose": "Wybierz jednostkę na stronie głównej.",
        "ids_h": "Identyfikatory wskaźników do pliku",
    },
    "en": {
        "title": "Goals and targets",
        "lead": "Write the unit's goals, tie each to indicators and set a "
        "baseline year, a target value and a target year. The portal shows the value against the target, "
        "the path needed to reach it and a judgement. Goals live only in the page's address and in the "
        "file you download – the server stores nothing.",
        "add_h": "Add a goal",
        "text": "Goal (the same text adds the indicator to an existing goal)",
        "indicator": "Indicator",
        "baseline": "Baseline year",
        "target": "Target value",
        "target_year": "Target year",
        "add": "Add",
        "list_h": "Goals ({n})",
        "none": "No goals yet. Add the first one or load a goals file.",
        "remove": "Remove goal: {text}",
        "export": "Download the goals file (CSV)",
        "report": "Report with these goals",
        "import": "Load a goals file (CSV): drop it here or click",
        "file_h": "Goals file",
        "file_help": "A UTF-8 CSV file, one line per indicator of a goal; header: "
        "cel,wskaznik,rok_bazowy,wartosc_docelowa,rok_docelowy (comma or semicolon separated, decimal "
        "comma allowed). Lines with the same goal text make one goal.",
        "rule_h": "How we judge",
        "col_ind": "Indicator",
        "col_base": "Baseline",
        "col_target": "Target",
        "col_latest": "Latest value",
        "col_path": "Path this year",
        "col_needed": "Change needed per year",
        "col_status": "Status",
        "traj": "Path and values: {name}",
        "year": "Year",
        "path": "Path",
        "actual": "Value",
        "choose": "Choose a unit on the home page.",
        "ids_h": "Indicator ids for the file",
    },
}


def _t(lang: str) -> dict:
    return T["en" if lang == "en" else "pl"]


def _fmt(v, t: dict, lang: str) -> str:
    if v is None:
        return "–"
    return format_value(v, t["unit"][lang], t["decimals"], lang)


def goal_list(store, teryt: str, goals: tuple, lang: str) -> list:
    """The evaluated goals as components: a table per goal and the path year by year."""
    tx = _t(lang)
    if not goals:
        return [html.P(tx["none"], className="text-muted")]
    out: list = [html.H2(tx["list_h"].format(n=len(goals)), className="h4 mt-4")]
    for k, goal in enumerate(goals_mod.evaluate(store, teryt, goals)):
        rows = []
        details = []
        for t in goal["targets"]:
            name = t["name"][lang]
            label = (
                [html.Strong(f"[{goals_mod_label(lang)}] ", className="synthetic-label")]
                if t["synthetic"]
                else []
            )
            needed = t["needed_per_year"]
            rows.append(
                html.Tr(
                    [
                        html.Th([*label, name], scope="row"),
                        html.Td(f"{_fmt(t['baseline'], t, lang)} ({t['baseline_year']})"),
                        html.Td(f"{_fmt(t['target'], t, lang)} ({t['target_year']})"),
                        html.Td(f"{_fmt(t['value'], t, lang)} ({t['year']})" if t["year"] else "–"),
                        html.Td(_fmt(t["path_value"], t, lang)),
                        html.Td(
                            "–"
                            if needed is None
                            else ("+" if needed >= 0 else "−") + _fmt(abs(needed), t, lang)
                        ),
                        html.Td(
                            html.Span(
                                goals_mod.STATUS_TEXT[t["status"]][lang],
                                className=f"goal-status goal-{t['status']}",
                            )
                        ),
                    ]
                )
            )
            traj = [
                html.Tr(
                    [
                        html.Th(str(p["year"]), scope="row"),
                        html.Td(_fmt(p["path"], t, lang)),
                        html.Td(_fmt(p["actual"], t, lang)),
                    ]
                )
                for p in t["trajectory"]
            ]
            details.append(
                html.Details(
                    [
                        html.Summary(tx["traj"].format(name=name)),
                        html.Table(
                            [
                                html.Thead(
                                    html.Tr(
                                        [
                                            html.Th(tx["year"], scope="col"),
                                            html.Th(tx["path"], scope="col"),
                                            html.Th(tx["actual"], scope="col"),
                                        ]
                                    )
                                ),
                                html.Tbody(traj),
                            ],
                            className="table table-sm small",
                        ),
                    ],
                    className="small",
                )
            )
        out.append(
            html.Section(
                [
                    html.Div(
                        [
                            html.H3(
                                [
                                    goal["text"],
                                    " – ",
                                    html.Span(
                                        goals_mod.STATUS_TEXT[goal["status"]][lang],
                                        className=f"goal-status goal-{goal['status']}",
                                    ),
                                ],
                                className="h5 mb-0",
                            ),
                            html.Button(
                                "×",
                                id=ids.goal_remove(k),
                                className="btn btn-sm btn-outline-danger",
                                type="button",
                                title=tx["remove"].format(text=goal["text"]),
                                **{"aria-label": tx["remove"].format(text=goal["text"])},
                            ),
                        ],
                        className="d-flex justify-content-between align-items-center gap-2",
                    ),
                    html.Table(
                        [
                            html.Thead(
                                html.Tr(
                                    [
                                        html.Th(tx[c], scope="col")
                                        for c in (
                                            "col_ind",
                                            "col_base",
                                            "col_target",
                                            "col_latest",
                                            "col_path",
                                            "col_needed",
                                            "col_status",
                                        )
                                    ]
                                )
                            ),
                            html.Tbody(rows),
                        ],
                        className="table table-sm mt-2",
                    ),
                    *details,
                ],
                className="goal-card border rounded p-3 mt-3",
            )
        )
    link = goals_pack_link(store, teryt, goals, lang)
    if link is not None:
        out.append(link)
    return out


def goals_pack_link(store, teryt: str, goals: tuple, lang: str) -> html.P | None:
    """The debate pack with these goals (target against actual, the path, on / off track) and their indicators;
    rebuilt with the list, so it follows every change of the goals. None when no goal's indicator is in the
    edition (a pack needs one)."""
    _ = translator(lang)
    indicators = list(dict.fromkeys(t.indicator for g in goals for t in g.targets
                                    if t.indicator in store.catalogue.by_id))[:MAX_PACK_INDICATORS]
    if not indicators:
        return None
    href = pack_href(teryt, indicators, lang, demo=bool(getattr(store, "demo", False)),
                     goals=goals_mod.encode(goals))
    return html.P(html.A(_("Debate pack with these goals (PDF)"), href=href, download="",
                         className="btn btn-outline-secondary btn-sm goals-pack"), className="mt-3 no-print")


def goals_mod_label(lang: str) -> str:
    from portal.report import SYNTHETIC_LABEL

    return SYNTHETIC_LABEL["en" if lang == "en" else "pl"]


def layout(teryt: str | None = None, lang: str = "pl", cele: str | None = None, **_: str) -> list:
    store = get_store()
    lang = "en" if lang == "en" else "pl"
    tx = _t(lang)
    location = dcc.Location(id=ids.GOALS_URL, refresh="callback-nav")
    form_ids = [
        dbc.Input(id=ids.GOALS_TEXT),
        dbc.Select(id=ids.GOALS_INDICATOR, options=[]),
        dbc.Input(id=ids.GOALS_BASELINE),
        dbc.Input(id=ids.GOALS_TARGET),
        dbc.Input(id=ids.GOALS_TARGET_YEAR),
        html.Button(id=ids.GOALS_ADD),
        dcc.Upload(id=ids.GOALS_UPLOAD),
        html.Div(id=ids.GOALS_MESSAGE),
        html.Div(id=ids.GOALS_LIST),
        html.A(id=ids.GOALS_EXPORT),
        html.A(id=ids.GOALS_REPORT),
    ]
    if teryt is None:
        return page(
            lang, "/cele", {}, [html.H1("OMUP", className="h2"), html.P(tx["choose"]), location, *form_ids]
        )
    resolved, _ = store.resolve(str(teryt))
    if resolved is None:
        raise NotFound("unit", str(teryt))
    teryt = str(resolved)
    level = str(store.units.at[teryt, "level"])
    message = None
    try:
        goals = goals_mod.decode(cele, goals_mod.known_indicator_ids(store))
    except goals_mod.GoalsFileError as exc:
        goals, message = (), exc.message(lang)
    inds = level_indicators(store, level)
    years = report_years(store, level)
    export, report = goals_mod.goal_links(store, teryt, goals, lang)
    name = str(store.units.at[teryt, "display_name"])
    form = html.Section(
        [
            html.H2(tx["add_h"], className="h5"),
            dbc.Label(tx["text"], html_for=ids.GOALS_TEXT),
            dbc.Input(id=ids.GOALS_TEXT, type="text", maxLength=goals_mod.MAX_TEXT),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(tx["indicator"], html_for=ids.GOALS_INDICATOR),
                            dbc.Select(
                                id=ids.GOALS_INDICATOR,
                                options=[{"label": i.name.get(lang), "value": i.id} for i in inds],
                                value=inds[0].id if inds else None,
                            ),
                        ],
                        md=6,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(tx["baseline"], html_for=ids.GOALS_BASELINE),
                            dbc.Input(
                                id=ids.GOALS_BASELINE,
                                type="number",
                                min=2000,
                                max=2100,
                                step=1,
                                value=years[0] if years else None,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(tx["target"], html_for=ids.GOALS_TARGET),
                            dbc.Input(id=ids.GOALS_TARGET, type="number", step="any"),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(tx["target_year"], html_for=ids.GOALS_TARGET_YEAR),
                            dbc.Input(
                                id=ids.GOALS_TARGET_YEAR,
                                type="number",
                                min=2000,
                                max=2100,
                                step=1,
                                value=2030,
                            ),
                        ],
                        md=2,
                    ),
                ],
                className="g-2 mt-1",
            ),
            html.Button(tx["add"], id=ids.GOALS_ADD, className="btn btn-primary mt-2", type="button"),
            html.Div(message, id=ids.GOALS_MESSAGE, role="alert", className="goals-message mt-2"),
        ],
        className="goals-form border rounded p-3 no-print",
    )
    files = html.Section(
        [
            html.H2(tx["file_h"], className="h5"),
            html.P(tx["file_help"], className="small"),
            html.Div(
                [
                    html.A(
                        tx["export"],
                        id=ids.GOALS_EXPORT,
                        href=export,
                        className="btn btn-outline-primary",
                        download="",
                    ),
                    html.A(
                        tx["report"], id=ids.GOALS_REPORT, href=report, className="btn btn-outline-secondary"
                    ),
                ],
                className="d-flex flex-wrap gap-2",
            ),
            dcc.Upload(
                html.Div(tx["import"]),
                id=ids.GOALS_UPLOAD,
                accept=".csv,text/csv",
                max_size=64_000,
                className="goals-upload border border-dashed rounded p-3 mt-2 text-center small",
            ),
            html.Details(
                [
                    html.Summary(tx["ids_h"]),
                    html.Ul(
                        [html.Li([html.Code(i.id), " – ", i.name.get(lang)]) for i in inds], className="small"
                    ),
                ],
                className="small mt-2",
            ),
        ],
        className="mt-4 no-print",
    )
    content = [
        location,
        html.H1([tx["title"], ": ", name], className="h2"),
        html.P(store.context_line(teryt, lang), className="text-muted"),
        html.P(tx["lead"]),
        form,
        html.Div(goal_list(store, teryt, goals, lang), id=ids.GOALS_LIST),
        files,
        html.Section(
            [html.H2(tx["rule_h"], className="h6 mt-4"), html.P(goals_mod.RULE[lang], className="small")]
        ),
    ]
    query = {"cele": goals_mod.encode(goals)} if goals else {}
    return page(
        lang,
        f"/cele/{teryt}",
        query,
        html.Div(content, className="goals"),
        sorted({t.indicator for g in goals for t in g.targets if t.indicator in store.catalogue.by_id}),
    )


__all__ = ["goal_list", "layout", "with_lang"]
