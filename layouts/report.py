"""/raport/<teryt>: the report on the state of the unit as an accessible, printable page, with a chooser of
the year, chapters and indicators (the choice lives in the URL) and the same report as a Word document.

Components only: the report itself is portal/report.py's :func:`build_report`; charts are the images of
portal/api/report.py (the Word document's builder, drawn as SVG when scrolled to), each with a data table.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from portal import ids
from portal.explain import format_value
from portal.feeds import UNIT_PATH
from portal.goals import encode as encode_goals
from portal.i18n import N_, translator
from portal.report import (
    SOURCES,
    build_report,
    chapters_for,
    choice_query,
    parse_choice,
    report_href,
    report_years,
)
from portal.store import get_store

TEXT_IDS = {  # the page's words as gettext messages (English; Polish in portal/locale/pl)
    "choose": N_("Contents of the report"),
    "year": N_("Year of the report"),
    "chapters": N_("Chapters"),
    "indicators": N_("Indicators in the chapter: {ch} ({n})"),
    "docx": N_("Download the report (DOCX, editable)"),
    "print": N_("Print"),
    "goals": N_("Goals in the report: {n}. "),
    "goals_edit": N_("Add or change goals"),
    "feed": N_("Follow data changes of this unit (Atom)"),
    "facts": N_("Numbers: {name}"),
    "chart_data": N_("Chart data"),
    "unit": N_("This unit"),
    "peer": N_("Peer-group median"),
    "similar": N_("Median of 10 similar"),
    "year_col": N_("Year"),
    "what": N_("Measure"),
    "value": N_("Value"),
    "source": N_("Source and data version"),
    "improved": N_("What improved"),
    "worsened": N_("What worsened"),
    "none": N_("no indicator changed markedly this way"),
    "why": N_("Why did it change: "),
    "breaks": N_("Breaks in the series: "),
    "fill": N_("The unit writes this chapter here."),
    "sources": N_("Data sources"),
    "datasets": N_("Datasets"),
    "method": N_("Method"),
    "indicator": N_("Indicator"),
    "baseline": N_("Baseline"),
    "target": N_("Target"),
    "latest": N_("Latest value"),
    "path": N_("Path this year"),
    "needed": N_("Change needed per year"),
    "status": N_("Status"),
    "rule": N_("Rule: "),
    "lead": N_("The report shows official data on the unit; chapters the data cannot write are "
               "marked and carry guidance. Choose the contents, then download the Word file to "
               "complete it."),
    "choose_unit": N_("Choose a unit on the home page."),
}


def _t(lang: str) -> dict:
    _ = translator(lang)
    return {key: _(message) for key, message in TEXT_IDS.items()}


def _label(label: str | None) -> list:
    return [html.Strong(f"[{label}] ", className="synthetic-label")] if label else []


def _table(caption: str, header: list[str], rows: list[list], cls: str = "") -> html.Table:
    return html.Table(
        [
            html.Caption(caption, className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody([html.Tr([html.Th(r[0], scope="row"), *[html.Td(c) for c in r[1:]]]) for r in rows]),
        ],
        className=f"table table-sm report-table {cls}".strip(),
    )


def _chart(report: dict, block: dict, query: dict[str, str], tx: dict) -> list:
    trend = block["trend"]
    if not trend or not trend["chart"]:
        return []
    q = {k: v for k, v in query.items() if k in ("rok", "lang", "demo")}
    src = f"/raport/{report['teryt']}/wykres/{block['id']}.svg" + ("?" + urlencode(q) if q else "")
    rows = []
    by_year = zip(trend["years"], trend["values"], trend["peer_median"], trend["similar_median"], strict=True)
    for y, v, p, s in by_year:
        rows.append([str(y), *["–" if x is None else _num(x, block) for x in (v, p, s)]])
    return [
        html.H4(trend["title"], className="h6 mt-3"),
        # The chart is drawn when scrolled to (assets/report.js swaps data-src in; printing loads them all).
        html.Img(alt=trend["alt"], width=630, height=250, className="report-chart", **{"data-src": src}),
        html.Details(
            [
                html.Summary(tx["chart_data"]),
                _table(trend["alt"], [tx["year_col"], tx["unit"], tx["peer"], tx["similar"]], rows),
            ],
            className="report-chart-data small",
        ),
    ]


def _num(value: float, block: dict) -> str:
    return format_value(value, block["unit"], block["trend"]["decimals"] if block["trend"] else 1)


def block_component(report: dict, block: dict, query: dict[str, str], lang: str) -> html.Article:
    tx = _t(lang)
    label = block["label"]
    body: list = [html.H3(block["name"], className="h5 mt-4")]
    if label:
        body.append(html.P(label, className="synthetic-label-box"))
    if block["note"]:
        body.append(html.P([*_label(label), block["note"]], className="small text-muted"))
    if block["facts"]:
        rows = [
            [f["label"], [*(_label(label) if f["synthetic"] else []), f["text"]], str(f["year"]), f["source"]]
            for f in block["facts"]
        ]
        body.append(
            _table(
                tx["facts"].format(name=block["name"]),
                [tx["what"], tx["value"], tx["year_col"], tx["source"]],
                rows,
            )
        )
    if block["sentence"]:
        body.append(html.P([*_label(label), block["sentence"]]))
    if block["caveat"] and not label:
        body.append(html.P(block["caveat"], className="small report-note"))
    body += _chart(report, block, query, tx)
    if block["change"]:
        body.append(html.P([*_label(label), block["change"]]))
    if block["why"]:
        body.append(html.P([*_label(label), tx["why"], block["why"]]))
    if block["breaks"]:
        body.append(html.P(tx["breaks"] + "; ".join(block["breaks"]), className="small report-note"))
    body.append(html.P([*_label(label), block["source"]], className="small text-muted report-source"))
    return html.Article(body, className="report-indicator", id=f"wskaznik-{block['id']}")


def _goals(ch: dict, tx: dict) -> list:
    out: list = []
    for goal in ch["goals"]:
        rows = [
            [
                [*_label(t["label"]), t["name_text"]],
                f"{t['baseline_text']} ({t['baseline_year']})",
                f"{t['target_text']} ({t['target_year']})",
                f"{t['value_text']} ({t['year']})" if t["year"] else t["value_text"],
                t["path_text"],
                t["needed_text"] or "–",
                t["status_text"],
            ]
            for t in goal["targets"]
        ]
        out += [
            html.H3(
                [
                    goal["text"],
                    " – ",
                    html.Span(goal["status_text"], className=f"goal-status goal-{goal['status']}"),
                ],
                className="h5 mt-3",
            ),
            _table(
                goal["text"],
                [
                    tx["indicator"],
                    tx["baseline"],
                    tx["target"],
                    tx["latest"],
                    tx["path"],
                    tx["needed"],
                    tx["status"],
                ],
                rows,
            ),
        ]
    if ch.get("rule") and ch["goals"]:
        out.append(html.P(tx["rule"] + ch["rule"], className="small text-muted"))
    return out


def chapter_component(report: dict, ch: dict, query: dict[str, str], lang: str) -> html.Section:
    tx = _t(lang)
    heading_id = f"rozdzial-{ch['id']}"
    title: list = [ch["title"]]
    if ch["mark"]:
        title += [" ", html.Span(ch["mark"], className="badge report-todo-mark")]
    body: list = [html.H2(title, id=heading_id, className="h3 mt-5")]
    if ch["lead"]:
        body.append(html.P(ch["lead"], className="lead-sm text-muted"))
    if ch["kind"] == "free":
        body += [
            html.Ul([html.Li(g) for g in ch["guidance"]], className="report-guidance"),
            html.P(tx["fill"], className="report-fill"),
        ]
    elif ch["kind"] == "sources":
        body.append(html.Dl([x for f in ch["facts"] for x in (html.Dt(f["label"]), html.Dd(f["text"]))]))
        if ch.get("sources"):
            body += [html.H3(tx["sources"], className="h5"), html.Ul([html.Li(s) for s in ch["sources"]])]
        if ch.get("datasets"):
            items = []
            for d in ch["datasets"]:
                name = d.get("name_en") if lang == "en" and d.get("name_en") else d.get("name", "")
                bits = " · ".join(
                    str(b) for b in (d.get("publisher"), d.get("table"), name, d.get("years")) if b
                )
                items.append(html.Li([bits, " ", html.A(d["url"], href=d["url"])] if d.get("url") else bits))
            body += [html.H3(tx["datasets"], className="h5"), html.Ul(items)]
        body += [html.H3(tx["method"], className="h5"), *[html.P(m, className="small") for m in ch["method"]]]
    else:
        if ch["empty"]:
            body.append(html.P(ch["empty"], className="report-empty", role="note"))
        if ch["facts"]:
            body.append(
                html.Dl(
                    [x for f in ch["facts"] for x in (html.Dt(f["label"]), html.Dd(f["text"]))],
                    className="report-facts",
                )
            )
        if ch["summary"]:
            for key in ("improved", "worsened"):
                names = ch["summary"][key]
                body.append(html.P([html.Strong(tx[key] + ": "), "; ".join(names) if names else tx["none"]]))
        body += [block_component(report, b, query, lang) for b in ch["blocks"]]
        if ch["kind"] == "goals":
            body += _goals(ch, tx)
    return html.Section(
        body, className=f"report-chapter report-{ch['kind']}", **{"aria-labelledby": heading_id}
    )


def report_body(report: dict, query: dict[str, str]) -> list:
    """The report's chapters as components (also rebuilt by callbacks/report.py when the choice changes)."""
    return [chapter_component(report, ch, query, report["lang"]) for ch in report["chapters"]]


def chooser(store, teryt: str, report: dict, query: dict[str, str], choice, lang: str) -> html.Section:
    tx = _t(lang)
    chapters = chapters_for(store, teryt, lang)
    chosen_ch = [c["id"] for c in chapters] if choice.chapters is None else list(choice.chapters)
    years = report_years(store, str(store.units.at[teryt, "level"]))
    ind_names = {i.id: i.name.get(lang) for i in store.catalogue.indicators}
    groups = []
    for c in chapters:
        if not c["indicators"]:
            continue
        value = [i for i in c["indicators"] if choice.indicators is None or i in choice.indicators]
        groups.append(
            html.Details(
                [
                    html.Summary(tx["indicators"].format(ch=c["title"], n=len(c["indicators"]))),
                    dbc.Checklist(
                        id=ids.report_indicators(c["id"]),
                        options=[{"label": ind_names[i], "value": i} for i in c["indicators"]],
                        value=value,
                        className="small",
                    ),
                ],
                className="report-indicator-choice",
            )
        )
    goals_q = {"cele": encode_goals(choice.goals)} if choice.goals else {}
    return html.Section(
        [
            html.H2(tx["choose"], className="h5", id="wybor"),
            html.Div(
                [
                    dbc.Label(tx["year"], html_for=ids.REPORT_YEAR, className="fw-semibold mb-0"),
                    dbc.Select(
                        id=ids.REPORT_YEAR,
                        options=[{"label": str(y), "value": str(y)} for y in reversed(years)],
                        value=str(report["year"]),
                        className="w-auto",
                    ),
                ],
                className="d-flex flex-wrap align-items-center gap-2 mb-2",
            ),
            html.Fieldset(
                [
                    html.Legend(tx["chapters"], className="fs-6 fw-semibold"),
                    dbc.Checklist(
                        id=ids.REPORT_CHAPTERS,
                        options=[
                            {"label": c["title"], "value": c["id"], "disabled": c["id"] == SOURCES}
                            for c in chapters
                        ],
                        value=chosen_ch,
                        className="report-chapter-choice small",
                    ),
                ]
            ),
            *groups,
            html.P(
                [
                    tx["goals"].format(n=len(choice.goals)),
                    dcc.Link(tx["goals_edit"], href=with_lang(f"/cele/{teryt}", lang, **goals_q)),
                ],
                className="mt-2",
            ),
            html.Div(
                [
                    html.A(
                        tx["docx"],
                        id=ids.REPORT_DOCX,
                        href=report_href(store, teryt, choice, docx=True),
                        className="btn btn-primary",
                        download="",
                    ),
                    html.Button(
                        tx["print"], id=ids.REPORT_PRINT, className="btn btn-outline-secondary", type="button"
                    ),
                    html.A(
                        tx["feed"], href=UNIT_PATH.format(teryt=teryt), className="small align-self-center"
                    ),
                ],
                className="d-flex flex-wrap gap-2 mt-2",
            ),
            html.Div(id=ids.REPORT_PRINT_SINK, hidden=True),
        ],
        className="report-chooser no-print",
        **{"aria-labelledby": "wybor"},
    )


def layout(teryt: str | None = None, lang: str = "pl", **params: str) -> list:
    store = get_store()
    lang = "en" if lang == "en" else "pl"
    tx = _t(lang)
    location = dcc.Location(id=ids.REPORT_URL, refresh="callback-nav")
    if teryt is None:  # validation layout: the ids, no unit
        content = [
            html.H1("OMUP", className="h2"),
            html.P(tx["choose_unit"]),
            location,
            dbc.Select(id=ids.REPORT_YEAR, options=[]),
            dbc.Checklist(id=ids.REPORT_CHAPTERS, options=[]),
            html.A(id=ids.REPORT_DOCX),
            html.Button(id=ids.REPORT_PRINT),
            html.Div(id=ids.REPORT_PRINT_SINK),
            html.Div(id=ids.REPORT_BODY),
        ]
        return page(lang, "/raport", {}, content)
    resolved, _ = store.resolve(str(teryt))
    if resolved is None:
        raise NotFound("unit", str(teryt))
    teryt = str(resolved)
    choice = parse_choice(store, teryt, {**params, "lang": lang})
    report = build_report(store, teryt, choice)
    query = choice_query(store, teryt, choice)
    header = html.Header(
        [
            html.H1([report["title"], ": ", report["name"]], className="h2 mb-1"),
            html.P([report["subtitle"], " · ", report["context"]], className="text-muted mb-1"),
            html.P(tx["lead"], className="small no-print"),
        ]
    )
    content = [
        location,
        header,
        chooser(store, teryt, report, query, choice, lang),
        html.Div(report_body(report, query), id=ids.REPORT_BODY, className="report-body"),
    ]
    shown = [b["id"] for ch in report["chapters"] for b in ch["blocks"]]
    return page(lang, f"/raport/{teryt}", query, html.Div(content, className="report"), shown)
