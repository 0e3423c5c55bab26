"""The synthetic generator: plausible, clearly labelled values where the real per-unit series are unreachable.

Every value it writes carries ``synthetic=True`` and ``source="SYNTETYCZNE"``; nothing here is official.

How a value comes about (one indicator, gmina u, year t), on a transformed scale s = log(v) or, for shares with
both bounds, s = logit((v - lo) / (hi - lo)):

    s(u, t) = s(median) + s-effect of the gmina kind (type_effect)      # urban, rural, urban-rural, city
              + size_elasticity · log(population / 7,500)                # size
              + województwo effect + powiat effect                      # regional pattern (spatially smooth)
              + spread · z_u                                             # persistent unit effect
              + (log(1 + trend) + slope_u) · (t − 2020)                  # smooth national trend + unit drift
              + noise · AR(1) residual (ρ = 0.6)                         # year-to-year wobble, autocorrelated

Ratios (value = multiplier × numerator / denominator) keep numerator and denominator per gmina; powiat and
województwo values are sums of numerators over sums of denominators of their gminy, so the three levels agree
exactly. Counts sum up the levels. ``sum`` indicators add other indicators of the same unit and year.
Missing values: some gminy lack a whole series (half of ``missing``), others miss single years.
Every draw comes from one seeded generator per indicator (seed + a stable hash of the id), so adding an
indicator never changes the values of the others.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue, Indicator
from portal.pipeline.register import NEW_GMINY_2025

SOURCE = "SYNTETYCZNE"
BASE_YEAR = 2020
TYPICAL_POPULATION = 7_500.0
DEFAULT_SEED = 20251


def denominators(units: pd.DataFrame, years: list[int], seed: int) -> dict[str, np.ndarray]:
    """Per-gmina denominators by year (gminy × years), from the real 2020 counts and a mild synthetic drift.

    Gminy created in 2025 have no 2020 count: they take 30 % of their parent's, which keeps the remaining 70 %.
    These series are internal to the generator and never published as population.
    """
    g = units[units["level"] == "gmina"].reset_index(drop=True)
    cols = ["population", "pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus", "area_km2"]
    base = {c: g[c].to_numpy(float).copy() for c in cols}
    index = {t: i for i, t in enumerate(g["teryt"])}
    for new, parent in NEW_GMINY_2025.items():
        if new in index and parent in index:
            for c in cols:
                parent_value = base[c][index[parent]]
                base[c][index[new]] = 0.3 * parent_value
                base[c][index[parent]] = 0.7 * parent_value
    rng = np.random.default_rng(seed)
    # Suburban growth, rural decline: drift depends on kind, with unit noise.
    kind_drift = g["kind"].map({"miejska": -0.004, "wiejska": 0.001, "miejsko-wiejska": 0.0}).to_numpy(float)
    drift = kind_drift + rng.normal(0, 0.005, len(g))
    steps = np.array(years, float) - BASE_YEAR
    factor = np.exp(np.outer(drift, steps))
    out = {}
    for c in cols:
        if c == "area_km2":
            out[c] = np.repeat(base[c][:, None], len(years), axis=1)
        else:
            out[c] = base[c][:, None] * factor
    return out


def _stable_seed(seed: int, indicator_id: str) -> int:
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


def _gmina_values(
    ind: Indicator, g: pd.DataFrame, years: list[int], den: dict[str, np.ndarray], seed: int
) -> np.ndarray:
    """Values (gminy × years) on the indicator's own scale; NaN where missing or before start_year."""
    p = ind.synthetic
    assert p is not None
    rng = np.random.default_rng(_stable_seed(seed, ind.id))
    n, t = len(g), len(years)
    bounds = tuple(p.bounds) if p.bounds is not None and np.isfinite(p.bounds).all() else None

    kind = np.where(g["mnpp"].to_numpy(bool), "mnpp", g["kind"].to_numpy(str))
    fallback = {"mnpp": p.type_effect.get("miejska", 1.0)}
    effect = np.array([p.type_effect.get(k, fallback.get(k, 1.0)) for k in kind], float)
    pop = np.maximum(den["population"][:, years.index(BASE_YEAR) if BASE_YEAR in years else 0], 100.0)

    s0 = _to_scale(p.median, bounds)
    if bounds is None:
        kind_shift = np.log(effect)
    else:
        # On the logit scale, move the median by the kind's multiplier and take the difference.
        kind_shift = _to_scale(np.clip(p.median * effect, bounds[0], bounds[1]), bounds) - s0
    size = p.size_elasticity * np.log(pop / TYPICAL_POPULATION)

    woj = g["wojewodztwo"].to_numpy(str)
    pw = g["powiat"].to_numpy(str)
    woj_codes, woj_idx = np.unique(woj, return_inverse=True)
    pw_codes, pw_idx = np.unique(pw, return_inverse=True)
    regional = rng.normal(0, 0.35 * p.spread, len(woj_codes))[woj_idx] + rng.normal(0, 0.25 * p.spread, len(pw_codes))[
        pw_idx
    ]
    unit = p.spread * rng.standard_normal(n)
    steps = np.array(years, float) - BASE_YEAR
    slope = rng.normal(0, 0.15 * abs(p.trend) + 0.004, n)
    trend = np.outer(np.full(n, np.log1p(p.trend)), steps) + np.outer(slope, steps)

    resid = np.empty((n, t))
    resid[:, 0] = rng.standard_normal(n)
    for j in range(1, t):
        resid[:, j] = 0.6 * resid[:, j - 1] + np.sqrt(1 - 0.6**2) * rng.standard_normal(n)

    s = (s0 + kind_shift + size + regional + unit)[:, None] + trend + p.noise * resid
    values = _from_scale(s, bounds)
    if p.kind == "count":
        values = np.round(values * (pop / TYPICAL_POPULATION)[:, None])

    # Missing data: whole series for some units, single years for others; nothing before start_year.
    whole = rng.random(n) < p.missing / 2
    single = rng.random((n, t)) < p.missing / 2
    mask = whole[:, None] | single
    mask |= (np.array(years) < p.start_year)[None, :]
    values[mask] = np.nan
    return values


def generate(
    catalogue: Catalogue, units: pd.DataFrame, years: list[int], seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """Synthetic values for every synthetic indicator at all its levels (values-table schema)."""
    g = units[units["level"] == "gmina"].reset_index(drop=True)
    den = denominators(units, years, seed)
    level_keys = {"gmina": g["teryt"].to_numpy(str), "powiat": g["powiat"].to_numpy(str),
                  "wojewodztwo": g["wojewodztwo"].to_numpy(str)}

    # Per indicator and level: (codes, numerators, denominators, values) arrays (units × years).
    computed: dict[str, dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    frames = []
    synthetic = [i for i in catalogue.indicators if i.synthetic is not None]
    # `sum` indicators after their parts.
    ordered = [i for i in synthetic if i.synthetic.kind != "sum"] + [i for i in synthetic if i.synthetic.kind == "sum"]
    for ind in ordered:
        p = ind.synthetic
        per_level = {}
        if p.kind == "sum":
            for level in ind.levels:
                parts = [computed[x][level] for x in p.of if level in computed.get(x, {})]
                codes = parts[0][0]
                total = np.sum([part[1] for part in parts], axis=0)  # NaN if any part is missing
                per_level[level] = (codes, total, parts[0][2])
        else:
            gv = _gmina_values(ind, g, years, den, seed)
            d = den[p.denominator]
            for level in ind.levels:
                keys = level_keys[level]
                if p.kind == "count":
                    num = np.nan_to_num(gv)
                    codes, inverse = np.unique(keys, return_inverse=True)
                    agg = np.zeros((len(codes), len(years)))
                    np.add.at(agg, inverse, num)
                    covered = np.zeros((len(codes), len(years)))
                    np.add.at(covered, inverse, (~np.isnan(gv)).astype(float))
                    agg[covered == 0] = np.nan
                    per_level[level] = (codes, agg, covered)
                    continue
                numer = np.where(np.isnan(gv), 0.0, gv * d / p_mult(ind))
                denom = np.where(np.isnan(gv), 0.0, d)
                codes, inverse = np.unique(keys, return_inverse=True)
                nsum = np.zeros((len(codes), len(years)))
                dsum = np.zeros((len(codes), len(years)))
                np.add.at(nsum, inverse, numer)
                np.add.at(dsum, inverse, denom)
                full = np.zeros((len(codes), len(years)))
                np.add.at(full, inverse, d)
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = np.where(dsum > 0, p_mult(ind) * nsum / dsum, np.nan)
                per_level[level] = (codes, value, dsum / np.where(full > 0, full, 1.0))
        computed[ind.id] = per_level
        for level, (codes, value, coverage) in per_level.items():
            frames.append(_to_long(ind, level, codes, value, coverage, years))
    if not frames:
        return pd.DataFrame(columns=["indicator", "teryt", "year", "value", "flag", "synthetic", "source"])
    return pd.concat(frames, ignore_index=True)


def p_mult(ind: Indicator) -> float:
    return ind.formula.multiplier or 1.0


def _to_long(
    ind: Indicator, level: str, codes: np.ndarray, value: np.ndarray, coverage: np.ndarray, years: list[int]
) -> pd.DataFrame:
    first, last = ind.years
    cols = [j for j, y in enumerate(years) if first <= y <= last]
    v = value[:, cols]
    df = pd.DataFrame(
        {
            "indicator": ind.id,
            "teryt": np.repeat(codes, len(cols)),
            "year": np.tile(np.array(years)[cols], len(codes)),
            "value": v.ravel(),
        }
    )
    flag = np.full(v.shape, "ok", dtype=object)
    if level != "gmina" and ind.synthetic.kind != "sum":
        cov = coverage[:, cols]
        if ind.synthetic.kind == "count":
            flag[:] = "ok"
        else:
            flag[(cov < 0.999) & ~np.isnan(v)] = "partial"
    flag[np.isnan(v)] = "no_data"
    df["flag"] = flag.ravel()
    df["synthetic"] = True
    df["source"] = SOURCE
    return df
