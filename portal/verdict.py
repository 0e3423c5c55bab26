"""One verdict per card: the year shown, its value, and the one statement made about it against its peers.

The profile page, the API's profile and the reports call :func:`card_verdict`, so that they never give
different years or verdicts for the same card. What a verdict says is decided in one place,
:func:`portal.explain.verdict_kind`, in this order:

1. ``no_data`` – no value in the year shown;
2. ``small_base`` – the value rests on too few cases to be ranked (:data:`BASE_RULES`): a mean exam score
   of fewer than :data:`MIN_TAKERS` takers. The base is said ("na podstawie wyników 30 uczniów") and
   neither a band nor a ranking is given;
3. ``no_comparison`` – the peer group has fewer than ``MIN_PEERS`` units with data;
4. ``chance`` – a rate indicator whose value has a denominator (portal/uncertainty.py: the value's own,
   or for synthetic values the 2020 register count) lies within the 95% limits of the overdispersed
   funnel around its peer group's pooled rate: "w granicach przypadkowych wahań", no band;
5. ``band`` – one of five bands, said in the indicator's direction (better/worse when judged,
   higher/lower when neutral), and the comparison phrase. A rate outside the limits gets its band only:
   a band and a chance statement are never both made.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from portal.catalogue import Indicator
from portal.explain import (
    MIN_PEERS,
    MISSING,
    base_clause,
    base_phrase,
    better_share,
    caveat,
    comparison_phrase,
    format_value,
    percentile_band,
    sentence_level,
    unit_sentence,
    verdict_kind,
)
from portal.i18n import N_, lang_of, translator
from portal.uncertainty import unit_limits
from portal.words import kind_words

MIN_TAKERS = 50
"""Exam means over fewer takers are neither banded nor ranked. In CKE's 2024 school tables a pupil's score
varies within a school with a standard deviation of 17 (Polish) to 26 (English) percentage points, while
the gminy's true means differ with a standard deviation of 6–8 points; a mean of n pupils is therefore
uncertain by ±1.96·σ/√n, ±7 points for English at n = 50, and its reliability (the share of its variance
that is a real difference between gminy) is 0.76–0.85 at 50 takers, 0.56–0.70 at 20. Below 50 a band
would mostly rank chance (tests/unit/test_verdict.py recomputes these figures from the raw files)."""

SMALL_UNIT_POPULATION = 5000
"""Rates of units below this population get a note that they swing from year to year (with a band only)."""


@dataclass(frozen=True)
class BaseRule:
    """When a value's denominator counts the cases it averages (exam takers), and how few are too few."""

    min_n: int
    noun: str  # a key of portal.explain.BASE_NOUNS


BASE_RULES = {"_takers": BaseRule(MIN_TAKERS, "pupils")}
"""By the end of the denominator measure's id in the catalogue (``real.denominator``)."""


def base_rule(ind: Indicator) -> BaseRule | None:
    """The small-base rule of an indicator, or None (its values are totals or rates, not means of cases)."""
    measure = ind.real.denominator if ind.real is not None else None
    if not measure:
        return None
    return next((rule for end, rule in BASE_RULES.items() if measure.endswith(end)), None)


@dataclass(frozen=True)
class Verdict:
    """Everything a card says about one indicator of one unit. Show ``sentence``, ``badge`` and, when not
    None, ``chance_text`` / ``base_text`` and ``caveat``; every text is in the language asked for."""

    indicator: str
    teryt: str
    lang: str
    year: int | None  # the year shown (see card_verdict)
    value: float | None
    value_text: str | None  # '412 zł na mieszkańca'; None without a value
    point: dict | None  # store.point(...) of that year (medians, ranks, numerator, denominator)
    kind: str  # no_data, small_base, no_comparison, chance or band (portal.explain.VERDICTS)
    share: float | None  # better share 0–1 (direction applied); None unless kind is 'band' or 'chance'
    band: tuple[str, str, str] | None  # percentile_band: (key, pl, en), only when kind == 'band'
    badge: tuple[str, str] | None  # (key, label in lang): the band, 'chance' or 'small_base'; else None
    phrase: str | None  # the comparison clause ('to wynik lepszy niż w 7 na 10 podobnych gminach'), or None
    sentence: str  # the catalogue's sentence with the one statement of ``kind``
    chance: dict | None = None  # portal.uncertainty.unit_limits (limits, reference, n, tau2, flag) or None
    chance_text: str | None = None  # only when kind == 'chance'
    base: int | None = None  # the denominator (takers) when a base rule applies
    base_text: str | None = None  # only when kind == 'small_base'
    caveat: str | None = None  # synthetic, estimated or partial value
    synthetic: bool = False

    @property
    def comparable(self) -> bool:
        """Whether the value may be ranked or listed among strengths and weaknesses (its kind is 'band')."""
        return self.kind == "band"

    def as_dict(self) -> dict:
        """The verdict as plain JSON-able data (the API's shape: band as {key, label})."""
        out = {k: getattr(self, k) for k in ("indicator", "year", "value", "value_text", "kind", "share",
                                             "phrase", "sentence", "chance_text", "base", "base_text",
                                             "caveat", "synthetic")}
        out["band"] = {"key": self.badge[0], "label": self.badge[1]} if self.badge else None
        out["chance"] = None if self.chance is None else {
            k: self.chance[k] for k in ("flag", "reference", "lower95", "upper95", "n", "tau2")}
        out["comparable"] = self.comparable
        return out


@functools.lru_cache(maxsize=8192)
def _unit_facts(store, teryt: str) -> tuple[str, bool, float, str]:
    """(level, mnpp, population, peer group) of a unit; KeyError for an unknown one."""
    units = store.units
    population = units.at[teryt, "population"]
    return (str(units.at[teryt, "level"]), bool(units.at[teryt, "mnpp"]),
            float(population) if population == population and population is not None else 0.0,
            str(units.at[teryt, "peer_group"]))


def shown_year(series: list[dict], year: int | None = None) -> int | None:
    """The year a card shows: the latest with a value (up to ``year`` when given); without one, ``year``
    itself (capped at the series' last year) or the series' last year; None for an empty series."""
    years = [p["year"] for p in series]
    with_value = [p["year"] for p in series if p["value"] is not None and (year is None or p["year"] <= year)]
    if with_value:
        return with_value[-1]
    if not years:
        return None
    return min(year, years[-1]) if year is not None else years[-1]


_CHANCE_BADGE = N_("within chance variation")
_CHANCE_TEXT = N_(
    "The difference from the average of similar {units} is within chance variation (95%): at this size "
    "and with the usual spread between units, it could arise by chance, so it is called neither better "
    "nor worse."
)
_BASE_BADGE = N_("based on {base}")


def card_verdict(store, indicator_id: str, teryt: str, year: int | None = None, lang: str = "pl") -> Verdict:
    """The verdict of one card: one indicator, one unit.

    ``year``: None shows the latest year with a value; a year shows the latest year up to it with a value
    (a card "as of" that year), else that year without data. ``lang``: 'pl' or 'en'. The unit's peers are
    its fixed peer group at its level (``store.point``'s ``pct_peer``/``n_peer``); the value's text, the
    sentence (the catalogue's template), the badge and notes are in ``lang``.
    Raises KeyError for an unknown indicator or unit.
    """
    lang = lang_of(lang)
    ind = store.catalogue.by_id[indicator_id]
    level, mnpp, population, peer_group = _unit_facts(store, teryt)
    noun = sentence_level(level, mnpp)
    shown = shown_year(store.series(indicator_id, teryt), year)
    point = store.point(indicator_id, teryt, shown) if shown is not None else None
    value = point["value"] if point else None
    synthetic = bool(point and point["synthetic"]) or store.is_synthetic(indicator_id)
    note = caveat(synthetic, point["flag"] if point else "no_data", lang, level)
    if shown is None:
        return Verdict(indicator_id, teryt, lang, None, None, None, None, "no_data", None, None, None, None,
                       MISSING[lang].capitalize() + ".", caveat=note, synthetic=synthetic)
    value_text = format_value(value, ind.unit.get(lang), ind.decimals, lang) if value is not None else None

    rule = base_rule(ind)
    base = point.get("denominator") if (point and rule and value is not None) else None
    small = rule is not None and base is not None and base < rule.min_n
    base_words = base_phrase(base, rule.noun, lang) if small else None
    chance = unit_limits(store, indicator_id, teryt, shown) if (ind.rate and value is not None) else None
    within = None if chance is None else chance["flag"] == "within95"
    kind = verdict_kind(point, chance=within, small_base=base_words)

    small_unit = bool(kind == "band" and ind.rate and population < SMALL_UNIT_POPULATION)
    group_name = store.peer_group_name(peer_group, lang)
    sentence = unit_sentence(
        ind.sentence.get(lang), year=shown, value_text=value_text, level=noun, lang=lang, point=point,
        direction=ind.direction, peer_group_name=group_name, small_sample_note=small_unit,
        indistinguishable=within, small_base=base_words,
    )
    _ = translator(lang)
    share = band = badge = phrase = chance_text = base_text = None
    if kind in ("band", "chance"):
        share = better_share(point.get("pct_peer"), ind.direction)
        phrase = comparison_phrase(share, ind.direction, noun, lang, indistinguishable=kind == "chance")
    if kind == "band":
        band = percentile_band(share, ind.direction)
        badge = (band[0], band[2] if lang == "en" else band[1])
    elif kind == "chance":
        badge = ("chance", _(_CHANCE_BADGE))
        chance_text = _(_CHANCE_TEXT).format(units=kind_words(noun, lang).similar)
    elif kind == "small_base":
        badge = ("small_base", _(_BASE_BADGE).format(base=base_words))
        clause = base_clause(base_words, noun, lang)
        base_text = clause[0].upper() + clause[1:] + "."
    return Verdict(
        indicator_id, teryt, lang, shown, value, value_text, point, kind, share, band, badge, phrase,
        sentence,
        chance=chance, chance_text=chance_text, base=int(base) if base is not None else None,
        base_text=base_text, caveat=note, synthetic=synthetic,
    )


def unit_verdicts(store, teryt: str, year: int | None = None, lang: str = "pl") -> list[Verdict]:
    """The verdicts of every catalogue indicator shown at the unit's level, in catalogue order."""
    level = store.units.at[teryt, "level"]
    return [card_verdict(store, ind.id, teryt, year, lang)
            for ind in store.catalogue.indicators if level in ind.levels]


__all__ = ["BASE_RULES", "MIN_PEERS", "MIN_TAKERS", "BaseRule", "Verdict", "base_rule", "card_verdict",
           "shown_year", "unit_verdicts"]
