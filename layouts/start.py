"""Start page: find your unit as you type, nine service areas with a headline indicator each, and what OMUP is."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.shell import page, with_lang
from portal import ids
from portal.explain import format_value
from portal.i18n import translator
from portal.search import search_units
from portal.store import get_store


def search_results(query: str | None, lang: str = "pl", limit: int = 8) -> list:
    """Result links for the search box (also used by the callback); same-named units told apart."""
    store = get_store()
    _ = translator(lang)
    if not query or not query.strip():
        return []
    hits = search_units(store, query[:80], limit=limit)
    if not hits:
        return [html.Li(_("Nothing found. Try another spelling or a TERYT code."), className="list-group-item text-muted")]
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
    _ = translator(lang)
    median_of = {"gmina": _("median of gminas"), "powiat": _("median of counties"),
                 "wojewodztwo": _("median of voivodeships")}
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
        badge = (dbc.Badge(_("synthetic"), color="warning", text_color="dark", className="ms-1")
                 if store.is_synthetic(ind.id) else None)
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
                                    html.Span(f" {median_of.get(level, '')}, {year}", className="small text-muted")],
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

    _ = translator(lang)
    return dbc.Col(
        dbc.Card(
            dbc.CardBody([
                html.H3(area.name.get(lang), className="h5 card-title"),
                html.P(area.description.get(lang), className="small text-muted mb-2"),
                html.P(_("No official data in this release yet; {sources} will fill it (omup data fetch).").format(
                    sources=fill_sources(missing_indicators(area.id), lang)), className="small mb-1"),
                html.A(_("See it in demo mode"), href=with_lang(f"/obszar/{area.id}", lang, demo="1"), className="small"),
            ]),
            className="h-100 area-tile area-tile-empty",
        ),
        xs=12, sm=6, lg=4, className="mb-3",
    )


def layout(lang: str = "pl", q: str | None = None, **_params: str) -> list:
    lang = "en" if lang == "en" else "pl"
    _ = translator(lang)
    examples = [("Wadowice", "1218093"), ("Łódź", "1061011"), ("Bolesławiec", None), ("powiat krakowski", None)]
    about = _("OMUP brings public-service indicators – from pre-schools to roads – for all 2,479 gminas, 380 "
              "counties and 16 voivodeships into one place and compares each unit with similar ones: gminas of "
              "the same type and size. By default it shows official values only, from Statistics Poland (Local "
              "Data Bank, census), the Ministry of Finance, the Central Examination Board, the National Electoral "
              "Commission and the State Fire Service; areas without official data yet say so. A demo mode adds "
              "clearly labelled synthetic values – to try the portal, not to draw conclusions.")
    content = [
        html.Section(
            [
                html.H1(_("How does your municipality do?"), className="display-6"),
                html.P(_("See how a gmina, county or voivodeship delivers public services – next to similar units."),
                       className="lead"),
                html.Label(_("Search for a gmina, county or voivodeship"), htmlFor=ids.START_SEARCH,
                           className="form-label fw-semibold"),
                dcc.Input(id=ids.START_SEARCH, type="search", value=q or "", debounce=False, autoComplete="off",
                          placeholder=_("e.g. Wadowice, gmina Kraków, powiat krakowski, 1218093"),
                          className="form-control form-control-lg search-box", n_submit=0),
                html.P(_("Enter opens the first result."), id="start-search-hint", className="small text-muted mb-0"),
                html.Ul(search_results(q, lang), id=ids.START_RESULTS, className="list-group search-results mt-1",
                        role="list", **{"aria-live": "polite"}),
                html.P([_("Examples:"), " "] + [
                    dcc.Link(name, href=with_lang(f"/jst/{code}", lang) if code else with_lang("/", lang, q=name),
                             className="me-2") for name, code in examples], className="small mt-2"),
            ],
            className="hero py-3",
        ),
        html.H2(_("Service areas"), className="h4 mt-4"),
        dbc.Row(area_tiles(lang)),
        html.Section([html.H2(_("What is OMUP?"), className="h4"), html.P(about),
                      dcc.Link(_("More about the data"), href=with_lang("/o-danych", lang))], className="mt-3"),
    ]
    return page(lang, "/", {"q": q} if q else {}, content)
