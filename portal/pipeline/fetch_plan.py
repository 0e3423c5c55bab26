"""What `omup data fetch` brings and how the build makes indicators of it: ``data/fetch.yaml``, checked here.

The plan names, per catalogue indicator the official APIs can fill,

* for BDL the variable ids of the numerator (several are added up) and of the denominator, or a shared
  measure as the denominator (``population`` of the same year, ``area``), each variable's unit as BDL states
  it (``measureUnitName`` of ``/variables/{id}``; the fetch refuses a variable whose unit differs and the
  build refuses fetched data whose recorded unit differs), the levels BDL publishes it at, and whether higher
  levels may be summed from the gminy;
* for SMUP the indicator ids per unit kind (gminy, cities with powiat rights, or one for all levels);
* when both sources can fill it, which one is published (``priority``) and how far the other, kept as a
  cross-check, may differ before the build reports it (``tolerance``).

The value of an indicator is then ``multiplier × Σ numerator / Σ denominator`` of measures, computed by
``portal.pipeline.measures.ratio_values`` exactly as for the raw-file sources. ``check_units`` makes sure
that numerator, denominator and multiplier give the unit the catalogue states (zł per resident, % …).

The plan lives beside the catalogue (``fetch.yaml`` next to ``OMUP_CATALOGUE_PATH``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from portal.catalogue import Catalogue, Indicator, Level

PLAN_NAME = "fetch.yaml"
Source = Literal["bdl", "smup"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BdlPart(_Strict):
    """One BDL variable and its unit as BDL states it (``measureUnitName``)."""

    variable: int = Field(gt=0)
    unit: str = Field(min_length=1)
    since: int | None = Field(
        default=None,
        description="the variable exists from this year on; in earlier years a sum goes without it "
        "(e.g. budget division 855, created in 2017 out of 852)",
    )


class Tolerance(_Strict):
    """How far a cross-check may differ from the published value: absolute (in the indicator's unit) and/or
    relative (a share of the published value); a difference beyond every bound given is reported."""

    absolute: float | None = Field(default=None, ge=0)
    relative: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> Tolerance:
        if self.absolute is None and self.relative is None:
            raise ValueError("a tolerance needs 'absolute' or 'relative'")
        return self

    def exceeded(self, published: float, other: float) -> bool:
        diff = abs(published - other)
        bounds = []
        if self.absolute is not None:
            bounds.append(diff > self.absolute)
        if self.relative is not None:
            bounds.append(diff > self.relative * abs(published))
        return all(bounds)


class BdlEntry(_Strict):
    numerator: list[BdlPart] = Field(min_length=1, description="variables added up")
    denominator: Literal["population", "area"] | list[BdlPart] | None = Field(
        default=None,
        description="a shared measure of the same year, BDL variables added up, or none for a value BDL "
        "publishes as it is (then ``per`` says what BDL's value is per)",
    )
    multiplier: float = Field(default=1.0, gt=0)
    per: str | None = Field(
        default=None, description="published rates only: e.g. '1000 mieszkańców', '100 km²'"
    )
    levels: list[Level] = Field(min_length=1, description="the levels BDL publishes the variables at")
    sum_up: bool = Field(default=False, description="levels BDL lacks as sums over their gminy (totals only)")

    @model_validator(mode="after")
    def _consistent(self) -> BdlEntry:
        if self.denominator is not None and self.per is not None:
            raise ValueError(
                "'per' describes a published rate; a ratio computed here has a denominator instead"
            )
        if self.denominator is None and self.sum_up:
            raise ValueError("'sum_up' needs additive totals: a published rate cannot be summed")
        if self.denominator is None and len(self.numerator) > 1:
            raise ValueError("published rates cannot be added up; give one variable")
        return self

    @property
    def published(self) -> bool:
        return self.denominator is None

    def parts(self) -> list[BdlPart]:
        den = self.denominator if isinstance(self.denominator, list) else []
        return [*self.numerator, *den]


class SmupEntry(_Strict):
    gmina: int | None = Field(
        default=None, description="the indicator of gminy (without cities with powiat rights)"
    )
    mnpp: int | None = Field(default=None, description="the indicator of the 66 cities with powiat rights")
    all: int | None = Field(default=None, description="one indicator for every level (the tax indicators)")
    unit: str = Field(min_length=1, description="the unit of SMUP's published value, e.g. 'zł na mieszkańca'")
    levels: list[Level] = Field(min_length=1, description="the levels kept from what SMUP publishes")

    @model_validator(mode="after")
    def _some_id(self) -> SmupEntry:
        if not self.ids:
            raise ValueError("a SMUP entry needs 'gmina', 'mnpp' or 'all'")
        return self

    @property
    def ids(self) -> list[int]:
        return [i for i in (self.gmina, self.mnpp, self.all) if i is not None]


class PlanIndicator(_Strict):
    id: str
    bdl: BdlEntry | None = None
    smup: SmupEntry | None = None
    priority: Source | None = Field(default=None, description="the source published when both are given")
    tolerance: Tolerance | None = Field(default=None, description="cross-check bound when both are given")
    note: str | None = None

    @model_validator(mode="after")
    def _sources(self) -> PlanIndicator:
        given = [s for s in ("bdl", "smup") if getattr(self, s) is not None]
        if not given:
            raise ValueError(f"{self.id}: give 'bdl' or 'smup'")
        if len(given) == 2 and (self.priority is None or self.tolerance is None):
            raise ValueError(
                f"{self.id}: with both sources, say which is published ('priority') and how far the "
                "other may differ ('tolerance')"
            )
        if self.priority is not None and self.priority not in given:
            raise ValueError(f"{self.id}: priority '{self.priority}' is not one of its sources {given}")
        return self

    @property
    def primary(self) -> Source:
        return self.priority or ("bdl" if self.bdl is not None else "smup")

    @property
    def check(self) -> Source | None:
        """The cross-check source, if any."""
        if self.bdl is not None and self.smup is not None:
            return "smup" if self.primary == "bdl" else "bdl"
        return None

    @property
    def sources(self) -> list[Source]:
        return [s for s in ("bdl", "smup") if getattr(self, s) is not None]


class SharedPopulation(_Strict):
    """The denominator ``population``: BDL's population of every year it publishes (census-revised from
    2020), with the raw files' measure filling unit-years BDL lacks and checked against it."""

    bdl: BdlPart
    levels: list[Level] = Field(min_length=1)
    raw: str = Field(
        min_length=1, description="the raw-file measure (portal/pipeline/sources) it is checked against"
    )
    tolerance: Tolerance


class SharedArea(_Strict):
    """The denominator ``area`` (km²): the raw files' measure."""

    raw: str = Field(min_length=1)
    unit: str = "km2"


class FetchPlan(_Strict):
    version: int = 1
    population: SharedPopulation
    area: SharedArea
    indicators: list[PlanIndicator]

    @model_validator(mode="after")
    def _unique(self) -> FetchPlan:
        ids = [i.id for i in self.indicators]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"indicators listed twice: {dupes}")
        return self

    @property
    def by_id(self) -> dict[str, PlanIndicator]:
        return {i.id: i for i in self.indicators}

    def bdl_variables(self, ids: set[str] | None = None) -> dict[int, BdlPart]:
        """Every BDL variable of the plan (of the indicators ``ids`` and the population), by id."""
        out = {self.population.bdl.variable: self.population.bdl}
        for ind in self.indicators:
            if ind.bdl is not None and (ids is None or ind.id in ids):
                for part in ind.bdl.parts():
                    out.setdefault(part.variable, part)
        return out


# -- units ----------------------------------------------------------------------------------------------
_NOUNS = {"zł": "zł", "km": "km", "kg": "kg", "m2": "m2", "%": "%", "t": "t", "km2": "km2", "ha": "ha"}
_POPULATION_WORDS = ("mieszkańca", "mieszkańców", "ludności", "osobę", "mieszkańcy")


def _noun(text: str) -> str:
    """zł, km, kg, m2, %, … or 'count' for anything counted (osoba, szt., wol., mieszkań, imprez, …)."""
    t = text.strip().lower().replace("²", "2")
    return _NOUNS.get(t, "count")


def _per(text: str | None) -> tuple[float, str]:
    """'1000 mieszkańców' → (1000, 'population'); '100 km²' → (100, 'area'); '10 tys. mieszkańców' →
    (10000, 'population'); 'czytelnika' → (1, 'czyte'): other bases compare by their first letters."""
    if not text:
        return 1.0, ""
    t = text.strip().lower().replace("²", "2")
    number, rest = 1.0, t
    m = re.match(r"^(\d+)\s*(tys\.)?\s*(.*)$", t)
    if m:
        number = float(m.group(1)) * (1000 if m.group(2) else 1)
        rest = m.group(3)
    word = rest.split()[0] if rest.split() else ""
    if word in _POPULATION_WORDS:
        return number, "population"
    if word == "km2":
        return number, "area"
    return number, word[:5]


def catalogue_unit(text: str) -> tuple[str, tuple[float, str]]:
    """The catalogue's unit text as (noun class, (per number, per base))."""
    t = text.strip()
    if t == "%":
        return "%", (1.0, "")
    if " na " in t:
        noun, per = t.split(" na ", 1)
        return _noun(noun), _per(per)
    if "/" in t:
        noun, per = t.split("/", 1)
        return _noun(noun), _per(per)
    return _noun(t), (1.0, "")


def plan_unit(entry: BdlEntry | SmupEntry) -> tuple[str, tuple[float, str]]:
    """The unit the plan's numerator, denominator and multiplier give, as ``catalogue_unit`` spells it."""
    if isinstance(entry, SmupEntry):
        return catalogue_unit(entry.unit)
    num = _noun(entry.numerator[0].unit)
    den = entry.denominator
    if den is None:
        if num == "%":
            return "%", (1.0, "")
        return num, _per(entry.per)
    if den == "population":
        return num, (entry.multiplier, "population")
    if den == "area":
        return num, (entry.multiplier, "area")
    same = {p.unit for p in entry.numerator} == {p.unit for p in den}
    if same and entry.multiplier == 100:
        return "%", (1.0, "")
    return num, (entry.multiplier, "other")


def unit_problem(ind: Indicator, entry: BdlEntry | SmupEntry) -> str | None:
    """Why the plan's entry cannot give the catalogue's unit, or None when it does."""
    if isinstance(entry, BdlEntry):
        units = {p.unit for p in entry.numerator}
        if len(units) > 1:
            return f"numerator variables in different units {sorted(units)}"
        if isinstance(entry.denominator, list) and len({p.unit for p in entry.denominator}) > 1:
            return f"denominator variables in different units {sorted({p.unit for p in entry.denominator})}"
        if entry.published and entry.multiplier != 1:
            return "a published rate is taken as it is (multiplier 1)"
    want_noun, (want_n, want_base) = catalogue_unit(ind.unit.pl)
    got_noun, (got_n, got_base) = plan_unit(entry)
    base_ok = got_base == want_base or (got_base == "other" and want_base not in ("", "population", "area"))
    if got_noun != want_noun or got_n != want_n or not base_ok:
        return (
            f"gives {got_noun} per {got_n:g} {got_base or '–'}, but the catalogue's unit is "
            f"'{ind.unit.pl}' ({want_noun} per {want_n:g} {want_base or '–'})"
        )
    return None


# -- loading --------------------------------------------------------------------------------------------
class PlanError(ValueError):
    """data/fetch.yaml does not hold together with the catalogue; the message names the entry."""


def plan_path(catalogue_path: str | Path) -> Path:
    return Path(catalogue_path).with_name(PLAN_NAME)


def check_plan(plan: FetchPlan, catalogue: Catalogue) -> None:
    """Every id is a catalogue indicator, levels are the catalogue's, units fit; PlanError otherwise."""
    problems = []
    for entry in plan.indicators:
        ind = catalogue.by_id.get(entry.id)
        if ind is None:
            problems.append(f"{entry.id}: not an indicator of the catalogue")
            continue
        for name in entry.sources:
            part = getattr(entry, name)
            extra = sorted(set(part.levels) - set(ind.levels))
            if extra:
                problems.append(f"{entry.id}: {name} levels {extra} are not the catalogue's {ind.levels}")
            why = unit_problem(ind, part)
            if why:
                problems.append(f"{entry.id}: {name} {why}")
    if problems:
        raise PlanError("data/fetch.yaml: " + "; ".join(problems))


def load_plan(path: str | Path, catalogue: Catalogue) -> FetchPlan:
    """Read and check the plan; PlanError naming the file and the problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: cannot read the fetch plan: {exc}") from exc
    try:
        plan = FetchPlan.model_validate(raw)
    except Exception as exc:
        raise PlanError(f"{path}: the fetch plan does not validate: {exc}") from exc
    check_plan(plan, catalogue)
    return plan


def fillable(plan: FetchPlan, catalogue: Catalogue) -> tuple[list[PlanIndicator], dict[str, str]]:
    """The plan's indicators the fetch fills (the catalogue's demo ones), and those it leaves with why.

    An indicator the catalogue already computes from raw files keeps that official series: the fetch
    neither replaces nor extends it.
    """
    keep, skipped = [], {}
    for entry in plan.indicators:
        ind = catalogue.by_id[entry.id]
        if ind.real is not None:
            skipped[entry.id] = "official from the raw files already (catalogue 'real'); not fetched"
        else:
            keep.append(entry)
    return keep, skipped
