"""The synthetic generator's model (portal/pipeline/synthetic.py describes it in full): the gminy, years and
denominators one build shares, and values drawn around a median on a transformed scale (log, or logit for
bounded shares) with kind, size, region, unit, trend, wobble, shocks, zeros and gaps. Nothing here is official.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from portal.catalogue import Synthetic
from portal.pipeline import RELEASE_VALUE_COLUMNS
from portal.pipeline.register import NEW_GMINY_2025

BASE_YEAR = 2020
FIRST_YEAR_OF_NEW_GMINY = 2025
TYPICAL_POPULATION = 7_500.0
DEFAULT_SEED = 20251
AGE_COLUMNS = ["pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus"]
REGISTER_DENOMINATORS = ["population", *AGE_COLUMNS, "area_km2"]
POPULATION_INDICATOR = "ludnosc"


@dataclass
class Amount:
    """An indicator's numerators and denominators per gmina and year (units × years); NaN numerator: no data."""

    num: np.ndarray
    den: np.ndarray
    multiplier: float
    official: bool = False
    latent: np.ndarray | None = None  # an official indicator's synthetic series (for sums, never published)
    observed: np.ndarray | None = None  # an official input: where the value is the source's (not a filled gap)

    @property
    def value(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.multiplier * self.num / self.den


class Context:
    """The gminy, years and denominators every indicator of one build shares."""

    def __init__(self, units: pd.DataFrame, years: list[int], official: pd.DataFrame | None, seed: int) -> None:
        self.g = units[units["level"] == "gmina"].reset_index(drop=True)
        self.years = list(years)
        self.seed = seed
        self.index = {t: i for i, t in enumerate(self.g["teryt"])}
        n, t = len(self.g), len(self.years)
        year_arr = np.array(self.years)
        self.exists = np.ones((n, t), bool)
        for child in NEW_GMINY_2025:
            if child in self.index:
                self.exists[self.index[child], year_arr < FIRST_YEAR_OF_NEW_GMINY] = False
        self.official = official if official is not None else pd.DataFrame(columns=RELEASE_VALUE_COLUMNS)
        self.den = denominators(units, self.years, self.official, seed)
        base = self.years.index(BASE_YEAR) if BASE_YEAR in self.years else 0
        self.base_col = base
        self.size_pop = np.maximum(np.nan_to_num(self.den["population"][:, base], nan=TYPICAL_POPULATION), 100.0)
        kind = self.g["kind"].to_numpy(str)
        pop = self.size_pop
        self.rural_mid = (kind == "wiejska") & (pop >= 5_000) & (pop < 10_000) & ~self.g["mnpp"].to_numpy(bool)

    def official_values(self, indicator_id: str) -> np.ndarray | None:
        """An official indicator's gmina values (units × years), None when the table has none."""
        off = self.official
        rows = off[(off["indicator"] == indicator_id) & ~off["synthetic"].astype(bool)]
        rows = rows[rows["teryt"].isin(self.index) & rows["year"].isin(self.years)]
        if not len(rows):
            return None
        out = np.full((len(self.g), len(self.years)), np.nan)
        col = {y: j for j, y in enumerate(self.years)}
        at = (rows["teryt"].map(self.index).to_numpy(int), rows["year"].map(col).to_numpy(int))
        out[at] = rows["value"].to_numpy(float)
        return out

    def typical(self, values: np.ndarray) -> float:
        """The median non-zero value of the base year among mid-sized rural gminy (all gminy and years when
        fewer than 20 of them have one)."""
        col = values[:, self.base_col]
        pick = col[self.rural_mid & np.isfinite(col) & (col != 0)]
        if len(pick) < 20:
            pick = values[np.isfinite(values) & (values != 0)]
        return float(np.median(pick)) if len(pick) else float("nan")


def denominators(units: pd.DataFrame, years: list[int], official: pd.DataFrame | None = None,
                 seed: int = DEFAULT_SEED) -> dict[str, np.ndarray]:
    """Per-gmina denominators by year (gminy × years).

    Population: GUS's exact count of each year (official ``ludnosc``) where given, else the register's 2024
    population (P1336; the 2025 gminy split by the 2025 electorate, register.SPLIT_RULE) with a mild drift.
    Age groups: the register's 2020 age shares of that population. Before 2025 a gmina created in 2025 has no
    denominator and its parent counts the whole territory (the official count of those years already does).
    These series are internal to the generator and never published as population.
    """
    g = units[units["level"] == "gmina"].reset_index(drop=True)
    index = {t: i for i, t in enumerate(g["teryt"])}
    n, t = len(g), len(years)
    year_arr = np.array(years, float)
    pop24 = g["population"].to_numpy(float).copy()
    ages = {c: g[c].to_numpy(float).copy() for c in AGE_COLUMNS}
    area = g["area_km2"].to_numpy(float).copy()
    # Age shares of the 2020 total (P2137: the three broad groups add up to it).
    total_2020 = ages["pop_0_14"] + ages["pop_15_64"] + ages["pop_65_plus"]
    shares = {c: ages[c] / np.where(total_2020 > 0, total_2020, np.nan) for c in AGE_COLUMNS}
    merged_pop24 = pop24.copy()
    merged_shares = {c: shares[c].copy() for c in AGE_COLUMNS}
    for child, parent in NEW_GMINY_2025.items():
        if child in index and parent in index:
            c, p = index[child], index[parent]
            merged_pop24[p] = pop24[p] + pop24[c]
            for col in AGE_COLUMNS:
                merged_shares[col][p] = (ages[col][p] + ages[col][c]) / (total_2020[p] + total_2020[c])

    rng = np.random.default_rng(stable_seed(seed, "__population__"))
    kind_drift = g["kind"].map({"miejska": -0.004, "wiejska": 0.001, "miejsko-wiejska": 0.0}).fillna(0.0)
    kind_drift = kind_drift.to_numpy(float)
    drift = kind_drift + rng.normal(0, 0.003, n)
    before = year_arr < FIRST_YEAR_OF_NEW_GMINY
    fallback = np.where(before[None, :], merged_pop24[:, None], pop24[:, None]) * np.exp(
        np.outer(drift, year_arr - 2024))
    population = fallback
    if official is not None and len(official):
        rows = official[(official["indicator"] == POPULATION_INDICATOR) & official["teryt"].isin(index)
                        & official["year"].isin(years) & official["value"].notna()]
        if len(rows):
            exact = np.full((n, t), np.nan)
            col = {y: j for j, y in enumerate(years)}
            at = (rows["teryt"].map(index).to_numpy(int), rows["year"].map(col).to_numpy(int))
            exact[at] = rows["value"].to_numpy(float)
            population = np.where(np.isfinite(exact) & (exact > 0), exact, fallback)
    out = {"population": population}
    for col in AGE_COLUMNS:
        share = np.where(before[None, :], merged_shares[col][:, None], shares[col][:, None])
        out[col] = share * population
    out["area_km2"] = np.repeat(area[:, None], t, axis=1)
    for child in NEW_GMINY_2025:
        if child in index:
            for col in out:
                out[col][index[child], before] = np.nan
    return out


def stable_seed(seed: int, indicator_id: str) -> int:
    digest = hashlib.sha256(f"{seed}:{indicator_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _to_scale(v: np.ndarray | float, bounds: tuple[float, float] | None) -> np.ndarray:
    v = np.asarray(v, float)
    if bounds is not None:
        lo, hi = bounds
        p = np.clip((v - lo) / (hi - lo), 1e-4, 1 - 1e-4)
        return np.log(p / (1 - p))
    return np.log(np.maximum(v, 1e-9))


def _from_scale(s: np.ndarray, bounds: tuple[float, float] | None) -> np.ndarray:
    if bounds is not None:
        lo, hi = bounds
        return lo + (hi - lo) / (1 + np.exp(-s))
    return np.exp(s)


def bounds_of(p: Synthetic) -> tuple[float, float] | None:
    if p.bounds is not None and np.isfinite(p.bounds).all():
        return tuple(p.bounds)
    return None


def draw(p: Synthetic, median: float, bounds: tuple[float, float] | None, ctx: Context,
          rng: np.random.Generator) -> np.ndarray:
    """Values (gminy × years) around ``median``: kind, size, region, unit, trend, wobble and shocks; no gaps."""
    g, years = ctx.g, ctx.years
    n, t = len(g), len(years)
    kind = np.where(g["mnpp"].to_numpy(bool), "mnpp", g["kind"].to_numpy(str))
    fallback = {"mnpp": p.type_effect.get("miejska", 1.0)}
    effect = np.array([p.type_effect.get(k, fallback.get(k, 1.0)) for k in kind], float)

    s0 = _to_scale(median, bounds)
    if bounds is None:
        kind_shift = np.log(effect)
    else:
        # On the logit scale, move the median by the kind's multiplier and take the difference.
        kind_shift = _to_scale(np.clip(median * effect, bounds[0], bounds[1]), bounds) - s0
    size = p.size_elasticity * np.log(ctx.size_pop / TYPICAL_POPULATION)

    woj_codes, woj_idx = np.unique(g["wojewodztwo"].to_numpy(str), return_inverse=True)
    pw_codes, pw_idx = np.unique(g["powiat"].to_numpy(str), return_inverse=True)
    regional = (rng.normal(0, 0.35 * p.spread, len(woj_codes))[woj_idx]
                + rng.normal(0, 0.25 * p.spread, len(pw_codes))[pw_idx])
    unit = p.spread * rng.standard_normal(n)
    steps = np.array(years, float) - BASE_YEAR
    slope = rng.normal(0, 0.15 * abs(p.trend) + 0.004, n)
    trend = np.outer(np.full(n, np.log1p(p.trend)), steps) + np.outer(slope, steps)

    resid = np.empty((n, t))
    resid[:, 0] = rng.standard_normal(n)
    for j in range(1, t):
        resid[:, j] = 0.6 * resid[:, j - 1] + np.sqrt(1 - 0.6**2) * rng.standard_normal(n)

    shock = np.zeros(t)
    for year, factor in p.shocks.items():
        if year in years:
            if bounds is None:
                shock[years.index(year)] = np.log(factor)
            else:
                shock[years.index(year)] = (_to_scale(np.clip(median * factor, bounds[0], bounds[1]), bounds)
                                            - s0)
    s = (s0 + kind_shift + size + regional + unit)[:, None] + trend + p.noise * resid + shock[None, :]
    values = _from_scale(s, bounds)
    if p.zeros > 0:
        share = np.clip(p.zeros + p.zeros_trend * steps, 0.0, 0.95)
        for j in range(t):
            alive = ctx.exists[:, j]
            if share[j] > 0 and alive.any():
                cut = np.quantile(s[alive, j], share[j])
                values[alive & (s[:, j] <= cut), j] = 0.0
    return values


def missing_cells(p: Synthetic, ctx: Context, rng: np.random.Generator) -> np.ndarray:
    """Gaps of a value drawn on its own: whole series for some gminy, single years for others."""
    n, t = len(ctx.g), len(ctx.years)
    whole = rng.random(n) < p.missing / 2
    single = rng.random((n, t)) < p.missing / 2
    return whole[:, None] | single


def fill_within_units(values: np.ndarray, guide: np.ndarray | None = None) -> np.ndarray:
    """Gaps of an official input filled within each gmina: its share of ``guide`` (or its value) interpolated
    between the years it has and carried flat beyond them; gminy without any year stay NaN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        base = values / guide if guide is not None else values
    base = np.where(np.isfinite(base), base, np.nan)
    frame = pd.DataFrame(base.T)
    filled = frame.interpolate(axis=0, limit_direction="both").to_numpy().T
    if guide is not None:
        filled = filled * guide
    return np.where(np.isfinite(values), values, filled)
