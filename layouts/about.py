"""About the data: what is official in this release (in numbers), every dataset with its exact source, what is
missing and what would fill it, the demo and its generator, peer groups, shapes, TERYT changes, version,
licence, how to cite, API and downloads. Everything countable is read from the release (portal/release_facts.py).
"""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.changelog import releases_section
from layouts.components.shell import official_numbers, page, with_lang
from portal.api.citation import citation_text, public_base_url
from portal.explain import format_number
from portal.i18n import N_, translator
from portal.release_facts import (
    change_counts,
    datasets,
    demo_indicator_names,
    indicator_lists,
    indicators_of_dataset,
    licence,
    official_facts,
    peer_group_counts,
)
from portal.store import get_store

SECTIONS = [
    ("urzedowe", N_("What is official in this release")),
    ("zrodla", N_("Datasets and their sources")),
    ("braki", N_("What is missing and what would fill it")),
    ("syntetyczne", N_("Demo mode: synthetic data")),
    ("grupy", N_("Peer groups (“similar units”)")),
    ("ksztalty", N_("Missing shapes on the map")),
    ("teryt", N_("TERYT code changes")),
    ("wersja", N_("Data version")),
    ("zmiany", N_("Changes between data versions")),
    ("licencja", N_("Licence")),
    ("cytowanie", N_("How to cite")),
    ("api", N_("API and downloads")),
]
CHANGE_KINDS = {"same": N_("code unchanged"), "type": N_("gmina type changed (last digit of the code)"),
                "split": N_("gmina split (a new gmina carved out of an existing one)"), "merge": N_("gminas merged"),
                "rename": N_("renamed")}
LEVEL_NAMES = {"gmina": N_("gminas"), "powiat": N_("counties"), "wojewodztwo": N_("voivodeships")}


def codes_phrase(count: int, lang: str) -> str:
    """'1 kod', '2 kody', '86 kodów'; '1 code', '86 codes' (CLDR plural forms from the catalogue)."""
    _ = translator(lang)
    return _.ngettext("{n} code", "{n} codes", count).format(n=format_number(count, 0, lang))


def citation_example(lang: str, accessed: date | None = None) -> str:
    """A citation of the portal with the data version, at the address the reader reached (or OMUP_BASE_URL)."""
    store = get_store()
    _ = translator(lang)
    return citation_text(_("Public-service indicators of Polish gminas, counties and voivodeships"),
                         public_base_url() + "/", store.version, accessed or date.today(), lang,
                         synthetic=bool(store.synthetic_ids))


def year_span(cov: dict, lang: str) -> str:
    """'2010–2024'; '2025' for one year; '2019–2024 (2 years)' when years in between are missing."""
    a, b, count = int(cov["from"]), int(cov["to"]), int(cov.get("years", cov["to"] - cov["from"] + 1))
    if a == b:
        return str(a)
    if count == b - a + 1:
        return f"{a}–{b}"
    _ = translator(lang)
    return f"{a}–{b} (" + _.ngettext("{n} year", "{n} years", count).format(n=count) + ")"


# ---------------------------------------------------------------------------------------------- rendering
def _section(anchor: str, title: str, *children: object) -> html.Section:
    return html.Section([html.H2(title, className="h4"), *children], id=anchor, className="about-section")


def _indicator_links(items: list[tuple[str, str]], lang: str, long: bool = False, demo: bool = False) -> html.Ul:
    return html.Ul(
        [html.Li(dcc.Link(name, href=with_lang(f"/wskaznik/{iid}", lang, demo="1" if demo else None)))
         for name, iid in items],
        className="indicator-list" + (" indicator-list-long" if long else ""),
    )


def official_section(lang: str) -> html.Section:
    store = get_store()
    _ = translator(lang)
    facts = official_facts(store)
    real = [(store.full_catalogue.by_id[i].name.get(lang), i) for i in store.meta.get("real_indicators", [])
            if i in store.full_catalogue.by_id]
    coverage = store.meta.get("official_coverage") or {}
    rows = []
    for name, iid in real:
        spans = coverage.get(iid, {})
        cells = [html.Td(year_span(spans[lvl], lang) if lvl in spans else "–", className="text-nowrap")
                 for lvl in LEVEL_NAMES]
        rows.append(html.Tr([html.Th(dcc.Link(name, href=with_lang(f"/wskaznik/{iid}", lang)), scope="row"), *cells]))
    table = html.Table(
        [html.Caption(_("Official indicators and the years with official values at each level"), className="small"),
         html.Thead(html.Tr([html.Th(_("Indicator"), scope="col"),
                             *[html.Th(_(word), scope="col") for word in LEVEL_NAMES.values()]])),
         html.Tbody(rows)],
        className="table table-sm about-table official-table",
    )
    return _section("urzedowe", _(SECTIONS[0][1]),
                    html.P(official_numbers(lang), id="official-numbers"),
                    html.P(_("Official values are shown by default everywhere: pages, maps, rankings, the API, "
                             "downloads and embeds. Synthetic values appear only in the demo mode, labelled."),
                           className="small text-muted"),
                    html.Div(table, className="table-responsive", tabIndex="0", role="region",
                             **{"aria-label": _("Official indicators")}),
                    html.P(_("{n} indicators").format(n=facts.indicators), className="visually-hidden"))


def datasets_section(lang: str) -> html.Section:
    """Every dataset with its exact source: publisher, name, BDL table, files, years, levels, licence, address."""
    store = get_store()
    _ = translator(lang)
    used = indicators_of_dataset(store)
    items = []
    for d in datasets(store):
        name = d.get("name_en") if lang == "en" and d.get("name_en") else d.get("name")
        facts = [html.Span([_("Publisher:"), " ", d.get("publisher", "–")])]
        if d.get("table"):
            facts.append(html.Span([_("Table:"), " ", html.Code(d["table"])]))
        facts.append(html.Span([_("Years:"), " ", str(d.get("years", "–"))]))
        facts.append(html.Span([_("Levels:"), " ", ", ".join(_(LEVEL_NAMES.get(lv, lv)) for lv in d.get("levels", []))]))
        facts.append(html.Span([_("Files:"), " ", *[html.Code(f, className="me-1") for f in d.get("files", [])],
                                html.Span(f"({d.get('folder')})", className="text-muted") if d.get("folder") else ""]))
        facts.append(html.Span([_("Terms:"), " ", d.get("licence", "–")]))
        body = [html.Strong(name), " ", html.Span(d.get("attribution", ""), className="small text-muted"),
                html.Div([*(html.Div(f) for f in facts)], className="small dataset-facts")]
        if d.get("url"):
            body.append(html.Div(html.A(d["url"], href=d["url"], rel="noopener"), className="small"))
        inds = used.get(d["id"], [])
        if inds:
            body.append(html.Div([_("Indicators:"), " ", *[
                html.Span([dcc.Link(store.full_catalogue.by_id[i].name.get(lang), href=with_lang(f"/wskaznik/{i}", lang)),
                           "; " if k < len(inds) - 1 else ""]) for k, i in enumerate(inds)]], className="small"))
        items.append(html.Li(body, id=f"zbior-{d['id']}", className="dataset mb-2"))
    return _section("zrodla", _(SECTIONS[1][1]),
                    html.P(_("{n} datasets are used in this release, each read from the publisher's file named "
                             "below (read-only raw inputs, never edited by hand):").format(n=len(items))),
                    html.Ol(items, className="dataset-list"))


def missing_section(lang: str) -> html.Section:
    from layouts.components.official import fill_sources, missing_indicators

    store = get_store()
    _ = translator(lang)
    rows = []
    for area in store.full_catalogue.areas:
        if area.id == "kontekst":
            continue
        missing = missing_indicators(area.id) if not store.demo else [
            i for i in store.full_catalogue.in_area(area.id) if store.is_synthetic(i.id)]
        if not missing:
            continue
        official = len(store.full_catalogue.in_area(area.id)) - len(missing)
        rows.append(html.Li([
            html.Strong(area.name.get(lang)), ": ",
            _("{official} official, {missing} without official values yet; {sources} would fill them "
              "(omup data fetch).").format(official=official, missing=len(missing), sources=fill_sources(missing, lang)),
            " ", html.A(_("See it in demo mode"), href=with_lang(f"/obszar/{area.id}", lang, demo="1"))]))
    return _section("braki", _(SECTIONS[2][1]),
                    html.P(_("The catalogue describes more indicators than this release has official values for. "
                             "Where the official BDL and SMUP APIs are reachable, «omup data fetch» brings their "
                             "series and the next build uses them instead of synthetic values.")),
                    html.Ul(rows))


def demo_section(lang: str) -> html.Section:
    store = get_store()
    _ = translator(lang)
    demo = demo_indicator_names(store, lang)
    generator = [
        _("It is deterministic: a fixed random seed ({seed}) gives the same numbers on every build.").format(
            seed=store.meta.get("synthetic_seed", "–")),
        _("For each indicator it takes a typical value for a mid-sized rural gmina and varies it by gmina type and "
          "size, with a gentle regional pattern and a lasting trait of each gmina."),
        _("Series change smoothly over time: a national trend plus small year-to-year wobble."),
        _("County and voivodeship values are sums of their gminas' numerators and denominators, so the three "
          "levels agree."),
        _("They are never official statistics: every value is tagged «synthetic» and charts carry a SYNTHETIC DATA "
          "label. Draw no conclusions about any particular gmina from them."),
    ]
    lead = (_("Demo mode is on: {n} of {total} indicators on this site have synthetic values.").format(
        n=len(store.synthetic_ids), total=len(store.catalogue.indicators)) if store.demo else
        _("Demo mode is off: this site shows official values only. The demo adds {n} indicators with synthetic "
          "values, to show what the portal will look like once their official data are fetched.").format(n=len(demo)))
    return _section("syntetyczne", _(SECTIONS[3][1]),
                    dbc.Alert(lead, color="warning" if store.demo else "light", className="synthetic-explainer"),
                    html.H3(_("How the generator works"), className="h5"),
                    html.Ul([html.Li(x) for x in generator]),
                    html.H3([_("Indicators the demo fills ({n})").format(n=len(demo)), " ",
                             html.Span(_("synthetic"), className="badge synthetic-badge")], className="h6"),
                    _indicator_links(demo, lang, long=True, demo=True))


def layout(lang: str = "pl", **_params: str) -> list:
    lang = "en" if lang == "en" else "pl"
    _ = translator(lang)
    store = get_store()
    meta = store.meta

    def n(x: float, d: int = 0) -> str:
        return format_number(x, d, lang)

    sizes = html.Ul([html.Li(c["name"]["en" if lang == "en" else "pl"]) for c in meta.get("size_classes", [])])
    groups = html.Table(
        [html.Thead(html.Tr([html.Th(_("Group"), scope="col"), html.Th(_("Number of units"), scope="col",
                                                                          className="text-end")])),
         html.Tbody([html.Tr([html.Td(g["name"].get(lang, g["id"]) if isinstance(g["name"], dict) else g["id"]),
                              html.Td(n(g["n"]), className="text-end")]) for g in peer_group_counts(store)])],
        className="table table-sm about-table",
    )
    shapes = html.Ul([html.Li([dcc.Link(f"{s['name']} ({s['teryt']})", href=with_lang(f"/jst/{s['teryt']}", lang)),
                               html.Span(" – " + _("a gmina created on 1 January 2025; the 2019 boundaries still draw "
                                                   "it inside the gmina it was carved out of"), className="small")])
                      for s in meta.get("missing_shapes", [])])
    changes = change_counts(store)
    change_list = html.Ul([html.Li(f"{_(CHANGE_KINDS.get(kind, kind))}: {codes_phrase(count, lang)}")
                           for kind, count in sorted(changes.items(), key=lambda kv: -kv[1])])
    lic = licence(store, lang)
    synthetic, _real = indicator_lists(store, lang)
    toc = html.Nav([html.H2(_("On this page"), className="h6"),
                    html.Ul([html.Li(html.A(_(title), href=f"#{anchor}")) for anchor, title in SECTIONS],
                            className="about-toc-list")],
                   className="about-toc", **{"aria-label": _("On this page")})
    content = [
        html.H1(_("About the data"), className="h2"),
        html.P(_("Where OMUP's numbers come from, how units are compared and what they must not be used for."),
               className="lead"),
        toc,
        official_section(lang),
        datasets_section(lang),
        missing_section(lang),
        demo_section(lang),
        _section("grupy", _(SECTIONS[4][1]),
                 html.P(_("Each gmina is compared with gminas of the same type (urban, rural, urban-rural) and the "
                          "same size class (residents in 2020). Cities with county rights form their own group, as "
                          "do rural counties and voivodeships. Size classes:")),
                 sizes, html.Div(groups, className="table-responsive")),
        _section("ksztalty", _(SECTIONS[5][1]),
                 html.P(_("Boundaries are from 2019. Gminas created later have no shape of their own on the map – "
                          "their values are in tables, rankings and profiles:")), shapes),
        _section("teryt", _(SECTIONS[6][1]),
                 html.P(_("The portal uses 2025 TERYT codes. Old codes still work in addresses and downloads – they "
                          "are redirected to today's. The change table of this release:")), change_list),
        _section("wersja", _(SECTIONS[7][1]),
                 html.P(_("Release version: {v}, built {date}.").format(v=store.version,
                                                                         date=str(meta.get("built_at", ""))[:10])),
                 html.P(_("The version changes with every data build; quote it when you cite numbers."),
                        className="small text-muted")),
        releases_section(lang),
        _section("licencja", _(SECTIONS[9][1]),
                 html.Ul([html.Li(lic["data"], id="licence-data"),
                          html.Li(_("Portal code and method: {code} licence.").format(code=lic["code"]))])),
        _section("cytowanie", _(SECTIONS[10][1]), html.P(_("For example:")),
                 html.Blockquote(citation_example(lang), className="about-cite")),
        _section("api", _(SECTIONS[11][1]),
                 html.P(_("Every number is available through the API (JSON) and as CSV/XLSX files next to every "
                          "view.")),
                 html.P([html.A(_("API documentation"), href=with_lang("/api", lang),
                                className="btn btn-sm btn-outline-primary me-2"),
                         html.A(_("The whole release (CSV)"), href="/pobierz/wydanie.csv",
                                className="btn btn-sm btn-outline-secondary")])),
    ]
    page_ids = [i for _name, i in synthetic]
    return page(lang, "/o-danych", {}, html.Div(content, className="about-page"), indicator_ids=page_ids)
