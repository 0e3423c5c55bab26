"""Chance variation of rates: overdispersed funnel limits, 'indistinguishable from peers', rolling values.

Which values: catalogue indicators with ``rate: true``, value = multiplier × numerator / denominator, where
the denominator counts people (or places, dwellings … per resident). The denominator n of a value is **its
own** – the release's ``denominator`` column (official rate indicators; :func:`denominators`). Only synthetic
(demo) values, which carry none, fall back to the unit's population count of 31 XII 2020 in ``store.units``
(BDL P2137, age groups as in ``portal/pipeline/register.py``; ``synthetic.denominator`` names the group).
An official value without a denominator (a rate published as it is, e.g. crimes per 1000) gets no limits.

The model (:func:`overdispersion`, after Spiegelhalter 2005, "Funnel plots for comparing institutional
performance", Statistics in Medicine 24:1185–1202, and "Handling over-dispersion of performance indicators",
Quality and Safety in Health Care 14:347–351). Administrative totals are not samples: a gmina's pre-school
share differs from its peers' for real reasons (where pre-schools are, who commutes), so pure binomial or
Poisson limits put most units "outside" (1,874 of 2,420 gminy for pre-school coverage). The limits
therefore add a between-unit variance τ² to the chance variance at the unit's denominator:

1. reference θ0 = the group's pooled rate Σ(value·n) / Σ n (on the 0–1 or per-person scale);
2. chance variance s² = θ0(1−θ0)/n (shares, multiplier ≤ 100: binomial) or θ0/n (rates per 1000 and
   more: Poisson); z = (value − θ0)/s for every unit of the group;
3. the z's are winsorised at their 10th and 90th percentiles (a few extreme units must not set the spread),
   and φ = mean(z²) / 0.679 – the mean square of a winsorised standard normal is 0.679 of its variance, so
   the division keeps φ unbiased when the model holds (without it, units with normal effects simulated in
   tests/unit/test_uncertainty.py fall outside the 95% limits 13% of the time instead of 5%);
4. τ² = max(0, (I·φ − (I − 1)) / (Σw − Σw²/Σw)), with w = 1/s² and I the number of units
   (DerSimonian–Laird's moment estimator on the winsorised z's); groups under :data:`MIN_UNITS_TAU` units
   borrow τ² from all units of the level;
5. limits θ0 ± z_α·√(s² + τ²), z_α = 1.96 (95%) and 3.09 (99.8%); binomial limits clipped to [0, 1].

A unit inside the 95% limits differs from its peers' average by no more than chance and the usual spread
between similar units make likely: it is called neither better nor worse (portal/verdict.py).
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist
from typing import Literal

import numpy as np

from portal.catalogue import Indicator
from portal.i18n import N_, translator

Z95 = 1.959964
Z998 = 3.090232
WINSOR = 0.10
_Q = NormalDist().inv_cdf(1.0 - WINSOR)
WINSOR_MEAN_SQUARE = (1.0 - 2 * WINSOR) - 2 * _Q * NormalDist().pdf(_Q) + 2 * WINSOR * _Q**2
"""E[W²] of a standard normal winsorised at WINSOR and 1 − WINSOR (0.679 at 10%)."""
MIN_UNITS_TAU = 10
COUNT_YEAR = 2020
COUNT_COLUMNS = ("population", "pop_0_2", "pop_3_6", "pop_7_14", "pop_0_14", "pop_15_64", "pop_65_plus")
FLAGS = ("within95", "above95", "below95", "above998", "below998")
Method = Literal["binomial", "poisson"]

DENOMINATOR_NAMES = {
    "population": {"pl": "mieszkańcy", "en": "residents"},
    "pop_0_2": {"pl": "dzieci w wieku 0–2 lat", "en": "children aged 0–2"},
    "pop_3_6": {"pl": "dzieci w wieku 3–6 lat", "en": "children aged 3–6"},
    "pop_7_14": {"pl": "dzieci w wieku 7–14 lat", "en": "children aged 7–14"},
    "pop_0_14": {"pl": "dzieci w wieku 0–14 lat", "en": "children aged 0–14"},
    "pop_15_64": {"pl": "mieszkańcy w wieku 15–64 lat", "en": "residents aged 15–64"},
    "pop_65_plus": {"pl": "mieszkańcy w wieku 65+", "en": "residents aged 65+"},
}

MODEL_TEXT = N_(
    "How the limits are set: administrative counts are not samples, so units differ by more than chance. "
    "The limits are the peers' pooled average ± 1.96 (95%) or 3.09 (99.8%) × √(chance variance at the "
    "unit's size + τ²), where τ² is the usual spread between units, estimated from the units' z-scores "
    "(winsorised at 10%, DerSimonian–Laird; Spiegelhalter's random-effects funnel). A unit inside the 95% "
    "limits is called neither better nor worse."
)


def model_text(lang: str = "pl") -> str:
    """The model of the limits in plain words, for the pages that show a funnel or a chance verdict."""
    return translator(lang)(MODEL_TEXT)


def denominator_column(indicator: Indicator) -> str | None:
    """The ``store.units`` column that stands in for a synthetic value's denominator, None for a non-rate."""
    if not indicator.rate:
        return None
    column = indicator.synthetic.denominator if indicator.synthetic is not None else "population"
    return column if column in COUNT_COLUMNS else None


def method_for(indicator: Indicator) -> Method:
    """Binomial for shares (multiplier ≤ 100), Poisson for rates per 1000 and more."""
    return "binomial" if indicator.formula.multiplier <= 100 else "poisson"


def _chance_sd(p0: float, n: np.ndarray, method: Method) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "binomial":
            return np.sqrt(max(p0 * (1.0 - p0), 0.0) / n)
        if method == "poisson":
            return np.sqrt(max(p0, 0.0) / n)
    raise ValueError(f"unknown method {method!r} (binomial or poisson)")


def funnel_limits(
    p0: float, n: np.ndarray, z: float, method: Method = "binomial", tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Control limits (lower, upper) of a proportion or rate p0 for denominators n, on the p scale.

    p0 ± z·√(s² + τ²) with s² = p0(1−p0)/n (binomial, clipped to [0, 1]) or p0/n (Poisson, lower clipped
    at 0); ``tau2`` = 0 gives the plain chance limits. n ≤ 0 or NaN gives NaN limits.
    """
    n = np.asarray(n, dtype=float)
    sd = np.sqrt(_chance_sd(p0, n, method) ** 2 + max(tau2, 0.0))
    lower, upper = p0 - z * sd, p0 + z * sd
    if method == "binomial":
        lower, upper = np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)
    else:
        lower = np.maximum(lower, 0.0)
    bad = ~(n > 0)
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def overdispersion(p: np.ndarray, n: np.ndarray, p0: float, method: Method) -> float:
    """τ², the between-unit variance on the p scale (steps 2–4 of the module's model); 0 when none shows.

    ``p`` are the units' values on the 0–1 (or per-person) scale, ``n`` their denominators; units with a
    missing value or denominator are left out.
    """
    p, n = np.asarray(p, dtype=float), np.asarray(n, dtype=float)
    ok = np.isfinite(p) & np.isfinite(n) & (n > 0)
    if ok.sum() < 3:
        return 0.0
    s = _chance_sd(p0, n[ok], method)
    if not np.all(s > 0):
        return 0.0
    z = (p[ok] - p0) / s
    lo, hi = np.quantile(z, [WINSOR, 1.0 - WINSOR])
    z = np.clip(z, lo, hi)
    units = len(z)
    w = 1.0 / s**2
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    phi = float(np.mean(z**2)) / WINSOR_MEAN_SQUARE
    tau2 = (units * phi - (units - 1)) / denominator if denominator > 0 else 0.0
    return max(tau2, 0.0)


def classify(value: np.ndarray, lower95, upper95, lower998, upper998) -> np.ndarray:
    """One of :data:`FLAGS` per value (values on a limit count as inside it); '' where anything is missing."""
    value = np.asarray(value, dtype=float)
    out = np.full(value.shape, "within95", dtype=object)
    out[value > upper95] = "above95"
    out[value > upper998] = "above998"
    out[value < lower95] = "below95"
    out[value < lower998] = "below998"
    missing = ~(np.isfinite(value) & np.isfinite(lower95) & np.isfinite(upper95))
    out[missing] = ""
    return out


def _indicator(store, indicator_id: str) -> Indicator:
    ind = store.catalogue.by_id.get(indicator_id)
    if ind is None:
        raise ValueError(f"unknown indicator {indicator_id!r}")
    return ind


def denominators(store, ind: Indicator, sl) -> tuple[np.ndarray, np.ndarray]:
    """(n, fallback) per unit of a slice: the value's own denominator, else – for a synthetic value only –
    the 2020 register count; ``fallback`` marks the latter. NaN where neither applies."""
    own = np.asarray(sl.denominator if sl.denominator is not None else np.full(len(sl.codes), np.nan), float)
    column = denominator_column(ind)
    fallback = ~np.isfinite(own) & np.asarray(sl.synthetic, dtype=bool) & (column is not None)
    if column is None or not fallback.any():
        return own, fallback
    register = store.units[column].reindex(sl.codes).to_numpy(dtype=float)
    return np.where(fallback, register, own), fallback


def _group_mask(store, codes: np.ndarray, level: str, group: str | None) -> tuple[np.ndarray, str]:
    """Units of ``codes`` in the group: None/'PL' national, a peer-group id, or a 2-digit województwo code."""
    if group in (None, "PL"):
        return np.ones(len(codes), dtype=bool), "national"
    if group in store.meta.get("peer_groups", {}):
        return store.units["peer_group"].reindex(codes).to_numpy() == group, "peer"
    if isinstance(group, str) and len(group) == 2 and group.isdigit() and level != "wojewodztwo":
        return np.char.startswith(codes.astype(str), group), "wojewodztwo"
    raise ValueError(f"unknown group {group!r} (PL, a peer group id or a 2-digit województwo code)")


def _values(store, ind: Indicator, year: int, level: str, window: int | None):
    """Codes, values, denominators, fallback marks and years pooled, for all units of the level.

    With ``window`` (≥ 2) each unit's value is its denominator-weighted mean Σ(value·n)/Σn over the years
    up to ``year`` that have both (at least two), and n is Σn over those years.
    """
    sl = store.slice(ind.id, year, level)
    if sl is None:
        raise ValueError(f"{ind.id}: no data for {level} in {year}")
    n, fallback = denominators(store, ind, sl)
    value = np.asarray(sl.value, dtype=float)
    if not window or window < 2:
        return sl.codes, value, n, fallback, (np.isfinite(value) & np.isfinite(n)).astype(int)
    num, den, used = np.zeros(len(sl.codes)), np.zeros(len(sl.codes)), np.zeros(len(sl.codes), dtype=int)
    for y in range(year - window + 1, year + 1):
        s = store.slice(ind.id, y, level)
        if s is None:
            continue
        v = np.asarray(s.value, dtype=float)
        ny, fb = denominators(store, ind, s)
        ok = np.isfinite(v) & np.isfinite(ny) & (ny > 0)
        num += np.where(ok, v * ny, 0.0)
        den += np.where(ok, ny, 0.0)
        used += ok
        fallback = fallback | (fb & ok)
    enough = used >= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return sl.codes, np.where(enough, num / den, np.nan), np.where(enough, den, np.nan), fallback, used


def _fit(ind: Indicator, value: np.ndarray, n: np.ndarray, ok: np.ndarray, tau_from: np.ndarray) -> tuple:
    """(reference, p0, τ²) for the units ``ok``; τ² estimated over ``tau_from`` when ``ok`` is small."""
    mult = ind.formula.multiplier
    reference = float(np.sum(value[ok] * n[ok]) / np.sum(n[ok]))
    method = method_for(ind)
    p0 = reference / mult
    basis = ok if ok.sum() >= MIN_UNITS_TAU else tau_from
    return reference, p0, overdispersion(value[basis] / mult, n[basis], p0, method)


def funnel(
    store, indicator_id: str, year: int, level: str, group: str | None = None, *, window: int | None = None
) -> dict:
    """Funnel plot data for one rate indicator, year and level, with the overdispersed limits of the module.

    ``group``: None (all units, national reference), a peer-group id or a 2-digit województwo code. Each
    point: teryt, name, n (the value's denominator), value, the 95% and 99.8% limits at its n, and a flag
    from :data:`FLAGS`. ``window`` (e.g. 3) pools the last years (at least two). Also returns ``tau2`` (on
    the 0–1 / per-person scale), ``model`` (the model in words, pl and en), ``denominator_source``
    ('values' – the values' own denominators of ``year``; 'register' – the 2020 counts standing in for
    synthetic values; 'mixed'), ``curve`` (limits over a log grid of n) and ``counts`` per flag.
    Raises ValueError for an unknown or non-rate indicator or a year/level without data and denominators.
    """
    ind = _indicator(store, indicator_id)
    if not ind.rate:
        raise ValueError(f"{indicator_id} is not a rate over a countable denominator")
    codes, value, n, fallback, _used = _values(store, ind, year, level, window)
    mask, scope = _group_mask(store, codes, level, group)
    usable = np.isfinite(value) & np.isfinite(n) & (n > 0)
    ok = mask & usable
    if not ok.any():
        raise ValueError(f"{indicator_id}: no units with data and denominators in {year} ({level}, {group})")
    mult = ind.formula.multiplier
    method = method_for(ind)
    reference, p0, tau2 = _fit(ind, value, n, ok, usable)
    lo95, hi95 = (x * mult for x in funnel_limits(p0, n[ok], Z95, method, tau2))
    lo998, hi998 = (x * mult for x in funnel_limits(p0, n[ok], Z998, method, tau2))
    flags = classify(value[ok], lo95, hi95, lo998, hi998)
    names = store.units["display_name"].reindex(codes[ok]).to_numpy()
    nd = ind.decimals + 2
    points = [
        {"teryt": str(t), "name": str(nm), "n": float(nn), "value": round(float(v), nd),
         "lower95": round(float(a), nd), "upper95": round(float(b), nd),
         "lower998": round(float(c), nd), "upper998": round(float(d), nd), "flag": f}
        for t, nm, nn, v, a, b, c, d, f in zip(
            codes[ok], names, n[ok], value[ok], lo95, hi95, lo998, hi998, flags, strict=True
        )
    ]
    grid = np.geomspace(max(float(n[ok].min()) / 1.3, 1.0), float(n[ok].max()) * 1.3, 120)
    g95, g998 = funnel_limits(p0, grid, Z95, method, tau2), funnel_limits(p0, grid, Z998, method, tau2)
    curve = {"n": grid.round(1).tolist(),
             "lower95": (g95[0] * mult).round(nd).tolist(), "upper95": (g95[1] * mult).round(nd).tolist(),
             "lower998": (g998[0] * mult).round(nd).tolist(), "upper998": (g998[1] * mult).round(nd).tolist()}
    fb = fallback[ok]
    source = "register" if fb.all() else ("values" if not fb.any() else "mixed")
    column = denominator_column(ind) or "population"
    return {
        "indicator": ind.id, "year": year, "level": level, "group": group or "PL", "scope": scope,
        "window": window if window and window >= 2 else None,
        "method": method, "multiplier": mult, "z95": Z95, "z998": Z998, "tau2": tau2,
        "model": {"pl": model_text("pl"), "en": model_text("en")},
        "denominator": column, "denominator_name": DENOMINATOR_NAMES[column],
        "denominator_source": source, "denominator_year": COUNT_YEAR if source == "register" else year,
        "reference": reference, "points": points, "curve": curve,
        "counts": {f: int((flags == f).sum()) for f in FLAGS},
        "skipped": int((mask & ~ok).sum()),
        "synthetic": bool(store.is_synthetic(ind.id)),
    }


@functools.lru_cache(maxsize=512)
def _level_fit(store, indicator_id: str, year: int, level: str) -> tuple | None:
    """Per (indicator, year, level), shared by every card of every profile: codes, values, n, peer groups,
    and a lazily filled dict of each peer group's (reference, p0, τ²)."""
    ind = store.catalogue.by_id.get(indicator_id)
    if ind is None or not ind.rate:
        return None
    try:
        codes, value, n, _fallback, _used = _values(store, ind, year, level, None)
    except ValueError:
        return None
    groups = store.units["peer_group"].reindex(codes).to_numpy()
    return codes, value, n, groups, {}


def unit_limits(store, indicator_id: str, teryt: str, year: int) -> dict | None:
    """The unit's value with the 95% and 99.8% limits around its peer group's pooled rate, or None.

    None for a non-rate indicator, an unknown unit, or a missing value or denominator. The peers are the
    unit's fixed peer group at its level, the unit included (as in the funnel plot); τ² is estimated over
    the group (over the level when the group has fewer than :data:`MIN_UNITS_TAU` units with data).
    """
    if teryt not in store.units.index:
        return None
    level = store.units.at[teryt, "level"]
    fit = _level_fit(store, indicator_id, year, level)
    if fit is None:
        return None
    codes, value, n, groups, by_group = fit
    pos = int(np.searchsorted(codes, teryt))
    if pos >= len(codes) or codes[pos] != teryt or not (np.isfinite(value[pos]) and n[pos] > 0):
        return None
    ind = store.catalogue.by_id[indicator_id]
    group = groups[pos]
    if group not in by_group:
        usable = np.isfinite(value) & np.isfinite(n) & (n > 0)
        by_group[group] = _fit(ind, value, n, usable & (groups == group), usable)
    reference, p0, tau2 = by_group[group]
    mult, method = ind.formula.multiplier, method_for(ind)
    (lo95,), (hi95,) = funnel_limits(p0, np.array([n[pos]]), Z95, method, tau2)
    (lo998,), (hi998,) = funnel_limits(p0, np.array([n[pos]]), Z998, method, tau2)
    v = float(value[pos])
    limits = (float(lo95 * mult), float(hi95 * mult), float(lo998 * mult), float(hi998 * mult))
    flag = str(classify(np.array([v]), *(np.array([x]) for x in limits))[0])
    return {"value": v, "n": float(n[pos]), "reference": reference, "peer_group": group, "tau2": tau2,
            "method": method, "lower95": limits[0], "upper95": limits[1], "lower998": limits[2],
            "upper998": limits[3], "flag": flag}


def indistinguishable(store, indicator_id: str, teryt: str, year: int) -> bool | None:
    """True when the unit's value lies within the 95% limits around its peer group's pooled rate.

    None for non-rate indicators or missing data or denominators (then no statement about chance is made).
    """
    lim = unit_limits(store, indicator_id, teryt, year)
    return None if lim is None else lim["flag"] == "within95"


def rolling_value(store, indicator_id: str, teryt: str, year: int, window: int = 3) -> float | None:
    """The rolling value over the ``window`` years up to ``year``: None if fewer than 2 of them have data.

    Denominator-weighted mean Σ(value·n)/Σ(n) where every year has its own denominator; otherwise (synthetic
    values, one 2020 count for all years) the plain mean of the available years.
    """
    _indicator(store, indicator_id)
    points = [p for p in store.series(indicator_id, teryt)
              if year - window < p["year"] <= year and p["value"] is not None and math.isfinite(p["value"])]
    if len(points) < 2:
        return None
    weights = [p.get("denominator") for p in points]
    if all(w is not None and w > 0 for w in weights):
        return float(sum(p["value"] * w for p, w in zip(points, weights, strict=True)) / sum(weights))
    return float(sum(p["value"] for p in points) / len(points))


__all__ = [
    "COUNT_YEAR", "DENOMINATOR_NAMES", "FLAGS", "MODEL_TEXT", "Z95", "Z998", "classify", "denominator_column",
    "denominators", "funnel", "funnel_limits", "indistinguishable", "method_for", "model_text",
    "overdispersion", "rolling_value", "unit_limits",
]
