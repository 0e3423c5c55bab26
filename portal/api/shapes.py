"""How a unit, an indicator and a unit's profile look in /api/v1's JSON (the endpoints are portal/api/v1.py).

The profile is the page's own (portal/profile.py): the same cards, years, verdicts and sentences as /jst/<teryt>;
each official ratio indicator's item also carries ``change``, its last year-on-year change split into what the
numerator and the denominator did, with the series breaks in it (portal/why_moved.py).
"""

from __future__ import annotations

import math
from typing import Any

from portal.catalogue import Indicator
from portal.i18n import lang_of
from portal.store import Store

SYNTHETIC_MARK = {"pl": " [wartość syntetyczna, nie dane urzędowe]", "en": " [synthetic value, not official statistics]"}


def number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def integer(v: Any) -> int | None:
    f = number(v)
    return None if f is None else int(f)


def unit_summary(store: Store, teryt: str) -> dict:
    u = store.units.loc[teryt]
    return {"teryt": teryt, "name": u["name"], "display_name": u["display_name"], "level": u["level"],
            "kind": u["kind"], "powiat": u["powiat"] if u["level"] == "gmina" else None,
            "wojewodztwo": u["wojewodztwo"] if u["level"] != "wojewodztwo" else None,
            "population": integer(u["population"]), "peer_group": u["peer_group"]}


def peer_group_info(store: Store, teryt: str) -> dict:
    group = store.units.at[teryt, "peer_group"]
    names = store.meta.get("peer_groups", {}).get(group, {})
    return {"id": group, "name": {"pl": names.get("pl", group), "en": names.get("en", group)},
            "size": len(store.peers(teryt))}


def unit_facts(store: Store, teryt: str) -> dict:
    u = store.units.loc[teryt]
    parents = []
    if u["level"] == "gmina":
        parents.append(u["powiat"])
    if u["level"] != "wojewodztwo":
        parents.append(u["wojewodztwo"])
    return {
        **unit_summary(store, teryt),
        "mnpp": bool(u["mnpp"]),
        "context": {"pl": store.context_line(teryt, "pl"), "en": store.context_line(teryt, "en")},
        "area_km2": number(u["area_km2"]),
        "density": number(u["density"]),
        "has_shape": bool(u["has_shape"]),
        "peer_group": peer_group_info(store, teryt),
        "parents": [{"teryt": p, "name": store.units.at[p, "name"], "level": store.units.at[p, "level"]}
                    for p in parents if p in store.units.index],
        "links": {"profile": f"/jst/{teryt}", "budget": f"/budzet/{teryt}", "api_profile": f"/api/v1/profiles/{teryt}"},
    }


def indicator_summary(store: Store, ind: Indicator) -> dict:
    return {
        "id": ind.id, "area": ind.area, "dimension": ind.dimension,
        "name": {"pl": ind.name.pl, "en": ind.name.en},
        "unit": {"pl": ind.unit.pl, "en": ind.unit.en},
        "direction": ind.direction, "levels": list(ind.levels),
        "years": {lvl: store.years(ind.id, lvl) for lvl in ind.levels},
        "decimals": ind.decimals, "synthetic": store.is_synthetic(ind.id),
        "budget_section": ind.budget_section,
        "attribution": ind.source.attribution if not store.is_synthetic(ind.id) else "OMUP – dane syntetyczne",
    }


def indicator_detail(store: Store, ind: Indicator) -> dict:
    f = ind.formula
    return {
        **indicator_summary(store, ind),
        "description": {"pl": ind.description.pl, "en": ind.description.en},
        "formula": {"numerator": {"pl": f.numerator.pl, "en": f.numerator.en},
                    "denominator": {"pl": f.denominator.pl, "en": f.denominator.en} if f.denominator else None,
                    "multiplier": f.multiplier},
        "source": {"attribution": ind.source.attribution, "bdl_variable": ind.source.bdl_variable,
                   "bdl_subject": ind.source.bdl_subject, "evidence": ind.source.evidence, "note": ind.source.note},
        "sentence": {"pl": ind.sentence.pl, "en": ind.sentence.en},
        "rate": ind.rate,
        "links": {"page": f"/wskaznik/{ind.id}", "values": f"/api/v1/values?indicator={ind.id}"},
    }


def profile_change(store: Store, teryt: str, ind: Indicator, year: int, lang: str) -> dict | None:
    """The item's ``change``: the change ending in its year split into numerator and denominator, with the
    card's line as ``text`` (portal/why_moved.py); None for indicators that are not official ratios."""
    from portal.why_moved import card_change, change_line

    change = card_change(store, ind.id, teryt, year, lang)
    if change is None:
        return None
    return {**change, "text": change_line(change, ind.unit.get(lang), ind.decimals, lang)}


def unit_profile(store: Store, teryt: str, lang: str = "pl", year: int | None = None) -> dict:
    """Everything the profile page shows, as data: facts, per-area indicators with sentences, strongest/weakest.

    The cards are the page's own (portal/profile.py, each a portal/verdict.py verdict): the same year, verdict
    and sentence as /jst/<teryt> for the same ``year`` (None: each indicator's latest year with a value).
    """
    from portal import profile as prof
    from portal.explain import MISSING

    unit = store.unit(teryt)
    cards = prof.build_cards(store, unit, year, lang)
    by_area: dict[str, list[dict]] = {}
    for card in cards:
        v, ind, p = card.judgement, card.indicator, card.point
        if p is None or v.year is None:
            continue
        label = v.badge[1] if v.badge else (MISSING[lang_of(lang)] if v.kind == "no_data" else "")
        by_area.setdefault(ind.area, []).append({
            "indicator": ind.id, "name": ind.name.get(lang), "unit": ind.unit.get(lang), "direction": ind.direction,
            "dimension": ind.dimension, "year": v.year, "value": v.value, "value_text": v.value_text,
            "flag": p["flag"], "synthetic": card.synthetic,
            "peer_median": (p["peer"] or {}).get("median"), "national_median": (p["national"] or {}).get("median"),
            "rank_peer": p["rank_peer"] if v.comparable else None, "n_peer": p["n_peer"], "pct_peer": p["pct_peer"],
            "verdict": v.kind, "band": {"key": v.badge[0] if v.badge else v.kind, "label": label},
            # A synthetic value's sentence says so itself (quoted alone, it must not pass for an official fact).
            "sentence": v.sentence + (SYNTHETIC_MARK[lang_of(lang)] if card.synthetic else ""),
            "chance_text": v.chance_text, "base_text": v.base_text, "caveat": v.caveat,
            "change": None if card.synthetic else profile_change(store, teryt, ind, v.year, lang),
        })
    areas = [{"id": a.id, "name": a.name.get(lang), "indicators": by_area[a.id]}
             for a in store.catalogue.areas if a.id in by_area]
    strong, weak = prof.strengths(cards, k=3)

    def brief(card) -> dict:
        v = card.judgement
        return {"indicator": card.indicator.id, "name": card.indicator.name.get(lang), "year": v.year,
                "value": v.value, "value_text": v.value_text, "synthetic": card.synthetic,
                "flag": card.point["flag"], "better_share": v.share}

    return {"unit": unit_facts(store, teryt), "lang": lang, "areas": areas,
            "strongest": [brief(c) for c in strong], "weakest": [brief(c) for c in weak]}
