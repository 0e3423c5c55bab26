"""A unit's profile as data: one card per indicator (the shown year, value, verdict, sentence, trend), the
headline strip, the story sentences, strengths and weaknesses, and the areas this edition cannot fill.

Plain functions of the store, tested without Dash; the page (layouts/profile.py) and the API's profile
endpoint (portal/api/v1.py) both build their cards here, so they give the same year and verdict for a card.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from portal.breaks import GMINA_KIND, series_breaks
from portal.catalogue import Area, Indicator
from portal.explain import band_label, format_number, strongest_weakest
from portal.i18n import N_, lang_of, translator
from portal.similar import VARIABLES, parse_variables
from portal.state import ProfileState, parse_profile
from portal.store import Store
from portal.verdict import Verdict, card_verdict

LATEST = "najnowsze"  # the year control's value for "latest data" (no `rok` in the URL)
STRONG_WEAK_K = 5
HEADLINE_MAX = 6
CONTEXT = "kontekst"
POPULATION = "ludnosc"
REVISED_FROM = 2020  # population counts from this year on are revised to the 2021 census (GUS P1336)

KIND_WORDS = {
    "miejska": N_("urban gmina"),
    "wiejska": N_("rural gmina"),
    "miejsko-wiejska": N_("urban-rural gmina"),
    "mnpp": N_("city with county rights"),
    "powiat": N_("county"),
    "wojewodztwo": N_("voivodeship"),
}


@dataclass(frozen=True)
class Card:
    """What one indicator card shows; plain data so the page, the API, downloads and tests share it.

    The year, value, statement about the peers and sentence are the indicator's :func:`card_verdict`
    (portal/verdict.py): the page and the API's profile cannot disagree about a card.
    """

    indicator: Indicator
    judgement: Verdict
    years: list[int]
    values: list[float | None]
    peer_medians: list[float | None]
    synthetic: bool
    breaks: tuple[int, ...] = ()

    @property
    def year(self) -> int | None:
        return self.judgement.year

    @property
    def point(self) -> dict | None:
        return self.judgement.point

    @property
    def sentence(self) -> str:
        return self.judgement.sentence

    @property
    def caveat(self) -> str | None:
        return self.judgement.caveat

    @property
    def value(self) -> float | None:
        return self.judgement.value

    @property
    def peer_median(self) -> float | None:
        return ((self.point or {}).get("peer") or {}).get("median")

    @property
    def verdict(self) -> str:
        """no_data | small_base | no_comparison | chance | band: the one statement about the peers."""
        return self.judgement.kind

    @property
    def chance(self) -> bool | None:
        """Within chance variation (rate indicators with limits); None when chance does not apply."""
        lim = self.judgement.chance
        return None if lim is None else lim["flag"] == "within95"

    @property
    def band(self) -> tuple[str, str, str]:
        return self.judgement.band or ("no_data", "", "")

    def band_text(self, lang: str) -> str | None:
        return None if self.verdict != "band" else (self.band[2] if lang_of(lang) == "en" else self.band[1])


@dataclass(frozen=True)
class AreaPlan:
    """An area of the profile: its cards, or (none in this edition) the indicators a fetch would bring."""

    area: Area
    cards: list[Card] = field(default_factory=list)
    missing: list[Indicator] = field(default_factory=list)


class _ByKey:
    """Hashes a store by its cache key (version and edition), so memoised results follow the release."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __hash__(self) -> int:
        return hash(self.store.cache_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByKey) and other.store.cache_key == self.store.cache_key


def _finite(v: object) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def sentence_level(unit: dict) -> str:
    """A city with powiat rights reads as "miasto" at both of its levels (its peers are cities)."""
    return "miasto" if unit["mnpp"] else unit["level"]


def kind_text(unit: dict, lang: str) -> str:
    return translator(lang)(KIND_WORDS["mnpp" if unit["mnpp"] else unit["kind"]])


def parse_year(rok: object) -> int | None:
    try:
        return int(str(rok)) if rok not in (None, "", LATEST) else None
    except ValueError:
        return None


def profile_indicators(store: Store, level: str) -> list[Indicator]:
    """Indicators shown for a level, in catalogue area order (kontekst last)."""
    order = {a.id: k for k, a in enumerate(store.catalogue.areas)}
    inds = [i for i in store.catalogue.indicators if level in i.levels]
    return sorted(inds, key=lambda i: (i.area == CONTEXT, order.get(i.area, 99)))


def profile_years(store: Store, level: str) -> list[int]:
    """Every year with data of some indicator of the level, newest first (the year control)."""
    return sorted({y for ind in profile_indicators(store, level) for y in store.years(ind.id, level)}, reverse=True)


def valid_year(store: Store, level: str, rok: object) -> int | None:
    """The URL's year when some indicator of the level has it, else None (latest data)."""
    year = parse_year(rok)
    return year if year in profile_years(store, level) else None


@lru_cache(maxsize=128)
def _peer_medians(key: _ByKey, level: str, group: str) -> dict[str, tuple[float | None, ...]]:
    store = key.store
    out = {}
    for ind in profile_indicators(store, level):
        medians = []
        for y in store.years(ind.id, level):
            g = store.group(ind.id, y, level, "peer", group)
            medians.append(g["median"] if g else None)
        out[ind.id] = tuple(medians)
    return out


def peer_medians(store: Store, level: str, group: str) -> dict[str, tuple[float | None, ...]]:
    """Peer-group medians per indicator and year (the sparklines' dotted line), shared by the group's units."""
    return _peer_medians(_ByKey(store), level, group)


def build_card(store: Store, unit: dict, ind: Indicator, rok: int | None, lang: str,
               breaks: tuple[int, ...] = ()) -> Card:
    """One indicator for one unit: its verdict (year, value, statement, sentence) and its trend."""
    lang = lang_of(lang)
    teryt, level = unit["teryt"], unit["level"]
    series = store.series(ind.id, teryt)
    years = [s["year"] for s in series]
    medians = list(peer_medians(store, level, unit["peer_group"]).get(ind.id, ()))
    if len(medians) != len(years):
        medians = [None] * len(years)
    return Card(indicator=ind, judgement=card_verdict(store, ind.id, teryt, rok, lang), years=years,
                values=[s["value"] for s in series], peer_medians=medians,
                synthetic=store.is_synthetic(ind.id) or any(s["synthetic"] for s in series),
                breaks=tuple(y for y in breaks if years and years[0] < y <= years[-1]))


def unit_breaks(store: Store, teryt: str) -> list[dict]:
    """The unit's series breaks (portal/breaks.py); none when the change table cannot place them."""
    try:
        return series_breaks(store, teryt)
    except (ValueError, KeyError):
        return []


def build_cards(store: Store, unit: dict, rok: int | None, lang: str) -> list[Card]:
    breaks = tuple(sorted({b["year"] for b in unit_breaks(store, unit["teryt"])}))
    return [build_card(store, unit, ind, rok, lang, breaks) for ind in profile_indicators(store, unit["level"])]


def strengths(cards: list[Card], k: int = STRONG_WEAK_K) -> tuple[list[Card], list[Card]]:
    """The unit's strongest and weakest non-context indicators against its peers (strongest_weakest).

    Only values with a band verdict count: within chance variation is neither a strength nor a weakness.
    """
    by_id = {c.indicator.id: c for c in cards}
    points = [{**c.point, "direction": c.indicator.direction} for c in cards
              if c.point and c.indicator.area != CONTEXT and c.verdict == "band"]
    strong, weak = strongest_weakest(points, k)
    return [by_id[p["indicator"]] for p in strong], [by_id[p["indicator"]] for p in weak]


def area_plans(store: Store, unit: dict, cards: list[Card]) -> list[AreaPlan]:
    """Every area in catalogue order (kontekst last): its cards, or what would fill it when it has none here.

    An area whose indicators this edition lacks at the unit's level says which (the full catalogue's);
    an area with no indicator at this level at all is left out.
    """
    level = unit["level"]
    plans = []
    for area in sorted(store.catalogue.areas, key=lambda a: a.id == CONTEXT):
        own = [c for c in cards if c.indicator.area == area.id]
        if own:
            plans.append(AreaPlan(area, cards=own))
            continue
        missing = [i for i in store.full_catalogue.in_area(area.id)
                   if level in i.levels and i.id not in store.catalogue.by_id]
        if missing:
            plans.append(AreaPlan(area, missing=missing))
    return plans


# ---------------------------------------------------------------------------------------------- first screen
def headline_cards(store: Store, unit: dict, cards: list[Card], k: int = HEADLINE_MAX) -> list[Card]:
    """4–6 official indicators that tell the unit's story: the population, then each area's headline with a
    value, then the most recent other official values of areas not yet shown (one per area)."""
    official = [c for c in cards if c.value is not None and not c.synthetic]
    by_id = {c.indicator.id: c for c in official}
    chosen: list[Card] = []
    if POPULATION in by_id:
        chosen.append(by_id[POPULATION])
    for area in store.catalogue.areas:
        if area.id == CONTEXT:
            continue
        for lead in (getattr(area, "headline_official", None), area.headline):
            if lead in by_id and by_id[lead] not in chosen:
                chosen.append(by_id[lead])
                break
    areas = {c.indicator.area for c in chosen}
    rest = sorted((c for c in official if c not in chosen and c.indicator.area not in areas),
                  key=lambda c: (-(c.year or 0), c.indicator.area == CONTEXT, c.indicator.id))
    for c in rest:
        if c.indicator.area not in areas:
            chosen.append(c)
            areas.add(c.indicator.area)
    # Fresh values first: a headline of 2019 says less about today than one of 2024.
    head, tail = chosen[:1], sorted(chosen[1:], key=lambda c: -(c.year or 0))
    return (head + tail)[:k]


def _change_pct(first: float, last: float) -> float | None:
    return None if not first else 100.0 * (last - first) / first


def population_sentence(store: Store, unit: dict, cards: list[Card], lang: str) -> str | None:
    """'Od 2010 do 2024 r. liczba mieszkańców spadła o 4,1% (do 13 871).' – from the years after the unit's
    last territorial change, so a change of borders is not read as people moving."""
    _ = translator(lang)
    card = next((c for c in cards if c.indicator.id == POPULATION), None)
    if card is None:
        return None
    last_break = max((b for b in card.breaks), default=None)
    pairs = [(y, v) for y, v in zip(card.years, card.values, strict=True)
             if v is not None and (last_break is None or y >= last_break)]
    if len(pairs) < 2 or pairs[-1][0] - pairs[0][0] < 3:
        return None
    (y0, v0), (y1, v1) = pairs[0], pairs[-1]
    pct = _change_pct(v0, v1)
    if pct is None:
        return None
    values = {"first": y0, "last": y1, "value": format_number(v1, 0, lang), "pct": format_number(abs(pct), 1, lang)}
    if abs(pct) < 0.5:
        text = _("From {first} to {last} the number of residents hardly changed ({value} in {last}).")
    elif pct > 0:
        text = _("From {first} to {last} the number of residents grew by {pct}% (to {value}).")
    else:
        text = _("From {first} to {last} the number of residents fell by {pct}% (to {value}).")
    text = text.format(**values)
    if y0 < REVISED_FROM <= y1:  # GUS revised the counts from 2020 on to the 2021 census basis
        text += " " + _("Counts from 2020 on are GUS's, revised on the 2021 census basis.")
    return text


def standout_sentence(store: Store, unit: dict, cards: list[Card], lang: str) -> str | None:
    """What stands out against the peer group, from official values only: the best and the weakest result."""
    _ = translator(lang)
    official = [c for c in cards if not c.synthetic]
    strong, weak = strengths(official, k=1)
    group = store.peer_group_name(unit["peer_group"], lang)

    def said(c: Card) -> str:
        name = (c.indicator.short_name or c.indicator.name).get(lang)
        return _("{name} ({band}, {year})").format(name=name, band=c.band_text(lang), year=c.year)

    if strong and weak:
        return _("Against similar units ({group}) it does best in: {best}; weakest in: {worst}.").format(
            group=group, best=said(strong[0]), worst=said(weak[0]))
    if strong:
        return _("Against similar units ({group}) it does best in: {best}.").format(group=group, best=said(strong[0]))
    if weak:
        return _("Against similar units ({group}) it does weakest in: {worst}.").format(group=group, worst=said(weak[0]))
    return None


def story(store: Store, unit: dict, cards: list[Card], lang: str) -> list[str]:
    """One or two generated sentences on what stands out (official values only)."""
    lang = lang_of(lang)
    return [s for s in (population_sentence(store, unit, cards, lang), standout_sentence(store, unit, cards, lang))
            if s]


# ---------------------------------------------------------------------------------------------- notes
def missing_shape_note(store: Store, teryt: str, lang: str) -> str | None:
    """A unit created after the boundaries were drawn: say why its map and per-resident values are missing."""
    _ = translator(lang)
    for row in store.meta.get("missing_shapes", []):
        if row.get("teryt") == teryt:
            m = re.search(r"\((\d{7})\)", row.get("reason", ""))
            parent = ""
            if m and m.group(1) in store.units.index:
                parent = _(" from gmina {name}").format(name=f"{store.units.at[m.group(1), 'name']} ({m.group(1)})")
            return _("A new gmina, created on 1 January 2025{parent}. The 2019 boundaries still draw it inside its "
                     "parent gmina and its population and area are not in the data yet – so indicators per "
                     "resident are missing too.").format(parent=parent)
    return None


def break_notes(store: Store, teryt: str, lang: str) -> list[str]:
    """Plain notes on the unit's series breaks («W 2025 r. zmienił się typ gminy – …»)."""
    _ = translator(lang)
    en = lang_of(lang) == "en"
    out = []
    for b in unit_breaks(store, teryt):
        if b["change"] == "type":
            old = GMINA_KIND.get(b["old_teryt"][6], (b["old_teryt"][6],) * 2)[en]
            new = GMINA_KIND.get(b["new_teryt"][6], (b["new_teryt"][6],) * 2)[en]
            if b["earliest"] < b["year"]:
                text = _("Between {earliest} and {year} the gmina's type changed ({old} → {new}) – keep this in "
                         "mind when comparing years.")
            else:
                text = _("In {year} the gmina's type changed ({old} → {new}) – keep this in mind when comparing years.")
            out.append(text.format(year=b["year"], earliest=b["earliest"], old=old, new=new))
        else:
            parent, child = (store.units.at[c, "name"] if c in store.units.index else c
                             for c in (b["old_teryt"], b["new_teryt"]))
            out.append(_("In {year} gmina {child} was created from part of gmina {parent} – keep this in mind when "
                         "comparing years.").format(year=b["year"], parent=parent, child=child))
    return list(dict.fromkeys(out))


def unit_notes(store: Store, code: str, resolved: str, changed: bool, lang: str) -> list[str]:
    """The notes under the profile's heading: a changed code, a unit without a shape, series breaks."""
    _ = translator(lang)
    notes = [_("Code {old} has changed to {new}: showing today's unit.").format(old=code, new=resolved)] if changed else []
    shape = missing_shape_note(store, resolved, lang)
    if shape:
        notes.append(shape)
    breaks = break_notes(store, resolved, lang)
    if breaks:
        notes.append(" ".join([*breaks, _("The dashed orange line in the card charts marks this change.")]))
    return notes


# ---------------------------------------------------------------------------------------------- similar units, pack
def similar_variables(store: Store, level: str) -> tuple[str, ...]:
    """The similarity variables this edition has data for at the level (own revenue is a gmina budget's only)."""
    from portal.similar import OWN_REVENUE

    if store.years(OWN_REVENUE, level):
        return tuple(VARIABLES)
    return tuple(v for v in VARIABLES if v != "own_revenue")


def parse_similar_vars(zmienne: str | None) -> tuple[str, ...] | None:
    """The URL's `zmienne` (comma-separated variable names; unknown ones dropped); None = the default set."""
    if zmienne is None:
        return None
    names = [v for v in zmienne.split(",") if v in VARIABLES]
    return parse_variables(names) if names else ()


def pack_choice(store: Store, level: str, lang: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(indicator id, label) of every judged indicator of the level, and the default choice: area headlines."""
    inds = [i for i in profile_indicators(store, level) if i.area != CONTEXT]
    options = [(i.id, (i.short_name or i.name).get(lang)) for i in inds]
    present = {i.id for i in inds}
    default = []
    for a in store.catalogue.areas:
        for lead in (getattr(a, "headline_official", None), a.headline):
            if lead in present:
                default.append(lead)
                break
    return options, list(dict.fromkeys(default))


def profile_state(store: Store, teryt: str, params: dict[str, str]) -> ProfileState:
    """The profile page's state from its query parameters (the rules are portal/state.py's parse_profile)."""
    unit = store.unit(teryt)
    level = unit["level"] if unit else "gmina"
    return parse_profile(teryt, params, profile_years(store, level), similar_variables(store, level),
                         tuple(a.id for a in store.catalogue.areas))


__all__ = [
    "LATEST", "AreaPlan", "Card", "area_plans", "band_label", "build_card", "build_cards", "headline_cards",
    "pack_choice", "parse_similar_vars", "profile_indicators", "profile_state", "story", "strengths", "unit_notes",
]
