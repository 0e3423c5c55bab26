"""Unit profile (/jst/<teryt>): the unit's story first (headline strip, locator map, what stands out), then
strengths, similar units, the debate pack and every area's cards, folded on phones.

Only components: the cards, the strip and the sentences are computed in portal/profile.py. Sparklines and the
locator are small static SVGs (plotly.js took ~2 s to draw 78 of them).
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts.components.debate import pack_section
from layouts.components.fast import fast
from layouts.components.official import area_without_official
from layouts.components.shell import page, with_lang
from layouts.components.similar import similar_section
from layouts.not_found import NotFound
from portal import ids
from portal import profile as prof
from portal.explain import format_number, format_value
from portal.figures import sparkline_svg
from portal.i18n import translator
from portal.locator import locator_svg
from portal.profile import LATEST, AreaPlan, Card, profile_state
from portal.state import LEVEL_WORD, ProfileState
from portal.store import Store, get_store
from portal.why_moved import card_change, change_line

SVG_PREFIX = "data:image/svg+xml;charset=utf-8,"


def svg_data_uri(svg: str) -> str:
    """A compact data URI: escape only what a URI forbids (a third of the size of encoding it all)."""
    for raw, escaped in (("%", "%25"), ("#", "%23"), ("<", "%3C"), (">", "%3E"), ('"', "'")):
        svg = svg.replace(raw, escaped)
    return SVG_PREFIX + svg


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _explorer_href(area: str, unit: dict, indicator: str, lang: str, **extra: str) -> str:
    return with_lang(f"/obszar/{area}", lang, wskaznik=indicator, poziom=LEVEL_WORD[unit["level"]],
                     jst=unit["teryt"], **extra)


def _unit_link(store: Store, teryt: str, lang: str) -> dcc.Link:
    return dcc.Link(store.units.at[teryt, "display_name"], href=with_lang(f"/jst/{teryt}", lang))


def _fact(label: str, value: object) -> list:
    return [html.Dt(label, className="col-5"), html.Dd(value, className="col-7")]


def _value(card: Card, lang: str) -> str:
    ind = card.indicator
    _ = translator(lang)
    return format_value(card.value, ind.unit.get(lang), ind.decimals, lang) if card.value is not None else _("no data")


def _name(card: Card, lang: str) -> str:
    return (card.indicator.short_name or card.indicator.name).get(lang)


# ---------------------------------------------------------------------------------------------- verdict labels
def band_badge(card: Card, lang: str) -> html.Span | None:
    text = card.band_text(lang)
    if text is None:
        return None
    if card.indicator.direction == "neutral":
        _ = translator(lang)
        text = _("{band} (no judgement)").format(band=text)
    return fast(html.Span, text, className=f"band band-{card.band[0]}")


def chance_label(lang: str, title: str | None = None) -> html.Span:
    """The «w granicach przypadkowych wahań» label (replaces the judging band of a rate indicator)."""
    _ = translator(lang)
    return fast(html.Span, _("within chance variation"), className="band chance-label",
                title=title or _("The difference from the peer median is within chance variation (95%): at this "
                                 "population it does not show a better or worse result."))


def verdict_label(card: Card, lang: str) -> html.Span | None:
    """The card's one statement about its peers as a label: a band, chance variation, or a small base."""
    v = card.judgement
    if v.kind == "chance":
        return chance_label(lang, v.chance_text)
    if v.kind == "small_base" and v.badge:
        return fast(html.Span, v.badge[1], className="band band-small-base", title=v.base_text)
    return band_badge(card, lang)


def _sparkline(card: Card, unit: dict, lang: str, css: str = "sparkline") -> html.Figure | None:
    pairs = [(y, v) for y, v in zip(card.years, card.values, strict=True) if v is not None]
    if len(card.years) < 2 or len(pairs) < 2:
        return None
    ind = card.indicator
    first, last = (format_value(v, ind.unit.get(lang), ind.decimals, lang) for v in (pairs[0][1], pairs[-1][1]))
    _ = translator(lang)
    caption = _("Chart {a}–{b}: {unit} (solid line, from {first} to {last}) and the peer median "
                               "(dots).").format(a=card.years[0], b=card.years[-1], unit=unit["name"], first=first,
                                                 last=last)
    svg = sparkline_svg(card.years, card.values, peer_median=card.peer_medians, breaks=card.breaks)
    return fast(html.Figure, [fast(html.Img, src=svg_data_uri(svg), alt=caption, className=css),
                              fast(html.Figcaption, f"{card.years[0]}–{card.years[-1]}", className="sparkline-years")],
                className="mb-1")


# ---------------------------------------------------------------------------------------------- first screen
def _value_parts(card: Card, lang: str) -> list:
    """The number large and its unit small ('14,9' + ' miejsca na 1000 mieszkańców')."""
    text = _value(card, lang)
    number = format_number(card.value, card.indicator.decimals, lang) if card.value is not None else ""
    if number and text.startswith(number) and len(text) > len(number):
        return [html.Strong(number, className="headline-value"), html.Span(text[len(number):], className="headline-unit")]
    return [html.Strong(text, className="headline-value")]


def headline_strip(store: Store, unit: dict, cards: list[Card], lang: str) -> html.Ul | None:
    """4–6 official indicators: value and year, the peer median, where it stands, a sparkline."""
    _ = translator(lang)
    chosen = prof.headline_cards(store, unit, cards)
    if not chosen:
        return None
    items = []
    for c in chosen:
        meta: list = []
        if _finite(c.peer_median):
            median = format_value(c.peer_median, c.indicator.unit.get(lang), c.indicator.decimals, lang)
            meta.append(html.Div(_("peer median: {value}").format(value=median)))
        v = c.judgement
        if v.badge:  # the band, chance or small base; neutral bands say higher/lower, so no "(no judgement)"
            css = {"chance": "chance-label", "small_base": "band-small-base"}.get(v.badge[0], f"band-{v.badge[0]}")
            meta.append(html.Span(v.badge[1], className=f"band {css}", title=v.chance_text or v.base_text))
        items.append(html.Li(
            [
                dcc.Link(_name(c, lang), href=_explorer_href(c.indicator.area, unit, c.indicator.id, lang),
                         className="headline-name", title=c.indicator.name.get(lang)),
                html.Div([*_value_parts(c, lang), html.Span(f" ({c.year})", className="headline-year")]),
                html.Div(meta, className="headline-meta small") if meta else None,
                _sparkline(c, unit, lang, css="sparkline headline-spark"),
            ],
            className="headline-item",
        ))
    return html.Ul(items, className="headline-strip list-unstyled", **{"aria-label": _("The unit in numbers")})


def facts(store: Store, unit: dict, lang: str) -> html.Dl:
    _ = translator(lang)
    teryt, level = unit["teryt"], unit["level"]
    num = lambda v, d=0: format_number(v, d, lang) if _finite(v) else _("no data")  # noqa: E731
    rows = _fact(_("Type"), prof.kind_text(unit, lang))
    rows += _fact(_("Population"), num(unit.get("population")))
    rows += _fact(_("Area"), (num(unit.get("area_km2"), 1) + " km²") if _finite(unit.get("area_km2")) else _("no data"))
    rows += _fact(_("Population density"), (num(unit.get("density")) + " " + _("per km²"))
                  if _finite(unit.get("density")) else _("no data"))
    edu = store.catalogue.area_by_id.get("edukacja") or store.catalogue.areas[0]
    rows += _fact(_("Peer group"), [store.peer_group_name(unit["peer_group"], lang), " · ",
                                    dcc.Link(_("ranking among peers"), href=_explorer_href(
                                        edu.id, unit, edu.headline, lang, widok="ranking", podobne="1"))])
    parents: list = []
    if level == "gmina" and not unit["mnpp"]:
        parents += [_unit_link(store, unit["powiat"], lang), ", "]
    if level != "wojewodztwo":
        parents.append(_unit_link(store, unit["wojewodztwo"], lang))
    if parents:
        rows += _fact(_("Part of"), parents)
    if unit["mnpp"]:
        other = teryt[:4] if level == "gmina" else next(
            (c for c in store.units.index if len(c) == 7 and c.startswith(teryt)), None)
        if other and other in store.units.index:
            text = _("This city is also a county: its county profile") if level == "gmina" else \
                _("This city is also a gmina: its gmina profile")
            rows += _fact(_("Also"), dcc.Link(text, href=with_lang(f"/jst/{other}", lang)))
    rows += _fact(_("TERYT code"), html.Code(teryt))
    return html.Dl(rows, className="row profile-facts small mb-0")


def members(store: Store, unit: dict, lang: str) -> html.Details | None:
    _ = translator(lang)
    level, teryt = unit["level"], unit["teryt"]
    if level == "gmina" or unit["mnpp"]:
        return None
    children = store.units[(store.units["level"] == ("gmina" if level == "powiat" else "powiat"))
                           & (store.units["teryt"].str.startswith(teryt))]
    if not len(children):
        return None
    label = (_("Gminas in the county ({n})") if level == "powiat" else
             _("Counties and cities with county rights ({n})")).format(n=len(children))
    return html.Details([html.Summary(label), html.Ul([html.Li(_unit_link(store, c, lang)) for c in children["teryt"]],
                                                      className="member-list mt-2")],
                        className="profile-members mt-2")


def header(store: Store, unit: dict, cards: list[Card], lang: str, notes: list[str]) -> html.Header:
    """The first screen: name, what stands out, the headline strip; the locator and the facts beside them."""
    _ = translator(lang)
    teryt = unit["teryt"]
    locator = locator_svg(store, teryt)
    where = _("Location of {name} in its voivodeship").format(name=unit["display_name"]) \
        if unit["level"] != "wojewodztwo" else _("Location of {name} in Poland").format(name=unit["display_name"])
    actions = html.Div(
        [dcc.Link(_("Budget"), href=with_lang(f"/budzet/{teryt}", lang), className="btn btn-outline-primary btn-sm"),
         dcc.Link(_("Compare with others"), href=with_lang("/porownaj", lang, jst=teryt),
                  className="btn btn-outline-primary btn-sm")],
        className="profile-actions d-flex flex-wrap align-items-center gap-2 mt-2",
    )
    story = prof.story(store, unit, cards, lang)
    return html.Header(
        [
            html.H1(unit["display_name"], className="h2 mb-0"),
            html.P(store.context_line(teryt, lang), className="text-muted mb-2"),
            *[dbc.Alert(n, color="info", className="py-2 profile-note") for n in notes],
            dbc.Row(
                [
                    dbc.Col([html.Div([html.P(s, className="mb-1") for s in story], className="profile-story")
                             if story else None,
                             headline_strip(store, unit, cards, lang)], xs=12, lg=8),
                    dbc.Col([html.Figure([html.Img(src=svg_data_uri(locator), alt=where, className="locator-map"),
                                          html.Figcaption(where, className="visually-hidden")],
                                         className="profile-locator mb-2") if locator else None,
                             facts(store, unit, lang), members(store, unit, lang), actions], xs=12, lg=4),
                ],
                className="g-3 profile-lead",
            ),
        ],
        className="profile-header",
    )


# ---------------------------------------------------------------------------------------------- cards and areas
def card_component(store: Store, unit: dict, card: Card, lang: str) -> html.Div:
    # Few components per card (a profile has up to 120): building components is most of the page's server time.
    _ = translator(lang)
    ind = card.indicator
    point = card.point or {}
    badge = fast(html.Span, _("synthetic"), className="badge synthetic-badge ms-1") if card.synthetic else None
    body: list = [
        fast(html.H3, [fast(dcc.Link, _name(card, lang), href=_explorer_href(ind.area, unit, ind.id, lang),
                            title=ind.name.get(lang)), badge], className="h6 card-title mb-1"),
        fast(html.P, [fast(html.Strong, _value(card, lang), className="card-value"),
                      f" ({card.year})" if card.year else ""], className="mb-1"),
    ]
    meta: list = []
    if _finite(card.peer_median) and card.value is not None:
        median = format_value(card.peer_median, ind.unit.get(lang), ind.decimals, lang)
        meta.append(_("peer median: {value}").format(value=median) + " ")
    label = verdict_label(card, lang)
    if label is not None:
        meta.append(label)
        if card.verdict == "band" and point.get("rank_peer") and ind.direction != "neutral":
            meta.append(" " + _("rank {r} of {n} peers").format(r=point["rank_peer"], n=point["n_peer"]))
    if meta:
        body.append(fast(html.P, meta, className="card-meta small mb-1"))
    spark = _sparkline(card, unit, lang)
    if spark is not None:
        body.append(spark)
    body.append(fast(html.P, card.sentence, className="card-sentence small mb-1"))
    why = why_line(store, unit, card, lang)
    if why is not None:
        body.append(why)
    if card.caveat:
        body.append(fast(html.P, card.caveat, className="caveat small mb-0"))
    classes = "card card-body h-100 profile-card" + (" is-synthetic" if card.synthetic else "")
    return fast(html.Div, fast(html.Div, body, id=ids.unit_card(unit["teryt"], ind.id), className=classes),
                className="col-12 col-md-6 col-xl-4 profile-col")


def why_line(store: Store, unit: dict, card: Card, lang: str) -> html.P | None:
    """'Why did it move?': the change to the card's year split into numerator and denominator (official ratio
    indicators only; the whole sentence, with the formula's names, is the line's tooltip)."""
    if card.synthetic:
        return None
    change = card_change(store, card.indicator.id, unit["teryt"], card.year, lang)
    if change is None:
        return None
    ind = card.indicator
    return fast(html.P, change_line(change, ind.unit.get(lang), ind.decimals, lang), title=change["sentence"],
                className="card-why small mb-1")


def area_section(store: Store, unit: dict, plan: AreaPlan, lang: str, state: ProfileState) -> html.Details:
    """One area, folded on phones unless the URL opens it (`otwarte`); without official indicators one
    sentence on what would fill it and a link to the demo."""
    _ = translator(lang)
    area = plan.area
    name = area.name.get(lang)
    if plan.cards:
        n = len(plan.cards)
        count = _.ngettext("{n} indicator", "{n} indicators", n).format(n=n)
        lead = _("Residents and election turnout – background for the comparisons, not judged.") \
            if area.id == prof.CONTEXT else area.description.get(lang)
        headline = area.headline if any(c.indicator.id == area.headline for c in plan.cards) else \
            plan.cards[0].indicator.id
        content = [
            html.Div([html.P(lead, className="text-muted small mb-0"),
                      dcc.Link(_("See the area on the map and in the ranking"),
                               href=_explorer_href(area.id, unit, headline, lang), className="small no-print")],
                     className="d-flex flex-wrap align-items-baseline justify-content-between gap-2 mb-2"),
            dbc.Row([card_component(store, unit, c, lang) for c in plan.cards], className="g-3"),
        ]
        is_open = True if state.open_areas is None else area.id in state.open_areas
    else:
        count = _("no official data yet")
        content = [area_without_official(area, lang, path=f"/jst/{unit['teryt']}")]
        is_open = True if state.open_areas is None else area.id in state.open_areas
    return html.Details(
        [html.Summary([html.H2(name, className="h4 mb-0 d-inline"), html.Span(f" · {count}", className="area-count")],
                      className="area-summary"), html.Div(content, className="area-content pt-2")],
        open=is_open, id=ids.profile_section(area.id), className="profile-area mt-4", **{"data-foldable": "1"},
    )


def strengths_section(store: Store, unit: dict, cards: list[Card], lang: str) -> html.Section:
    _ = translator(lang)
    strong, weak = prof.strengths(cards)

    def items(chosen: list[Card], empty: str) -> html.Component:
        if not chosen:
            return html.P(empty, className="small text-muted")
        return html.Ol([html.Li([dcc.Link(_name(c, lang), href=_explorer_href(c.indicator.area, unit, c.indicator.id,
                                                                              lang), className="fw-semibold"),
                                 " ", band_badge(c, lang),
                                 html.Span(_("synthetic"), className="badge synthetic-badge ms-1") if c.synthetic
                                 else None, html.Div(c.sentence, className="small")], className="mb-2")
                        for c in chosen], className="strength-list ps-3")

    any_synthetic = any(c.synthetic for c in strong + weak)
    lead = _("Indicators in which {name} differs most from similar units ({group}). Indicators without a direction "
             "(more ≠ better) are left out.").format(name=unit["name"],
                                                      group=store.peer_group_name(unit["peer_group"], lang))
    return html.Section(
        [
            html.H2(_("Strengths and weaknesses"), className="h4"),
            html.P(lead, className="small text-muted"),
            html.P(_("Some of these indicators are synthetic (demo mode): this list is for trying the portal out, "
                     "not for conclusions."), className="small caveat") if any_synthetic else None,
            dbc.Row([
                dbc.Col([html.H3(_("Strongest"), className="h5 strong-h"),
                         items(strong, _("No indicators clearly better than the median."))], xs=12, lg=6),
                dbc.Col([html.H3(_("Weakest"), className="h5 weak-h"),
                         items(weak, _("No indicators clearly worse than the median."))], xs=12, lg=6),
            ]),
        ],
        id="mocne-slabe",
        className="profile-strengths mt-4",
    )


def downloads(teryt: str, year: int | None, lang: str) -> html.Div:
    from urllib.parse import urlencode

    _ = translator(lang)
    qs = urlencode({"jst": teryt} | ({"rok": str(year)} if year else {}))
    return html.Div(
        [html.Span(_("Download the profile table:"), className="small"),
         html.A("CSV", href=f"/pobierz/profil.csv?{qs}", className="btn btn-sm btn-outline-secondary"),
         html.A("XLSX", href=f"/pobierz/profil.xlsx?{qs}", className="btn btn-sm btn-outline-secondary")],
        className="profile-downloads d-flex flex-wrap align-items-center gap-2 mt-2",
    )


def body_children(store: Store, unit: dict, cards: list[Card], state: ProfileState) -> list:
    """The year-dependent part above similar units: the downloads and the strengths."""
    shown = [c.year for c in cards if c.year is not None and c.indicator.area != prof.CONTEXT]
    year = state.year or (max(shown) if shown else None)
    return [downloads(unit["teryt"], year, state.lang), strengths_section(store, unit, cards, state.lang)]


def areas_children(store: Store, unit: dict, cards: list[Card], state: ProfileState) -> list:
    return [area_section(store, unit, plan, state.lang, state) for plan in prof.area_plans(store, unit, cards)]


def profile_parts(state: ProfileState) -> tuple[list, list]:
    """(body, areas) for a state: what the year control re-renders."""
    store = get_store()
    unit = store.unit(state.teryt)
    if unit is None:
        return [], []
    cards = prof.build_cards(store, unit, state.year, state.lang)
    return body_children(store, unit, cards, state), areas_children(store, unit, cards, state)


def year_options(store: Store, level: str, lang: str) -> list[dict]:
    _ = translator(lang)
    return [{"label": _("latest available data"), "value": LATEST}] + [
        {"label": str(y), "value": str(y)} for y in prof.profile_years(store, level)]


def _toc(store: Store, unit: dict, cards: list[Card], lang: str) -> html.Nav:
    _ = translator(lang)
    links = [html.A(_("Strengths and weaknesses"), href="#mocne-slabe"),
             html.A(_("Similar units"), href="#podobne"), html.A(_("Debate pack"), href="#pakiet")]
    links += [html.A(p.area.name.get(lang), href=f"#{ids.profile_section(p.area.id)}")
              for p in prof.area_plans(store, unit, cards)]
    return html.Nav([html.Span(_("On this page") + ":", className="fw-semibold me-1"), *links],
                    className="profile-toc no-print small d-flex flex-wrap gap-2 mt-3", **{"aria-label": _("On this page")})


def layout(teryt: str | None = None, rok: str | None = None, lang: str = "pl", zmienne: str | None = None,
           otwarte: str | None = None, **_params: str) -> list:
    store = get_store()
    lang = _lang(lang)
    _ = translator(lang)
    controls = [dcc.Location(id=ids.PROFILE_URL, refresh="callback-nav"), html.Div(id=ids.PROFILE_SCROLL, hidden=True)]
    if teryt is None:  # validation layout: the ids, no unit
        content = [
            html.H1("OMUP", className="h2"), html.P(_("Choose a unit on the home page.")),
            dbc.Select(id=ids.PROFILE_YEAR, options=[], value=LATEST), html.Div(id=ids.PROFILE_BODY),
            html.Div(id=ids.PROFILE_AREAS),
            dbc.Checklist(id=ids.PROFILE_SIMILAR_VARS, options=[], value=[]), html.Div(id=ids.PROFILE_SIMILAR),
            dbc.Checklist(id=ids.PROFILE_PACK_INDICATORS, options=[], value=[]), html.A(id=ids.PROFILE_PACK_LINK),
            *controls,
        ]
        return page(lang, "/jst", {}, content)
    code = str(teryt)
    resolved, changed = store.resolve(code)
    if resolved is None:
        raise NotFound("unit", code)
    resolved = str(resolved)
    unit = store.unit(resolved)
    params = {k: v for k, v in {"rok": rok, "zmienne": zmienne, "otwarte": otwarte, "lang": lang}.items() if v is not None}
    state = profile_state(store, resolved, params)
    cards = prof.build_cards(store, unit, state.year, lang)
    year_control = html.Div(
        [dbc.Label(_("Year"), html_for=ids.PROFILE_YEAR, className="mb-0 fw-semibold"),
         dbc.Select(id=ids.PROFILE_YEAR, options=year_options(store, unit["level"], lang),
                    value=str(state.year) if state.year else LATEST, className="w-auto"),
         html.Span(_("Each card shows the chosen year or the latest earlier year with data."),
                   className="small text-muted")],
        className="profile-year controls d-flex flex-wrap align-items-center gap-2 mt-3",
    )
    legend = _("In the card charts: solid line – this unit, dots – the median of similar units. The coloured label "
               "says how it compares with them (one colour for indicators without a direction).")
    edu = store.catalogue.area_by_id.get("edukacja") or store.catalogue.areas[0]
    ranking = _explorer_href(edu.id, unit, edu.headline, lang, widok="ranking", podobne="knn")
    content = [
        header(store, unit, cards, lang, prof.unit_notes(store, code, resolved, changed, lang)),
        _toc(store, unit, cards, lang),
        year_control,
        html.P(legend, className="profile-legend small text-muted mt-2 mb-0"),
        html.Div(body_children(store, unit, cards, state), id=ids.PROFILE_BODY, className="profile-body"),
        similar_section(store, unit, state.variables, lang, ranking),
        pack_section(store, unit, lang, ids.PROFILE_PACK_INDICATORS, ids.PROFILE_PACK_LINK),
        html.Div(areas_children(store, unit, cards, state), id=ids.PROFILE_AREAS, className="profile-areas"),
        *controls,
    ]
    # The banner's generic wording: naming ~70 synthetic indicators would bury it; each card has its badge.
    return page(lang, f"/jst/{resolved}", state.to_query(), html.Div(content, className="profile"))
