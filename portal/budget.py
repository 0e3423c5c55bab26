"""The councillors' budget view as data: the official series first (own revenue and its taxes, PIT shares at
every level, investment spending), then the demo's spending by budget division; the comparison group (peer
group or the 10 most similar units), the gaps to its median in złoty. Tested without Dash.

Honest levels: a gmina budget's values are shown only for gminy; a powiat's or województwo's budget shows
what sources hold of it (MF's PIT shares), never the sum of its gminy.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from portal.catalogue import Indicator
from portal.explain import gap_sentence, sentence_level
from portal.i18n import N_, lang_of, translator
from portal.similar import KNN_K, similar_units, stats_over
from portal.state import BudgetState, parse_budget
from portal.store import Store


@dataclass(frozen=True)
class Section:
    """A budget division (dział or pair of działy) of the demo's spending view, with its headline outcome."""

    key: str  # URL value of `obszar`
    code: str  # budget_section in the catalogue
    indicator: str  # spending per resident
    name: str  # gettext message
    phrase: str  # what the money is spent on, with its preposition (gap sentences)
    outcome: str | None  # the area's headline outcome indicator (None: no single outcome)


SECTIONS: tuple[Section, ...] = (
    Section("600", "600", "wydatki-600-na-mieszkanca", N_("Transport and roads"), N_("on transport and roads"),
            "drogi-rowerowe-na-100-km2"),
    Section("700", "700", "wydatki-700-na-mieszkanca", N_("Housing"), N_("on housing"),
            "mieszkania-komunalne-na-1000"),
    Section("710", "710", "wydatki-710-na-mieszkanca", N_("Surveying and planning"), N_("on surveying and planning"),
            "mpzp-pokrycie"),
    Section("801-854", "801+854", "wydatki-oswiata-na-mieszkanca", N_("Education"), N_("on education"),
            "egzamin-8-matematyka"),
    Section("852-855", "852+855", "wydatki-pomoc-spoleczna-na-mieszkanca", N_("Social assistance and family"),
            N_("on social assistance and family"), "zlobki-miejsca-na-1000"),
    Section("900", "900", "wydatki-900-na-mieszkanca", N_("Municipal services and environment"),
            N_("on municipal services and the environment"), "kanalizacja-odsetek"),
    Section("921", "921", "wydatki-921-na-mieszkanca", N_("Culture"), N_("on culture"),
            "biblioteki-czytelnicy-na-1000"),
    # No sport outcome in the catalogue yet; participation in cultural and recreational events stands in.
    Section("926", "926", "wydatki-926-na-mieszkanca", N_("Sport and recreation"), N_("on sport and recreation"),
            "imprezy-uczestnicy-na-1000"),
    Section("pozostale", "pozostałe", "wydatki-pozostale-na-mieszkanca", N_("Other (incl. administration)"),
            N_("on other tasks"), None),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}
SCATTER_SECTIONS = tuple(s for s in SECTIONS if s.outcome)
DEFAULT_SECTION = "801-854"
TOTAL = "wydatki-na-mieszkanca"

REVENUE_TOTAL = "dochody-wlasne-na-mieszkanca"


@dataclass(frozen=True)
class OfficialRow:
    """A row of the official table: an indicator of the unit's own budget, how it relates to own revenue."""

    indicator: str
    kind: str  # total | part (of own revenue) | revenue (other revenue) | spending
    phrase: str = ""  # spending: what the money is spent on (gap sentence)


OFFICIAL_ROWS: dict[str, tuple[OfficialRow, ...]] = {
    "gmina": (
        OfficialRow(REVENUE_TOTAL, "total"),
        OfficialRow("podatek-nieruchomosci-na-mieszkanca", "part"),
        OfficialRow("podatek-rolny-na-mieszkanca", "part"),
        OfficialRow("podatek-lesny-na-mieszkanca", "part"),
        OfficialRow("podatek-od-srodkow-transportowych-na-mieszkanca", "part"),
        OfficialRow("karta-podatkowa-na-mieszkanca", "part"),
        OfficialRow("udzial-pit-na-mieszkanca", "part"),
        OfficialRow("dochody-z-majatku-na-mieszkanca", "part"),
        OfficialRow("dochody-z-najmu-i-dzierzawy-na-mieszkanca", "part"),
        OfficialRow("dofinansowanie-inwestycji-na-mieszkanca", "revenue"),
        OfficialRow("wydatki-inwestycyjne-na-mieszkanca", "spending", N_("on investment")),
    ),
    "powiat": (OfficialRow("udzial-pit-powiatu-na-mieszkanca", "part"),),
    "wojewodztwo": (OfficialRow("udzial-pit-wojewodztwa-na-mieszkanca", "part"),),
}

INDICATOR_IDS: list[str] = list(dict.fromkeys([
    *(r.indicator for rows in OFFICIAL_ROWS.values() for r in rows),
    TOTAL, *(s.indicator for s in SECTIONS), REVENUE_TOTAL,
    *(s.outcome for s in SCATTER_SECTIONS if s.outcome),
]))

GROUP_TEXT = {  # phrases naming the comparison group
    "grupa": {"against": N_("similar units ({name})"), "median_of": N_("peer median"),
              "dots": N_("the similar units"), "median_row": N_("Peer median"), "legend": "{name}"},
    "knn": {"against": N_("the {k} most similar units"), "median_of": N_("median of the {k} most similar units"),
            "dots": N_("the {k} most similar units"), "median_row": N_("Median of the {k} most similar"),
            "legend": N_("the {k} most similar units")},
}


def level_of(store: Store, teryt: str) -> str:
    return str(store.units.at[teryt, "level"])


def official_rows(store: Store, level: str) -> tuple[OfficialRow, ...]:
    """The official rows this edition has values for at the level."""
    return tuple(r for r in OFFICIAL_ROWS.get(level, ()) if store.years(r.indicator, level))


def has_demo_spending(store: Store, level: str) -> bool:
    return bool(store.years(TOTAL, level))


def year_list(store: Store, teryt: str) -> list[int]:
    """Years with budget data at the unit's level (newest first): the official series, and in the demo the
    spending by division."""
    level = level_of(store, teryt)
    years = {y for r in official_rows(store, level) for y in store.years(r.indicator, level)}
    years |= set(store.years(TOTAL, level))
    return sorted(years, reverse=True)


def lead_indicator(store: Store, level: str) -> str | None:
    """The series whose latest year is the default year and whose value the summary line states."""
    rows = official_rows(store, level)
    return rows[0].indicator if rows else (TOTAL if has_demo_spending(store, level) else None)


def resolve_state(store: Store, teryt: str, params: dict[str, str]) -> BudgetState:
    """A complete, valid state; without `rok` the latest year of the lead series (not of a stale part)."""
    years = year_list(store, teryt)
    lead = lead_indicator(store, level_of(store, teryt))
    if not params.get("rok") and lead:
        lead_years = store.years(lead, level_of(store, teryt))
        if lead_years:
            params = {**params, "rok": str(lead_years[-1])}
    return parse_budget(teryt, params, years, tuple(s.key for s in SCATTER_SECTIONS), DEFAULT_SECTION)


# ------------------------------------------------------------------------------------------------ comparison group
@dataclass(frozen=True)
class Comparison:
    """Whom the unit is compared with: its fixed peer group, or its k most similar units (portal/similar.py).

    ``knn`` holds the similar units (nearest first) when they are the group; it is empty for the peer group,
    also when they were asked for but the unit lacks context data (``missing`` names the variables then).
    """

    store: Store
    teryt: str
    level: str
    peer_group: str
    knn: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    synthetic: bool = False  # the similarity uses a synthetic variable

    @property
    def mode(self) -> str:
        return "knn" if self.knn else "grupa"

    def stats(self, indicator_id: str, year: int) -> dict | None:
        """{n, min, q1, median, q3, max, mean} of the group for one indicator-year."""
        if self.knn:
            return _knn_stats(_Key(self.store), self.knn, indicator_id, self.level).get(year)
        return self.store.group(indicator_id, year, self.level, "peer", self.peer_group)

    def members(self) -> np.ndarray:
        """The group's codes (the peer group includes the unit itself, the similar units do not)."""
        return np.array(self.knn, dtype=str) if self.knn else self.store.peers(self.teryt)

    def text(self, key: str, lang: str) -> str:
        """A phrase naming the group ('podobnych jednostek (gminy …)', '10 najbardziej podobnych jednostek')."""
        name = self.store.peer_group_name(self.peer_group, lang)
        message = GROUP_TEXT[self.mode][key]
        return translator(lang)(message).format(name=name, k=len(self.knn)) if message != "{name}" else name


class _Key:
    """A store hashed by its cache key (version and edition) for memoised results."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __hash__(self) -> int:
        return hash(self.store.cache_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.store.cache_key == self.store.cache_key


@functools.lru_cache(maxsize=4096)
def _knn_stats(key: _Key, codes: tuple[str, ...], indicator_id: str, level: str) -> dict[int, dict]:
    """{year: statistics over ``codes``} for every year of the indicator (asked ~130 times per page)."""
    store = key.store
    return {y: s for y in store.years(indicator_id, level)
            if (s := stats_over(store, indicator_id, y, level, codes)) is not None}


@functools.lru_cache(maxsize=512)
def _comparison(key: _Key, teryt: str, peers: str) -> Comparison:
    store = key.store
    base = {"store": store, "teryt": teryt, "level": level_of(store, teryt),
            "peer_group": str(store.units.at[teryt, "peer_group"])}
    if peers != "knn":
        return Comparison(**base)
    from portal.profile import similar_variables

    result = similar_units(store, teryt, k=KNN_K, variables=similar_variables(store, base["level"]))
    if result["missing"] or not result["units"]:
        return Comparison(**base, missing=tuple(result["missing"]))
    return Comparison(**base, knn=tuple(u["teryt"] for u in result["units"]), synthetic=bool(result["synthetic"]))


def comparison_of(store: Store, teryt: str, peers: str = "grupa") -> Comparison:
    """The comparison group for the unit and the chosen mode (memoised per data version and edition)."""
    return _comparison(_Key(store), teryt, peers)


def _stats(group: dict | None) -> dict:
    group = group or {}
    return {k: group.get(k) for k in ("q1", "median", "q3", "n")}


def _latest_upto(store: Store, indicator_id: str, teryt: str, year: int) -> dict | None:
    """The unit's point in the chosen year, else in the latest earlier year with a value."""
    series = [p for p in store.series(indicator_id, teryt) if p["value"] is not None and p["year"] <= year]
    return store.point(indicator_id, teryt, series[-1]["year"]) if series else None


# ------------------------------------------------------------------------------------------------ official rows
def official_table(store: Store, teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list[dict]:
    """One row per official budget series of the unit's level: the value in the chosen year (else the latest
    earlier year, said in the row), the group's quartiles, the difference from the median, the share of own
    revenue of the same year, and for spending the gap in złoty at that year's population."""
    lang = lang_of(lang)
    level = level_of(store, teryt)
    comparison = comparison_of(store, teryt, peers)
    out = []
    for row in official_rows(store, level):
        ind: Indicator = store.catalogue.by_id[row.indicator]
        years = store.years(row.indicator, level)
        point = _latest_upto(store, row.indicator, teryt, year)
        shown = point["year"] if point else None
        value = point["value"] if point else None
        peer = _stats(comparison.stats(row.indicator, shown)) if shown else _stats(None)
        median = peer["median"]
        share = None
        if row.kind == "part" and level == "gmina" and shown is not None and value is not None:
            total = store.point(REVENUE_TOTAL, teryt, shown)
            if total and total["value"]:
                share = 100.0 * value / total["value"]
        population = point.get("denominator") if point else None
        gap = ((median - value) * population if row.kind == "spending" and None not in (value, median, population)
               else None)
        out.append({
            "indicator": row.indicator, "kind": row.kind, "name": (ind.short_name or ind.name).get(lang),
            "full_name": ind.name.get(lang), "unit": ind.unit.get(lang), "year": shown,
            "series": (years[0], years[-1]) if years else None, "value": value, "q1": peer["q1"],
            "median": median, "q3": peer["q3"], "n_peer": peer["n"],
            # Against a median that rounds to 0 zł a percentage says nothing.
            "diff_pct": 100.0 * (value - median) / median if (value is not None and median and abs(median) >= 0.5)
            else None,
            "share": share, "gap_zl": gap, "population": population, "phrase": row.phrase,
            "synthetic": bool(point and point["synthetic"]) or store.is_synthetic(row.indicator),
        })
    return out


def official_gap_sentences(store: Store, teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list[str]:
    """'Gdyby gmina wydawała na inwestycje tyle …, wydałaby o … zł mniej.' for the official spending rows,
    at the population of the row's year (the value's own denominator)."""
    lang = lang_of(lang)
    _ = translator(lang)
    unit = store.units.loc[teryt]
    level = sentence_level(str(unit["level"]), bool(unit["mnpp"]))
    out = []
    for r in official_table(store, teryt, year, lang, peers):
        if r["kind"] != "spending":
            continue
        text = gap_sentence(_(r["phrase"]), r["value"], r["median"], r["population"], level, lang)
        if text:
            out.append(_name_knn(text, comparison_of(store, teryt, peers), lang) + f" ({r['year']})")
    return out


# ------------------------------------------------------------------------------------------------ demo: divisions
def section_rows(store: Store, teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list[dict]:
    """Demo: one row per budget division plus the total: the unit's spending per resident, the group's quartiles,
    the gap in złoty ((group median − unit) × the unit's population; positive: it would spend more)."""
    lang = lang_of(lang)
    _ = translator(lang)
    comparison = comparison_of(store, teryt, peers)
    population = float(store.units.at[teryt, "population"] or 0) or None
    rows = []
    for key, code, ind_id, name in [(s.key, s.code, s.indicator, _(s.name)) for s in SECTIONS] + [
            ("razem", "", TOTAL, _("Total"))]:
        point = store.point(ind_id, teryt, year)
        peer = _stats(comparison.stats(ind_id, year))
        value = point["value"] if point else None
        median = peer["median"]
        gap = (median - value) * population if (value is not None and median is not None and population) else None
        rows.append({
            "key": key, "code": code, "indicator": ind_id, "name": name, "value": value, "q1": peer["q1"],
            "median": median, "q3": peer["q3"], "n_peer": peer["n"],
            "diff_pct": (100.0 * (value - median) / median) if (value is not None and median) else None,
            "gap_zl": gap, "synthetic": bool(point and point["synthetic"]) or store.is_synthetic(ind_id),
        })
    return rows


KNN_MEDIAN = {  # the gap sentence's group, renamed when the group is the similar units
    "pl": (re.compile(r"mediana podobnych \w+"), "mediana {k} najbardziej podobnych jednostek"),
    "en": (re.compile(r"the median of similar \w+"), "the median of the {k} most similar units"),
}


def _name_knn(text: str, comparison: Comparison, lang: str) -> str:
    if not comparison.knn:
        return text
    pattern, replacement = KNN_MEDIAN[lang_of(lang)]
    return pattern.sub(replacement.format(k=len(comparison.knn)), text)


def gap_sentences(store: Store, teryt: str, year: int, lang: str = "pl",
                  peers: str = "grupa") -> list[tuple[str, str, bool]]:
    """Demo: (section key, sentence, synthetic) for each division with data, then the total."""
    lang = lang_of(lang)
    _ = translator(lang)
    comparison = comparison_of(store, teryt, peers)
    unit = store.units.loc[teryt]
    level = sentence_level(str(unit["level"]), bool(unit["mnpp"]))
    population = float(unit["population"] or 0) or None
    phrases = {s.key: _(s.phrase) for s in SECTIONS}
    phrases["razem"] = _("in total")
    out = []
    for row in section_rows(store, teryt, year, lang, peers):
        text = gap_sentence(phrases[row["key"]], row["value"], row["median"], population, level, lang)
        if text:
            out.append((row["key"], _name_knn(text, comparison, lang), row["synthetic"]))
    return out


def demo_missing(store: Store, level: str) -> list[Indicator]:
    """The spending-by-division indicators this edition lacks at the level (what a fetch would bring)."""
    wanted = {TOTAL, *(s.indicator for s in SECTIONS)}
    return [i for i in store.full_catalogue.indicators if i.id in wanted and level in i.levels
            and i.id not in store.catalogue.by_id]


__all__ = [
    "DEFAULT_SECTION", "INDICATOR_IDS", "SECTIONS", "SECTION_BY_KEY", "Comparison", "comparison_of",
    "gap_sentences", "official_gap_sentences", "official_table", "resolve_state", "section_rows",
    "year_list",
]
