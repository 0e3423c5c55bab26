"""The indicator catalogue: a reviewed YAML file in data/, loaded and checked by pydantic models.

Adding an indicator means adding an entry to ``data/catalogue.yaml``; nothing in code names indicators,
except the few real-data builders that say which catalogue ids they fill (``real.kind``).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["gmina", "powiat", "wojewodztwo"]
LEVELS: tuple[Level, ...] = ("gmina", "powiat", "wojewodztwo")
Dimension = Literal["ilosc", "jakosc", "dostepnosc", "efektywnosc", "kontekst"]
Direction = Literal["higher_better", "lower_better", "neutral"]
Evidence = Literal[
    "code_imported_level6",
    "code_verified_value",
    "code_used_level6",
    "smup_imported",
    "code_list",
    "subject_only",
    "guessed",
    "data_in_hand",
    "derived",
]

DIMENSION_NAMES = {
    "ilosc": {"pl": "ilość", "en": "quantity"},
    "jakosc": {"pl": "jakość", "en": "quality"},
    "dostepnosc": {"pl": "dostępność", "en": "accessibility"},
    "efektywnosc": {"pl": "efektywność kosztowa", "en": "cost efficiency"},
    "kontekst": {"pl": "kontekst", "en": "context"},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Polish and English."""

    pl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.pl


class Formula(_Strict):
    numerator: Text
    denominator: Text | None = None
    multiplier: float = 1.0


class SmupIds(_Strict):
    """SMUP keeps separate indicators for gminy and for cities with powiat rights (mnpp); tax ones are shared."""

    gmina: int | None = None
    mnpp: int | None = None
    all: int | None = None


class Source(_Strict):
    bdl_variable: int | None = None
    bdl_subject: str | None = None
    smup: SmupIds | None = None
    evidence: Evidence
    attribution: str = Field(min_length=1, description="e.g. 'Źródło: GUS, Bank Danych Lokalnych'")
    note: str | None = None
    datasets: list[str] = Field(
        default_factory=list,
        description="ids of the raw datasets the official values come from (portal/pipeline/sources, "
                    "described in the release metadata with publisher, table and file)",
    )

    @property
    def origin(self) -> str:
        """The attribution without its 'Źródło:' lead-in, for places that print their own label."""
        return self.attribution.removeprefix("Źródło:").removeprefix("Source:").strip()


Denominator = Literal[
    "population", "pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus", "area_km2"
]


class Balance(_Strict):
    """How a budget's total spending follows from its revenue (a ``sum`` of spending divisions):

        total spending = revenue − capital revenue − operating surplus + capital spending

    (current spending = current revenue − operating surplus, current revenue = revenue − capital revenue).
    Each field names the indicator whose numerator is that amount; the divisions (``of``) are scaled so that
    they add up to the total exactly."""

    revenue: str
    capital_spending: str
    capital_revenue: str
    operating_surplus: str


class Synthetic(_Strict):
    """Parameters of the synthetic generator (portal/pipeline/synthetic.py) for one indicator.

    Every synthetic value keeps its numerator and denominator (value = multiplier × numerator / denominator) at
    the gmina level; powiat and województwo values are Σ numerator / Σ denominator over their gminy, so each
    ratio is weighted by its own denominator and identities between indicators hold at every level.

    kind:
      ratio    – a drawn value over a denominator: a count of the register (``denominator``) or another
                 indicator's numerator (``denominator_of``, e.g. revenue for debt ÷ revenue; with ``complement``
                 the denominator is that numerator plus this one's, as unpaved ÷ (hard + unpaved) roads). With
                 ``numerator_of`` the numerator is another indicator's and the denominator follows from the
                 drawn value (pupils per class: the classes);
      count    – a count that sums up the levels (denominator used only to scale it);
      sum      – the sum of other indicators of the same unit and year (``of``), all synthetic; with
                 ``balance`` the total follows from the budget's revenue and the parts are scaled to it;
      part     – a part of another indicator's numerator (``of``: one indicator; none: the denominator itself)
                 less the numerators in ``less``: numerator = r × base, r drawn within ``share_bounds``
                 (default 0–1, so the part never exceeds its whole); same denominator as the whole;
      whole    – a whole that contains another indicator (``of``, official or synthetic): numerator = part / r
                 (r drawn within 0–1) + the numerators in ``plus`` (total revenue: own revenue over its share of
                 current revenue, plus capital revenue);
      residual – the whole (``of``) less its other parts (``less``, official or synthetic): what is left;
                 synthetic parts are scaled down where the official ones leave them too little room;
      quotient – no draw: multiplier × (numerator of ``numerator_of``) / (``denominator`` or the numerator of
                 ``denominator_of``), e.g. capital spending ÷ total spending.

    For ``part`` and ``whole`` the typical share r is ``median`` over the whole's (part's) median among
    mid-sized rural gminy in the base year; type effects, size, trend, noise and shocks act on r. Only drawn
    values of ``ratio`` and ``count`` with a register denominator miss data of their own (``missing``); every
    other kind has data exactly where its inputs have (so a part and its whole cover the same units).
    """

    kind: Literal["ratio", "sum", "count", "part", "whole", "residual", "quotient"] = "ratio"
    denominator: Denominator = Field(default="population", description="a count of the unit register")
    denominator_of: str | None = Field(default=None, description="the indicator whose numerator is the denominator")
    denominator_less: list[str] = Field(default_factory=list,
                                        description="numerators taken off the denominator_of's (current spending "
                                                    "= total less capital spending)")
    complement: bool = Field(default=False, description="denominator = denominator_of's numerator + this numerator")
    numerator_of: str | None = Field(default=None, description="the indicator whose numerator is the numerator")
    median: float | None = Field(default=None, description="typical value for a mid-sized rural gmina")
    spread: float = Field(default=0.25, ge=0, le=2, description="log-sd of the unit effect")
    type_effect: dict[str, float] = Field(default_factory=dict, description="multiplier by gmina kind")
    size_elasticity: float = Field(default=0.0, description="d log(value) / d log(population)")
    trend: float = Field(default=0.0, description="relative change per year, national")
    noise: float = Field(default=0.05, ge=0, le=1, description="year-to-year log-noise")
    bounds: tuple[float, float] | None = None
    share_bounds: tuple[float, float] | None = Field(
        default=None, description="range of r for part (default 0–1; a signed share such as an operating surplus "
                                  "may go below 0)")
    missing: float = Field(default=0.02, ge=0, le=0.5, description="share of unit-years without data")
    zeros: float = Field(default=0.0, ge=0, lt=1, description="share of gminy with a true zero in the base year")
    zeros_trend: float = Field(default=0.0, ge=-0.2, le=0.2, description="change of that share per year")
    shocks: dict[int, float] = Field(default_factory=dict,
                                     description="year → factor on the drawn value (events the note describes)")
    start_year: int = 2015
    of: list[str] = Field(default_factory=list)
    less: list[str] = Field(default_factory=list)
    plus: list[str] = Field(default_factory=list)
    balance: Balance | None = None

    @model_validator(mode="after")
    def _kind_needs(self) -> Synthetic:
        if self.kind == "sum" and not self.of:
            raise ValueError("kind 'sum' needs 'of'")
        if self.kind in ("whole", "residual") and len(self.of) != 1:
            raise ValueError(f"kind '{self.kind}' needs 'of' naming one indicator")
        if self.kind == "part" and len(self.of) > 1:
            raise ValueError("kind 'part' takes at most one indicator in 'of'")
        if self.kind == "residual" and not self.less:
            raise ValueError("kind 'residual' needs 'less'")
        if self.kind == "quotient" and self.numerator_of is None:
            raise ValueError("kind 'quotient' needs 'numerator_of'")
        if self.kind in ("ratio", "count", "part", "whole") and self.median is None:
            raise ValueError(f"kind '{self.kind}' needs 'median'")
        if self.numerator_of is not None and self.denominator_of is not None and self.kind != "quotient":
            raise ValueError("a drawn ratio takes either 'numerator_of' or 'denominator_of', not both")
        if self.complement and self.denominator_of is None:
            raise ValueError("'complement' needs 'denominator_of'")
        if self.plus and self.kind != "whole":
            raise ValueError("'plus' belongs to kind 'whole'")
        if self.balance is not None and self.kind != "sum":
            raise ValueError("'balance' belongs to kind 'sum'")
        if any(f <= 0 for f in self.shocks.values()):
            raise ValueError("shock factors must be positive")
        return self

    @property
    def references(self) -> list[str]:
        """Every indicator this one is made from (its inputs)."""
        refs = [*self.of, *self.less, *self.plus, *self.denominator_less]
        refs += [x for x in (self.denominator_of, self.numerator_of) if x]
        if self.balance is not None:
            refs += list(self.balance.model_dump().values())
        return list(dict.fromkeys(refs))

    @property
    def drawn_alone(self) -> bool:
        """A value drawn over a register count: the only kind with missing data of its own."""
        return self.kind in ("ratio", "count") and self.numerator_of is None and self.denominator_of is None


class Real(_Strict):
    """How official values fill this indicator (portal/pipeline/real.py).

    kind:
      ratio    – multiplier × numerator / denominator, both measures of ``portal/pipeline/sources`` (the
                 denominator omitted for a published value or a total); higher levels use the values the
                 source publishes for them, or Σ numerator / Σ denominator over their gminy when ``sum_up``;
      turnout  – election turnout (portal/pipeline/elections.py), ``key`` names the election;
      api      – filled only by `omup data fetch` (BDL/SMUP).
    """

    kind: Literal["ratio", "turnout", "api"]
    key: str | None = Field(default=None, description="builder-specific selector, e.g. the election")
    numerator: str | None = Field(default=None, description="measure id (kind ratio)")
    denominator: str | None = Field(default=None, description="measure id (kind ratio); none for a total")
    multiplier: float = 1.0
    sum_up: bool = Field(default=False, description="higher levels as Σ numerator / Σ denominator over gminy")
    mean: bool = Field(default=False, description="a weighted mean: the numerator sums what the denominator counts "
                                                   "(exam points over takers), so its change is not split into "
                                                   "a numerator's and a denominator's part")

    @model_validator(mode="after")
    def _ratio_needs_numerator(self) -> Real:
        if self.kind == "ratio" and not self.numerator:
            raise ValueError("kind 'ratio' needs 'numerator'")
        return self


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    area: str
    dimension: Dimension
    name: Text
    short_name: Text | None = None
    description: Text
    unit: Text
    direction: Direction
    formula: Formula
    source: Source
    levels: list[Level]
    years: tuple[int, int]
    only_years: list[int] | None = Field(
        default=None, description="for series with gaps (elections): the years that exist within `years`"
    )
    decimals: int = Field(default=1, ge=0, le=3)
    rate: bool = Field(default=False, description="a rate over a countable denominator (funnel plots apply)")
    budget_section: str | None = Field(default=None, description="budget division(s) behind a spending indicator")
    comparable_over_time: bool = Field(
        default=True,
        description="False where each year's values are on a scale of their own (exam scores: every year's exam "
                    "differs), so a change between years is not an improvement or a worsening",
    )
    sentence: Text
    synthetic: Synthetic | None = None
    real: Real | None = None

    @model_validator(mode="after")
    def _exactly_one_origin(self) -> Indicator:
        if (self.synthetic is None) == (self.real is None):
            raise ValueError(f"{self.id}: exactly one of 'synthetic' and 'real' must be given")
        if self.years[0] > self.years[1]:
            raise ValueError(f"{self.id}: years must be (first, last)")
        return self

    @property
    def is_synthetic(self) -> bool:
        return self.synthetic is not None

    @property
    def year_list(self) -> list[int]:
        if self.only_years:
            return sorted(y for y in self.only_years if self.years[0] <= y <= self.years[1])
        return list(range(self.years[0], self.years[1] + 1))


class Area(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: Text
    description: Text
    smup_name: str | None = None
    headline: str | None = Field(
        default=None, description="the area's lead indicator; None in an edition that has no indicator of the area"
    )
    headline_official: str | None = Field(
        default=None, description="the lead indicator when only official values are shown (the default edition)"
    )
    icon: str | None = None


class PeerClass(_Strict):
    """A population size class used in gmina peer groups: [lower, upper) residents."""

    id: str
    lower: int
    upper: int | None
    name: Text


class Catalogue(_Strict):
    version: int = 1
    areas: list[Area]
    size_classes: list[PeerClass]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        area_ids = {a.id for a in self.areas}
        ids = [i.id for i in self.indicators]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate indicator ids: {dupes}")
        known = set(ids)
        for ind in self.indicators:
            if ind.area not in area_ids:
                raise ValueError(f"{ind.id}: unknown area '{ind.area}'")
            if ind.synthetic:
                missing = [x for x in ind.synthetic.references if x not in known]
                if missing:
                    raise ValueError(f"{ind.id}: 'of' names unknown indicators {missing}")
        by_id = {i.id: i for i in self.indicators}
        for ind in self.indicators:
            syn = ind.synthetic
            if syn is not None and syn.kind in ("part", "whole", "residual") and syn.of:
                base = by_id[syn.of[0]]
                if _register_denominator(base) not in (None, syn.denominator):
                    raise ValueError(f"{ind.id}: a {syn.kind} of {base.id} has its denominator "
                                     f"({_register_denominator(base)}), not {syn.denominator}")
        for area in self.areas:
            for lead in (area.headline, area.headline_official):
                if lead is not None and lead not in known:
                    raise ValueError(f"area {area.id}: headline '{lead}' is not an indicator")
        return self

    def restricted_to(self, ids: set[str]) -> Catalogue:
        """The catalogue of an edition holding only the indicators ``ids`` (e.g. the official ones).

        Every area stays, so a page can say that an area has no indicator in this edition; an area whose
        headline is left out leads with its first remaining indicator, or with none.
        """
        kept = [i for i in self.indicators if i.id in ids]
        areas = []
        for area in self.areas:
            choices = [area.headline_official, area.headline, *(i.id for i in kept if i.area == area.id)]
            headline = next((c for c in choices if c in ids), None)
            areas.append(area.model_copy(update={"headline": headline,
                                                 "headline_official": headline}))
        return Catalogue(version=self.version, areas=areas, size_classes=self.size_classes, indicators=kept)

    @cached_property
    def by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def area_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    def in_area(self, area: str) -> list[Indicator]:
        return [i for i in self.indicators if i.area == area]


def _register_denominator(ind: Indicator) -> str | None:
    """The register count an indicator's values are over (population for official per-resident values), None
    when its denominator is another indicator's numerator or unknown."""
    if ind.synthetic is not None:
        syn = ind.synthetic
        if syn.kind in ("ratio", "count", "part", "whole", "residual", "sum") and not syn.denominator_of \
                and not syn.numerator_of:
            return syn.denominator
        if syn.kind == "quotient" and not syn.denominator_of:
            return syn.denominator
        return None
    if ind.real is not None and ind.real.kind == "ratio" and ind.real.denominator == "population":
        return "population"
    return None


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the catalogue: {exc}") from exc


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and check the catalogue; a broken file raises ValueError naming the file and the problem.

    The main file may list ``include:`` globs (relative to it) of further files, each a YAML list of
    indicators, so that each source's indicators are reviewed in a file of their own.
    """
    path = Path(path)
    raw = _read_yaml(path)
    if isinstance(raw, dict) and "include" in raw:
        indicators = list(raw.get("indicators") or [])
        for pattern in raw.pop("include") or []:
            for part in sorted(path.parent.glob(pattern)):
                items = _read_yaml(part)
                if not isinstance(items, list):
                    raise ValueError(f"{part}: an included catalogue file must be a list of indicators")
                indicators.extend(items)
        raw["indicators"] = indicators
    try:
        return Catalogue.model_validate(raw)
    except Exception as exc:
        raise ValueError(f"{path}: catalogue does not validate: {exc}") from exc
