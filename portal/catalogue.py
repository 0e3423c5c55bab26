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


class Synthetic(_Strict):
    """Parameters of the synthetic generator (portal/pipeline/synthetic.py) for one indicator.

    kind:
      ratio – value = multiplier × numerator / denominator; gmina numerators and denominators are summed
              up the levels, so ratios stay consistent across levels;
      sum   – value is the sum of other indicators of the same unit and year (``of``);
      count – a count that sums up the levels (denominator used only to scale it).
    """

    kind: Literal["ratio", "sum", "count"] = "ratio"
    denominator: Literal[
        "population", "pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus", "area_km2"
    ] = "population"
    median: float | None = Field(default=None, description="typical value for a mid-sized rural gmina")
    spread: float = Field(default=0.25, ge=0, le=2, description="log-sd of the unit effect")
    type_effect: dict[str, float] = Field(default_factory=dict, description="multiplier by gmina kind")
    size_elasticity: float = Field(default=0.0, description="d log(value) / d log(population)")
    trend: float = Field(default=0.0, description="relative change per year, national")
    noise: float = Field(default=0.05, ge=0, le=1, description="year-to-year log-noise")
    bounds: tuple[float, float] | None = None
    missing: float = Field(default=0.02, ge=0, le=0.5, description="share of unit-years without data")
    start_year: int = 2015
    of: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_needs(self) -> Synthetic:
        if self.kind == "sum" and not self.of:
            raise ValueError("kind 'sum' needs 'of'")
        if self.kind != "sum" and self.median is None:
            raise ValueError(f"kind '{self.kind}' needs 'median'")
        return self


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
            if ind.synthetic and ind.synthetic.kind == "sum":
                missing = [x for x in ind.synthetic.of if x not in known]
                if missing:
                    raise ValueError(f"{ind.id}: 'of' names unknown indicators {missing}")
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
