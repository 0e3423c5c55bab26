"""The report on the state of the unit (raport o stanie gminy / powiatu / województwa, art. 28aa of the
ustawa o samorządzie gminnym and its twins): chapters, indicators, comparisons and sentences as plain data.

Everything here reads the store it is given (``portal.store.get_store()`` at the call site) and its catalogue:
no indicator is named in code, so indicators added to the catalogue appear in the report by themselves.
The HTML page (layouts/report.py) and the Word document (portal/report_docx.py) render the same
:func:`build_report` result.

Chapters, in order:

* ``w-liczbach`` – the unit in numbers: what it is, its peer group and similar units, and the context area's
  indicators (population, age structure, …);
* one chapter per service area of the catalogue (finances first), each indicator against the peer group and
  the 10 most similar units (portal/similar.py), its five-year trend, a generated sentence
  (portal/explain.py), the last change split into numerator and denominator (portal/decompose.py) and what
  improved or worsened; an area without official indicators in the edition says so;
* ``cele`` – the goals and targets passed in (portal/goals.py);
* ``uchwaly``, ``programy``, ``budzet-obywatelski`` – chapters the data cannot write: marked headings
  with guidance to fill them in;
* ``zrodla`` – sources, data version and method (always last, always present).

Rules stated in the report:

* the year shown for an indicator is the report's year, or the latest earlier year with a value;
* the trend covers the five years ending in that year; the change compares its last value with the first
  value of the window; a change counts when it exceeds both half of the last shown digit and 1% of the
  first value; it is an improvement or a worsening by the indicator's direction, a rise or a fall for
  indicators without one.

Every fact carries its source and the data version; every fact of a synthetic indicator (demo edition
only) carries the synthetic label.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from portal import goals as goals_mod
from portal.breaks import series_breaks
from portal.catalogue import Indicator
from portal.decompose import METHOD as DECOMPOSE_METHOD
from portal.decompose import ratio_parts, release_measures, unit_decomposition
from portal.explain import caveat, format_number, format_value, sentence_level, unit_sentence
from portal.similar import DEFAULT_VARIABLES, KNN_K, similar_units, stats_over

NUMBERS = "w-liczbach"
GOALS = "cele"
SOURCES = "zrodla"
CONTEXT_AREA = "kontekst"
FIRST_AREAS = ("finanse-jst",)  # the unit's finances open the service chapters, as reports usually do
FREE = ("uchwaly", "programy", "budzet-obywatelski")
TREND_YEARS = 5
CHANGE_MIN_SHARE = 0.01
MAX_INDICATORS = 200

SYNTHETIC_LABEL = {"pl": "DANE SYNTETYCZNE – nie są to dane urzędowe",
                   "en": "SYNTHETIC DATA – not official statistics"}
NO_OFFICIAL = {
    "pl": "W tym wydaniu brak urzędowych wskaźników tego obszaru; uzupełni je `omup data fetch` z BDL/SMUP.",
    "en": "This edition has no official indicators of this area; `omup data fetch` from BDL/SMUP will add "
          "them.",
}

TEXT = {
    "pl": {
        "title": {"gmina": "Raport o stanie gminy", "miasto": "Raport o stanie miasta",
                  "powiat": "Raport o stanie powiatu", "wojewodztwo": "Raport o stanie województwa"},
        "for_year": "za {year} r.",
        "numbers": "Jednostka w liczbach",
        "numbers_lead": "Czym jest jednostka, z kim ją porównujemy i podstawowe dane o mieszkańcach – tło "
                        "dla kolejnych rozdziałów, bez oceny.",
        "goals": "Cele i wartości docelowe",
        "goals_lead": "Cele zapisane przez użytkownika raportu, każdy powiązany ze wskaźnikami, z rokiem "
                      "bazowym, wartością docelową i rokiem docelowym.",
        "goals_none": "Nie dodano celów. Cele i wartości docelowe można zapisać na stronie „Cele” tej "
                      "jednostki ({href}) i dołączyć do raportu.",
        "sources": "Źródła i metoda",
        "type": "Rodzaj jednostki", "peer_group": "Grupa porównawcza (podobne jednostki)",
        "similar": "10 najbardziej podobnych jednostek",
        "similar_vars": "Podobieństwo liczone według: {vars}.",
        "similar_none": "Nie udało się wskazać podobnych jednostek (brak danych o cechach: {vars}).",
        "value": "Wartość", "peer_median": "Mediana grupy porównawczej", "similar_median":
        "Mediana 10 najbardziej podobnych jednostek", "national_median": "Mediana w Polsce",
        "rank": "Miejsce w grupie porównawczej", "rank_value": "{r} z {n}",
        "no_data": "brak danych", "no_data_until": "Brak danych do {year} r.",
        "older": "najnowsze dane: {year} r.",
        "not_at_level": "Wskaźniki tego obszaru nie są dostępne dla tego poziomu jednostek.",
        "none_chosen": "W tym rozdziale nie wybrano wskaźników.",
        "trend": "Zmiany w latach {a}–{b}",
        "trend_alt": "Wykres: {name}, {a}–{b}. Linia ciągła – ta jednostka, przerywana – mediana grupy "
                     "porównawczej, kropkowana – mediana 10 podobnych jednostek.",
        "change": "W latach {a}–{b} wartość {verb} ({a}: {v0}; {b}: {v1}; zmiana {diff}{rel}).",
        "change_same": "W latach {a}–{b} wartość nie zmieniła się wyraźnie ({v0} → {v1}).",
        "change_short": "Za mało lat z danymi, by opisać zmiany.",
        "not_comparable": "Wyniki z różnych lat nie są porównywalne (co roku jest inny egzamin): zmiana nie "
                          "oznacza poprawy ani pogorszenia; porównuj pozycję wśród podobnych jednostek.",
        "national_change": "Dla porównania mediana w Polsce: {a}: {v0}; {b}: {v1}.",
        "rose": "wzrosła", "fell": "spadła", "pp": "pkt proc.",
        "judgement": {"improved": "poprawa", "worsened": "pogorszenie", "stable": "bez wyraźnej zmiany",
                      "rose": "wzrost (bez oceny)", "fell": "spadek (bez oceny)"},
        "improved": "Co się poprawiło", "worsened": "Co się pogorszyło",
        "summary_none": "brak wskaźników z wyraźną zmianą w tym kierunku",
        "why": "Dlaczego się zmieniło", "breaks": "Przerwy w szeregu",
        "source": "Źródło", "version": "wersja danych {v}",
        "free_mark": "DO UZUPEŁNIENIA",
        "year_col": "Rok", "unit_col": "Ta jednostka",
        "what": "Wielkość",
        "edition_official": "urzędowe (wyłącznie dane urzędowe)",
        "edition_demo": "demonstracyjne (dane urzędowe oraz oznaczone dane syntetyczne)",
        "prepared": "Przygotowano", "data_version": "Wersja danych", "built": "zbudowana",
        "edition": "Wydanie",
        "datasets": "Zbiory danych", "indicators_used": "Wskaźniki w raporcie",
        "method_h": "Metoda",
    },
    "en": {
        "title": {"gmina": "Report on the state of the gmina", "miasto": "Report on the state of the city",
                  "powiat": "Report on the state of the county", "wojewodztwo":
                  "Report on the state of the voivodeship"},
        "for_year": "for {year}",
        "numbers": "The unit in numbers",
        "numbers_lead": "What the unit is, what it is compared with and basic facts about its residents – "
                        "background for the chapters that follow, not judged.",
        "goals": "Goals and targets",
        "goals_lead": "Goals written by the report's user, each tied to indicators, with a baseline year, a "
                      "target value and a target year.",
        "goals_none": "No goals were added. Goals and targets can be written on this unit's 'Goals' page "
                      "({href}) and added to the report.",
        "sources": "Sources and method",
        "type": "Type of unit", "peer_group": "Peer group (similar units)",
        "similar": "The 10 most similar units", "similar_vars": "Similarity measured on: {vars}.",
        "similar_none": "Similar units cannot be found (no data on: {vars}).",
        "value": "Value", "peer_median": "Peer-group median", "similar_median":
        "Median of the 10 most similar units", "national_median": "Median in Poland",
        "rank": "Rank in the peer group", "rank_value": "{r} of {n}",
        "no_data": "no data", "no_data_until": "No data up to {year}.",
        "older": "latest data: {year}",
        "not_at_level": "This area's indicators are not available for this level of units.",
        "none_chosen": "No indicators were chosen in this chapter.",
        "trend": "Changes {a}–{b}",
        "trend_alt": "Chart: {name}, {a}–{b}. Solid line – this unit, dashed – peer-group median, dotted – "
                     "median of the 10 similar units.",
        "change": "From {a} to {b} the value {verb} ({a}: {v0}; {b}: {v1}; change {diff}{rel}).",
        "change_same": "From {a} to {b} the value did not change markedly ({v0} → {v1}).",
        "change_short": "Too few years with data to describe changes.",
        "not_comparable": "Results of different years are not comparable (every year's exam differs): a change is "
                          "neither an improvement nor a worsening; compare the position among similar units.",
        "national_change": "For comparison, the median in Poland: {a}: {v0}; {b}: {v1}.",
        "rose": "rose", "fell": "fell", "pp": "pp",
        "judgement": {"improved": "improvement", "worsened": "worsening", "stable": "no marked change",
                      "rose": "rise (not judged)", "fell": "fall (not judged)"},
        "improved": "What improved", "worsened": "What worsened",
        "summary_none": "no indicator changed markedly this way",
        "why": "Why did it change", "breaks": "Breaks in the series",
        "source": "Source", "version": "data version {v}",
        "free_mark": "TO BE COMPLETED",
        "year_col": "Year", "unit_col": "This unit",
        "what": "Measure",
        "edition_official": "official (official data only)",
        "edition_demo": "demo (official data and labelled synthetic data)",
        "prepared": "Prepared", "data_version": "Data version", "built": "built", "edition": "Edition",
        "datasets": "Datasets", "indicators_used": "Indicators in the report",
        "method_h": "Method",
    },
}

_ACT = {
    "gmina": {"pl": "art. 28aa ustawy o samorządzie gminnym",
              "en": "art. 28aa of the Act on gmina self-government"},
    "powiat": {"pl": "art. 30a ustawy o samorządzie powiatowym", "en": "art. 30a of the Act on county "
                                                                        "self-government"},
    "wojewodztwo": {"pl": "art. 34a ustawy o samorządzie województwa", "en": "art. 34a of the Act on "
                                                                              "voivodeship self-government"},
}
_COUNCIL = {"gmina": {"pl": "rady gminy", "en": "the gmina council"},
            "powiat": {"pl": "rady powiatu", "en": "the county council"},
            "wojewodztwo": {"pl": "sejmiku województwa", "en": "the regional assembly"}}

FREE_CHAPTERS = {
    "uchwaly": {
        "title": {"pl": "Realizacja uchwał {council}", "en": "Resolutions of {council} and how they were "
                                                             "carried out"},
        "guidance": {
            "pl": ["Wymień uchwały podjęte w roku objętym raportem i stan wykonania każdej z nich (wykonana, "
                   "w trakcie, niewykonana – z uzasadnieniem).",
                   "Wskaż uchwały z lat wcześniejszych, których wykonanie trwało w tym roku.",
                   "Źródła: rejestr uchwał, Biuletyn Informacji Publicznej, sprawozdania komórek urzędu.",
                   "Podstawa: {act} – raport obejmuje w szczególności realizację uchwał."],
            "en": ["List the resolutions adopted in the year of the report and how each was carried out "
                   "(done, in progress, not done – with reasons).",
                   "Name resolutions of earlier years still being carried out in this year.",
                   "Sources: the register of resolutions, the Public Information Bulletin, departments' "
                   "reports.",
                   "Basis: {act} – the report covers in particular how resolutions were carried out."],
        },
    },
    "programy": {
        "title": {"pl": "Realizacja polityk, programów i strategii", "en": "Policies, programmes and "
                                                                            "strategies"},
        "guidance": {
            "pl": ["Dla każdej strategii, programu i polityki: cel, zadania zaplanowane na ten rok, co "
                   "wykonano, ile to kosztowało i jakie są efekty.",
                   "Efekty mierzone wskaźnikami powiąż z rozdziałem „Cele i wartości docelowe” (strona "
                   "„Cele” w portalu).",
                   "Podstawa: {act} – raport obejmuje w szczególności realizację polityk, programów i "
                   "strategii."],
            "en": ["For each strategy, programme and policy: the aim, the tasks planned for the year, what "
                   "was done, what it cost and what came of it.",
                   "Tie effects measured by indicators to the chapter 'Goals and targets' (the portal's "
                   "'Goals' page).",
                   "Basis: {act} – the report covers in particular policies, programmes and strategies."],
        },
    },
    "budzet-obywatelski": {
        "title": {"pl": "Budżet obywatelski", "en": "Civic budget"},
        "guidance": {
            "pl": ["Jeśli jednostka prowadzi budżet obywatelski: kwota, liczba zgłoszonych, wybranych i "
                   "zrealizowanych projektów, liczba głosujących, projekty przeniesione na kolejny rok.",
                   "Dla każdego wybranego projektu: stan realizacji i koszt.",
                   "Źródła: uchwała w sprawie budżetu obywatelskiego, protokół z głosowania, sprawozdanie "
                   "z wykonania budżetu."],
            "en": ["If the unit runs a civic budget: the amount, the number of projects proposed, chosen and "
                   "completed, the number of voters, projects carried over to the next year.",
                   "For each chosen project: how far it has got and what it cost.",
                   "Sources: the resolution on the civic budget, the vote's minutes, the budget execution "
                   "report."],
        },
    },
}

METHOD = {
    "pl": [
        "Wartości pochodzą z wydania danych OMUP o podanej wersji; każda liczba w tabelach ma obok źródło "
        "i wersję danych.",
        "Grupa porównawcza to stała grupa jednostek tego samego rodzaju i podobnej wielkości; mediana to "
        "wartość środkowa grupy, miejsce 1 to najlepszy wynik (przy wskaźnikach bez oceny – najwyższa "
        "wartość).",
        "10 najbardziej podobnych jednostek wskazano metodą najbliższych sąsiadów na wystandaryzowanych "
        "cechach (liczba mieszkańców, gęstość zaludnienia, typ, udział osób 65+, dochody własne – o ile są "
        "w wydaniu).",
        "Rok wskaźnika to rok raportu albo ostatni wcześniejszy rok z danymi. Zmiany opisujemy w oknie "
        "pięciu lat kończącym się w tym roku: ostatnia wartość wobec pierwszej wartości okna. Zmiana liczy "
        "się, gdy przekracza połowę ostatniej pokazywanej cyfry i 1% wartości początkowej; poprawa lub "
        "pogorszenie wynika z kierunku wskaźnika (więcej = lepiej albo mniej = lepiej), przy wskaźnikach "
        "bez oceny piszemy tylko o wzroście lub spadku.",
    ],
    "en": [
        "Values come from the OMUP data release of the version given; every number in the tables has its "
        "source and the data version beside it.",
        "The peer group is a fixed group of units of the same kind and similar size; the median is the "
        "group's middle value, rank 1 the best result (for indicators without a direction, the highest "
        "value).",
        "The 10 most similar units are the nearest neighbours on standardised characteristics (population, "
        "density, type, share aged 65+, own revenue – where the release holds them).",
        "An indicator's year is the report's year or the latest earlier year with data. Changes are "
        "described over the five years ending in that year: the last value against the window's first. A "
        "change counts when it exceeds half of the last shown digit and 1% of the first value; improvement "
        "or worsening follows the indicator's direction; for indicators without one we only say rise or "
        "fall.",
    ],
}


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "pl"


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(float(v))


# --------------------------------------------------------------------------- what a unit's report can hold

def noun_of(store, teryt: str) -> str:
    """gmina | miasto (a city with powiat rights at the gmina level) | powiat | wojewodztwo."""
    u = store.units.loc[teryt]
    return sentence_level(str(u["level"]), bool(u["mnpp"]))


def level_indicators(store, level: str) -> list[Indicator]:
    """The edition's indicators that have values at a level, in catalogue order."""
    return [i for i in store.catalogue.indicators if level in i.levels and store.years(i.id, level)]


def report_years(store, level: str) -> list[int]:
    """Every year with a value of some indicator at the level, oldest first."""
    return sorted({y for i in level_indicators(store, level) for y in store.years(i.id, level)})


def _area_order(store) -> list:
    areas = [a for a in store.catalogue.areas if a.id != CONTEXT_AREA]
    first = [a for a in areas if a.id in FIRST_AREAS]
    return first + [a for a in areas if a.id not in FIRST_AREAS]


def chapters_for(store, teryt: str, lang: str = "pl") -> list[dict]:
    """The chapters a unit's report can hold, in order: [{id, kind, title, indicators: [ids]}].

    kind: numbers | area | goals | free | sources. Area chapters list the edition's indicators with values
    at the unit's level (possibly none); the sources chapter is always last and cannot be left out.
    """
    lang = _lang(lang)
    tx = TEXT[lang]
    level = str(store.units.at[teryt, "level"])
    council_level = "gmina" if level == "gmina" else level
    by_area: dict[str, list[str]] = {}
    for ind in level_indicators(store, level):
        by_area.setdefault(ind.area, []).append(ind.id)
    out = [{"id": NUMBERS, "kind": "numbers", "title": tx["numbers"],
            "indicators": by_area.get(CONTEXT_AREA, [])}]
    for area in _area_order(store):
        out.append({"id": area.id, "kind": "area", "title": area.name.get(lang),
                    "indicators": by_area.get(area.id, [])})
    out.append({"id": GOALS, "kind": "goals", "title": tx["goals"], "indicators": []})
    for cid in FREE:
        title = FREE_CHAPTERS[cid]["title"][lang].format(council=_COUNCIL[council_level][lang])
        out.append({"id": cid, "kind": "free", "title": title, "indicators": []})
    out.append({"id": SOURCES, "kind": "sources", "title": tx["sources"], "indicators": []})
    return out


# --------------------------------------------------------------------------- the choice (URL state)

@dataclass(frozen=True)
class ReportChoice:
    """What the user chose on the report page; every field has a default, so a bare URL is a full report.

    chapters None = all; indicators None = all of the chosen chapters, else only these; year None = the
    latest year of the release at the unit's level; goals as portal/goals.py reads them.
    """

    year: int | None = None
    chapters: tuple[str, ...] | None = None
    indicators: tuple[str, ...] | None = None
    goals: tuple[goals_mod.Goal, ...] = ()
    lang: str = "pl"
    goals_error: str | None = None
    demo: bool = False
    extra: dict = field(default_factory=dict, compare=False)


def parse_choice(store, teryt: str, params: dict[str, str]) -> ReportChoice:
    """The choice from URL parameters (``rok``, ``rozdzialy``, ``wskazniki`` or ``bez``, ``cele``, ``lang``).

    Never raises: unknown chapters and indicators are dropped, a year outside the release falls back to the
    latest, a damaged ``cele`` value gives no goals and ``goals_error`` saying so.
    """
    lang = _lang(params.get("lang"))
    level = str(store.units.at[teryt, "level"])
    years = report_years(store, level)
    try:
        year = int(str(params.get("rok", "")).strip())
    except ValueError:
        year = None
    if year not in years:
        year = None
    chapters_all = chapters_for(store, teryt, lang)
    chapter_ids = [c["id"] for c in chapters_all]
    chapters = None
    if params.get("rozdzialy") is not None:
        wanted = {c.strip() for c in str(params["rozdzialy"]).split(",")}
        chapters = tuple(c for c in chapter_ids if c in wanted or c == SOURCES)
    known = [i for c in chapters_all for i in c["indicators"]]
    indicators = None
    if params.get("wskazniki") is not None:
        wanted = {i.strip() for i in str(params["wskazniki"]).split(",")}
        indicators = tuple(i for i in known if i in wanted)
    elif params.get("bez"):
        left_out = {i.strip() for i in str(params["bez"]).split(",")}
        indicators = tuple(i for i in known if i not in left_out)
    goals: tuple[goals_mod.Goal, ...] = ()
    error = None
    try:
        goals = goals_mod.decode(params.get("cele") or None, goals_mod.known_indicator_ids(store))
    except goals_mod.GoalsFileError as exc:
        error = exc.message(lang)
    return ReportChoice(year=year, chapters=chapters, indicators=indicators, goals=goals, lang=lang,
                        goals_error=error, demo=bool(getattr(store, "demo", False)))


def choice_query(store, teryt: str, choice: ReportChoice) -> dict[str, str]:
    """The URL parameters of a choice (defaults left out; the shorter of ``wskazniki`` and ``bez``)."""
    q: dict[str, str] = {}
    if choice.year is not None:
        q["rok"] = str(choice.year)
    chapters_all = chapters_for(store, teryt, choice.lang)
    if choice.chapters is not None and set(choice.chapters) != {c["id"] for c in chapters_all}:
        q["rozdzialy"] = ",".join(c for c in choice.chapters if c != SOURCES) or SOURCES
    if choice.indicators is not None:
        known = [i for c in chapters_all for i in c["indicators"]]
        chosen = set(choice.indicators)
        left_out = [i for i in known if i not in chosen]
        if left_out:
            kept = [i for i in known if i in chosen]
            if len(",".join(left_out)) < len(",".join(kept)):
                q["bez"] = ",".join(left_out)
            else:
                q["wskazniki"] = ",".join(kept)
    if choice.goals:
        q["cele"] = goals_mod.encode(choice.goals)
    if choice.lang == "en":
        q["lang"] = "en"
    if choice.demo:
        q["demo"] = "1"
    return q


def report_href(store, teryt: str, choice: ReportChoice, docx: bool = False) -> str:
    """The link to the report page (or its Word twin) for a choice."""
    query = choice_query(store, teryt, choice)
    path = f"/raport/{teryt}" + (".docx" if docx else "")
    return path + ("?" + urlencode(query, safe=",") if query else "")


# --------------------------------------------------------------------------- building blocks

def _similar(store, teryt: str) -> dict:
    """The unit's 10 most similar units, on the default variables the edition can fill."""
    result = similar_units(store, teryt, k=KNN_K)
    if result["missing"]:
        usable = [v for v in DEFAULT_VARIABLES if v not in result["missing"]]
        if usable:
            result = similar_units(store, teryt, k=KNN_K, variables=usable)
    return result


class _ByKey:
    """Hashes a store by its cache key (version and edition), for memoising per release."""

    def __init__(self, store) -> None:
        self.store = store
        self.key = getattr(store, "cache_key", store.version)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByKey) and other.key == self.key


@lru_cache(maxsize=256)
def _similar_cached(key: _ByKey, teryt: str) -> dict:
    return _similar(key.store, teryt)


def _fmt(value: float | None, ind: Indicator, lang: str) -> str:
    if not _finite(value):
        return TEXT[lang]["no_data"]
    return format_value(value, ind.unit.get(lang), ind.decimals, lang)


def _source_line(store, ind: Indicator, lang: str) -> str:
    tx = TEXT[lang]
    origin = ind.source.origin if not store.is_synthetic(ind.id) else (
        "generator OMUP (dane syntetyczne)" if lang == "pl" else "OMUP generator (synthetic data)")
    return f"{origin} · {tx['version'].format(v=store.version)}"


def change_judgement(first: float, last: float, direction: str, decimals: int) -> str:
    """improved | worsened | stable (directed indicators) or rose | fell | stable (neutral ones).

    A change counts when it exceeds both half of the last shown digit and 1% of |first|.
    """
    delta = last - first
    if abs(delta) <= max(0.5 * 10.0 ** -decimals, CHANGE_MIN_SHARE * abs(first)):
        return "stable"
    if direction == "higher_better":
        return "improved" if delta > 0 else "worsened"
    if direction == "lower_better":
        return "improved" if delta < 0 else "worsened"
    return "rose" if delta > 0 else "fell"


def _change_text(first_year: int, first: float, last_year: int, last: float, ind: Indicator, lang: str,
                 judgement: str) -> str:
    tx = TEXT[lang]
    v0, v1 = _fmt(first, ind, lang), _fmt(last, ind, lang)
    if judgement == "stable":
        return tx["change_same"].format(a=first_year, b=last_year, v0=v0, v1=v1)
    delta = last - first
    unit = ind.unit.get(lang)
    if unit == "%":
        diff = f"{'+' if delta > 0 else '−'}{format_number(abs(delta), ind.decimals, lang)} {tx['pp']}"
        rel = ""
    else:
        diff = ("+" if delta > 0 else "−") + format_value(abs(delta), unit, ind.decimals, lang)
        sign = "+" if delta > 0 else "−"
        rel = f", {sign}{format_number(abs(delta / first) * 100, 1, lang)}%" if first else ""
    verb = tx["rose"] if delta > 0 else tx["fell"]
    return tx["change"].format(a=first_year, b=last_year, verb=verb, v0=v0, v1=v1, diff=diff, rel=rel)


def _shown_year(series: dict[int, float], year: int) -> int | None:
    years = [y for y in series if y <= year]
    return max(years) if years else None


def indicator_block(store, teryt: str, ind: Indicator, year: int, lang: str, similar_codes: list[str],
                    measures=None, breaks: list[dict] | None = None) -> dict:
    """One indicator of the report (see the module docstring): facts, trend, sentence, change, why, source.

    facts: [{label, text, year, source, synthetic}] – one row per number, each with its source and version.
    trend: {years, values, peer_median, similar_median, breaks, alt} over the five-year window.
    """
    lang = _lang(lang)
    tx = TEXT[lang]
    unit = store.units.loc[teryt]
    level = str(unit["level"])
    synthetic = bool(store.is_synthetic(ind.id))
    src = _source_line(store, ind, lang)
    block: dict = {"id": ind.id, "name": ind.name.get(lang), "unit": ind.unit.get(lang),
                   "direction": ind.direction, "synthetic": synthetic,
                   "label": SYNTHETIC_LABEL[lang] if synthetic else None, "source": src,
                   "datasets": list(ind.source.datasets), "year": None, "value": None, "facts": [],
                   "sentence": None, "caveat": None, "trend": None, "change": None, "judgement": None,
                   "why": None, "breaks": [], "note": None, "ratio": ratio_parts(ind) is not None}
    series = {p["year"]: p["value"] for p in store.series(ind.id, teryt) if _finite(p["value"])}
    shown = _shown_year(series, year)
    if shown is None:
        block["note"] = tx["no_data_until"].format(year=year)
        return block
    point = store.point(ind.id, teryt, shown) or {}
    value = series[shown]
    block.update({"year": shown, "value": value})
    if shown < year:
        block["note"] = tx["older"].format(year=shown)

    def fact(label: str, v: object, text: str | None = None, fy: int = shown) -> None:
        block["facts"].append({"label": label, "value": v if _finite(v) else None,
                               "text": text if text is not None else _fmt(v, ind, lang), "year": fy,
                               "source": src, "synthetic": synthetic})

    fact(tx["value"], value)
    peer = point.get("peer") or {}
    if _finite(peer.get("median")):
        fact(tx["peer_median"] + f" (n = {peer.get('n')})", peer["median"])
    if point.get("rank_peer") and point.get("n_peer"):
        fact(tx["rank"], None, tx["rank_value"].format(r=point["rank_peer"], n=point["n_peer"]))
    sim = stats_over(store, ind.id, shown, level, similar_codes) if similar_codes else None
    if sim is not None:
        fact(tx["similar_median"] + f" (n = {sim['n']})", sim["median"])
    national = point.get("national") or {}
    if _finite(national.get("median")):
        fact(tx["national_median"], national["median"])

    from portal.uncertainty import unit_limits

    try:
        limits = unit_limits(store, ind.id, teryt, shown)
    except (KeyError, ValueError):
        limits = None
    within = None if limits is None else limits.get("flag") == "within95"
    block["sentence"] = unit_sentence(
        ind.sentence.get(lang), year=shown, value_text=_fmt(value, ind, lang), level=noun_of(store, teryt),
        lang=lang, point=point or None, direction=ind.direction,
        peer_group_name=store.peer_group_name(str(unit["peer_group"]), lang), indistinguishable=within)
    block["caveat"] = caveat(synthetic, point.get("flag"), lang, level=level)

    first_year = shown - TREND_YEARS + 1
    window = [y for y in store.years(ind.id, level) if first_year <= y <= shown]
    peer_med, sim_med = [], []
    for y in window:
        g = store.group(ind.id, y, level, "peer", str(unit["peer_group"]))
        peer_med.append(g["median"] if g else None)
        s = stats_over(store, ind.id, y, level, similar_codes) if similar_codes else None
        sim_med.append(s["median"] if s else None)
    all_breaks = breaks if breaks is not None else series_breaks(store, teryt)
    in_window = [b for b in all_breaks if window and b["year"] > window[0] and b["earliest"] <= shown]
    block["breaks"] = [f"{b['year']}: {b['reason'][lang]}" for b in in_window]
    block["trend"] = {"years": window, "values": [series.get(y) for y in window], "peer_median": peer_med,
                      "similar_median": sim_med, "breaks": sorted({b["year"] for b in in_window}),
                      "title": tx["trend"].format(a=window[0] if window else shown, b=shown),
                      "alt": tx["trend_alt"].format(name=ind.name.get(lang), a=window[0] if window else shown,
                                                    b=shown),
                      "unit": ind.unit.get(lang), "decimals": ind.decimals, "synthetic": synthetic,
                      # A chart only where there is a line to draw: two or more of the unit's values.
                      "chart": sum(y in series for y in window) >= 2}
    have = [y for y in window if y in series]
    if len(have) >= 2 and not ind.comparable_over_time:
        block["change"] = tx["not_comparable"]
    elif len(have) >= 2:
        judgement = change_judgement(series[have[0]], value, ind.direction, ind.decimals)
        block["judgement"] = judgement
        block["change"] = _change_text(have[0], series[have[0]], shown, value, ind, lang, judgement)
        # The same years in Poland: a change everybody saw (a harder exam, a national trend) reads
        # differently.
        g0 = store.group(ind.id, have[0], level, "national", "PL")
        g1 = store.group(ind.id, shown, level, "national", "PL")
        if g0 and g1 and _finite(g0["median"]) and _finite(g1["median"]):
            block["change"] += " " + tx["national_change"].format(
                a=have[0], b=shown, v0=_fmt(g0["median"], ind, lang), v1=_fmt(g1["median"], ind, lang))
    else:
        block["change"] = tx["change_short"]
    if block["ratio"] and not synthetic:
        dec = unit_decomposition(store, ind.id, teryt, lang, measures=measures)
        last = next((d for d in dec["changes"] if d["year_to"] == shown), None)
        if dec["available"] and last is not None:
            block["why"] = last["sentence"]
    return block


def _numbers_facts(store, teryt: str, lang: str, similar: dict) -> list[dict]:
    tx = TEXT[lang]
    unit = store.units.loc[teryt]
    rows = [{"label": tx["type"], "text": store.context_line(teryt, lang)},
            {"label": tx["peer_group"], "text": store.peer_group_name(str(unit["peer_group"]), lang)}]
    if similar["units"]:
        rows.append({"label": tx["similar"], "text": ", ".join(u["display_name"] for u in similar["units"])})
    return rows


def _summary(blocks: list[dict]) -> dict:
    return {"improved": [b["name"] for b in blocks if b["judgement"] == "improved"],
            "worsened": [b["name"] for b in blocks if b["judgement"] == "worsened"]}


def _goal_rows(store, teryt: str, goals, year: int, lang: str) -> list[dict]:
    out = []
    for goal in goals_mod.evaluate(store, teryt, goals, upto_year=year):
        targets = []
        for t in goal["targets"]:
            ind = store.catalogue.by_id.get(t["indicator"])
            unit_text = t["unit"][lang]
            dec = t["decimals"]

            def fmt(v, unit_text=unit_text, dec=dec):
                return format_value(v, unit_text, dec, lang) if _finite(v) else TEXT[lang]["no_data"]

            targets.append({**t, "name_text": t["name"][lang],
                            "status_text": goals_mod.STATUS_TEXT[t["status"]][lang],
                            "baseline_text": fmt(t["baseline"]), "target_text": fmt(t["target"]),
                            "value_text": fmt(t["value"]), "path_text": fmt(t["path_value"]),
                            "needed_text": (("+" if t["needed_per_year"] >= 0 else "−")
                                            + fmt(abs(t["needed_per_year"])))
                            if _finite(t["needed_per_year"]) else None,
                            "source": _source_line(store, ind, lang) if ind else None,
                            "label": SYNTHETIC_LABEL[lang] if t["synthetic"] else None})
        out.append({"text": goal["text"], "status": goal["status"],
                    "status_text": goals_mod.STATUS_TEXT[goal["status"]][lang], "targets": targets})
    return out


def _datasets(store, ids: list[str]) -> list[dict]:
    known = {d.get("id"): d for d in store.meta.get("datasets", []) if isinstance(d, dict)}
    return [known[i] for i in ids if i in known]


# --------------------------------------------------------------------------- the report

def build_report(store, teryt: str, choice: ReportChoice | None = None, *,
                 today: dt.date | None = None) -> dict:
    """The whole report as plain data for one unit and choice (see the module docstring).

    Returns {teryt, name, level, noun, title, subtitle, context, year, years, version, built_at, edition,
    demo, synthetic_label, chapters: [...], synthetic: [names of synthetic indicators shown], prepared}.
    ValueError for an unknown unit.
    """
    if teryt not in store.units.index:
        raise ValueError(f"unknown unit {teryt!r}")
    choice = choice or ReportChoice()
    lang = _lang(choice.lang)
    tx = TEXT[lang]
    unit = store.units.loc[teryt]
    level = str(unit["level"])
    noun = noun_of(store, teryt)
    years = report_years(store, level)
    year = choice.year if choice.year in years else (years[-1] if years else (today or dt.date.today()).year)
    similar = _similar_cached(_ByKey(store), teryt)
    similar_codes = [u["teryt"] for u in similar["units"]]
    measures = release_measures(store)
    breaks = series_breaks(store, teryt)
    chosen_chapters = set(choice.chapters) if choice.chapters is not None else None
    chosen_inds = set(choice.indicators) if choice.indicators is not None else None
    council_level = "gmina" if level == "gmina" else level
    chapters = []
    shown_ids: list[str] = []
    for spec in chapters_for(store, teryt, lang):
        if chosen_chapters is not None and spec["id"] not in chosen_chapters and spec["kind"] != "sources":
            continue
        ch = {"id": spec["id"], "kind": spec["kind"], "title": spec["title"], "lead": None, "empty": None,
              "facts": [], "blocks": [], "summary": None, "guidance": [], "goals": [], "mark": None}
        if spec["kind"] in ("numbers", "area"):
            if spec["kind"] == "numbers":
                ch["lead"] = tx["numbers_lead"]
                ch["facts"] = _numbers_facts(store, teryt, lang, similar)
                if similar["missing"] and not similar["units"]:
                    ch["facts"].append({"label": tx["similar"], "text": tx["similar_none"].format(
                        vars=", ".join(similar["missing"]))})
            else:
                area = store.catalogue.area_by_id[spec["id"]]
                ch["lead"] = area.description.get(lang)
                if area.headline is None:
                    ch["empty"] = NO_OFFICIAL[lang]
                elif not spec["indicators"]:
                    ch["empty"] = tx["not_at_level"]
            ids = [i for i in spec["indicators"] if chosen_inds is None or i in chosen_inds]
            if spec["indicators"] and not ids:
                ch["empty"] = tx["none_chosen"]
            for iid in ids[:MAX_INDICATORS]:
                ind = store.catalogue.by_id[iid]
                ch["blocks"].append(indicator_block(store, teryt, ind, year, lang, similar_codes, measures,
                                                    breaks))
                shown_ids.append(iid)
            if spec["kind"] == "area" and ch["blocks"]:
                ch["summary"] = _summary(ch["blocks"])
        elif spec["kind"] == "goals":
            ch["lead"] = tx["goals_lead"]
            ch["rule"] = goals_mod.RULE[lang]
            ch["goals"] = _goal_rows(store, teryt, choice.goals, year, lang)
            if not ch["goals"]:
                ch["empty"] = tx["goals_none"].format(href=f"/cele/{teryt}")
            if choice.goals_error:
                ch["empty"] = choice.goals_error
        elif spec["kind"] == "free":
            ch["mark"] = tx["free_mark"]
            ch["guidance"] = [g.format(act=_ACT[council_level][lang])
                              for g in FREE_CHAPTERS[spec["id"]]["guidance"][lang]]
        chapters.append(ch)
    # Sources and method: last, built after the chapters so it lists what they used.
    src = chapters[-1]
    used = [store.catalogue.by_id[i] for i in dict.fromkeys(shown_ids)]
    edition = getattr(store, "edition", "official")
    src["facts"] = [
        {"label": tx["data_version"], "text": f"{store.version} ({tx['built']} "
                                              f"{str(store.meta.get('built_at', ''))[:10]})"},
        {"label": tx["edition"], "text": tx["edition_demo"] if edition == "demo" else tx["edition_official"]},
        {"label": tx["prepared"], "text": (today or dt.date.today()).isoformat()},
    ]
    attributions = sorted({i.source.attribution for i in used if not store.is_synthetic(i.id)})
    src["sources"] = attributions
    src["datasets"] = _datasets(store, sorted({d for i in used for d in i.source.datasets}))
    method = list(METHOD[lang])
    if any(ratio_parts(i) for i in used):
        decomposed = any(b["why"] for ch in chapters for b in ch["blocks"])
        method.append(DECOMPOSE_METHOD[lang] + (
            "" if decomposed else
            (" Licznika i mianownika nie ma w tym wydaniu danych, więc rozkład nie jest jeszcze pokazywany."
             if lang == "pl" else
             " This release does not hold numerators and denominators, so the split is not shown yet.")))
    if choice.goals:
        method.append(goals_mod.RULE[lang])
    synthetic = [i.name.get(lang) for i in used if store.is_synthetic(i.id)]
    if synthetic:
        method.append(SYNTHETIC_LABEL[lang] + ": " + "; ".join(synthetic) + ".")
    src["method"] = method
    return {
        "teryt": teryt, "name": str(unit["display_name"]), "level": level, "noun": noun,
        "title": tx["title"][noun], "subtitle": tx["for_year"].format(year=year),
        "context": store.context_line(teryt, lang), "year": year, "years": years, "lang": lang,
        "version": store.version, "built_at": str(store.meta.get("built_at", "")), "edition": edition,
        "demo": edition == "demo", "synthetic_label": SYNTHETIC_LABEL[lang], "synthetic": synthetic,
        "chapters": chapters, "prepared": (today or dt.date.today()).isoformat(),
        "similar": {"units": [u["display_name"] for u in similar["units"]],
                    "synthetic": bool(similar.get("synthetic")), "notice": similar.get("notice")},
    }


__all__ = ["FREE", "GOALS", "NUMBERS", "SOURCES", "SYNTHETIC_LABEL", "ReportChoice", "build_report",
           "change_judgement", "chapters_for", "choice_query", "indicator_block", "level_indicators",
           "noun_of", "parse_choice", "report_href", "report_years"]
