"""Councillors' budget view (/budzet/<teryt>): the official series first (own revenue and its taxes, PIT
shares, investment spending) against the unit's group, then the demo's spending by budget division; printable
as an A4 briefing. Only components: the numbers come from portal/budget.py and portal/budget_figures.py.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.debate import pack_section
from layouts.components.official import fill_sources
from layouts.components.share import share_panel
from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from portal import budget as bud
from portal import budget_figures as bf
from portal import ids
from portal.explain import format_money, format_number
from portal.figures import graph_config
from portal.i18n import translator
from portal.similar import VARIABLES
from portal.state import BudgetState
from portal.store import Store, get_store

SHARE_CHARTS = ("budget-official", "budget-bars", "budget-trends", "budget-scatter")


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


def _zl(v: float | None, lang: str, decimals: int = 0) -> str:
    return format_number(v, decimals, lang) if v is not None else translator(lang)("no data")


def _badge(lang: str) -> html.Span:
    return html.Span(translator(lang)("synthetic"), className="badge synthetic-badge ms-1")


def _cell(content, label: str, **kw) -> html.Td:
    """A cell that names its column on phones, where the table stacks into one block per row."""
    return html.Td(content, **{"data-label": label}, **kw)


def _diff(pct: float | None, lang: str) -> str:
    return "–" if pct is None else ("+" if pct > 0 else "") + format_number(pct, 0, lang) + "%"


def _figure(graph_id: str, figure: dict, alt: str, lang: str, filename: str) -> html.Figure:
    return html.Figure([dcc.Graph(id=graph_id, figure=figure, config=graph_config(lang, filename),
                                  className="budget-graph"),
                        html.Figcaption(alt, className="visually-hidden")],
                       className="mb-1", **{"aria-label": alt})


def share_box(state: BudgetState, chart: str) -> html.Div:
    return html.Div(share_panel(chart, path=f"/budzet/{state.teryt}", query=state.to_query(), lang=state.lang,
                                downloads=downloads_of(state) if get_store().demo else None),
                    id=ids.budget_share(chart))


def downloads_of(state: BudgetState) -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    q = {"jst": state.teryt, "rok": str(state.year)} | ({"podobne": "knn"} if state.peers == "knn" else {})
    qs = urlencode(q)
    return [("CSV", f"/pobierz/budzet.csv?{qs}"), ("XLSX", f"/pobierz/budzet.xlsx?{qs}")]


def download_links(state: BudgetState) -> list:
    """The budget table files (spending by division: the demo's only, so shown in the demo)."""
    if not get_store().demo:
        return []
    _ = translator(state.lang)
    return [html.Span(_("Download tables:"), className="small me-1"),
            *(html.A(label, href=href + ("&lang=en" if state.lang == "en" else ""), download="",
                     className="btn btn-sm btn-outline-secondary me-1") for label, href in downloads_of(state))]


# ------------------------------------------------------------------------------------------------ heading
def lead_text(store: Store, state: BudgetState) -> str:
    _ = translator(state.lang)
    against = bud.comparison_of(store, state.teryt, state.peers).text("against", state.lang)
    return _("What the budget has per resident, how that compares with {against} and what residents get for "
             "it.").format(against=against)


def summary_line(store: Store, state: BudgetState) -> list:
    """The lead series in the chosen year against the group's median, and the print note."""
    _ = translator(state.lang)
    rows = bud.official_table(store, state.teryt, state.year, state.lang, state.peers)
    out: list = []
    if rows:
        r = rows[0]
        median_of = bud.comparison_of(store, state.teryt, state.peers).text("median_of", state.lang)
        out.append(_("In {year}: {name} {value} {unit}; {median_of}: {median} {unit}.").format(
            year=r["year"] or state.year, name=r["name"][:1].lower() + r["name"][1:] if state.lang == "pl" else r["name"],
            value=_zl(r["value"], state.lang), unit=r["unit"], median_of=median_of, median=_zl(r["median"], state.lang)))
    url = "/budzet/" + state.teryt + state.search()
    note = _("Printout: {name}, year {year}. Source: OMUP, {url}").format(
        name=bf.unit_name(store, state.teryt), year=state.year, url=url)
    if store.demo:
        note += " " + _("Demo mode: values marked as synthetic are not official statistics.")
    out.append(html.Span(" " + note, className="print-only small"))
    return out


def similar_block(store: Store, state: BudgetState) -> list:
    """Who the unit is compared with when the group is the similar units, or why they cannot be found."""
    if state.peers != "knn":
        return []
    lang = state.lang
    _ = translator(lang)
    comparison = bud.comparison_of(store, state.teryt, state.peers)
    if not comparison.knn:
        names = ", ".join(VARIABLES[v][lang].replace(" (log)", "") for v in comparison.missing) or "–"
        text = _("No data on: {vars} – the 10 most similar units cannot be found. Compared with the peer group "
                 "({name}) instead.").format(vars=names, name=store.peer_group_name(comparison.peer_group, lang))
        return [html.P(text, className="similar-missing mb-0")]
    links: list = []
    for k, code in enumerate(comparison.knn):
        links += ([", "] if k else []) + [dcc.Link(str(store.units.at[code, "display_name"]),
                                                   href=with_lang(f"/jst/{code}", lang))]
    why = dcc.Link(_("Why these? See the profile"), href=with_lang(f"/jst/{state.teryt}", lang) + "#podobne")
    lead = _("Compared with the {k} units most similar in population, population density, type, share of residents "
             "aged 65+ and own revenue:").format(k=len(comparison.knn))
    out: list = [html.Span(lead + " "), html.Span(links, className="similar-names"),
                 html.Span([" · ", why], className="no-print")]
    if comparison.synthetic:
        out += [" ", _badge(lang)]
    return [html.P(out, className="mb-0")]


# ------------------------------------------------------------------------------------------------ official part
def official_table(store: Store, state: BudgetState) -> html.Table | None:
    lang = state.lang
    _ = translator(lang)
    rows = bud.official_table(store, state.teryt, state.year, lang, state.peers)
    if not rows:
        return None
    against = bud.comparison_of(store, state.teryt, state.peers).text("against", lang)
    cols = [_("Budget item"), _("Year"), _("Unit"), _("1st quartile"), _("Median"), _("3rd quartile"),
            _("Difference from median"), _("Share of own revenue")]
    gmina = bud.level_of(store, state.teryt) == "gmina"
    if not gmina:
        cols = cols[:-1]
    body = []
    for r in rows:
        series = r["series"]
        year = str(r["year"]) if r["year"] else _("no data up to {year} (series {a}–{b})").format(
            year=state.year, a=series[0], b=series[1]) if series else "–"
        cells = [html.Th(r["name"], scope="row", title=r["full_name"]),
                 _cell(year, cols[1]), _cell([_zl(r["value"], lang), _badge(lang) if r["synthetic"] else None], cols[2]),
                 _cell(_zl(r["q1"], lang), cols[3]), _cell(_zl(r["median"], lang), cols[4]),
                 _cell(_zl(r["q3"], lang), cols[5]), _cell(_diff(r["diff_pct"], lang), cols[6])]
        if gmina:
            cells.append(_cell("–" if r["share"] is None else format_number(r["share"], 1, lang) + "%", cols[7]))
        css = {"total": "table-total", "spending": "table-spending"}.get(r["kind"])
        body.append(html.Tr(cells, className=css))
    caption = _("Per resident (PLN), the chosen year {year} or the latest earlier year with data, next to "
                "{against}").format(year=state.year, against=against)
    return html.Table([html.Caption(caption), html.Thead(html.Tr([html.Th(c, scope="col") for c in cols])),
                       html.Tbody(body)], className="table table-sm budget-table budget-stack")


def official_part(store: Store, state: BudgetState) -> html.Section:
    """The unit's own budget in official data: the table, the gap of investment spending, the series."""
    lang = state.lang
    _ = translator(lang)
    level = bud.level_of(store, state.teryt)
    if level == "gmina":
        heading = _("Own revenue, local taxes and investment (official data)")
        note = _("Sources: GUS Local Data Bank (gmina budget reports: own revenue and its taxes 2010–2019, own "
                 "revenue 2010–2024, investment spending 2015–2024) and the Ministry of Finance (PIT shares "
                 "2019–2020). Amounts in złoty of each year, not adjusted for inflation. Taxes and property income "
                 "are parts of own revenue; co-financing of investment is other revenue.")
        if bool(store.units.at[state.teryt, "mnpp"]):
            note += " " + _("A city with county rights has one budget for its gmina and county tasks: its own revenue "
                            "includes, e.g., the PIT share at the county rate, so it is higher than a gmina's with the "
                            "same tax base; its peers are the other such cities.")
    elif level == "powiat":
        heading = _("The county's own budget: PIT share (official data)")
        note = _("Of a county's own budget this release holds only its share of personal income tax (Ministry of "
                 "Finance, 2019–2020). The budgets of the gminas within it are not the county's budget and are not "
                 "added up here: see each gmina's budget view.")
    else:
        heading = _("The voivodeship's own budget: PIT share (official data)")
        note = _("Of a voivodeship's own budget this release holds only its share of personal income tax (Ministry "
                 "of Finance, 2019–2020). The budgets of the gminas and counties within it are not the "
                 "voivodeship's budget and are not added up here.")
    table = official_table(store, state)
    gaps = bud.official_gap_sentences(store, state.teryt, state.year, lang, state.peers)
    trends = bf.official_trends_figure(store, state.teryt, state.year, lang, state.peers)
    children: list = [html.H2(heading, className="h4"), html.P(note, className="small text-muted")]
    if table is None:
        children.append(html.P(_("No official budget values for this unit in this release."), className="mb-0"))
    else:
        children.append(html.Div(table, id=ids.BUDGET_OFFICIAL_TABLE, className="table-responsive mt-2"))
    if gaps:
        children += [html.Ul([html.Li(g) for g in gaps], className="gap-list"),
                     html.P(_("How we compute it: (median of the group per resident − the unit's value per resident) "
                              "× the unit's population in that year. The median is not a norm or a target: similar "
                              "units differ in tasks, investment cycles and prices."), className="small caveat")]
    if trends is not None:
        children += [html.H3(_("Over the years"), className="h5 mt-3"),
                     html.P(_("Each chart has its own scale and its own years: compare the shapes of the lines, not "
                              "heights across charts. Grey vertical line: the chosen year."), className="small text-muted"),
                     # Three columns of panels need room on a phone (they scroll sideways); one or two do not.
                     html.Div(_figure(ids.BUDGET_OFFICIAL_TRENDS, trends, heading, lang, "omup-budzet-urzedowe"),
                              className="budget-multiples" if sum(k.startswith("xaxis") for k in trends["layout"]) > 2
                              else "budget-few"),
                     share_box(state, "budget-official")]
    return html.Section(children, className="budget-part budget-official")


# ------------------------------------------------------------------------------------------------ demo part
def demo_absent(store: Store, state: BudgetState) -> html.Div:
    """Default mode: spending by division has no official values yet – one sentence, its sources, the demo."""
    _ = translator(state.lang)
    sources = fill_sources(bud.demo_missing(store, bud.level_of(store, state.teryt)), state.lang)
    text = _("Spending by budget division (education, social assistance, transport, culture …) has no official "
             "values in this release yet: {sources} will fill it, fetched with omup data fetch.").format(sources=sources)
    return html.Div([html.H2(_("Spending by budget division"), className="h4"), html.P(text, className="mb-1"),
                     html.A(_("See what it will look like (demo mode, synthetic data)"),
                            href=with_lang(f"/budzet/{state.teryt}", state.lang,
                                          **{k: v for k, v in state.to_query().items() if k != "lang"}, demo="1"))],
                    className="budget-part no-official alert alert-secondary", role="note")


def spending_table(store: Store, state: BudgetState) -> html.Table:
    lang = state.lang
    _ = translator(lang)
    rows = bud.section_rows(store, state.teryt, state.year, lang, state.peers)
    cols = [_("Area (budget division)"), _("Unit"), _("1st quartile"), _("Median"), _("3rd quartile"),
            _("Difference from median"), _("At the median it would spend")]
    body = []
    for r in rows:
        gap = "–" if r["gap_zl"] is None else f"{format_money(r['gap_zl'], lang)} " + (
            _.pgettext("gap sentence", "more") if r["gap_zl"] > 0 else _.pgettext("gap sentence", "less"))
        label = [r["name"]] + ([html.Span(" (" + _("div.") + f" {r['code']})", className="text-muted small")]
                               if r["code"] and r["code"] != "pozostałe" else [])
        body.append(html.Tr([html.Th(label, scope="row"),
                             _cell([_zl(r["value"], lang), _badge(lang) if r["synthetic"] else None], cols[1]),
                             _cell(_zl(r["q1"], lang), cols[2]), _cell(_zl(r["median"], lang), cols[3]),
                             _cell(_zl(r["q3"], lang), cols[4]), _cell(_diff(r["diff_pct"], lang), cols[5]),
                             _cell(gap, cols[6])], className="table-total" if r["key"] == "razem" else None))
    against = bud.comparison_of(store, state.teryt, state.peers).text("against", lang)
    caption = _("Spending per resident in {year} (PLN) next to {against}").format(year=state.year, against=against)
    return html.Table([html.Caption(caption), html.Thead(html.Tr([html.Th(c, scope="col") for c in cols])),
                       html.Tbody(body)], className="table table-sm budget-table budget-stack")


def gaps_block(store: Store, state: BudgetState) -> list:
    lang = state.lang
    _ = translator(lang)
    names = {s.key: _(s.name) for s in bud.SECTIONS}
    items, total = [], None
    for key, text, synthetic in bud.gap_sentences(store, state.teryt, state.year, lang, state.peers):
        mark = _badge(lang) if synthetic else None
        if key == "razem":
            total = html.P([html.Strong(_("In total: ")), text, mark], className="gap-total")
        else:
            items.append(html.Li([html.Strong(names[key] + ": "), text, mark]))
    caveat = _("How we compute it: (peer median per resident − the unit's spending per resident) × the unit's "
               "population (2020), also for other years, so amounts are approximate. The median is not a norm or a "
               "target: similar units differ in tasks, investment and prices. Spending by division is synthetic in "
               "this demo – not official statistics.")
    return [html.Ul(items, className="gap-list"), total, html.P(caveat, className="small caveat")]


def demo_part(store: Store, state: BudgetState) -> list:
    """The demo's spending by division (synthetic, labelled): bars and table, gaps, trends, cost–outcome. Own
    revenue and its parts are the official part's: the demo does not mix synthetic parts into them."""
    lang, teryt = state.lang, state.teryt
    _ = translator(lang)
    scatter = bf.scatter_view(store, teryt, state.year, state.section, lang, state.peers)
    caption: list = [scatter["caption"]]
    if scatter["outcome"] is not None:
        caption += [" ", dcc.Link(scatter["outcome"].name.get(lang), href=with_lang(
            f"/wskaznik/{scatter['outcome'].id}", lang))]
    years = bud.year_list(store, teryt)
    breaks = bf.trend_breaks(store, teryt, years[-1], years[0]) if years else []
    notes = list(dict.fromkeys(
        _("Series break – {reason}. The dashed orange line in the charts marks this change (data from {year} on are "
          "for the gmina after the change). Values before and after are not fully comparable: a jump there need not "
          "be a trend.").format(reason=b["reason"][lang].rstrip("."), year=b["year"]) for b in breaks))
    part = "budget-part budget-demo"
    return [
        html.Section([
            html.H2([_("Spending per resident by area"), " ", _badge(lang)], className="h4"),
            html.P(_("Amounts in PLN per resident. Bar: the unit's spending. Diamond: median of similar units; "
                     "whisker: middle 50% of similar units (1st to 3rd quartile)."), className="small text-muted"),
            _figure(ids.BUDGET_BARS, bf.spending_figure(store, teryt, state.year, lang, state.peers),
                    _("Bar chart: spending per resident in the chosen year in nine budget areas, with the median and "
                      "middle 50% of similar units. The same numbers are in the table below the chart."),
                    lang, "omup-budzet"),
            share_box(state, "budget-bars"),
            html.Div(spending_table(store, state), id=ids.BUDGET_TABLE, className="table-responsive mt-2"),
        ], className=part),
        html.Section([html.H2(_("What that means in złoty"), className="h4"),
                      html.Div(gaps_block(store, state), id=ids.BUDGET_GAPS)], className=part),
        html.Section([
            html.H2(_("Spending per resident over the years"), className="h4"),
            html.P(_("Each chart has its own scale: compare the shapes of the lines, not heights across charts. Grey "
                     "vertical line: the chosen year."), className="small text-muted"),
            html.Div(_figure(ids.BUDGET_TRENDS, bf.trends_figure(store, teryt, state.year, lang, state.peers),
                             _("Nine small line charts: the unit's spending per resident in each area over the years, "
                               "with the median and middle 50% of similar units."), lang, "omup-budzet-trendy"),
                     className="budget-multiples"),
            html.P(" ".join(notes), className="small break-note") if notes else None,
            share_box(state, "budget-trends"),
        ], className=part),
        html.Section([
            html.H2(_("Cost and outcome"), className="h4"),
            html.P(_("Does more money mean a better service among similar units?"), className="mb-1"),
            _figure(ids.BUDGET_SCATTER, scatter["figure"], _("Cost and outcome"), lang, "omup-koszt-efekt"),
            html.P(caption, id=ids.BUDGET_SCATTER_CAPTION, className="small scatter-caption"),
            share_box(state, "budget-scatter"),
        ], className=part),
    ]


def budget_view(state: BudgetState) -> dict:
    """Every year-, section- and group-dependent part of the page, keyed by the component it fills."""
    store = get_store()
    level = bud.level_of(store, state.teryt)
    demo = demo_part(store, state) if bud.has_demo_spending(store, level) else [demo_absent(store, state)]
    return {"lead": lead_text(store, state), "similar": similar_block(store, state),
            "summary": summary_line(store, state), "view": [official_part(store, state), *demo],
            "downloads": download_links(state)}


# ------------------------------------------------------------------------------------------------ layout
def layout(teryt: str | None = None, rok: str | None = None, obszar: str | None = None, lang: str = "pl",
           podobne: str | None = None, **_params: str) -> list:
    store = get_store()
    lang = _lang(lang)
    _ = translator(lang)
    if teryt is not None and teryt not in store.units.index:
        raise NotFound("unit", teryt)
    validation = teryt is None
    teryt = teryt or "1218093"
    state = bud.resolve_state(store, teryt, {"rok": rok or "", "obszar": obszar or "", "lang": lang,
                                             "podobne": podobne or ""})
    view = budget_view(state) if not validation else {"lead": "", "similar": [], "summary": [], "view": [],
                                                      "downloads": []}
    unit = store.units.loc[teryt]
    group = store.peer_group_name(str(unit["peer_group"]), lang)
    demo_sections = bud.has_demo_spending(store, str(unit["level"]))
    controls = dbc.Row([
        dbc.Col([dbc.Label(_("Year"), html_for=ids.BUDGET_YEAR),
                 dbc.Select(id=ids.BUDGET_YEAR, value=str(state.year),
                            options=[{"label": str(y), "value": str(y)} for y in bud.year_list(store, teryt)])],
                xs=4, md=2),
        dbc.Col(html.Fieldset([html.Legend(_("Compare with"), className="form-label budget-peers-legend"),
                               dbc.RadioItems(id=ids.BUDGET_PEERS, value=state.peers, className="budget-peers",
                                              options=[{"label": _("the peer group ({name})").format(name=group),
                                                        "value": "grupa"},
                                                       {"label": _("the 10 most similar units"), "value": "knn"}])],
                              className="mb-0"), xs=8, md=6),
        dbc.Col([dbc.Label(_("Area in the cost–outcome chart"), html_for=ids.BUDGET_SECTION),
                 dbc.Select(id=ids.BUDGET_SECTION, value=state.section,
                            options=[{"label": _(s.name), "value": s.key} for s in bud.SCATTER_SECTIONS])],
                xs=12, md=4, className=None if demo_sections else "d-none"),
        dbc.Col([dbc.Button(_("Print"), id=ids.BUDGET_PRINT, color="primary", outline=True, className="me-2"),
                 html.Span(view["downloads"], id=ids.BUDGET_DOWNLOADS)],
                xs=12, className="d-flex flex-wrap align-items-end gap-1 budget-actions"),
    ], className="g-2 controls budget-controls mb-3 align-items-start")
    content = html.Div([
        html.P(_("For councillors"), className="text-uppercase small text-muted mb-0"),
        html.H1(_("Budget: {name}").format(name=str(unit["display_name"])), className="h2 mb-1"),
        html.P([store.context_line(teryt, lang),
                html.Span([" · ", dcc.Link(_("← Unit profile"), href=with_lang(f"/jst/{teryt}", lang))],
                          className="no-print")], className="text-muted mb-1"),
        html.P(view["lead"], id=ids.BUDGET_LEAD, className="mb-2"),
        html.P(view["summary"], id=ids.BUDGET_SUMMARY, className="budget-summary", **{"aria-live": "polite"}),
        controls,
        html.Div(view["similar"], id=ids.BUDGET_SIMILAR, className="budget-similar small", **{"aria-live": "polite"}),
        html.Div(view["view"], id=ids.BUDGET_VIEW, className="budget-view"),
        # The debate pack: the same picker as on the profile, defaulting to the area headlines.
        pack_section(store, store.unit(teryt), lang, ids.BUDGET_PACK_INDICATORS, ids.BUDGET_PACK_LINK),
        html.Div(id=ids.BUDGET_PRINT_SINK, hidden=True),
        dcc.Location(id=ids.BUDGET_URL, refresh="callback-nav"),
    ], id=ids.BUDGET_BODY, className="budget-page")
    return page(lang, f"/budzet/{teryt}", state.to_query(), content,
                indicator_ids=[i for i in bud.INDICATOR_IDS if i in store.catalogue.by_id])
