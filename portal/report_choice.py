"""What a unit's report can hold (its chapters and indicators, its years) and what the user chose on the report
page: :class:`ReportChoice`, read from and written to the URL (``rok``, ``rozdzialy``, ``wskazniki`` or ``bez``,
``cele``, ``lang``, ``demo``) so a chosen report is a link. The report itself is built by portal/report.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from portal import goals as goals_mod
from portal.catalogue import Indicator
from portal.explain import sentence_level
from portal.i18n import lang_of, translator
from portal.report_free import FREE, free_title

NUMBERS = "w-liczbach"
GOALS = "cele"
SOURCES = "zrodla"
CONTEXT_AREA = "kontekst"
FIRST_AREAS = ("finanse-jst",)  # the unit's finances open the service chapters, as reports usually do


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
    lang = lang_of(lang)
    _ = translator(lang)
    level = str(store.units.at[teryt, "level"])
    by_area: dict[str, list[str]] = {}
    for ind in level_indicators(store, level):
        by_area.setdefault(ind.area, []).append(ind.id)
    out = [{"id": NUMBERS, "kind": "numbers", "title": _("The unit in numbers"),
            "indicators": by_area.get(CONTEXT_AREA, [])}]
    for area in _area_order(store):
        out.append({"id": area.id, "kind": "area", "title": area.name.get(lang),
                    "indicators": by_area.get(area.id, [])})
    out.append({"id": GOALS, "kind": "goals", "title": _("Goals and targets"), "indicators": []})
    for cid in FREE:
        out.append({"id": cid, "kind": "free", "title": free_title(cid, level, lang), "indicators": []})
    out.append({"id": SOURCES, "kind": "sources", "title": _("Sources and method"), "indicators": []})
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
    lang = lang_of(params.get("lang"))
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


__all__ = ["CONTEXT_AREA", "FREE", "GOALS", "NUMBERS", "SOURCES", "ReportChoice", "chapters_for", "choice_query",
           "level_indicators", "noun_of", "parse_choice", "report_href", "report_years"]
