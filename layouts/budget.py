"""Councillors' budget view: spending per resident by budget section against peers, over time, against outcomes,
the gap to the peer median in złoty, and own revenue; printable as an A4 briefing.

The view is a function of (teryt, year, section, lang); `budget_view` builds every year-dependent part and is shared
by the first render here and by the sync callback in callbacks/budget.py.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html

from layouts.components.share import share_panel
from layouts.components.shell import page, with_lang
from layouts.not_found import NotFound
from layouts.components.debate import pack_section
from portal import ids
from portal.breaks import series_breaks
from portal.explain import format_money, format_number, gap_sentence, sentence_level
from portal.figures import (
    cost_outcome_figure,
    graph_config,
    peer_bars_figure,
    small_multiples_figure,
    stacked_structure_figure,
)
from portal.similar import KNN_K, VARIABLES, similar_units, stats_over
from portal.store import Store, get_store


@dataclass(frozen=True)
class Section:
    """A budget section (dział or pair of działy) shown on the page, with its headline outcome."""

    key: str  # URL value of `obszar`
    code: str  # budget_section in the catalogue
    indicator: str  # spending per resident
    name: dict[str, str]
    phrase: dict[str, str]  # what the money is spent on, with its preposition (for gap sentences)
    outcome: str | None  # the area's headline outcome indicator (None: no single outcome)


SECTIONS: tuple[Section, ...] = (
    Section(
        "600",
        "600",
        "wydatki-600-na-mieszkanca",
        {"pl": "Transport i drogi", "en": "Transport and roads"},
        {"pl": "na transport i drogi", "en": "on transport and roads"},
        "drogi-rowerowe-na-100-km2",
    ),
    Section(
        "700",
        "700",
        "wydatki-700-na-mieszkanca",
        {"pl": "Gospodarka mieszkaniowa", "en": "Housing"},
        {"pl": "na gospodarkę mieszkaniową", "en": "on housing"},
        "mieszkania-komunalne-na-1000",
    ),
    Section(
        "710",
        "710",
        "wydatki-710-na-mieszkanca",
        {"pl": "Geodezja i planowanie", "en": "Surveying and planning"},
        {"pl": "na geodezję i planowanie", "en": "on surveying and planning"},
        "mpzp-pokrycie",
    ),
    Section(
        "801-854",
        "801+854",
        "wydatki-oswiata-na-mieszkanca",
        {"pl": "Oświata", "en": "Education"},
        {"pl": "na oświatę", "en": "on education"},
        "egzamin-8-matematyka",
    ),
    Section(
        "852-855",
        "852+855",
        "wydatki-pomoc-spoleczna-na-mieszkanca",
        {"pl": "Pomoc społeczna i rodzina", "en": "Social assistance and family"},
        {"pl": "na pomoc społeczną i rodzinę", "en": "on social assistance and family"},
        "zlobki-miejsca-na-1000",
    ),
    Section(
        "900",
        "900",
        "wydatki-900-na-mieszkanca",
        {"pl": "Gospodarka komunalna i środowisko", "en": "Municipal services and environment"},
        {"pl": "na gospodarkę komunalną i środowisko", "en": "on municipal services and the environment"},
        "kanalizacja-odsetek",
    ),
    Section(
        "921",
        "921",
        "wydatki-921-na-mieszkanca",
        {"pl": "Kultura", "en": "Culture"},
        {"pl": "na kulturę", "en": "on culture"},
        "biblioteki-czytelnicy-na-1000",
    ),
    # No sport outcome in the catalogue yet; participation in cultural and recreational events stands in.
    Section(
        "926",
        "926",
        "wydatki-926-na-mieszkanca",
        {"pl": "Sport i rekreacja", "en": "Sport and recreation"},
        {"pl": "na sport i rekreację", "en": "on sport and recreation"},
        "imprezy-uczestnicy-na-1000",
    ),
    Section(
        "pozostale",
        "pozostałe",
        "wydatki-pozostale-na-mieszkanca",
        {"pl": "Pozostałe (m.in. administracja)", "en": "Other (incl. administration)"},
        {"pl": "na pozostałe zadania", "en": "on other tasks"},
        None,
    ),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}
SCATTER_SECTIONS = tuple(s for s in SECTIONS if s.outcome)
DEFAULT_SECTION = "801-854"
TOTAL = "wydatki-na-mieszkanca"

REVENUE_TOTAL = "dochody-wlasne-na-mieszkanca"
REVENUE_PARTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("podatek-nieruchomosci-na-mieszkanca", {"pl": "Podatek od nieruchomości", "en": "Property tax"}),
    ("udzial-pit-na-mieszkanca", {"pl": "Udział w PIT", "en": "PIT share"}),
    ("udzial-cit-na-mieszkanca", {"pl": "Udział w CIT", "en": "CIT share"}),
    ("oplaty-lokalne-na-mieszkanca", {"pl": "Opłaty lokalne", "en": "Local fees"}),
    ("dochody-wlasne-pozostale-na-mieszkanca", {"pl": "Pozostałe dochody własne", "en": "Other own revenue"}),
)

INDICATOR_IDS: list[str] = [
    TOTAL,
    *(s.indicator for s in SECTIONS),
    REVENUE_TOTAL,
    *(i for i, _ in REVENUE_PARTS),
    *(s.outcome for s in SCATTER_SECTIONS if s.outcome),
]

TEXT = {
    "pl": {
        "title": "Budżet: {name}",
        "kicker": "Widok dla radnych",
        "lead": "Na co idą pieniądze w przeliczeniu na mieszkańca, jak to wygląda na tle {against} i co za to "
        "dostają mieszkańcy.",
        "peers": "Porównuj z",
        "peers_group": "grupą podobnych jednostek ({name})",
        "peers_knn": "10 najbardziej podobnymi jednostkami (podobne JST)",
        "group": {
            "grupa": {
                "against": "podobnych jednostek ({name})",
                "median_of": "mediana podobnych",
                "dots": "podobnych jednostek",
                "median_row": "Mediana podobnych",
                "legend": "{name}",
            },
            "knn": {
                "against": "{k} najbardziej podobnych jednostek",
                "median_of": "mediana {k} najbardziej podobnych",
                "dots": "{k} najbardziej podobnych jednostek",
                "median_row": "Mediana {k} najbardziej podobnych",
                "legend": "{k} najbardziej podobnych jednostek",
            },
        },
        "similar_lead": "Porównujemy z {k} jednostkami najbardziej podobnymi pod względem liczby mieszkańców, "
        "gęstości zaludnienia, typu, udziału osób w wieku 65+ i dochodów własnych (podobne JST):",
        "similar_why": "Dlaczego te? Zobacz profil",
        "similar_synthetic": "Dobór uwzględnia dochody własne na mieszkańca – w tym wydaniu syntetyczne (nie są to "
        "dane urzędowe).",
        "similar_missing": "Brak danych o cechach: {vars} – nie da się wskazać 10 najbardziej podobnych jednostek. "
        "Porównujemy z grupą podobnych jednostek ({name}).",
        "year": "Rok",
        "section": "Obszar na wykresie koszt–efekt",
        "print": "Drukuj",
        "profile": "← Profil jednostki",
        "download": "Pobierz tabele:",
        "h_spend": "Wydatki na mieszkańca według obszarów",
        "spend_alt": "Wykres słupkowy: wydatki na mieszkańca w wybranym roku w dziewięciu obszarach budżetu, z medianą "
        "i środkowymi 50% podobnych jednostek. Te same liczby są w tabeli pod wykresem.",
        "spend_how": "Kwoty w zł na mieszkańca. Słupek: wydatki jednostki. Romb: mediana podobnych jednostek; kreska: środkowe 50% podobnych "
        "(od 1. do 3. kwartyla).",
        "t_caption": "Wydatki na mieszkańca w {year} r. (zł) na tle {against}",
        "c_section": "Obszar (dział budżetu)",
        "c_unit": "Jednostka",
        "c_q1": "1. kwartyl",
        "c_median": "Mediana",
        "c_q3": "3. kwartyl",
        "c_diff": "Różnica do mediany",
        "c_gap": "Gdyby wydawać tyle, co mediana",
        "total": "Razem",
        "dzial": "dz.",
        "more": "więcej",
        "less": "mniej",
        "same": "tyle samo",
        "h_gap": "Ile to w złotych",
        "gap_total": "Łącznie: ",
        "gap_caveats": "Jak to liczymy: (mediana podobnych na mieszkańca − wydatki jednostki na mieszkańca) × liczba "
        "mieszkańców jednostki. Liczba mieszkańców to stan z 2020 r. (GUS), także dla innych lat, więc "
        "kwoty są przybliżone. Mediana nie jest normą ani celem: podobne jednostki różnią się zadaniami, "
        "inwestycjami i cenami. Wartości wydatków są syntetyczne – nie są to dane urzędowe.",
        "h_trends": "Wydatki na mieszkańca w kolejnych latach",
        "trends_alt": "Dziewięć małych wykresów liniowych: wydatki jednostki na mieszkańca w latach {first}–{last} "
        "w każdym obszarze, z medianą i środkowymi 50% podobnych jednostek.",
        "trends_how": "Każdy wykres ma własną skalę: porównuj kształt linii, nie wysokość między wykresami. "
        "Szara pionowa linia: wybrany rok.",
        "break_label": {"type": "zmiana typu", "split": "podział"},
        "break_legend": "przerwa w serii (zmiana terytorialna)",
        "break_note": "Przerwa w serii – {reason}. Pomarańczowa przerywana linia na wykresach oznacza tę zmianę "
        "(dane od {year} r. dotyczą gminy po zmianie). Wartości sprzed zmiany i po niej nie są w pełni "
        "porównywalne: skok w tym miejscu nie musi oznaczać trendu.",
        "h_scatter": "Koszt a efekt",
        "scatter_lead": "Czy więcej pieniędzy oznacza lepszą usługę wśród podobnych jednostek?",
        "scatter_caption": "Każdy punkt to jedna z {dots}{n}: w poziomie wydatki na mieszkańca "
        "{section} ({xyear}), w pionie {outcome} ({yyear}). Czerwony romb: {name}. Przerywane "
        "linie: mediany tych jednostek – dzielą wykres na cztery ćwiartki (np. prawa górna: "
        "więcej wydaje i ma lepszy wynik). Związek nie oznacza przyczyny: wynik zależy także od "
        "innych rzeczy niż wydatki, a wydatki mogą rosnąć właśnie tam, gdzie jest gorzej.",
        "scatter_year": "Brak obu wartości w {year} r. – pokazujemy ostatni wspólny rok.",
        "scatter_none": "Brak danych do tego wykresu.",
        "outcome_dir": {
            "higher_better": "więcej = lepiej",
            "lower_better": "mniej = lepiej",
            "neutral": "bez oceny",
        },
        "h_revenue": "Dochody własne na mieszkańca i ich struktura",
        "revenue_alt": "Skumulowany wykres słupkowy: dochody własne na mieszkańca według źródeł dla jednostki i "
        "mediany podobnych jednostek.",
        "revenue_how": "Kwoty w zł na mieszkańca. Górny słupek: jednostka. Dolny: mediany poszczególnych źródeł wśród podobnych jednostek "
        "(ich suma nie musi równać się medianie dochodów własnych ogółem, podanej w tabeli).",
        "r_caption": "Dochody własne na mieszkańca w {year} r. (zł) i ich struktura",
        "c_source": "Źródło dochodu",
        "c_share": "Udział",
        "revenue_total": "Dochody własne razem",
        "synthetic": "syntetyczne",
        "no_data": "brak danych",
        "all_synthetic": "wszystkie wartości syntetyczne",
        "print_note": "Wydruk: {name}, rok {year}. Dane syntetyczne – nie są to dane urzędowe. Źródło: OMUP, {url}",
        "zl_pc": "zł na mieszkańca",
    },
    "en": {
        "title": "Budget: {name}",
        "kicker": "For councillors",
        "lead": "Where the money goes per resident, how that compares with {against} and what residents get "
        "for it.",
        "peers": "Compare with",
        "peers_group": "the peer group ({name})",
        "peers_knn": "the 10 most similar units",
        "group": {
            "grupa": {
                "against": "similar units ({name})",
                "median_of": "peer median",
                "dots": "the similar units",
                "median_row": "Peer median",
                "legend": "{name}",
            },
            "knn": {
                "against": "the {k} most similar units",
                "median_of": "median of the {k} most similar units",
                "dots": "the {k} most similar units",
                "median_row": "Median of the {k} most similar",
                "legend": "the {k} most similar units",
            },
        },
        "similar_lead": "Compared with the {k} units most similar in population, population density, type, share "
        "of residents aged 65+ and own revenue:",
        "similar_why": "Why these? See the profile",
        "similar_synthetic": "The choice uses own revenue per resident – synthetic in this release (not official "
        "data).",
        "similar_missing": "No data on: {vars} – the 10 most similar units cannot be found. Compared with the "
        "peer group ({name}) instead.",
        "year": "Year",
        "section": "Area in the cost–outcome chart",
        "print": "Print",
        "profile": "← Unit profile",
        "download": "Download tables:",
        "h_spend": "Spending per resident by area",
        "spend_alt": "Bar chart: spending per resident in the chosen year in nine budget areas, with the median and middle "
        "50% of similar units. The same numbers are in the table below the chart.",
        "spend_how": "Amounts in PLN per resident. Bar: the unit's spending. Diamond: median of similar units; whisker: middle 50% of similar "
        "units (1st to 3rd quartile).",
        "t_caption": "Spending per resident in {year} (PLN) next to {against}",
        "c_section": "Area (budget division)",
        "c_unit": "Unit",
        "c_q1": "1st quartile",
        "c_median": "Median",
        "c_q3": "3rd quartile",
        "c_diff": "Difference from median",
        "c_gap": "At the median it would spend",
        "total": "Total",
        "dzial": "div.",
        "more": "more",
        "less": "less",
        "same": "the same",
        "h_gap": "What that means in złoty",
        "gap_total": "In total: ",
        "gap_caveats": "How we compute it: (peer median per resident − the unit's spending per resident) × the "
        "unit's population. Population is the 2020 count (Statistics Poland), also for other years, "
        "so amounts are approximate. The median is not a norm or a target: similar units differ in "
        "tasks, investment and prices. Spending values are synthetic – not official statistics.",
        "h_trends": "Spending per resident over the years",
        "trends_alt": "Nine small line charts: the unit's spending per resident in {first}–{last} in each area, with "
        "the median and middle 50% of similar units.",
        "trends_how": "Each chart has its own scale: compare the shapes of the lines, not heights across charts. "
        "Grey vertical line: the chosen year.",
        "break_label": {"type": "type change", "split": "split"},
        "break_legend": "series break (territorial change)",
        "break_note": "Series break – {reason}. The dashed orange line in the charts marks this change (data from "
        "{year} on are for the gmina after the change). Values before and after are not fully comparable: a "
        "jump there need not be a trend.",
        "h_scatter": "Cost and outcome",
        "scatter_lead": "Does more money mean a better service among similar units?",
        "scatter_caption": "Each dot is one of {dots}{n}: across, spending per resident {section} "
        "({xyear}); up, {outcome} ({yyear}). Red diamond: {name}. Dashed lines: their "
        "medians – they split the chart into four quadrants (e.g. top right: spends more and does "
        "better). Correlation is not causation: outcomes depend on more than spending, and "
        "spending may rise exactly where things are worse.",
        "scatter_year": "Both values are not available for {year} – showing the latest common year.",
        "scatter_none": "No data for this chart.",
        "outcome_dir": {
            "higher_better": "more = better",
            "lower_better": "less = better",
            "neutral": "no judgement",
        },
        "h_revenue": "Own revenue per resident and its structure",
        "revenue_alt": "Stacked bar chart: own revenue per resident by source for the unit and the median of "
        "similar units.",
        "revenue_how": "Amounts in PLN per resident. Top bar: the unit. Bottom bar: medians of each source among similar units (their sum need "
        "not equal the median of total own revenue, given in the table).",
        "r_caption": "Own revenue per resident in {year} (PLN) and its structure",
        "c_source": "Source of revenue",
        "c_share": "Share",
        "revenue_total": "Own revenue, total",
        "synthetic": "synthetic",
        "no_data": "no data",
        "all_synthetic": "all values synthetic",
        "print_note": "Printout: {name}, year {year}. Synthetic data – not official statistics. Source: OMUP, {url}",
        "zl_pc": "PLN per resident",
    },
}


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


# ------------------------------------------------------------------------------------------------ state
PEER_MODES = ("grupa", "knn")  # as portal/state.py: the fixed peer group, or the k nearest units


@dataclass(frozen=True)
class BudgetState:
    teryt: str
    year: int
    section: str = DEFAULT_SECTION
    lang: str = "pl"
    peers: str = "grupa"  # `podobne=knn` in the URL: the 10 most similar units instead of the peer group

    def to_query(self) -> dict[str, str]:
        q = {"rok": str(self.year)}
        if self.section != DEFAULT_SECTION:
            q["obszar"] = self.section
        if self.peers == "knn":
            q["podobne"] = "knn"
        if self.lang == "en":
            q["lang"] = "en"
        return q

    def search(self) -> str:
        return "?" + urlencode(self.to_query())


def level_of(teryt: str) -> str:
    return str(get_store().units.at[teryt, "level"])


def year_list(teryt: str) -> list[int]:
    """Years with spending data at the unit's level (newest first)."""
    return sorted(get_store().years(TOTAL, level_of(teryt)), reverse=True)


def resolve_state(teryt: str, params: dict[str, str]) -> BudgetState:
    """A complete, valid state from URL parameters; anything unknown falls back to a default."""
    years = year_list(teryt)
    try:
        year = int(params.get("rok") or 0)
    except ValueError:
        year = 0
    if year not in years:
        year = years[0] if years else 0
    section = params.get("obszar") or DEFAULT_SECTION
    if section not in SECTION_BY_KEY or SECTION_BY_KEY[section].outcome is None:
        section = DEFAULT_SECTION
    peers = "knn" if params.get("podobne") == "knn" else "grupa"
    return BudgetState(teryt=teryt, year=year, section=section, lang=_lang(params.get("lang")), peers=peers)


def parse_search(search: str | None) -> dict[str, str]:
    qs = parse_qs((search or "").lstrip("?")[:2000])
    return {k: v[0] for k, v in qs.items() if v}


def teryt_of_path(pathname: str | None) -> str | None:
    parts = (pathname or "").rstrip("/").split("/")
    if len(parts) >= 3 and parts[-2] == "budzet" and parts[-1] in get_store().units.index:
        return parts[-1]
    return None


# ------------------------------------------------------------------------------------------------ comparison group
@dataclass(frozen=True)
class Comparison:
    """Whom the unit is compared with: its fixed peer group, or its k most similar units (portal/similar.py).

    ``knn`` holds the similar units (nearest first) when they are the group; it is empty for the peer group,
    also when they were asked for but the unit lacks context data (``missing`` names the variables then).
    """

    teryt: str
    level: str
    peer_group: str
    knn: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    synthetic: bool = False  # the similarity uses a synthetic variable (own revenue)

    @property
    def mode(self) -> str:
        return "knn" if self.knn else "grupa"

    def stats(self, indicator_id: str, year: int, store: Store | None = None) -> dict | None:
        """{n, min, q1, median, q3, max, mean} of the group for one indicator-year."""
        store = store or get_store()
        if self.knn:
            return _knn_stats(store.cache_key, self.knn, indicator_id, self.level).get(year)
        return store.group(indicator_id, year, self.level, "peer", self.peer_group)

    def members(self) -> np.ndarray:
        """The group's codes (the peer group includes the unit itself, the similar units do not)."""
        return np.array(self.knn, dtype=str) if self.knn else get_store().peers(self.teryt)

    def text(self, key: str, lang: str) -> str:
        """A phrase naming the group ('podobnych jednostek (gminy …)', '10 najbardziej podobnych jednostek')."""
        name = get_store().peer_group_name(self.peer_group, lang)
        return TEXT[_lang(lang)]["group"][self.mode][key].format(name=name, k=len(self.knn))


@functools.lru_cache(maxsize=4096)
def _knn_stats(version: str, codes: tuple[str, ...], indicator_id: str, level: str) -> dict[int, dict]:
    """{year: statistics over ``codes``} for every year of the indicator: the page asks for the same group's
    statistics ~130 times (tables, sentences, nine panels × ten years), each ~70 µs from the slices."""
    store = get_store()
    out = {}
    for year in store.years(indicator_id, level):
        stats = stats_over(store, indicator_id, year, level, codes)
        if stats is not None:
            out[year] = stats
    return out


@functools.lru_cache(maxsize=512)
def _comparison(version: str, teryt: str, peers: str) -> Comparison:
    store = get_store()
    base = {"teryt": teryt, "level": level_of(teryt), "peer_group": str(store.units.at[teryt, "peer_group"])}
    if peers != "knn":
        return Comparison(**base)
    result = similar_units(store, teryt, k=KNN_K)
    if result["missing"] or not result["units"]:
        return Comparison(**base, missing=tuple(result["missing"]))
    return Comparison(**base, knn=tuple(u["teryt"] for u in result["units"]), synthetic=bool(result["synthetic"]))


def comparison_of(teryt: str, peers: str = "grupa") -> Comparison:
    """The comparison group for the unit and the chosen mode (memoised per data version)."""
    return _comparison(get_store().cache_key, teryt, peers)


# ------------------------------------------------------------------------------------------------ numbers
def _stats(group: dict | None) -> dict:
    group = group or {}
    return {k: group.get(k) for k in ("q1", "median", "q3", "n")}


def section_rows(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list[dict]:
    """One row per budget section plus the total: the unit's spending per resident, the group's quartiles, the gap.

    The group is the peer group or, with ``peers="knn"``, the 10 most similar units (see `comparison_of`).
    Gap in złoty: (group median − unit) × the unit's 2020 population; positive means it would spend more.
    """
    store = get_store()
    lang = _lang(lang)
    comparison = comparison_of(teryt, peers)
    population = float(store.units.at[teryt, "population"] or 0) or None
    rows = []
    for key, code, ind_id, name in [(s.key, s.code, s.indicator, s.name[lang]) for s in SECTIONS] + [
        ("razem", "", TOTAL, TEXT[lang]["total"])
    ]:
        point = store.point(ind_id, teryt, year)
        peer = _stats(comparison.stats(ind_id, year))
        value = point["value"] if point else None
        median = peer["median"]
        gap = (
            (median - value) * population
            if (value is not None and median is not None and population)
            else None
        )
        rows.append(
            {
                "key": key,
                "code": code,
                "indicator": ind_id,
                "name": name,
                "value": value,
                "q1": peer["q1"],
                "median": median,
                "q3": peer["q3"],
                "n_peer": peer["n"],
                "diff_pct": (100.0 * (value - median) / median) if (value is not None and median) else None,
                "gap_zl": gap,
                "synthetic": bool(point and point["synthetic"]),
            }
        )
    return rows


KNN_MEDIAN = {  # the gap sentence's group, renamed when the group is the similar units
    "pl": (re.compile(r"mediana podobnych \w+"), "mediana {k} najbardziej podobnych jednostek"),
    "en": (re.compile(r"the median of similar \w+"), "the median of the {k} most similar units"),
}


def gap_sentences(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list[tuple[str, str]]:
    """(section key, sentence) for each section with data, then the total, from the release."""
    store = get_store()
    lang = _lang(lang)
    comparison = comparison_of(teryt, peers)
    pattern, replacement = KNN_MEDIAN[lang]
    unit = store.units.loc[teryt]
    level = sentence_level(str(unit["level"]), bool(unit["mnpp"]))
    population = float(unit["population"] or 0) or None
    out = []
    phrases = {s.key: s.phrase[lang] for s in SECTIONS}
    phrases["razem"] = "in total" if lang == "en" else "łącznie"
    for row in section_rows(teryt, year, lang, peers):
        phrase = phrases[row["key"]]
        text = gap_sentence(phrase, row["value"], row["median"], population, level, lang)
        if text and comparison.knn:
            text = pattern.sub(replacement.format(k=len(comparison.knn)), text)
        if text:
            out.append((row["key"], text))
    return out


def revenue_rows(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list[dict]:
    """Own revenue per resident by source and in total, with the group's medians and the unit's structure (%)."""
    store = get_store()
    lang = _lang(lang)
    comparison = comparison_of(teryt, peers)
    total_point = store.point(REVENUE_TOTAL, teryt, year)
    total = total_point["value"] if total_point else None
    rows = []
    for ind_id, name in [
        *REVENUE_PARTS,
        (REVENUE_TOTAL, {"pl": TEXT["pl"]["revenue_total"], "en": TEXT["en"]["revenue_total"]}),
    ]:
        point = store.point(ind_id, teryt, year)
        peer = _stats(comparison.stats(ind_id, year))
        value = point["value"] if point else None
        rows.append(
            {
                "indicator": ind_id,
                "name": name[lang],
                "value": value,
                "median": peer["median"],
                "q1": peer["q1"],
                "q3": peer["q3"],
                "share": (100.0 * value / total) if (value is not None and total) else None,
                "synthetic": bool(point and point["synthetic"]),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------------ figures
def _unit_name(teryt: str) -> str:
    return str(get_store().units.at[teryt, "display_name"])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


KNN_LEGEND = {  # figure legend names of the peer statistics → names of the similar units (portal/figures.py)
    "pl": {"mediana podobnych (środkowe 50% podobnych)": "mediana {k} najbardziej podobnych (środkowe 50%)",
           "środkowe 50% podobnych": "środkowe 50% z {k} najbardziej podobnych",
           "mediana podobnych": "mediana {k} najbardziej podobnych"},
    "en": {"peer median (middle 50% of peers)": "median of the {k} most similar (middle 50%)",
           "middle 50% of peers": "middle 50% of the {k} most similar",
           "peer median": "median of the {k} most similar"},
}


def _name_the_group(fig: dict, comparison: Comparison, lang: str) -> dict:
    """With the similar units as the group, the legend, hover and label texts say so instead of 'peers'."""
    if comparison.knn:
        pairs = [(a, b.format(k=len(comparison.knn))) for a, b in KNN_LEGEND[lang].items()]
        for item, key in [*((t, k) for t in fig["data"] for k in ("name", "hovertemplate")),
                          *((a, "text") for a in fig["layout"].get("annotations", []))]:
            if isinstance(item.get(key), str):
                for old, new in pairs:
                    item[key] = item[key].replace(old, new)
    return fig


def spending_figure(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> dict:
    lang = _lang(lang)
    rows = [r for r in section_rows(teryt, year, lang, peers) if r["key"] != "razem"]
    fig = peer_bars_figure(
        labels=[r["name"] for r in rows],
        values=[r["value"] for r in rows],
        q1=[r["q1"] for r in rows],
        median=[r["median"] for r in rows],
        q3=[r["q3"] for r in rows],
        unit_name=_unit_name(teryt),
        x_title=TEXT[lang]["zl_pc"] + f" ({year})",
        lang=lang,
        synthetic=any(r["synthetic"] for r in rows),
    )
    fig = _name_the_group(fig, comparison_of(teryt, peers), lang)
    # A legend entry does not wrap: on a phone "median (middle 50%)" would run off the figure.
    fig["data"][1]["name"] = fig["data"][1]["name"].replace(" (", "<br>(", 1)
    return fig


def _two_lines(title: str, width: int = 26) -> str:
    """A long panel title on two lines: in the third column at A4 print width it would run off the figure."""
    if len(title) <= width or " " not in title:
        return title
    cut = min((i for i, ch in enumerate(title) if ch == " "), key=lambda i: abs(i - len(title) / 2))
    return title[:cut] + "<br>" + title[cut + 1 :]


BREAK_COLOUR = "#b35806"  # as the profile sparklines and trend embeds (portal/figures.py)


def trend_breaks(teryt: str, first: int, last: int) -> list[dict]:
    """The unit's series breaks (portal/breaks.py) that fall inside the years shown, first < year <= last."""
    try:
        breaks = series_breaks(get_store(), teryt)
    except (ValueError, KeyError):
        return []
    return [b for b in breaks if first < b["year"] <= last]


def trends_figure(teryt: str, year: int | None = None, lang: str = "pl", peers: str = "grupa") -> dict:
    """Nine panels (one per section): the unit's spending per resident over the years against its group.

    Territorial changes of the unit inside the years shown are marked in every panel: a dashed orange line
    before the first year of the new state, a short label whose hover text gives the reason, and a legend entry.
    """
    store = get_store()
    lang = _lang(lang)
    comparison = comparison_of(teryt, peers)
    panels = []
    synthetic = False
    for s in SECTIONS:
        series = store.series(s.indicator, teryt)
        years = [p["year"] for p in series]
        stats = [comparison.stats(s.indicator, y, store) or {} for y in years]
        synthetic = synthetic or any(p["synthetic"] for p in series)
        panels.append(
            {
                "title": _two_lines(s.name[lang]),
                "years": years,
                "unit": [p["value"] for p in series],
                "median": [g.get("median") for g in stats],
                "q1": [g.get("q1") for g in stats],
                "q3": [g.get("q3") for g in stats],
            }
        )
    fig = small_multiples_figure(
        panels=panels, lang=lang, synthetic=synthetic, columns=3, mark_year=year, unit_name=_unit_name(teryt)
    )
    layout = fig["layout"]
    for note in layout["annotations"]:  # two-line panel titles stay flush left
        if "<br>" in str(note.get("text", "")):
            note["align"] = "left"
    # The chosen year in grey, so the orange dashed line means a series break here as everywhere else.
    for shape in layout["shapes"]:
        shape["line"] = {"color": "#868e96", "width": 1.2}
    all_years = sorted({y for p in panels for y in p["years"]})
    breaks = trend_breaks(teryt, all_years[0], all_years[-1]) if all_years else []
    labels = TEXT[lang]["break_label"]
    for k, p in enumerate(panels):
        suffix = "" if k == 0 else str(k + 1)
        for b in breaks:
            if not (p["years"] and p["years"][0] < b["year"] <= p["years"][-1]):
                continue
            x = b["year"] - 0.5  # between the last year before the change and the first after it
            layout["shapes"].append({
                "type": "line", "xref": f"x{suffix}", "yref": f"y{suffix} domain", "x0": x, "x1": x,
                "y0": 0, "y1": 1, "line": {"color": BREAK_COLOUR, "width": 1.5, "dash": "dash"},
            })
            layout["annotations"].append({
                "text": labels[b["change"]], "xref": f"x{suffix}", "yref": f"y{suffix} domain", "x": x,
                "y": 1, "xanchor": "right", "yanchor": "top", "showarrow": False,
                "font": {"size": 9, "color": BREAK_COLOUR}, "bgcolor": "rgba(255,255,255,0.8)",
                "hovertext": f"{b['year']}: {b['reason'][lang]}", "name": "series-break",
            })
    if breaks:  # a legend entry, so the dashed line reads without the note
        fig["data"].append({
            "type": "scatter", "x": [None], "y": [None], "mode": "lines", "xaxis": "x", "yaxis": "y",
            "line": {"color": BREAK_COLOUR, "width": 1.5, "dash": "dash"}, "name": TEXT[lang]["break_legend"],
            "hoverinfo": "skip", "showlegend": True,
        })
    return _name_the_group(fig, comparison, lang)


def break_note(teryt: str, lang: str = "pl") -> html.P | None:
    """The note under the small multiples on the unit's series breaks in the years shown (None without any)."""
    lang = _lang(lang)
    years = year_list(teryt)
    breaks = trend_breaks(teryt, years[-1], years[0]) if years else []
    if not breaks:
        return None
    texts = [
        TEXT[lang]["break_note"].format(reason=b["reason"][lang].rstrip("."), year=b["year"])
        for b in breaks
    ]
    return html.P(" ".join(dict.fromkeys(texts)), className="small break-note")


def scatter_years(teryt: str, section: Section, year: int) -> tuple[int | None, bool]:
    """The year for the cost–outcome chart: the chosen one if both indicators have it, else the latest common."""
    store = get_store()
    level = level_of(teryt)
    common = sorted(
        set(store.years(section.indicator, level)) & set(store.years(section.outcome or "", level))
    )
    if not common:
        return None, False
    if year in common:
        return year, False
    return common[-1], True


def scatter_view(
    teryt: str, year: int, section_key: str, lang: str = "pl", peers: str = "grupa"
) -> tuple[dict, list]:
    """The cost–outcome scatter of the unit's group (peer group or similar units) for one section, and its caption."""
    store = get_store()
    lang = _lang(lang)
    tx = TEXT[lang]
    comparison = comparison_of(teryt, peers)
    section = SECTION_BY_KEY.get(section_key) or SECTION_BY_KEY[DEFAULT_SECTION]
    level = level_of(teryt)
    used, fell_back = scatter_years(teryt, section, year)
    empty = {"data": [], "layout": {"height": 120, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}
    if used is None:
        return empty, [html.P(tx["scatter_none"])]
    xs, ys = store.slice(section.indicator, used, level), store.slice(section.outcome, used, level)
    mask = np.isin(xs.codes, comparison.members()) & np.isfinite(xs.value) & np.isfinite(ys.value)
    codes = xs.codes[mask]
    names = store.units.loc[codes, "display_name"].tolist()
    unit_idx = int(np.searchsorted(xs.codes, teryt))
    unit_x = float(xs.value[unit_idx]) if np.isfinite(xs.value[unit_idx]) else None
    unit_y = float(ys.value[unit_idx]) if np.isfinite(ys.value[unit_idx]) else None
    x_ind, y_ind = xs.indicator, ys.indicator
    fig = cost_outcome_figure(
        x=xs.value[mask].tolist(),
        y=ys.value[mask].tolist(),
        names=names,
        unit_x=unit_x,
        unit_y=unit_y,
        unit_name=_unit_name(teryt),
        x_median=float(np.median(xs.value[mask])) if mask.any() else None,
        y_median=float(np.median(ys.value[mask])) if mask.any() else None,
        x_title=f"{section.name[lang]}: {x_ind.unit.get(lang)} ({used})",
        y_title=f"{y_ind.name.get(lang)}<br>({y_ind.unit.get(lang)}; {tx['outcome_dir'][y_ind.direction]})",
        lang=lang,
        synthetic=bool(
            xs.synthetic[mask].any() or ys.synthetic[mask].any() or xs.synthetic[unit_idx] or ys.synthetic[unit_idx]
        ),
        peer_name=comparison.text("legend", lang),
    )
    caption = [
        tx["scatter_caption"].format(
            dots=comparison.text("dots", lang),
            # "(n)" counts the dots; for the similar units only when some lack a value (the name says 10)
            n="" if comparison.knn and int(mask.sum()) == len(comparison.knn) else f" ({int(mask.sum())})",
            section=section.phrase[lang],
            xyear=used,
            outcome=_lower_first(y_ind.name.get(lang)) if lang == "pl" else y_ind.name.get(lang),
            yyear=used,
            name=_unit_name(teryt),
        )
    ]
    if fell_back:
        caption = [tx["scatter_year"].format(year=year), " ", *caption]
    caption.append(" ")
    caption.append(dcc.Link(y_ind.name.get(lang), href=with_lang(f"/wskaznik/{y_ind.id}", lang)))
    return _name_the_group(fig, comparison, lang), caption


def revenue_figure(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> dict:
    lang = _lang(lang)
    rows = revenue_rows(teryt, year, lang, peers)[:-1]
    tx = TEXT[lang]
    return stacked_structure_figure(
        rows=[_unit_name(teryt), comparison_of(teryt, peers).text("median_row", lang)],
        parts=[{"name": r["name"], "values": [r["value"], r["median"]]} for r in rows],
        x_title=tx["zl_pc"] + f" ({year})",
        lang=lang,
        synthetic=any(r["synthetic"] for r in rows),
    )


# ------------------------------------------------------------------------------------------------ tables
def _zl(v: float | None, lang: str) -> str:
    return format_number(v, 0, lang) if v is not None else TEXT[lang]["no_data"]


def _badge(lang: str) -> html.Span:
    return html.Span(TEXT[lang]["synthetic"], className="badge synthetic-badge ms-1")


def _caption(text: str, rows: list[dict], lang: str) -> tuple[html.Caption, bool]:
    """The table's caption; when every value is synthetic one badge there labels them all (else per cell)."""
    all_synthetic = all(r["synthetic"] for r in rows)
    label = TEXT[lang]["all_synthetic"]
    return html.Caption(
        [text, " ", html.Span(label, className="badge synthetic-badge") if all_synthetic else None]
    ), all_synthetic


def spending_table(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> html.Table:
    lang = _lang(lang)
    tx = TEXT[lang]
    head = html.Thead(
        html.Tr(
            [
                html.Th(tx[c], scope="col")
                for c in ("c_section", "c_unit", "c_q1", "c_median", "c_q3", "c_diff", "c_gap")
            ]
        )
    )
    body = []
    rows = section_rows(teryt, year, lang, peers)
    against = comparison_of(teryt, peers).text("against", lang)
    caption, all_synthetic = _caption(tx["t_caption"].format(year=year, against=against), rows, lang)
    for r in rows:
        diff = (
            "–"
            if r["diff_pct"] is None
            else (("+" if r["diff_pct"] > 0 else "") + format_number(r["diff_pct"], 0, lang) + "%")
        )
        if r["gap_zl"] is None:
            gap = "–"
        else:
            gap = f"{format_money(r['gap_zl'], lang)} {tx['more'] if r['gap_zl'] > 0 else tx['less']}"
        label = [r["name"]] + (
            [html.Span(f" ({tx['dzial']} {r['code']})", className="text-muted small")]
            if r["code"] and r["code"] != "pozostałe"
            else []
        )
        badge = _badge(lang) if r["synthetic"] and not all_synthetic else None
        cells = [
            html.Th(label, scope="row"),
            html.Td([_zl(r["value"], lang), badge]),
            html.Td(_zl(r["q1"], lang)),
            html.Td(_zl(r["median"], lang)),
            html.Td(_zl(r["q3"], lang)),
            html.Td(diff),
            html.Td(gap),
        ]
        body.append(html.Tr(cells, className="table-total" if r["key"] == "razem" else None))
    return html.Table([caption, head, html.Tbody(body)], className="table table-sm budget-table")


def revenue_table(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> html.Table:
    lang = _lang(lang)
    tx = TEXT[lang]
    head = html.Thead(
        html.Tr(
            [
                html.Th(tx[c], scope="col")
                for c in ("c_source", "c_unit", "c_share", "c_q1", "c_median", "c_q3")
            ]
        )
    )
    body = []
    rows = revenue_rows(teryt, year, lang, peers)
    caption, all_synthetic = _caption(tx["r_caption"].format(year=year), rows, lang)
    for k, r in enumerate(rows):
        share = "–" if r["share"] is None else format_number(r["share"], 1, lang) + "%"
        body.append(
            html.Tr(
                [
                    html.Th(r["name"], scope="row"),
                    html.Td(
                        [
                            _zl(r["value"], lang),
                            _badge(lang) if r["synthetic"] and not all_synthetic else None,
                        ]
                    ),
                    html.Td(share),
                    html.Td(_zl(r["q1"], lang)),
                    html.Td(_zl(r["median"], lang)),
                    html.Td(_zl(r["q3"], lang)),
                ],
                className="table-total" if k == len(rows) - 1 else None,
            )
        )
    return html.Table([caption, head, html.Tbody(body)], className="table table-sm budget-table")


def gaps_block(teryt: str, year: int, lang: str = "pl", peers: str = "grupa") -> list:
    lang = _lang(lang)
    tx = TEXT[lang]
    names = {s.key: s.name[lang] for s in SECTIONS}
    items = []
    total = None
    for key, text in gap_sentences(teryt, year, lang, peers):
        if key == "razem":
            total = html.P([html.Strong(tx["gap_total"]), text], className="gap-total")
        else:
            items.append(html.Li([html.Strong(names[key] + ": "), text]))
    return [html.Ul(items, className="gap-list"), total, html.P(tx["gap_caveats"], className="small caveat")]


def _download_query(state: BudgetState) -> dict[str, str]:
    """The download's parameters: the unit, the year and the comparison group the page shows."""
    q = {"jst": state.teryt, "rok": str(state.year)}
    if state.peers == "knn":
        q["podobne"] = "knn"
    return q


def download_links(state: BudgetState) -> list:
    q = _download_query(state)
    if state.lang == "en":
        q["lang"] = "en"
    qs = urlencode(q)
    return [
        html.Span(TEXT[state.lang]["download"], className="small me-1"),
        html.A(
            "CSV",
            href=f"/pobierz/budzet.csv?{qs}",
            className="btn btn-sm btn-outline-secondary me-1",
            download="",
        ),
        html.A(
            "XLSX",
            href=f"/pobierz/budzet.xlsx?{qs}",
            className="btn btn-sm btn-outline-secondary me-1",
            download="",
        ),
    ]


def downloads_of(state: BudgetState) -> list[tuple[str, str]]:
    qs = urlencode(_download_query(state))
    return [("CSV", f"/pobierz/budzet.csv?{qs}"), ("XLSX", f"/pobierz/budzet.xlsx?{qs}")]


def summary_line(state: BudgetState) -> list:
    """The year-dependent lead: total spending per resident against the peer median, and the print note."""
    store = get_store()
    tx = TEXT[state.lang]
    comparison = comparison_of(state.teryt, state.peers)
    point = store.point(TOTAL, state.teryt, state.year)
    value = point["value"] if point else None
    median = _stats(comparison.stats(TOTAL, state.year))["median"]
    median_of = comparison.text("median_of", state.lang)
    if state.lang == "en":
        text = (
            f"In {state.year}: total spending PLN {format_number(value, 0, 'en')} per resident; "
            f"{median_of} PLN {format_number(median, 0, 'en')}."
        )
    else:
        text = (
            f"W {state.year} r. wydatki ogółem: {format_number(value, 0, 'pl')} zł na mieszkańca; "
            f"{median_of}: {format_number(median, 0, 'pl')} zł."
        )
    url = "/budzet/" + state.teryt + state.search()
    return [
        html.Span(text),
        " ",
        _badge(state.lang) if point and point["synthetic"] else None,
        html.Span(
            tx["print_note"].format(name=_unit_name(state.teryt), year=state.year, url=url),
            className="print-only small",
        ),
    ]


def lead_text(state: BudgetState) -> str:
    """The page's lead, naming the comparison group."""
    against = comparison_of(state.teryt, state.peers).text("against", state.lang)
    return TEXT[state.lang]["lead"].format(against=against)


def similar_block(state: BudgetState) -> list:
    """Who the unit is compared with when the group is the similar units (links to their profiles, small
    text), or why they cannot be found; nothing for the peer group."""
    if state.peers != "knn":
        return []
    store = get_store()
    lang, tx = state.lang, TEXT[state.lang]
    comparison = comparison_of(state.teryt, state.peers)
    if not comparison.knn:
        names = ", ".join(VARIABLES[v][lang].replace(" (log)", "") for v in comparison.missing) or "–"
        group = store.peer_group_name(comparison.peer_group, lang)
        return [html.P(tx["similar_missing"].format(vars=names, name=group), className="similar-missing mb-0")]
    links: list = []
    for k, code in enumerate(comparison.knn):
        if k:
            links.append(", ")
        links.append(dcc.Link(str(store.units.at[code, "display_name"]), href=with_lang(f"/jst/{code}", lang)))
    why = dcc.Link(tx["similar_why"], href=with_lang(f"/jst/{state.teryt}", lang) + "#podobne")
    out: list = [
        html.Span(tx["similar_lead"].format(k=len(comparison.knn)) + " "),
        html.Span(links, className="similar-names"),
        html.Span([" · ", why], className="no-print"),
    ]
    if comparison.synthetic:
        out += [" ", html.Span(tx["synthetic"], className="badge synthetic-badge"), " ",
                html.Span(tx["similar_synthetic"], className="caveat")]
    return [html.P(out, className="mb-0")]


def budget_view(state: BudgetState) -> dict:
    """Every year-, section- and group-dependent part of the page, keyed by the component it fills."""
    lang, teryt, year, peers = state.lang, state.teryt, state.year, state.peers
    scatter, caption = scatter_view(teryt, year, state.section, lang, peers)
    return {
        "lead": lead_text(state),
        "similar": similar_block(state),
        "summary": summary_line(state),
        "bars": spending_figure(teryt, year, lang, peers),
        "table": spending_table(teryt, year, lang, peers),
        "gaps": gaps_block(teryt, year, lang, peers),
        "trends": trends_figure(teryt, year, lang, peers),
        "scatter": scatter,
        "caption": caption,
        "revenue": revenue_figure(teryt, year, lang, peers),
        "revenue_table": revenue_table(teryt, year, lang, peers),
        "downloads": download_links(state),
        **{f"share:{chart}": share_box(state, chart) for chart in SHARE_CHARTS},
    }


SHARE_CHARTS = ("budget-bars", "budget-trends", "budget-scatter", "budget-revenue")


def share_box(state: BudgetState, chart: str):
    """One chart's share panel for the current view (link, embed-free dialog, the budget downloads)."""
    return share_panel(chart, path=f"/budzet/{state.teryt}", query=state.to_query(), lang=state.lang,
                       downloads=downloads_of(state))


# ------------------------------------------------------------------------------------------------ layout
EMPTY = {"data": [], "layout": {"height": 200}}


def _figure(
    graph_id: str, figure: dict, alt: str, lang: str, filename: str, extra_class: str = ""
) -> html.Figure:
    return html.Figure(
        [
            dcc.Graph(
                id=graph_id,
                figure=figure,
                config=graph_config(lang, filename),
                className=f"budget-graph {extra_class}".strip(),
            ),
            html.Figcaption(alt, className="visually-hidden"),
        ],
        className="mb-1",
        **{"aria-label": alt},
    )


def layout(
    teryt: str | None = None,
    rok: str | None = None,
    obszar: str | None = None,
    lang: str = "pl",
    podobne: str | None = None,
    **params: str,
) -> list:
    store = get_store()
    lang = _lang(lang)
    tx = TEXT[lang]
    if teryt is not None and teryt not in store.units.index:
        raise NotFound("unit", teryt)
    validation = teryt is None
    teryt = teryt or "1218093"
    state = resolve_state(
        teryt, {"rok": rok or "", "obszar": obszar or "", "lang": lang, "podobne": podobne or ""}
    )
    view = (
        budget_view(state)
        if not validation
        else {
            "lead": "",
            "similar": [],
            "summary": [],
            "bars": EMPTY,
            "table": [],
            "gaps": [],
            "trends": EMPTY,
            "scatter": EMPTY,
            "caption": [],
            "revenue": EMPTY,
            "revenue_table": [],
            "downloads": [],
            **{f"share:{chart}": share_box(state, chart) for chart in SHARE_CHARTS},
        }
    )
    unit = store.units.loc[teryt]
    name = str(unit["display_name"])
    group = store.peer_group_name(str(unit["peer_group"]), lang)
    path = f"/budzet/{teryt}"
    query = state.to_query()
    years = year_list(teryt)
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(tx["year"], html_for=ids.BUDGET_YEAR),
                    dbc.Select(
                        id=ids.BUDGET_YEAR,
                        options=[{"label": str(y), "value": str(y)} for y in years],
                        value=str(state.year),
                    ),
                ],
                xs=4,
                md=2,
            ),
            dbc.Col(
                [
                    dbc.Label(tx["section"], html_for=ids.BUDGET_SECTION),
                    dbc.Select(
                        id=ids.BUDGET_SECTION,
                        value=state.section,
                        options=[{"label": s.name[lang], "value": s.key} for s in SCATTER_SECTIONS],
                    ),
                ],
                xs=8,
                md=4,
            ),
            dbc.Col(
                html.Fieldset(
                    [
                        html.Legend(tx["peers"], className="form-label budget-peers-legend"),
                        dbc.RadioItems(
                            id=ids.BUDGET_PEERS,
                            options=[
                                {"label": tx["peers_group"].format(name=group), "value": "grupa"},
                                {"label": tx["peers_knn"], "value": "knn"},
                            ],
                            value=state.peers,
                            className="budget-peers",
                        ),
                    ],
                    className="mb-0",
                ),
                xs=12,
                md=6,
            ),
            dbc.Col(
                [
                    dbc.Button(
                        tx["print"], id=ids.BUDGET_PRINT, color="primary", outline=True, className="me-2"
                    ),
                    html.Span(view["downloads"], id=ids.BUDGET_DOWNLOADS),
                ],
                xs=12,
                className="d-flex flex-wrap align-items-end gap-1 budget-actions",
            ),
        ],
        className="g-2 controls budget-controls mb-3 align-items-start",
    )

    def share(chart: str) -> html.Div:
        return html.Div(view[f"share:{chart}"], id=ids.budget_share(chart))

    first, last = (years[-1], years[0]) if years else (0, 0)
    content = html.Div(
        [
            html.P(tx["kicker"], className="text-uppercase small text-muted mb-0"),
            html.H1(tx["title"].format(name=name), className="h2 mb-1"),
            html.P(
                [
                    store.context_line(teryt, lang),
                    html.Span(
                        [" · ", dcc.Link(tx["profile"], href=with_lang(f"/jst/{teryt}", lang))],
                        className="no-print",
                    ),
                ],
                className="text-muted mb-1",
            ),
            html.P(view["lead"], id=ids.BUDGET_LEAD, className="mb-2"),
            html.P(
                view["summary"], id=ids.BUDGET_SUMMARY, className="budget-summary", **{"aria-live": "polite"}
            ),
            controls,
            html.Div(
                view["similar"], id=ids.BUDGET_SIMILAR, className="budget-similar small", **{"aria-live": "polite"}
            ),
            html.Section(
                [
                    html.H2(tx["h_spend"], className="h4"),
                    html.P(tx["spend_how"], className="small text-muted"),
                    _figure(ids.BUDGET_BARS, view["bars"], tx["spend_alt"], lang, "omup-budzet"),
                    share("budget-bars"),
                    html.Div(view["table"], id=ids.BUDGET_TABLE, className="table-responsive mt-2"),
                ],
                className="budget-part",
            ),
            html.Section(
                [
                    html.H2(tx["h_gap"], className="h4"),
                    html.Div(view["gaps"], id=ids.BUDGET_GAPS, **{"aria-live": "polite"}),
                ],
                className="budget-part",
            ),
            html.Section(
                [
                    html.H2(tx["h_trends"], className="h4"),
                    html.P(tx["trends_how"], className="small text-muted"),
                    html.Div(
                        _figure(
                            ids.BUDGET_TRENDS,
                            view["trends"],
                            tx["trends_alt"].format(first=first, last=last),
                            lang,
                            "omup-budzet-trendy",
                        ),
                        className="budget-multiples",
                    ),
                    None if validation else break_note(teryt, lang),
                    share("budget-trends"),
                ],
                className="budget-part",
            ),
            html.Section(
                [
                    html.H2(tx["h_scatter"], className="h4"),
                    html.P(tx["scatter_lead"], className="mb-1"),
                    _figure(ids.BUDGET_SCATTER, view["scatter"], tx["h_scatter"], lang, "omup-koszt-efekt"),
                    html.P(view["caption"], id=ids.BUDGET_SCATTER_CAPTION, className="small scatter-caption"),
                    share("budget-scatter"),
                ],
                className="budget-part",
            ),
            html.Section(
                [
                    html.H2(tx["h_revenue"], className="h4"),
                    html.P(tx["revenue_how"], className="small text-muted"),
                    _figure(ids.BUDGET_REVENUE, view["revenue"], tx["revenue_alt"], lang, "omup-dochody"),
                    share("budget-revenue"),
                    html.Div(
                        view["revenue_table"], id=ids.BUDGET_REVENUE_TABLE, className="table-responsive mt-2"
                    ),
                ],
                className="budget-part",
            ),
            # The debate pack (issue 8): the same picker as on the profile, defaulting to the area headlines.
            pack_section(store, store.unit(teryt), lang, ids.BUDGET_PACK_INDICATORS, ids.BUDGET_PACK_LINK),
            html.Div(id=ids.BUDGET_PRINT_SINK, hidden=True),
            dcc.Location(id=ids.BUDGET_URL, refresh="callback-nav"),
        ],
        id=ids.BUDGET_BODY,
        className="budget-page",
    )
    return page(lang, path, query, content, indicator_ids=INDICATOR_IDS)
