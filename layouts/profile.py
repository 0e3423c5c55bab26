"""Unit profile (/jst/<teryt>): a unit's "raport o stanie" – facts, every indicator against peers, strengths.

Built in the layout function (server-side): every value is an array lookup in the store (point/series/group),
cards are plain components and sparklines small static SVGs: a gmina's profile takes a few tens of ms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html

from layouts.components.fast import fast
from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from portal import ids
from portal.api.debate import pack_href
from portal.breaks import GMINA_KIND, series_breaks
from portal.catalogue import Indicator
from portal.explain import (
    MIN_PEERS,
    better_share,
    caveat,
    format_number,
    format_value,
    percentile_band,
    strongest_weakest,
    unit_sentence,
)
from portal.figures import sparkline_svg
from portal.similar import VARIABLES, parse_variables, similar_units
from portal.state import LEVEL_WORD
from portal.store import Store, get_store
from portal.uncertainty import Z95, denominator_column, funnel_limits, method_for

TEXT = {
    "pl": {
        "type": "Typ",
        "population": "Ludność",
        "area": "Powierzchnia",
        "density": "Gęstość zaludnienia",
        "peer_group": "Grupa porównawcza",
        "peer_ranking": "ranking wśród podobnych",
        "parents": "Należy do",
        "teryt": "Kod TERYT",
        "budget": "Budżet",
        "compare": "Porównaj z innymi",
        "download": "Pobierz tabelę profilu:",
        "gminy": "Gminy w powiecie ({n})",
        "powiaty": "Powiaty i miasta na prawach powiatu ({n})",
        "also": "Również",
        "as_powiat": "To miasto jest też powiatem: profil jako powiat",
        "as_gmina": "To miasto jest też gminą: profil jako gmina",
        "changed": "Kod {old} zmienił się na {new}: pokazujemy dzisiejszą jednostkę.",
        "new_gmina": "Nowa gmina, utworzona 1 stycznia 2025 r.{parent}. Granice z 2019 r. rysują ją jeszcze "
        "w gminie macierzystej, a jej ludności i powierzchni nie ma jeszcze w danych – dlatego "
        "brakuje też wskaźników liczonych na mieszkańca.",
        "new_parent": " z gminy {name}",
        "no_data": "brak danych",
        "year": "Rok",
        "latest": "najnowsze dostępne dane",
        "year_help": "Każda karta pokazuje wybrany rok albo ostatni wcześniejszy, dla którego są dane.",
        "toc": "Na tej stronie",
        "explore": "Zobacz obszar na mapie i w rankingu",
        "peer_median": "mediana podobnych",
        "rank": "miejsce {r} z {n} podobnych",
        "neutral": "bez oceny",
        "synthetic": "syntetyczne",
        "trend": "Wykres {a}–{b}: {unit} (linia ciągła, od {first} do {last}) i mediana podobnych (kropki).",
        "legend": "Na wykresach kart: linia ciągła – ta jednostka, kropki – mediana podobnych jednostek. "
        "Kolorowa etykieta mówi, jak wypada na ich tle (przy wskaźnikach bez oceny kolor jest jeden).",
        "strong_h": "Mocne i słabe strony",
        "strong_lead": "Wskaźniki, w których {name} najbardziej odbiega od podobnych jednostek ({group}). "
        "Wskaźniki bez oceny (więcej ≠ lepiej) są pominięte.",
        "strongest": "Najmocniejsze",
        "weakest": "Najsłabsze",
        "none": "Brak wskaźników wyraźnie {what} od mediany.",
        "none_better": "lepszych",
        "none_worse": "gorszych",
        "strong_synth": "Większość wskaźników jest syntetyczna: ta lista służy do sprawdzenia działania "
        "portalu, nie do wniosków.",
        "kontekst_lead": "Dane o mieszkańcach i udziale w wyborach – tło do porównań, bez oceny.",
        "choose": "Wybierz jednostkę na stronie głównej.",
        "chance": "w granicach przypadkowych wahań",
        "chance_title": "Różnica względem mediany podobnych mieści się w granicach przypadkowych "
        "wahań (95%): przy tej liczbie mieszkańców nie świadczy o lepszym ani gorszym wyniku.",
        "break_type": "W {year} r. zmienił się typ gminy ({old} → {new}) – porównując lata, pamiętaj "
        "o tej zmianie.",
        "break_type_window": "Między {earliest} a {year} r. zmienił się typ gminy ({old} → {new}) – "
        "porównując lata, pamiętaj o tej zmianie.",
        "break_split": "W {year} r. z części gminy {parent} utworzono gminę {child} – porównując lata, "
        "pamiętaj o tej zmianie.",
        "break_mark": "Pomarańczowa przerywana linia na wykresach kart oznacza tę zmianę.",
        "similar_h": "Podobne jednostki",
        "similar_lead": "{k} jednostek najbardziej podobnych do tej jednostki pod względem wybranych cech "
        "(odległość na cechach wystandaryzowanych: im mniejsza, tym bardziej podobne). Pasek pokazuje, "
        "z czego bierze się różnica: im krótszy odcinek cechy, tym bardziej jednostki są w niej podobne.",
        "similar_vars": "Cechy, według których szukamy podobnych",
        "similar_most": "Najbardziej podobne pod względem: {vars}.",
        "similar_mainly": "różni się głównie: {var}",
        "similar_distance": "odległość {d}",
        "similar_missing": "Brak danych o cechach: {vars} – nie da się wskazać podobnych jednostek. Odznacz "
        "te cechy.",
        "similar_none": "Wybierz co najmniej jedną cechę.",
        "similar_ranking": "Ranking tylko tych jednostek",
        "similar_api": "Dane (JSON)",
        "pack_h": "Pakiet na debatę",
        "pack_lead": "Jeden plik PDF (A4) z wybranymi wskaźnikami: wartość na tle podobnych jednostek, "
        "zmiany w czasie, opis słowny, źródła i wersja danych.",
        "pack_choose": "Wybierz wskaźniki (domyślnie najważniejsze z każdego obszaru)",
        "pack_button": "Pakiet na debatę (PDF)",
    },
    "en": {
        "type": "Type",
        "population": "Population",
        "area": "Area",
        "density": "Population density",
        "peer_group": "Peer group",
        "peer_ranking": "ranking among peers",
        "parents": "Part of",
        "teryt": "TERYT code",
        "budget": "Budget",
        "compare": "Compare with others",
        "download": "Download the profile table:",
        "gminy": "Gminas in the county ({n})",
        "powiaty": "Counties and cities with county rights ({n})",
        "also": "Also",
        "as_powiat": "This city is also a county: its county profile",
        "as_gmina": "This city is also a gmina: its gmina profile",
        "changed": "Code {old} has changed to {new}: showing today's unit.",
        "new_gmina": "A new gmina, created on 1 January 2025{parent}. The 2019 boundaries still draw it "
        "inside its parent gmina and its population and area are not in the data yet – so indicators "
        "per resident are missing too.",
        "new_parent": " from gmina {name}",
        "no_data": "no data",
        "year": "Year",
        "latest": "latest available data",
        "year_help": "Each card shows the chosen year or the latest earlier year with data.",
        "toc": "On this page",
        "explore": "See the area on the map and in the ranking",
        "peer_median": "peer median",
        "rank": "rank {r} of {n} peers",
        "neutral": "no judgement",
        "synthetic": "synthetic",
        "trend": "Chart {a}–{b}: {unit} (solid line, from {first} to {last}) and the peer median (dots).",
        "legend": "In the card charts: solid line – this unit, dots – the median of similar units. The "
        "coloured label says how it compares with them (one colour for indicators without a direction).",
        "strong_h": "Strengths and weaknesses",
        "strong_lead": "Indicators in which {name} differs most from similar units ({group}). "
        "Indicators without a direction (more ≠ better) are left out.",
        "strongest": "Strongest",
        "weakest": "Weakest",
        "none": "No indicators clearly {what} than the median.",
        "none_better": "better",
        "none_worse": "worse",
        "strong_synth": "Most indicators are synthetic: this list is for trying the portal out, not for "
        "conclusions.",
        "kontekst_lead": "Residents and election turnout – background for the comparisons, not judged.",
        "choose": "Choose a unit on the home page.",
        "chance": "within chance variation",
        "chance_title": "The difference from the peer median is within chance variation (95%): at this "
        "population it does not show a better or worse result.",
        "break_type": "In {year} the gmina's type changed ({old} → {new}) – keep this in mind when comparing "
        "years.",
        "break_type_window": "Between {earliest} and {year} the gmina's type changed ({old} → {new}) – keep "
        "this in mind when comparing years.",
        "break_split": "In {year} gmina {child} was created from part of gmina {parent} – keep this in mind "
        "when comparing years.",
        "break_mark": "The dashed orange line in the card charts marks this change.",
        "similar_h": "Similar units",
        "similar_lead": "The {k} units most similar to this one on the chosen characteristics (distance on "
        "standardised characteristics: the smaller, the more similar). The bar shows where the difference "
        "comes from: the shorter a characteristic's segment, the more alike the units are in it.",
        "similar_vars": "Characteristics used to find similar units",
        "similar_most": "Most similar in: {vars}.",
        "similar_mainly": "differs mainly in: {var}",
        "similar_distance": "distance {d}",
        "similar_missing": "No data on: {vars} – similar units cannot be found. Untick these "
        "characteristics.",
        "similar_none": "Choose at least one characteristic.",
        "similar_ranking": "Ranking of these units only",
        "similar_api": "Data (JSON)",
        "pack_h": "Debate pack",
        "pack_lead": "One PDF (A4) with the chosen indicators: the value against similar units, the trend, "
        "a plain-language sentence, sources and the data version.",
        "pack_choose": "Choose indicators (by default the headline of each area)",
        "pack_button": "Debate pack (PDF)",
    },
}

KIND_WORDS = {
    "pl": {
        "miejska": "gmina miejska",
        "wiejska": "gmina wiejska",
        "miejsko-wiejska": "gmina miejsko-wiejska",
        "mnpp": "miasto na prawach powiatu",
        "powiat": "powiat",
        "wojewodztwo": "województwo",
    },
    "en": {
        "miejska": "urban gmina",
        "wiejska": "rural gmina",
        "miejsko-wiejska": "urban-rural gmina",
        "mnpp": "city with county rights",
        "powiat": "county",
        "wojewodztwo": "voivodeship",
    },
}

STRONG_WEAK_K = 5
LATEST = "najnowsze"  # the year control's value for "latest data" (no `rok` in the URL)
# Dozens of trends per page: static SVG images, not plotly graphs (plotly.js took ~2 s to draw 78 of them).
SVG_PREFIX = "data:image/svg+xml;charset=utf-8,"


@dataclass(frozen=True)
class Card:
    """What one indicator card shows; plain data so tests and the downloads can use it without components."""

    indicator: Indicator
    year: int | None
    point: dict | None
    years: list[int]
    values: list[float | None]
    peer_medians: list[float | None]
    synthetic: bool
    sentence: str
    caveat: str | None
    band: tuple[str, str, str]
    chance: bool | None = None  # rate indicators: within chance variation around the peers (uncertainty.py)
    breaks: tuple[int, ...] = ()


def svg_data_uri(svg: str) -> str:
    """A compact data URI: escape only what a URI forbids (a third of the size of encoding it all)."""
    for raw, escaped in (("%", "%25"), ("#", "%23"), ("<", "%3C"), (">", "%3E"), ('"', "'")):
        svg = svg.replace(raw, escaped)
    return SVG_PREFIX + svg


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _sentence_level(unit: dict) -> str:
    # A city with powiat rights reads as "miasto" at both of its levels (its peers are cities).
    return "miasto" if unit["mnpp"] else unit["level"]


def _year(rok: object) -> int | None:
    try:
        return int(str(rok)) if rok not in (None, "") else None
    except ValueError:
        return None


def profile_indicators(store: Store, level: str) -> list[Indicator]:
    """Indicators shown for a level, in catalogue area order (kontekst last)."""
    order = {a.id: k for k, a in enumerate(store.catalogue.areas)}
    inds = [i for i in store.catalogue.indicators if level in i.levels]
    return sorted(inds, key=lambda i: (i.area == "kontekst", order.get(i.area, 99)))


@lru_cache(maxsize=128)
def peer_medians(version: str, level: str, group: str) -> dict[str, tuple[float | None, ...]]:
    """Peer-group medians per indicator and year (the sparklines' dotted line), shared by the group's units.

    ~1 000 group lookups (≈10 ms) per profile otherwise; keyed by data version, so a new release reads afresh.
    """
    store = get_store()
    out = {}
    for ind in profile_indicators(store, level):
        medians = []
        for y in store.years(ind.id, level):
            g = store.group(ind.id, y, level, "peer", group)
            medians.append(g["median"] if g else None)
        out[ind.id] = tuple(medians)
    return out


@lru_cache(maxsize=256)
def _rate_arrays(version: str, indicator_id: str, year: int, level: str) -> tuple | None:
    """Codes, values, denominators and peer groups of a level's units as numpy arrays (shared by profiles)."""
    store = get_store()
    ind = store.catalogue.by_id[indicator_id]
    column = denominator_column(ind)
    sl = store.slice(indicator_id, year, level)
    if column is None or sl is None:
        return None
    rows = store.units.reindex(sl.codes)
    return (
        sl.codes,
        np.asarray(sl.value, dtype=float),
        rows[column].to_numpy(dtype=float),
        rows["peer_group"].to_numpy(),
    )


def card_chance(store: Store, ind: Indicator, teryt: str, year: int) -> bool | None:
    """uncertainty.indistinguishable (within the 95% limits around the peers' pooled rate), vectorised per
    (indicator, year, level): the library call re-indexes the unit table each time, ~10 ms for each card."""
    level = store.units.at[teryt, "level"]
    arrays = _rate_arrays(store.cache_key, ind.id, year, level)
    if arrays is None:
        return None
    codes, value, n, groups = arrays
    pos = int(np.searchsorted(codes, teryt))
    if pos >= len(codes) or codes[pos] != teryt or not (np.isfinite(value[pos]) and n[pos] > 0):
        return None
    ok = (groups == groups[pos]) & np.isfinite(value) & np.isfinite(n) & (n > 0)
    mult = ind.formula.multiplier
    reference = float(np.sum(value[ok] * n[ok]) / np.sum(n[ok]))
    (lo,), (hi,) = funnel_limits(reference / mult, np.array([n[pos]]), Z95, method_for(ind))
    return bool(lo * mult <= value[pos] <= hi * mult)


def build_card(
    store: Store, unit: dict, ind: Indicator, rok: int | None, lang: str, breaks: tuple[int, ...] = ()
) -> Card:
    """One indicator for one unit: the shown year (chosen, else latest with a value), sentence and trend."""
    teryt, level = unit["teryt"], unit["level"]
    series = store.series(ind.id, teryt)
    years = [s["year"] for s in series]
    values = [s["value"] for s in series]
    with_value = [
        y for y, v in zip(years, values, strict=True) if v is not None and (rok is None or y <= rok)
    ]
    year = (
        with_value[-1]
        if with_value
        else (min(rok, years[-1]) if (rok and years) else (years[-1] if years else None))
    )
    point = store.point(ind.id, teryt, year) if year is not None else None
    peer = unit["peer_group"]
    medians = list(peer_medians(store.cache_key, level, peer).get(ind.id, ()))
    if len(medians) != len(years):
        medians = [None] * len(years)
    synthetic = store.is_synthetic(ind.id) or any(s["synthetic"] for s in series)
    value = point["value"] if point else None
    value_text = format_value(value, ind.unit.get(lang), ind.decimals, lang) if value is not None else None
    group_name = store.peer_group_name(peer, lang)
    chance = card_chance(store, ind, teryt, year) if (ind.rate and value is not None) else None
    if year is None:
        sentence = TEXT[lang]["no_data"].capitalize() + "."
    else:
        small = bool(ind.rate and unit.get("population") and unit["population"] < 5000)
        sentence = unit_sentence(
            ind.sentence.get(lang),
            year=year,
            value_text=value_text,
            level=_sentence_level(unit),
            lang=lang,
            point=point,
            direction=ind.direction,
            peer_group_name=group_name,
            small_sample_note=small,
            indistinguishable=chance,
        )
    note = caveat(
        bool(point and point["synthetic"]) or store.is_synthetic(ind.id),
        point["flag"] if point else "no_data",
        lang,
        level,
    )
    share = None
    if point and value is not None and (point.get("n_peer") or 0) >= MIN_PEERS:
        share = better_share(point.get("pct_peer"), ind.direction)
    return Card(
        indicator=ind,
        year=year,
        point=point,
        years=years,
        values=values,
        peer_medians=medians,
        synthetic=synthetic,
        sentence=sentence,
        caveat=note,
        band=percentile_band(share, ind.direction),
        chance=chance,
        breaks=tuple(y for y in breaks if years and years[0] < y <= years[-1]),
    )


def unit_breaks(store: Store, teryt: str) -> list[dict]:
    """The unit's series breaks (portal/breaks.py); none when the change table cannot place them."""
    try:
        return series_breaks(store, teryt)
    except (ValueError, KeyError):
        return []


def build_cards(store: Store, unit: dict, rok: int | None, lang: str) -> list[Card]:
    breaks = tuple(sorted({b["year"] for b in unit_breaks(store, unit["teryt"])}))
    return [
        build_card(store, unit, ind, rok, lang, breaks) for ind in profile_indicators(store, unit["level"])
    ]


def strengths(cards: list[Card], k: int = STRONG_WEAK_K) -> tuple[list[Card], list[Card]]:
    """The unit's strongest and weakest non-context indicators against its peers (strongest_weakest)."""
    by_id = {c.indicator.id: c for c in cards}
    # Within chance variation is neither a strength nor a weakness.
    points = [
        {**c.point, "direction": c.indicator.direction}
        for c in cards
        if c.point and c.indicator.area != "kontekst" and c.point.get("value") is not None and not c.chance
    ]
    strong, weak = strongest_weakest(points, k)
    return [by_id[p["indicator"]] for p in strong], [by_id[p["indicator"]] for p in weak]


# ---------------------------------------------------------------------------------------------- components
def _explorer_href(area: str, unit: dict, indicator: str, lang: str, **extra: str) -> str:
    return with_lang(
        f"/obszar/{area}",
        lang,
        wskaznik=indicator,
        poziom=LEVEL_WORD[unit["level"]],
        jst=unit["teryt"],
        **extra,
    )


def _unit_link(store: Store, teryt: str, lang: str) -> dcc.Link:
    return dcc.Link(store.units.at[teryt, "display_name"], href=with_lang(f"/jst/{teryt}", lang))


def _fact(label: str, value: object) -> list:
    return [html.Dt(label, className="col-sm-4 col-lg-3"), html.Dd(value, className="col-sm-8 col-lg-9")]


def _missing_shape_note(store: Store, teryt: str, lang: str) -> str | None:
    for row in store.meta.get("missing_shapes", []):
        if row.get("teryt") == teryt:
            tx = TEXT[lang]
            m = re.search(r"\((\d{7})\)", row.get("reason", ""))
            parent = ""
            if m and m.group(1) in store.units.index:
                parent = tx["new_parent"].format(name=f"{store.units.at[m.group(1), 'name']} ({m.group(1)})")
            return tx["new_gmina"].format(parent=parent)
    return None


def header(store: Store, unit: dict, lang: str, notes: list[str]) -> html.Header:
    tx = TEXT[lang]
    teryt, level = unit["teryt"], unit["level"]
    kind = "mnpp" if unit["mnpp"] else unit["kind"]
    num = lambda v, d=0: format_number(v, d, lang) if _finite(v) else tx["no_data"]  # noqa: E731
    facts = _fact(tx["type"], KIND_WORDS[lang][kind])
    facts += _fact(tx["population"], num(unit.get("population")))
    facts += _fact(
        tx["area"],
        (num(unit.get("area_km2"), 1) + " km²") if _finite(unit.get("area_km2")) else tx["no_data"],
    )
    facts += _fact(
        tx["density"],
        (num(unit.get("density")) + (" os./km²" if lang != "en" else " per km²"))
        if _finite(unit.get("density"))
        else tx["no_data"],
    )
    edu = store.catalogue.area_by_id.get("edukacja") or store.catalogue.areas[0]
    facts += _fact(
        tx["peer_group"],
        [
            store.peer_group_name(unit["peer_group"], lang),
            " · ",
            dcc.Link(
                tx["peer_ranking"],
                href=_explorer_href(edu.id, unit, edu.headline, lang, widok="ranking", podobne="1"),
            ),
        ],
    )
    parents: list = []
    if level == "gmina" and not unit["mnpp"]:
        parents += [_unit_link(store, unit["powiat"], lang), ", "]
    if level != "wojewodztwo":
        parents.append(_unit_link(store, unit["wojewodztwo"], lang))
    if parents:
        facts += _fact(tx["parents"], parents)
    if unit["mnpp"]:
        other = (
            teryt[:4]
            if level == "gmina"
            else next((c for c in store.units.index if len(c) == 7 and c.startswith(teryt)), None)
        )
        if other and other in store.units.index:
            facts += _fact(
                tx["also"],
                dcc.Link(
                    tx["as_powiat" if level == "gmina" else "as_gmina"], href=with_lang(f"/jst/{other}", lang)
                ),
            )
    facts += _fact(tx["teryt"], html.Code(teryt))
    children = (
        store.units[
            (store.units["level"] == ("gmina" if level == "powiat" else "powiat"))
            & (store.units["teryt"].str.startswith(teryt))
        ]
        if level != "gmina" and not unit["mnpp"]
        else None
    )
    members = None
    if children is not None and len(children):
        label = tx["gminy" if level == "powiat" else "powiaty"].format(n=len(children))
        members = html.Details(
            [
                html.Summary(label),
                html.Ul(
                    [html.Li(_unit_link(store, c, lang)) for c in children["teryt"]],
                    className="member-list mt-2",
                ),
            ],
            className="profile-members mt-2",
        )
    actions = html.Div(
        [
            dcc.Link(
                tx["budget"],
                href=with_lang(f"/budzet/{teryt}", lang),
                className="btn btn-outline-primary btn-sm",
            ),
            dcc.Link(
                tx["compare"],
                href=with_lang("/porownaj", lang, jst=teryt),
                className="btn btn-outline-primary btn-sm",
            ),
        ],
        className="profile-actions d-flex flex-wrap align-items-center gap-2 mt-2",
    )
    return html.Header(
        [
            html.H1(unit["display_name"], className="h2 mb-0"),
            html.P(store.context_line(teryt, lang), className="text-muted mb-2"),
            *[dbc.Alert(n, color="info", className="py-2 profile-note") for n in notes],
            html.Dl(facts, className="row profile-facts mb-0"),
            members,
            actions,
        ],
        className="profile-header",
    )


def _band_badge(card: Card, lang: str) -> html.Span | None:
    key, pl, en = card.band
    if key == "no_data":
        return None
    tx = TEXT[lang]
    text = en if lang == "en" else pl
    if card.indicator.direction == "neutral":
        text = f"{text} ({tx['neutral']})"
    return fast(html.Span, text, className=f"band band-{key}")


def card_component(store: Store, unit: dict, card: Card, lang: str) -> html.Div:
    # Few components per card (a profile has up to 87): building components is most of the page's server time.
    tx = TEXT[lang]
    ind = card.indicator
    point = card.point or {}
    value = point.get("value")
    unit_text = ind.unit.get(lang)
    peer = point.get("peer") or {}
    badge = fast(html.Span, tx["synthetic"], className="badge synthetic-badge ms-1") if card.synthetic else None
    title = (ind.short_name or ind.name).get(lang)
    value_text = format_value(value, unit_text, ind.decimals, lang) if value is not None else tx["no_data"]
    body: list = [
        fast(html.H3,
            [
                fast(dcc.Link, title, href=_explorer_href(ind.area, unit, ind.id, lang), title=ind.name.get(lang)),
                badge,
            ],
            className="h6 card-title mb-1",
        ),
        fast(html.P,
            [fast(html.Strong, value_text, className="card-value"), f" ({card.year})" if card.year else ""],
            className="mb-1",
        ),
    ]
    meta: list = []
    if _finite(peer.get("median")) and value is not None:
        median = format_value(peer["median"], unit_text, ind.decimals, lang)
        meta.append(f"{tx['peer_median']}: {median} ")
    band = None if card.chance else _band_badge(card, lang)
    if card.chance:
        meta.append(chance_label(lang))
    if band is not None:
        meta.append(band)
        if point.get("rank_peer") and ind.direction != "neutral":
            meta.append(" " + tx["rank"].format(r=point["rank_peer"], n=point["n_peer"]))
    if meta:
        body.append(fast(html.P, meta, className="card-meta small mb-1"))
    shown = [v for v in card.values if v is not None]
    if len(card.years) > 1 and len(shown) > 1:
        pairs = [(y, v) for y, v in zip(card.years, card.values, strict=True) if v is not None]
        first, last = (format_value(v, unit_text, ind.decimals, lang) for v in (pairs[0][1], pairs[-1][1]))
        caption = tx["trend"].format(
            a=card.years[0], b=card.years[-1], unit=unit["name"], first=first, last=last
        )
        svg = sparkline_svg(card.years, card.values, peer_median=card.peer_medians, breaks=card.breaks)
        body.append(
            fast(html.Figure,
                [
                    fast(html.Img, src=svg_data_uri(svg), alt=caption, className="sparkline"),
                    fast(html.Figcaption, f"{card.years[0]}–{card.years[-1]}", className="sparkline-years"),
                ],
                className="mb-1",
            )
        )
    body.append(fast(html.P, card.sentence, className="card-sentence small mb-1"))
    if card.caveat:
        body.append(fast(html.P, card.caveat, className="caveat small mb-0"))
    classes = "card card-body h-100 profile-card" + (" is-synthetic" if card.synthetic else "")
    return fast(html.Div,
        fast(html.Div, body, id=ids.unit_card(unit["teryt"], ind.id), className=classes),
        className="col-12 col-md-6 col-xl-4 profile-col",
    )


def chance_label(lang: str) -> html.Span:
    """The «w granicach przypadkowych wahań» label (replaces the judging band of a rate indicator)."""
    tx = TEXT[lang]
    return fast(html.Span, tx["chance"], className="band chance-label", title=tx["chance_title"])


def break_notes(store: Store, teryt: str, lang: str) -> list[str]:
    """Plain notes on the unit's series breaks («W 2025 r. zmienił się typ gminy – …»)."""
    tx = TEXT[lang]
    key = "en" if lang == "en" else "pl"
    out = []
    for b in unit_breaks(store, teryt):
        if b["change"] == "type":
            old = GMINA_KIND.get(b["old_teryt"][6], (b["old_teryt"][6],) * 2)[key == "en"]
            new = GMINA_KIND.get(b["new_teryt"][6], (b["new_teryt"][6],) * 2)[key == "en"]
            template = tx["break_type_window"] if b["earliest"] < b["year"] else tx["break_type"]
            out.append(template.format(year=b["year"], earliest=b["earliest"], old=old, new=new))
        else:
            parent, child = (
                store.units.at[c, "name"] if c in store.units.index else c
                for c in (b["old_teryt"], b["new_teryt"])
            )
            out.append(tx["break_split"].format(year=b["year"], parent=parent, child=child))
    return list(dict.fromkeys(out))


def _var_names(names: list[str] | tuple[str, ...], lang: str) -> str:
    key = "en" if lang == "en" else "pl"
    return ", ".join(VARIABLES[v][key] for v in names)


VAR_COLOURS = {
    "population": "#225ea8",
    "density": "#41b6c4",
    "type": "#7a0177",
    "share_65_plus": "#e08214",
    "own_revenue": "#1a9850",
}


def similar_list(store: Store, teryt: str, variables: tuple[str, ...] | None, lang: str) -> list:
    """The k=10 nearest units with their distance and what makes them differ (per-variable bars)."""
    tx = TEXT[lang]
    key = "en" if lang == "en" else "pl"
    if variables is not None and not variables:
        return [html.P(tx["similar_none"], className="small text-muted")]
    result = similar_units(store, teryt, k=10, variables=variables)
    names = [v["id"] for v in result["variables"]]
    if result["missing"]:
        return [
            html.P(tx["similar_missing"].format(vars=_var_names(result["missing"], lang)), className="small")
        ]
    units = result["units"]
    if not units:
        return []
    mean = {v: sum(u["contributions"][v] for u in units) / len(units) for v in names}
    most = sorted(names, key=lambda v: mean[v])[: 2 if len(names) > 2 else 1]
    out: list = [
        html.P(tx["similar_most"].format(vars=_var_names(most, lang)), className="similar-most mb-2")
    ]
    if result["notice"]:
        out.append(html.P(result["notice"][key], className="small caveat"))
    legend = html.Div(
        [
            html.Span(
                [
                    html.Span(className="similar-swatch", style={"background": VAR_COLOURS[v]}),
                    VARIABLES[v][key],
                ],
                className="me-3 text-nowrap",
            )
            for v in names
        ],
        className="similar-legend small d-flex flex-wrap mb-2",
        **{"aria-hidden": "true"},
    )
    out.append(legend)
    items = []
    for u in units:
        contrib = u["contributions"]
        mainly = max(names, key=lambda v: contrib[v])
        distance = format_number(u["distance"], 2, lang)
        bar = html.Div(
            [
                html.Span(
                    className="similar-seg",
                    style={"width": f"{100 * contrib[v]:.1f}%", "background": VAR_COLOURS[v]},
                    title=f"{VARIABLES[v][key]}: {format_number(100 * contrib[v], 0, lang)}%",
                )
                for v in names
                if contrib[v] > 0
            ],
            className="similar-bar",
            style={"width": f"{min(100.0, 100 * u['distance'] / max(units[-1]['distance'], 1e-9)):.1f}%"},
            **{"aria-hidden": "true"},
        )
        detail = tx["similar_distance"].format(d=distance)
        if u["distance"] > 0:
            detail += " · " + tx["similar_mainly"].format(var=VARIABLES[mainly][key])
        items.append(
            html.Li(
                [
                    dcc.Link(
                        u["display_name"], href=with_lang(f"/jst/{u['teryt']}", lang), className="fw-semibold"
                    ),
                    html.Span(" " + store.context_line(u["teryt"], lang), className="small text-muted"),
                    html.Div(detail, className="small"),
                    bar,
                ],
                className="similar-item",
            )
        )
    out.append(html.Ol(items, className="similar-list ps-3"))
    return out


def similar_section(store: Store, unit: dict, variables: tuple[str, ...] | None, lang: str) -> html.Section:
    tx = TEXT[lang]
    key = "en" if lang == "en" else "pl"
    chosen = list(variables) if variables is not None else list(VARIABLES)
    edu = store.catalogue.area_by_id.get("edukacja") or store.catalogue.areas[0]
    api = f"/api/v1/units/{unit['teryt']}/similar?k=10&vars={','.join(chosen)}" if chosen else ""
    return html.Section(
        [
            html.H2(tx["similar_h"], className="h4"),
            html.P(tx["similar_lead"].format(k=10, name=unit["name"]), className="small text-muted"),
            html.Fieldset(
                [
                    html.Legend(tx["similar_vars"], className="small fw-semibold mb-1"),
                    dbc.Checklist(
                        id=ids.PROFILE_SIMILAR_VARS,
                        options=[{"label": VARIABLES[v][key], "value": v} for v in VARIABLES],
                        value=chosen,
                        inline=True,
                        className="small",
                    ),
                ],
                className="mb-2",
            ),
            html.Div(
                similar_list(store, unit["teryt"], variables, lang),
                id=ids.PROFILE_SIMILAR,
                **{"aria-live": "polite"},
            ),
            html.P(
                [
                    dcc.Link(
                        tx["similar_ranking"],
                        className="me-3",
                        href=_explorer_href(edu.id, unit, edu.headline, lang, widok="ranking", podobne="knn"),
                    ),
                    html.A(tx["similar_api"], href=api) if api else None,
                ],
                className="small no-print mb-0",
            ),
        ],
        id="podobne",
        className="profile-similar mt-4",
    )


def pack_options(store: Store, level: str, lang: str) -> tuple[list[dict], list[str]]:
    """Checklist options (every judged indicator of the level) and the default choice: the area headlines."""
    inds = [i for i in profile_indicators(store, level) if i.area != "kontekst"]
    options = [{"label": (i.short_name or i.name).get(lang), "value": i.id} for i in inds]
    present = {i.id for i in inds}
    default = [a.headline for a in store.catalogue.areas if a.headline in present]
    return options, default


def pack_section(store: Store, unit: dict, lang: str, checklist_id: str, link_id: str) -> html.Section:
    """The debate-pack picker and the PDF link (callbacks keep the href in step with the checklist)."""
    tx = TEXT[lang]
    options, default = pack_options(store, unit["level"], lang)
    return html.Section(
        [
            html.H2(tx["pack_h"], className="h4"),
            html.P(tx["pack_lead"], className="small text-muted"),
            html.Details(
                [
                    html.Summary(tx["pack_choose"]),
                    dbc.Checklist(
                        id=checklist_id, options=options, value=default, className="pack-checklist mt-2"
                    ),
                ],
                className="mb-2",
            ),
            html.A(
                tx["pack_button"],
                id=link_id,
                href=pack_href(unit["teryt"], default, lang),
                className="btn btn-primary btn-sm",
                download="",
            ),
        ],
        id="pakiet",
        className="debate-pack no-print mt-4",
    )


def area_sections(store: Store, unit: dict, cards: list[Card], lang: str) -> list:
    tx = TEXT[lang]
    sections = []
    for area in sorted(store.catalogue.areas, key=lambda a: a.id == "kontekst"):
        own = [c for c in cards if c.indicator.area == area.id]
        if not own:
            continue
        lead = tx["kontekst_lead"] if area.id == "kontekst" else area.description.get(lang)
        headline = area.headline if any(c.indicator.id == area.headline for c in own) else own[0].indicator.id
        sections.append(
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(area.name.get(lang), className="h4 mb-0"),
                            dcc.Link(
                                tx["explore"],
                                href=_explorer_href(area.id, unit, headline, lang),
                                className="small no-print",
                            ),
                        ],
                        className="d-flex flex-wrap align-items-baseline justify-content-between gap-2",
                    ),
                    html.P(lead, className="text-muted small mb-2"),
                    dbc.Row([card_component(store, unit, c, lang) for c in own], className="g-3"),
                ],
                id=ids.profile_section(area.id),
                className="profile-area mt-4",
                **{"aria-label": area.name.get(lang)},
            )
        )
    return sections


def strengths_section(store: Store, unit: dict, cards: list[Card], lang: str) -> html.Section:
    tx = TEXT[lang]
    strong, weak = strengths(cards)

    def items(chosen: list[Card], what: str) -> html.Component:
        if not chosen:
            return html.P(tx["none"].format(what=tx[what]), className="small text-muted")
        return html.Ol(
            [
                html.Li(
                    [
                        dcc.Link(
                            (c.indicator.short_name or c.indicator.name).get(lang),
                            href=_explorer_href(c.indicator.area, unit, c.indicator.id, lang),
                            className="fw-semibold",
                        ),
                        " ",
                        _band_badge(c, lang),
                        html.Span(tx["synthetic"], className="badge synthetic-badge ms-1")
                        if c.synthetic
                        else None,
                        html.Div(c.sentence, className="small"),
                    ],
                    className="mb-2",
                )
                for c in chosen
            ],
            className="strength-list ps-3",
        )

    any_synthetic = any(c.synthetic for c in strong + weak)
    return html.Section(
        [
            html.H2(tx["strong_h"], className="h4"),
            html.P(
                tx["strong_lead"].format(
                    name=unit["name"], group=store.peer_group_name(unit["peer_group"], lang)
                ),
                className="small text-muted",
            ),
            html.P(tx["strong_synth"], className="small caveat") if any_synthetic else None,
            dbc.Row(
                [
                    dbc.Col(
                        [html.H3(tx["strongest"], className="h5 strong-h"), items(strong, "none_better")],
                        xs=12,
                        lg=6,
                    ),
                    dbc.Col(
                        [html.H3(tx["weakest"], className="h5 weak-h"), items(weak, "none_worse")],
                        xs=12,
                        lg=6,
                    ),
                ]
            ),
        ],
        id="mocne-slabe",
        className="profile-strengths mt-4",
    )


def year_options(store: Store, level: str, lang: str) -> list[dict]:
    years = sorted(
        {y for ind in profile_indicators(store, level) for y in store.years(ind.id, level)}, reverse=True
    )
    return [{"label": TEXT[lang]["latest"], "value": LATEST}] + [
        {"label": str(y), "value": str(y)} for y in years
    ]


def downloads(teryt: str, year: int | None, lang: str) -> html.Div:
    from urllib.parse import urlencode

    qs = urlencode({"jst": teryt} | ({"rok": str(year)} if year else {}))
    return html.Div(
        [
            html.Span(TEXT[lang]["download"], className="small"),
            html.A("CSV", href=f"/pobierz/profil.csv?{qs}", className="btn btn-sm btn-outline-secondary"),
            html.A("XLSX", href=f"/pobierz/profil.xlsx?{qs}", className="btn btn-sm btn-outline-secondary"),
        ],
        className="profile-downloads d-flex flex-wrap align-items-center gap-2 mt-2",
    )


def body_children(store: Store, unit: dict, cards: list[Card], year: int | None, lang: str) -> list:
    """Everything that depends on the chosen year: downloads, strengths and the area sections."""
    shown = [c.year for c in cards if c.year is not None and c.indicator.area != "kontekst"]
    return [
        downloads(unit["teryt"], year or (max(shown) if shown else None), lang),
        strengths_section(store, unit, cards, lang),
        *area_sections(store, unit, cards, lang),
    ]


def profile_body(teryt: str, rok: object = None, lang: str = "pl") -> list:
    """The year-dependent part of a profile (what the year control re-renders)."""
    store = get_store()
    lang = _lang(lang)
    unit = store.unit(teryt)
    if unit is None:
        return []
    year = _year(rok)
    if year is not None and str(year) not in {o["value"] for o in year_options(store, unit["level"], lang)}:
        year = None
    return body_children(store, unit, build_cards(store, unit, year, lang), year, lang)


def _toc(store: Store, level: str, lang: str) -> html.Nav:
    tx = TEXT[lang]
    present = {i.area for i in profile_indicators(store, level)}
    links = [
        html.A(tx["strong_h"], href="#mocne-slabe"),
        html.A(tx["similar_h"], href="#podobne"),
        html.A(tx["pack_h"], href="#pakiet"),
    ]
    links += [
        html.A(a.name.get(lang), href=f"#{ids.profile_section(a.id)}")
        for a in sorted(store.catalogue.areas, key=lambda a: a.id == "kontekst")
        if a.id in present
    ]
    return html.Nav(
        [html.Span(tx["toc"] + ":", className="fw-semibold me-1"), *links],
        className="profile-toc no-print small d-flex flex-wrap gap-2 mt-3",
        **{"aria-label": tx["toc"]},
    )


def parse_similar_vars(zmienne: str | None) -> tuple[str, ...] | None:
    """The URL's `zmienne` (comma-separated variable names; unknown ones dropped); None = all variables."""
    if zmienne is None:
        return None
    names = [v for v in zmienne.split(",") if v in VARIABLES]
    return parse_variables(names) if names else ()


def layout(
    teryt: str | None = None, rok: str | None = None, lang: str = "pl", zmienne: str | None = None, **_: str
) -> list:
    store = get_store()
    lang = _lang(lang)
    tx = TEXT[lang]
    controls = [
        dcc.Location(id=ids.PROFILE_URL, refresh="callback-nav"),
        html.Div(id=ids.PROFILE_SCROLL, hidden=True),
    ]
    if teryt is None:  # validation layout: the ids, no unit
        content = [
            html.H1("OMUP", className="h2"),
            html.P(tx["choose"]),
            dbc.Select(id=ids.PROFILE_YEAR, options=[], value=LATEST),
            html.Div(id=ids.PROFILE_BODY),
            dbc.Checklist(id=ids.PROFILE_SIMILAR_VARS, options=[], value=[]),
            html.Div(id=ids.PROFILE_SIMILAR),
            dbc.Checklist(id=ids.PROFILE_PACK_INDICATORS, options=[], value=[]),
            html.A(id=ids.PROFILE_PACK_LINK),
            *controls,
        ]
        return page(lang, "/jst", {}, content)
    code = str(teryt)
    resolved, changed = store.resolve(code)
    if resolved is None:
        raise NotFound("unit", code)
    resolved = str(resolved)
    unit = store.unit(resolved)
    notes = [tx["changed"].format(old=code, new=resolved)] if changed else []
    shape_note = _missing_shape_note(store, resolved, lang)
    if shape_note:
        notes.append(shape_note)
    breaks = break_notes(store, resolved, lang)
    if breaks:
        notes.append(" ".join([*breaks, tx["break_mark"]]))
    year = _year(rok)
    options = year_options(store, unit["level"], lang)
    if year is not None and str(year) not in {o["value"] for o in options}:
        year = None
    cards = build_cards(store, unit, year, lang)
    year_control = html.Div(
        [
            dbc.Label(tx["year"], html_for=ids.PROFILE_YEAR, className="mb-0 fw-semibold"),
            dbc.Select(
                id=ids.PROFILE_YEAR, options=options, value=str(year) if year else LATEST, className="w-auto"
            ),
            html.Span(tx["year_help"], className="small text-muted"),
        ],
        className="profile-year controls d-flex flex-wrap align-items-center gap-2 mt-3",
    )
    content = [
        header(store, unit, lang, notes),
        year_control,
        html.P(tx["legend"], className="profile-legend small text-muted mt-2 mb-0"),
        _toc(store, unit["level"], lang),
        html.Div(
            body_children(store, unit, cards, year, lang), id=ids.PROFILE_BODY, className="profile-body"
        ),
        similar_section(store, unit, parse_similar_vars(zmienne), lang),
        pack_section(store, unit, lang, ids.PROFILE_PACK_INDICATORS, ids.PROFILE_PACK_LINK),
        *controls,
    ]
    query = {k: v for k, v in {"rok": str(year) if year else None, "zmienne": zmienne}.items() if v}
    # The banner's generic wording: naming ~70 synthetic indicators would bury it; each card has its badge.
    return page(lang, f"/jst/{resolved}", query, html.Div(content, className="profile"))
