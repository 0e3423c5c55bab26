"""About the data: sources, peer groups, what is synthetic and why, exam matching, shapes, TERYT changes,
version, licence, how to cite, API and downloads. Everything countable is read from the release, not typed."""

from __future__ import annotations

from collections import Counter
from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.changelog import releases_section
from layouts.components.shell import page, with_lang
from portal.api.citation import citation_text
from portal.config import Settings
from portal.explain import format_number, plural_pl
from portal.store import get_store

TEXT = {
    "pl": {
        "h1": "O danych",
        "lead": "Skąd pochodzą liczby w OMUP, jak porównujemy jednostki i czego nie wolno z nich wnioskować.",
        "toc": "Na tej stronie",
        "sources_h": "Źródła i przypisy",
        "sources_lead": "Dane użyte w tym wydaniu:",
        "attribution_h": "Jak podawać źródło",
        "attribution_lead": "Przy każdym wykresie i pliku podajemy "
        "przypis "
        "źródła; używaj go przy dalszym "
        "wykorzystaniu:",
        "peers_h": "Grupy porównawcze („podobne jednostki”)",
        "peers_lead": "Każdą gminę porównujemy z gminami tego samego typu (miejska, wiejska, "
        "miejsko-wiejska) i tej "
        "samej klasy wielkości (liczba mieszkańców w 2020 r.). Miasta na prawach powiatu "
        "tworzą "
        "własną grupę, podobnie powiaty ziemskie i województwa. Klasy wielkości:",
        "group": "Grupa",
        "units": "Liczba jednostek",
        "synthetic_h": "Dane syntetyczne – co to jest i dlaczego",
        "synthetic_lead": "{n} z {total} wskaźników ma wartości syntetyczne. Danych z Banku Danych Lokalnych "
        "GUS i "
        "Systemu Monitorowania Usług Publicznych nie dało się pobrać w środowisku, w "
        "którym "
        "zbudowano to wydanie, więc – by portal dało się obejrzeć i sprawdzić w całości – "
        "w ich miejsce wstawiliśmy wartości wygenerowane przez program.",
        "generator_h": "Jak działa generator",
        "generator": [
            "Jest deterministyczny: używa stałego ziarna losowania ({seed}), więc każde zbudowanie wydania "
            "daje "
            "te same liczby.",
            "Dla każdego wskaźnika przyjmuje typową wartość dla średniej gminy wiejskiej i różnicuje ją "
            "według "
            "typu gminy (miejska, wiejska, miejsko-wiejska, miasto na prawach powiatu) i jej wielkości, z "
            "łagodnym wzorem regionalnym i trwałą cechą każdej gminy.",
            "Szeregi czasowe zmieniają się płynnie: ogólnopolski trend i niewielkie wahania z roku na rok.",
            "Wartości powiatów i województw są sumami liczników i mianowników ich gmin, więc trzy poziomy są "
            "ze "
            "sobą zgodne.",
            "Nigdy nie są danymi urzędowymi: każda wartość ma znacznik „syntetyczne”, a wykresy – napis "
            "DANE SYNTETYCZNE. Nie wyciągaj z nich wniosków o konkretnej gminie.",
        ],
        "synthetic_list": "Wskaźniki syntetyczne ({n}):",
        "real_list": "Wskaźniki z prawdziwymi danymi ({n}):",
        "exam_h": "Jak przypisaliśmy wyniki egzaminów do gmin",
        "exam_lead": "CKE publikuje wyniki egzaminu ósmoklasisty dla szkół, bez kodów TERYT. Szkoły "
        "przypisujemy do "
        "gmin po nazwie miejscowości i województwie; miejscowości o powtarzających się nazwach "
        "(częste na wsi) nie zawsze da się przypisać jednoznacznie, dlatego część gmin "
        "wiejskich nie "
        "ma wyniku. Odsetek gmin z przypisanym wynikiem, według typu gminy:",
        "exam_caption": "Gminy z wynikiem egzaminu / wszystkie gminy danego typu",
        "exam_kind": "Typ gminy",
        "exam_validation": "Sprawdzenie na pliku mazowieckim z kodami (2025): "
        "{correct} z "
        "{matched} przypisanych szkół trafiło do właściwej "
        "gminy "
        "(precyzja {precision}).",
        "kinds": {"miejska": "miejskie", "wiejska": "wiejskie", "miejsko-wiejska": "miejsko-wiejskie"},
        "shapes_h": "Brakujące kształty na mapie",
        "shapes_lead": "Granice pochodzą z 2019 r. Gminy utworzone później nie mają własnego kształtu na "
        "mapie – ich "
        "wartości są w tabelach, rankingach i profilach:",
        "teryt_h": "Zmiany kodów TERYT",
        "teryt_lead": "Portal używa kodów TERYT z 2025 r. Stare kody działają w adresach i pobieraniu – "
        "przekierowujemy "
        "je na dzisiejsze. Tabela zmian w tym wydaniu:",
        "change_kinds": {
            "same": "kod bez zmian",
            "type": "zmiana typu gminy (ostatnia cyfra kodu)",
            "split": "podział gminy (nowa gmina wydzielona z istniejącej)",
            "merge": "połączenie gmin",
            "rename": "zmiana nazwy",
        },
        "exam_counts": "z wynikiem / wszystkie",
        "shape_reason": "gmina utworzona 1 stycznia 2025 r.; granice z 2019 r. rysują ją jeszcze "
        "wewnątrz gminy, z której ją wydzielono",
        "version_h": "Wersja danych",
        "changes_h": "Zmiany między wersjami danych",
        "version": "Wersja wydania: {v}, zbudowane {date}.",
        "version_note": "Wersja zmienia się przy każdym zbudowaniu danych; podawaj ją, cytując liczby.",
        "licence_h": "Licencja",
        "licence": [
            "Kod portalu i metoda: licencja MIT.",
            "Dane: na warunkach ich źródeł (GUS, PKW, CKE, GUGiK) – z podaniem źródła.",
            "Wartości syntetyczne: CC0 (domena publiczna).",
        ],
        "cite_h": "Jak cytować",
        "cite_lead": "Na przykład:",
        "api_h": "API i pobieranie",
        "api": "Wszystkie liczby są dostępne przez API (JSON) i jako pliki CSV/XLSX przy każdym widoku.",
        "api_link": "Dokumentacja API",
        "release_link": "Całe wydanie (CSV)",
        "cite_title": "Wskaźniki usług publicznych gmin, powiatów i województw",
    },
    "en": {
        "h1": "About the data",
        "lead": "Where OMUP's numbers come from, how units are compared and what they must not be used for.",
        "toc": "On this page",
        "sources_h": "Sources and attribution",
        "sources_lead": "Data used in this release:",
        "attribution_h": "How to credit the sources",
        "attribution_lead": "Every chart and file carries its "
        "source "
        "line; please keep it when you "
        "reuse them:",
        "peers_h": "Peer groups (“similar units”)",
        "peers_lead": "Each gmina is compared with gminas of the same type (urban, rural, urban-rural) and "
        "the same "
        "size class (residents in 2020). Cities with county rights form their own group, as do "
        "rural "
        "counties and voivodeships. Size classes:",
        "group": "Group",
        "units": "Number of units",
        "synthetic_h": "Synthetic data – what it is and why",
        "synthetic_lead": "{n} of {total} indicators have synthetic values. Data from Statistics Poland's "
        "Local "
        "Data Bank and the Public Services Monitoring System could not be fetched where "
        "this "
        "release was built, so – to let the whole portal be seen and tested – "
        "program-generated "
        "values stand in for them.",
        "generator_h": "How the generator works",
        "generator": [
            "It is deterministic: a fixed random seed ({seed}) gives the same numbers on every build.",
            "For each indicator it takes a typical value for a mid-sized rural gmina and varies it by gmina "
            "type "
            "(urban, rural, urban-rural, city with county rights) and size, with a gentle regional pattern "
            "and a "
            "lasting trait of each gmina.",
            "Series change smoothly over time: a national trend plus small year-to-year wobble.",
            "County and voivodeship values are sums of their gminas' numerators and denominators, so the "
            "three "
            "levels agree.",
            "They are never official statistics: every value is tagged “synthetic” and charts carry a "
            "SYNTHETIC "
            "DATA label. Draw no conclusions about any particular gmina from them.",
        ],
        "synthetic_list": "Synthetic indicators ({n}):",
        "real_list": "Indicators with real data ({n}):",
        "exam_h": "How exam results were matched to gminas",
        "exam_lead": "The Central Examination Board publishes eighth-grade exam results per school, without "
        "TERYT "
        "codes. Schools are matched to gminas by locality name and voivodeship; repeated place "
        "names "
        "(common in the countryside) cannot always be matched unambiguously, so some rural "
        "gminas have "
        "no result. Share of gminas with a matched result, by gmina type:",
        "exam_caption": "Gminas with an exam result / all gminas of the type",
        "exam_kind": "Gmina type",
        "exam_validation": "Check against the 2025 Mazowieckie file with codes: "
        "{correct} "
        "of {matched} matched schools went to the right gmina "
        "(precision {precision}).",
        "kinds": {"miejska": "urban", "wiejska": "rural", "miejsko-wiejska": "urban-rural"},
        "shapes_h": "Missing shapes on the map",
        "shapes_lead": "Boundaries are from 2019. Gminas created later have no shape of their own on the map "
        "– their "
        "values are in tables, rankings and profiles:",
        "teryt_h": "TERYT code changes",
        "teryt_lead": "The portal uses 2025 TERYT codes. Old codes still work in addresses and downloads – "
        "they are "
        "redirected to today's. The change table of this release:",
        "change_kinds": {
            "same": "code unchanged",
            "type": "gmina type changed (last digit of the code)",
            "split": "gmina split (a new gmina carved out of an existing one)",
            "merge": "gminas merged",
            "rename": "renamed",
        },
        "exam_counts": "with a result / all",
        "version_h": "Data version",
        "changes_h": "Changes between data versions",
        "version": "Release version: {v}, built {date}.",
        "version_note": "The version changes with every data build; quote it when you cite numbers.",
        "licence_h": "Licence",
        "licence": [
            "Portal code and method: MIT licence.",
            "Data: under the terms of their sources (Statistics Poland, PKW, CKE, GUGiK) – with attribution.",
            "Synthetic values: CC0 (public domain).",
        ],
        "cite_h": "How to cite",
        "cite_lead": "For example:",
        "api_h": "API and downloads",
        "api": "Every number is available through the API (JSON) and as CSV/XLSX files next to every view.",
        "api_link": "API documentation",
        "release_link": "The whole release (CSV)",
        "cite_title": "Public-service indicators of Polish gminas, counties and voivodeships",
    },
}

SECTIONS = [
    ("zrodla", "sources_h"),
    ("grupy", "peers_h"),
    ("syntetyczne", "synthetic_h"),
    ("egzaminy", "exam_h"),
    ("ksztalty", "shapes_h"),
    ("teryt", "teryt_h"),
    ("wersja", "version_h"),
    ("zmiany", "changes_h"),
    ("licencja", "licence_h"),
    ("cytowanie", "cite_h"),
    ("api", "api_h"),
]


def _tx(lang: str) -> dict:
    return TEXT["en" if lang == "en" else "pl"]


# ---------------------------------------------------------------------------------------------- logic
def codes_phrase(count: int, lang: str) -> str:
    """'1 kod', '2 kody', '86 kodów'; '1 code', '86 codes'."""
    if lang == "en":
        return f"{format_number(count, 0, lang)} code" + ("" if count == 1 else "s")
    return f"{format_number(count, 0, lang)} {plural_pl(count, 'kod', 'kody', 'kodów')}"


def peer_group_counts() -> list[dict]:
    """Peer groups in the metadata's order with the number of units in each (from the unit register)."""
    store = get_store()
    counts = store.units["peer_group"].value_counts().to_dict()
    return [
        {"id": g, "name": names, "n": int(counts.get(g, 0))} for g, names in store.meta["peer_groups"].items()
    ]


def change_counts() -> dict[str, int]:
    """Number of codes in the TERYT change table by kind of change."""
    return dict(Counter(get_store().changes["change"].tolist()))


def exam_coverage(year: str | None = None) -> tuple[str | None, list[dict]]:
    """The latest (or given) exam year and per gmina type: gminy with a result, all gminy, the share."""
    matching = get_store().meta.get("exam_matching") or {}
    years = matching.get("years") or {}
    if not years:
        return None, []
    year = year if year in years else max(years)
    rows = []
    for kind, d in years[year].get("by_kind", {}).items():
        rows.append(
            {
                "kind": kind,
                "covered": int(d["gminy_covered"]),
                "total": int(d["gminy_total"]),
                "share": float(d["coverage"]),
                "schools": int(d.get("schools_matched", 0)),
            }
        )
    return year, rows


def indicator_lists(lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(synthetic, real) indicators as (name, id), in catalogue order."""
    store = get_store()
    synthetic, real = [], []
    for ind in store.catalogue.indicators:
        (synthetic if store.is_synthetic(ind.id) else real).append((ind.name.get(lang), ind.id))
    return synthetic, real


def citation_example(lang: str, accessed: date | None = None) -> str:
    store = get_store()
    tx = _tx(lang)
    base = Settings.from_env().base_url.rstrip("/")
    return citation_text(
        tx["cite_title"],
        base + "/",
        store.version,
        accessed or date.today(),
        lang,
        synthetic=bool(store.synthetic_ids),
    )


# ---------------------------------------------------------------------------------------------- rendering
def _section(anchor: str, title: str, *children: object) -> html.Section:
    return html.Section([html.H2(title, className="h4"), *children], id=anchor, className="about-section")


def _indicator_links(items: list[tuple[str, str]], lang: str, long: bool = False) -> html.Ul:
    return html.Ul(
        [html.Li(dcc.Link(name, href=with_lang(f"/wskaznik/{iid}", lang))) for name, iid in items],
        className="indicator-list" + (" indicator-list-long" if long else ""),
    )


def layout(lang: str = "pl", **_: str) -> list:
    lang = "en" if lang == "en" else "pl"
    tx = _tx(lang)
    store = get_store()
    meta = store.meta
    n = lambda x, d=0: format_number(x, d, lang)  # noqa: E731 - a local shorthand

    sources = html.Ul(
        [
            html.Li([html.Strong(s["name"]), html.Br(), html.Span(s["attribution"], className="small")])
            for s in meta.get("sources", [])
        ]
    )
    attribution = html.Ul(
        [html.Li([html.Code(k), " – ", v]) for k, v in meta.get("attribution", {}).items()], className="small"
    )

    sizes = html.Ul(
        [html.Li(c["name"]["en" if lang == "en" else "pl"]) for c in meta.get("size_classes", [])]
    )
    groups = html.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(tx["group"], scope="col"),
                        html.Th(tx["units"], scope="col", className="text-end"),
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(g["name"].get(lang, g["id"]) if isinstance(g["name"], dict) else g["id"]),
                            html.Td(n(g["n"]), className="text-end"),
                        ]
                    )
                    for g in peer_group_counts()
                ]
            ),
        ],
        className="table table-sm about-table",
    )

    synthetic, real = indicator_lists(lang)
    generator = html.Ul(
        [html.Li(item.format(seed=meta.get("synthetic_seed", "–"))) for item in tx["generator"]]
    )

    exam_year, exam_rows = exam_coverage()
    exam_table = (
        html.Table(
            [
                html.Caption(f"{tx['exam_caption']} ({exam_year})", className="small"),
                html.Thead(
                    html.Tr(
                        [
                            html.Th(tx["exam_kind"], scope="col"),
                            html.Th(tx["exam_counts"], scope="col", className="text-end"),
                            html.Th("%", scope="col", className="text-end"),
                        ]
                    )
                ),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(tx["kinds"].get(r["kind"], r["kind"])),
                                html.Td(f"{n(r['covered'])} / {n(r['total'])}", className="text-end"),
                                html.Td(n(100 * r["share"], 1) + "%", className="text-end"),
                            ]
                        )
                        for r in exam_rows
                    ]
                ),
            ],
            className="table table-sm about-table",
        )
        if exam_rows
        else None
    )
    validation = (meta.get("exam_matching") or {}).get("validation_mazowieckie")
    exam_note = (
        html.P(
            tx["exam_validation"].format(
                correct=n(validation["correct"]),
                matched=n(validation["matched"]),
                precision=n(100 * validation["precision"], 1) + "%",
            ),
            className="small",
        )
        if validation
        else None
    )
    exam_links = _indicator_links(
        [
            (store.catalogue.by_id[i].name.get(lang), i)
            for i in ("egzamin-8-matematyka", "egzamin-8-polski", "egzamin-8-angielski")
            if i in store.catalogue.by_id
        ],
        lang,
    )

    shapes = html.Ul(
        [
            html.Li(
                [
                    dcc.Link(f"{s['name']} ({s['teryt']})", href=with_lang(f"/jst/{s['teryt']}", lang)),
                    html.Span(f" – {tx['shape_reason']}", className="small")
                    if lang != "en"
                    else html.Span(f" – {s['reason']}", className="small"),
                ]
            )
            for s in meta.get("missing_shapes", [])
        ]
    )

    changes = change_counts()
    change_list = html.Ul(
        [
            html.Li(f"{tx['change_kinds'].get(kind, kind)}: {codes_phrase(count, lang)}")
            for kind, count in sorted(changes.items(), key=lambda kv: -kv[1])
        ]
    )

    toc = html.Nav(
        [
            html.H2(tx["toc"], className="h6"),
            html.Ul(
                [html.Li(html.A(tx[key], href=f"#{anchor}")) for anchor, key in SECTIONS],
                className="about-toc-list",
            ),
        ],
        className="about-toc",
        **{"aria-label": tx["toc"]},
    )

    content = [
        html.H1(tx["h1"], className="h2"),
        html.P(tx["lead"], className="lead"),
        toc,
        _section(
            "zrodla",
            tx["sources_h"],
            html.P(tx["sources_lead"]),
            sources,
            html.H3(tx["attribution_h"], className="h6"),
            html.P(tx["attribution_lead"], className="small"),
            attribution,
        ),
        _section(
            "grupy",
            tx["peers_h"],
            html.P(tx["peers_lead"]),
            sizes,
            html.Div(groups, className="table-responsive"),
        ),
        _section(
            "syntetyczne",
            tx["synthetic_h"],
            dbc.Alert(
                tx["synthetic_lead"].format(n=len(synthetic), total=len(store.catalogue.indicators)),
                color="warning",
                className="synthetic-explainer",
            ),
            html.H3(tx["generator_h"], className="h5"),
            generator,
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H3(tx["real_list"].format(n=len(real)), className="h6"),
                            _indicator_links(real, lang),
                        ],
                        xs=12,
                        md=4,
                    ),
                    dbc.Col(
                        [
                            html.H3(
                                [
                                    tx["synthetic_list"].format(n=len(synthetic)),
                                    " ",
                                    html.Span(
                                        "syntetyczne" if lang != "en" else "synthetic",
                                        className="badge synthetic-badge",
                                    ),
                                ],
                                className="h6",
                            ),
                            _indicator_links(synthetic, lang, long=True),
                        ],
                        xs=12,
                        md=8,
                    ),
                ]
            ),
        ),
        _section(
            "egzaminy",
            tx["exam_h"],
            html.P(tx["exam_lead"]),
            html.Div(exam_table, className="table-responsive") if exam_table else None,
            exam_note,
            exam_links,
        ),
        _section("ksztalty", tx["shapes_h"], html.P(tx["shapes_lead"]), shapes),
        _section("teryt", tx["teryt_h"], html.P(tx["teryt_lead"]), change_list),
        _section(
            "wersja",
            tx["version_h"],
            html.P(tx["version"].format(v=store.version, date=str(meta.get("built_at", ""))[:10])),
            html.P(tx["version_note"], className="small text-muted"),
        ),
        releases_section(lang),
        _section("licencja", tx["licence_h"], html.Ul([html.Li(x) for x in tx["licence"]])),
        _section(
            "cytowanie",
            tx["cite_h"],
            html.P(tx["cite_lead"]),
            html.Blockquote(citation_example(lang), className="about-cite"),
        ),
        _section(
            "api",
            tx["api_h"],
            html.P(tx["api"]),
            html.P(
                [
                    html.A(tx["api_link"], href="/api", className="btn btn-sm btn-outline-primary me-2"),
                    html.A(
                        tx["release_link"],
                        href="/pobierz/wydanie.csv",
                        className="btn btn-sm btn-outline-secondary",
                    ),
                ]
            ),
        ),
    ]
    return page(lang, "/o-danych", {}, html.Div(content, className="about-page"))
