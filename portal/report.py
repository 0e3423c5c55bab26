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

The pieces live in modules named for what they do: what a report can hold and the user's choice (URL state)
in portal/report_choice.py, one indicator's block and the goals table in portal/report_blocks.py, the chapters
the data cannot write in portal/report_free.py. Texts are gettext messages (portal/i18n.py; English in the
code, Polish in portal/locale/pl/LC_MESSAGES/messages.po).
"""

from __future__ import annotations

import datetime as dt

from portal import goals as goals_mod
from portal.breaks import series_breaks
from portal.decompose import METHOD as DECOMPOSE_METHOD
from portal.decompose import ratio_parts, release_measures
from portal.i18n import LANGS, N_, lang_of, translator
from portal.report_blocks import (  # noqa: F401 - re-exported: the report's public names
    SYNTHETIC_LABEL,
    _ByKey,
    change_judgement,
    goal_rows,
    indicator_block,
    similar_cached,
    source_line,
)
from portal.report_choice import (  # noqa: F401 - re-exported: the report's public names
    CONTEXT_AREA,
    GOALS,
    NUMBERS,
    SOURCES,
    ReportChoice,
    chapters_for,
    choice_query,
    level_indicators,
    noun_of,
    parse_choice,
    report_href,
    report_years,
)
from portal.report_free import FREE, free_guidance

MAX_INDICATORS = 200
_similar_cached = similar_cached  # the name portal/api/report.py imports

TITLE = {"gmina": N_("Report on the state of the gmina"), "miasto": N_("Report on the state of the city"),
         "powiat": N_("Report on the state of the county"),
         "wojewodztwo": N_("Report on the state of the voivodeship")}
NO_OFFICIAL_TEXT = N_("This edition has no official indicators of this area; `omup data fetch` from BDL/SMUP "
                      "will add them.")
NO_OFFICIAL = {lang: translator(lang)(NO_OFFICIAL_TEXT) for lang in LANGS}

METHOD = [
    N_("Values come from the OMUP data release of the version given; every number in the tables has its "
       "source and the data version beside it."),
    N_("The peer group is a fixed group of units of the same kind and similar size; the median is the "
       "group's middle value, rank 1 the best result (for indicators without a direction, the highest "
       "value)."),
    N_("The 10 most similar units are the nearest neighbours on standardised characteristics (population, "
       "density, type, share aged 65+, own revenue – where the release holds them)."),
    N_("An indicator's year is the report's year or the latest earlier year with data. Changes are described "
       "over the five years ending in that year: the last value against the window's first. A change counts "
       "when it exceeds half of the last shown digit and 1% of the first value; improvement or worsening "
       "follows the indicator's direction; for indicators without one we only say rise or fall."),
]


# --------------------------------------------------------------------------- chapters' parts

def _numbers_facts(store, teryt: str, lang: str, similar: dict) -> list[dict]:
    _ = translator(lang)
    unit = store.units.loc[teryt]
    rows = [{"label": _("Type of unit"), "text": store.context_line(teryt, lang)},
            {"label": _("Peer group (similar units)"),
             "text": store.peer_group_name(str(unit["peer_group"]), lang)}]
    if similar["units"]:
        rows.append({"label": _("The 10 most similar units"),
                     "text": ", ".join(u["display_name"] for u in similar["units"])})
    return rows


def _summary(blocks: list[dict]) -> dict:
    return {"improved": [b["name"] for b in blocks if b["judgement"] == "improved"],
            "worsened": [b["name"] for b in blocks if b["judgement"] == "worsened"]}


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
    lang = lang_of(choice.lang)
    _ = translator(lang)
    unit = store.units.loc[teryt]
    level = str(unit["level"])
    noun = noun_of(store, teryt)
    years = report_years(store, level)
    year = choice.year if choice.year in years else (years[-1] if years else (today or dt.date.today()).year)
    similar = similar_cached(_ByKey(store), teryt)
    similar_codes = [u["teryt"] for u in similar["units"]]
    measures = release_measures(store)
    breaks = series_breaks(store, teryt)
    chosen_chapters = set(choice.chapters) if choice.chapters is not None else None
    chosen_inds = set(choice.indicators) if choice.indicators is not None else None
    chapters = []
    shown_ids: list[str] = []
    for spec in chapters_for(store, teryt, lang):
        if chosen_chapters is not None and spec["id"] not in chosen_chapters and spec["kind"] != "sources":
            continue
        ch = {"id": spec["id"], "kind": spec["kind"], "title": spec["title"], "lead": None, "empty": None,
              "facts": [], "blocks": [], "summary": None, "guidance": [], "goals": [], "mark": None}
        if spec["kind"] in ("numbers", "area"):
            if spec["kind"] == "numbers":
                ch["lead"] = _("What the unit is, what it is compared with and basic facts about its residents – "
                               "background for the chapters that follow, not judged.")
                ch["facts"] = _numbers_facts(store, teryt, lang, similar)
                if similar["missing"] and not similar["units"]:
                    ch["facts"].append({"label": _("The 10 most similar units"),
                                        "text": _("Similar units cannot be found (no data on: {vars}).").format(
                                            vars=", ".join(similar["missing"]))})
            else:
                area = store.catalogue.area_by_id[spec["id"]]
                ch["lead"] = area.description.get(lang)
                if area.headline is None:
                    ch["empty"] = _(NO_OFFICIAL_TEXT)
                elif not spec["indicators"]:
                    ch["empty"] = _("This area's indicators are not available for this level of units.")
            ids = [i for i in spec["indicators"] if chosen_inds is None or i in chosen_inds]
            if spec["indicators"] and not ids:
                ch["empty"] = _("No indicators were chosen in this chapter.")
            for iid in ids[:MAX_INDICATORS]:
                ind = store.catalogue.by_id[iid]
                ch["blocks"].append(indicator_block(store, teryt, ind, year, lang, similar_codes, measures,
                                                    breaks))
                shown_ids.append(iid)
            if spec["kind"] == "area" and ch["blocks"]:
                ch["summary"] = _summary(ch["blocks"])
        elif spec["kind"] == "goals":
            ch["lead"] = _("Goals written by the report's user, each tied to indicators, with a baseline year, a "
                           "target value and a target year.")
            ch["rule"] = goals_mod.RULE[lang]
            ch["goals"] = goal_rows(store, teryt, choice.goals, year, lang)
            if not ch["goals"]:
                ch["empty"] = _("No goals were added. Goals and targets can be written on this unit's 'Goals' page "
                                "({href}) and added to the report.").format(href=f"/cele/{teryt}")
            if choice.goals_error:
                ch["empty"] = choice.goals_error
        elif spec["kind"] == "free":
            ch["mark"] = _("TO BE COMPLETED")
            ch["guidance"] = free_guidance(spec["id"], level, lang)
        chapters.append(ch)
    # Sources and method: last, built after the chapters so it lists what they used.
    src = chapters[-1]
    used = [store.catalogue.by_id[i] for i in dict.fromkeys(shown_ids)]
    edition = getattr(store, "edition", "official")
    src["facts"] = [
        {"label": _("Data version"),
         "text": f"{store.version} (" + _("built") + f" {str(store.meta.get('built_at', ''))[:10]})"},
        {"label": _("Edition"), "text": _("demo (official data and labelled synthetic data)")
         if edition == "demo" else _("official (official data only)")},
        {"label": _("Prepared"), "text": (today or dt.date.today()).isoformat()},
    ]
    attributions = sorted({i.source.attribution for i in used if not store.is_synthetic(i.id)})
    src["sources"] = attributions
    src["datasets"] = _datasets(store, sorted({d for i in used for d in i.source.datasets}))
    method = [_(m) for m in METHOD]
    if any(ratio_parts(i) and not i.real.mean for i in used):  # averages are never split
        decomposed = any(b["why"] for ch in chapters for b in ch["blocks"])
        method.append(DECOMPOSE_METHOD[lang] + ("" if decomposed else " " + _(
            "This release does not hold numerators and denominators, so the split is not shown yet.")))
    if choice.goals:
        method.append(goals_mod.RULE[lang])
    synthetic = [i.name.get(lang) for i in used if store.is_synthetic(i.id)]
    if synthetic:
        method.append(SYNTHETIC_LABEL[lang] + ": " + "; ".join(synthetic) + ".")
    src["method"] = method
    return {
        "teryt": teryt, "name": str(unit["display_name"]), "level": level, "noun": noun,
        "title": _(TITLE[noun]), "subtitle": _("for {year}").format(year=year),
        "context": store.context_line(teryt, lang), "year": year, "years": years, "lang": lang,
        "version": store.version, "built_at": str(store.meta.get("built_at", "")), "edition": edition,
        "demo": edition == "demo", "synthetic_label": SYNTHETIC_LABEL[lang], "synthetic": synthetic,
        "chapters": chapters, "prepared": (today or dt.date.today()).isoformat(),
        "similar": {"units": [u["display_name"] for u in similar["units"]],
                    "synthetic": bool(similar.get("synthetic")), "notice": similar.get("notice")},
    }


__all__ = ["FREE", "GOALS", "NUMBERS", "SOURCES", "SYNTHETIC_LABEL", "ReportChoice", "build_report",
           "change_judgement", "chapters_for", "choice_query", "goal_rows", "indicator_block", "level_indicators",
           "noun_of", "parse_choice", "report_href", "report_years"]
