"""Start page: find your unit as you type, nine service areas with a headline indicator each, and what OMUP is."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.shell import page, with_lang
from portal import ids
from portal.explain import format_value
from portal.store import get_store

TEXT = {
    "pl": {
        "h1": "Jak działa Twoja gmina?",
        "lead": "Sprawdź, jak gmina, powiat lub województwo realizuje usługi publiczne – na tle podobnych jednostek.",
        "search_label": "Wyszukaj gminę, powiat lub województwo",
        "placeholder": "np. Wadowice, Łódź, 1218093",
        "areas": "Obszary usług",
        "median": "mediana",
        "median_of": {"gmina": "gmin", "powiat": "powiatów", "wojewodztwo": "województw"},
        "no_official": "Brak jeszcze urzędowych danych w tym wydaniu; wypełnią je {sources} (omup data fetch).",
        "see_demo": "Zobacz w trybie demonstracyjnym",
        "about_h": "Czym jest OMUP?",
        "about": "OMUP zbiera w jednym miejscu wskaźniki usług publicznych – od przedszkoli po drogi – dla wszystkich "
                 "2 479 gmin, 380 powiatów i 16 województw i porównuje każdą jednostkę z podobnymi: gminy tego samego "
                 "typu i wielkości. Liczby pochodzą z Głównego Urzędu Statystycznego (Bank Danych Lokalnych, System "
                 "Monitorowania Usług Publicznych), Państwowej Komisji Wyborczej i Centralnej Komisji Egzaminacyjnej. "
                 "Tam, gdzie danych urzędowych nie dało się tu pobrać, pokazujemy wyraźnie oznaczone wartości "
                 "syntetyczne – do sprawdzenia działania portalu, nie do wyciągania wniosków.",
        "more": "Więcej o danych",
        "no_results": "Nic nie znaleziono. Spróbuj innej pisowni albo kodu TERYT.",
        "examples": "Przykłady:",
    },
    "en": {
        "h1": "How does your municipality do?",
        "lead": "See how a gmina, county or voivodeship delivers public services – next to similar units.",
        "search_label": "Search for a gmina, county or voivodeship",
        "placeholder": "e.g. Wadowice, Łódź, 1218093",
        "areas": "Service areas",
        "median": "median",
        "median_of": {"gmina": "of gminy", "powiat": "of powiaty", "wojewodztwo": "of voivodeships"},
        "no_official": "No official data in this release yet; {sources} will fill it (omup data fetch).",
        "see_demo": "See it in demo mode",
        "about_h": "What is OMUP?",
        "about": "OMUP brings public-service indicators – from pre-schools to roads – for all 2,479 gminas, 380 "
                 "counties and 16 voivodeships into one place and compares each unit with similar ones: gminas of "
                 "the same type and size. The numbers come from Statistics Poland (Local Data Bank, Public Services "
                 "Monitoring System), the National Electoral Commission and the Central Examination Board. Where "
                 "official values could not be fetched here, we show clearly labelled synthetic values – for trying "
                 "the portal, not for drawing conclusions.",
        "more": "More about the data",
        "no_results": "Nothing found. Try another spelling or a TERYT code.",
        "examples": "Examples:",
    },
}

KIND_PL = {"gmina": "gmina", "powiat": "powiat", "wojewodztwo": "województwo"}


def search_results(query: str | None, lang: str = "pl", limit: int = 8) -> list:
    """Result links for the search box (also used by the callback); same-named units told apart."""
    store = get_store()
    tx = TEXT["en" if lang == "en" else "pl"]
    if not query or not query.strip():
        return []
    hits = store.search(query[:80], limit=limit)
    if not hits:
        return [html.Li(tx["no_results"], className="list-group-item text-muted")]
    return [
        html.Li(
            dcc.Link(
                [html.Span(h["name"], className="fw-semibold"), " ",
                 html.Span(store.context_line(h["teryt"], lang), className="text-muted small")],
                href=with_lang(f"/jst/{h['teryt']}", lang),
                className="d-block",
            ),
            className="list-group-item list-group-item-action",
        )
        for h in hits
    ]


def area_tiles(lang: str) -> list:
    store = get_store()
    tx = TEXT["en" if lang == "en" else "pl"]
    tiles = []
    for area in store.catalogue.areas:
        if area.id == "kontekst":
            continue
        if area.headline is None:
            tiles.append(_tile_without_official(area, lang))
            continue
        ind = store.catalogue.by_id[area.headline]
        level = ind.levels[0]
        year = store.latest_year(ind.id, level)
        national = store.group(ind.id, year, level, "national", "PL") if year else None
        value = format_value(national["median"], ind.unit.get(lang), ind.decimals, lang) if national else "–"
        badge = (dbc.Badge("syntetyczne" if lang != "en" else "synthetic", color="warning", text_color="dark",
                           className="ms-1") if store.is_synthetic(ind.id) else None)
        level_word = tx["median_of"].get(level, "")
        tiles.append(
            dbc.Col(
                dcc.Link(
                    dbc.Card(
                        dbc.CardBody([
                            html.H3(area.name.get(lang), className="h5 card-title"),
                            html.P(area.description.get(lang), className="small text-muted mb-2"),
                            html.P([html.Span((ind.short_name or ind.name).get(lang), className="small"), badge],
                                   className="mb-1"),
                            html.P([html.Span(value, className="fs-5 fw-semibold"),
                                    html.Span(f" {tx['median']} {level_word}, {year}", className="small text-muted")],
                                   className="mb-0"),
                        ]),
                        className="h-100 area-tile",
                    ),
                    href=with_lang(f"/obszar/{area.id}", lang),
                    className="text-decoration-none text-reset",
                ),
                xs=12, sm=6, lg=4, className="mb-3",
            )
        )
    return tiles


def _tile_without_official(area, lang: str) -> dbc.Col:
    """An area with no official indicator in this release: say so, name what would fill it, link the demo."""
    from layouts.components.official import fill_sources, missing_indicators

    tx = TEXT["en" if lang == "en" else "pl"]
    return dbc.Col(
        dbc.Card(
            dbc.CardBody([
                html.H3(area.name.get(lang), className="h5 card-title"),
                html.P(area.description.get(lang), className="small text-muted mb-2"),
                html.P(tx["no_official"].format(sources=fill_sources(missing_indicators(area.id), lang)),
                       className="small mb-1"),
                html.A(tx["see_demo"], href=with_lang(f"/obszar/{area.id}", lang, demo="1"), className="small"),
            ]),
            className="h-100 area-tile area-tile-empty",
        ),
        xs=12, sm=6, lg=4, className="mb-3",
    )


def layout(lang: str = "pl", q: str | None = None, **_: str) -> list:
    lang = "en" if lang == "en" else "pl"
    tx = TEXT[lang]
    examples = [("Wadowice", "1218093"), ("Łódź", "1061011"), ("Bolesławiec", None)]
    content = [
        html.Section(
            [
                html.H1(tx["h1"], className="display-6"),
                html.P(tx["lead"], className="lead"),
                html.Label(tx["search_label"], htmlFor=ids.START_SEARCH, className="form-label fw-semibold"),
                dcc.Input(id=ids.START_SEARCH, type="search", value=q or "", placeholder=tx["placeholder"],
                          debounce=False, autoComplete="off", className="form-control form-control-lg"),
                html.Ul(search_results(q, lang), id=ids.START_RESULTS, className="list-group search-results mt-1",
                        role="list", **{"aria-live": "polite"}),
                html.P([tx["examples"], " "] + [
                    dcc.Link(name, href=with_lang(f"/jst/{code}", lang) if code else with_lang("/", lang, q=name),
                             className="me-2") for name, code in examples], className="small mt-2"),
            ],
            className="hero py-3",
        ),
        html.H2(tx["areas"], className="h4 mt-4"),
        dbc.Row(area_tiles(lang)),
        html.Section([html.H2(tx["about_h"], className="h4"), html.P(tx["about"]),
                      dcc.Link(tx["more"], href=with_lang("/o-danych", lang))], className="mt-3"),
    ]
    return page(lang, "/", {"q": q} if q else {}, content)
