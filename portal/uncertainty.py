"""Chance variation of rates in small units: funnel limits, 'indistinguishable from peers', rolling values.

Only catalogue indicators with ``rate: true`` qualify: value = multiplier × numerator / denominator, where the
denominator counts people (``synthetic.denominator`` names the age group; real rate indicators count all
residents). The denominator size n of a unit is taken from ``store.units`` – population counts of 31 XII 2020
(BDL P2137, age groups split as in ``portal/pipeline/register.py``), the only counts the release carries – so
n is the same for every year of a series. Units without counts (the two gminy created in 2025) are skipped.

Approximation (:func:`method_for`):
- shares (multiplier ≤ 100: %, per cent of children, of residents) – binomial, normal approximation
  p0 ± z·√(p0(1−p0)/n), clipped to [0, 1];
- rates per 1000 or per 10 000 residents – Poisson counts, rate ± z·√(rate/n) (rate = p0 events per
  person), lower limit clipped at 0; p0 is small there and a count can exceed the number of households.
The limits assume independent individuals; services reach people in clusters (a water network, a housing
estate), so real year-to-year swings are wider and the limits are, if anything, too narrow: a unit inside
them is certainly indistinguishable from the reference.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from portal.catalogue import Indicator

Z95 = 1.959964
Z998 = 3.090232
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


def denominator_column(indicator: Indicator) -> str | None:
    """The ``store.units`` column holding the unit's denominator count, or None for a non-rate indicator."""
    if not indicator.rate:
        return None
    column = indicator.synthetic.denominator if indicator.synthetic is not None else "population"
    return column if column in COUNT_COLUMNS else None


def method_for(indicator: Indicator) -> Method:
    """Binomial for shares (multiplier ≤ 100), Poisson for rates per 1000 and more."""
    return "binomial" if indicator.formula.multiplier <= 100 else "poisson"


def funnel_limits(
    p0: float, n: np.ndarray, z: float, method: Method = "binomial"
) -> tuple[np.ndarray, np.ndarray]:
    """Control limits (lower, upper) of a proportion or rate p0 for denominators n, on the p scale.

    binomial: p0 ± z·√(p0(1−p0)/n), clipped to [0, 1]; poisson: p0 ± z·√(p0/n), lower clipped at 0.
    n ≤ 0 or NaN gives NaN limits.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "binomial":
            sd = np.sqrt(max(p0 * (1.0 - p0), 0.0) / n)
            lower, upper = np.clip(p0 - z * sd, 0.0, 1.0), np.clip(p0 + z * sd, 0.0, 1.0)
        elif method == "poisson":
            sd = np.sqrt(max(p0, 0.0) / n)
            lower, upper = np.maximum(p0 - z * sd, 0.0), p0 + z * sd
        else:
            raise ValueError(f"unknown method {method!r} (binomial or poisson)")
    bad = ~(n > 0)
    lower, upper = np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)
    return lower, upper


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


def _group_mask(store, codes: np.ndarray, level: str, group: str | None) -> tuple[np.ndarray, str]:
    """Units of ``codes`` in the group: None/'PL' national, a peer-group id, or a 2-digit województwo code."""
    if group in (None, "PL"):
        return np.ones(len(codes), dtype=bool), "national"
    if group in store.meta.get("peer_groups", {}):
        return store.units.loc[codes, "peer_group"].to_numpy() == group, "peer"
    if isinstance(group, str) and len(group) == 2 and group.isdigit() and level != "wojewodztwo":
        return np.char.startswith(codes.astype(str), group), "wojewodztwo"
    raise ValueError(f"unknown group {group!r} (PL, a peer group id or a 2-digit województwo code)")


def _values(
    store, ind: Indicator, year: int, level: str, window: int | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Values of all units of the level (rolling means with ``window``) and how many years each pools."""
    sl = store.slice(ind.id, year, level)
    if sl is None:
        raise ValueError(f"{ind.id}: no data for {level} in {year}")
    if not window or window < 2:
        value = np.asarray(sl.value, dtype=float)
        return value, np.isfinite(value).astype(int), len(sl.codes)
    stack = [np.asarray(s.value, dtype=float) for y in range(year - window + 1, year + 1)
             if (s := store.slice(ind.id, y, level)) is not None]
    arr = np.vstack(stack)
    count = np.isfinite(arr).sum(axis=0)
    with np.errstate(invalid="ignore"):
        mean = np.where(count >= 2, np.nansum(arr, axis=0) / np.maximum(count, 1), np.nan)
    return mean, np.where(count >= 2, count, 0), len(sl.codes)


def funnel(
    store, indicator_id: str, year: int, level: str, group: str | None = None, *, window: int | None = None
) -> dict:
    """Funnel plot data for one rate indicator, year and level.

    ``group``: None (all units, national reference), a peer-group id or a 2-digit województwo code. The
    reference is the pooled rate of the group, Σ(value·n)/Σ(n). Each point: teryt, name, n (denominator
    count of 2020), value, the 95% and 99.8% limits at its n, and a flag from :data:`FLAGS`. ``window``
    (e.g. 3) uses the rolling value over the last years (at least two), pooling n over the years it uses.
    Also returns ``curve`` (limits over a log grid of n, for drawing) and ``counts`` per flag.
    Raises ValueError for an unknown or non-rate indicator or a year/level without data.
    """
    ind = _indicator(store, indicator_id)
    column = denominator_column(ind)
    if column is None:
        raise ValueError(f"{indicator_id} is not a rate over a countable denominator")
    value, years_used, _ = _values(store, ind, year, level, window)
    codes = store.level_codes(level)
    mask, scope = _group_mask(store, codes, level, group)
    n_unit = store.units.loc[codes, column].to_numpy(dtype=float)
    n = n_unit * np.maximum(years_used, 1)
    ok = mask & np.isfinite(value) & np.isfinite(n) & (n > 0)
    if not ok.any():
        raise ValueError(f"{indicator_id}: no units with data and denominators in {year} ({level}, {group})")
    mult = ind.formula.multiplier
    reference = float(np.sum(value[ok] * n[ok]) / np.sum(n[ok]))
    method = method_for(ind)
    p0 = reference / mult
    lo95, hi95 = (x * mult for x in funnel_limits(p0, n[ok], Z95, method))
    lo998, hi998 = (x * mult for x in funnel_limits(p0, n[ok], Z998, method))
    flags = classify(value[ok], lo95, hi95, lo998, hi998)
    names = store.units.loc[codes[ok], "display_name"].to_numpy()
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
    g95, g998 = funnel_limits(p0, grid, Z95, method), funnel_limits(p0, grid, Z998, method)
    curve = {"n": grid.round(1).tolist(),
             "lower95": (g95[0] * mult).round(nd).tolist(), "upper95": (g95[1] * mult).round(nd).tolist(),
             "lower998": (g998[0] * mult).round(nd).tolist(), "upper998": (g998[1] * mult).round(nd).tolist()}
    return {
        "indicator": ind.id, "year": year, "level": level, "group": group or "PL", "scope": scope,
        "window": window if window and window >= 2 else None,
        "method": method, "multiplier": mult, "z95": Z95, "z998": Z998,
        "denominator": column, "denominator_name": DENOMINATOR_NAMES[column], "denominator_year": COUNT_YEAR,
        "reference": reference, "points": points, "curve": curve,
        "counts": {f: int((flags == f).sum()) for f in FLAGS},
        "skipped": int((mask & ~ok).sum()),
        "synthetic": bool(store.is_synthetic(ind.id)),
    }


def unit_limits(store, indicator_id: str, teryt: str, year: int) -> dict | None:
    """The unit's value with the 95% and 99.8% limits around its peers' pooled rate, or None.

    None for a non-rate indicator, an unknown unit, or a missing value or denominator. The peers are the
    unit's fixed peer group at its level, the unit included (as in the funnel plot).
    """
    ind = store.catalogue.by_id.get(indicator_id)
    column = denominator_column(ind) if ind is not None else None
    if column is None or teryt not in store.units.index:
        return None
    level = store.units.at[teryt, "level"]
    sl = store.slice(indicator_id, year, level)
    if sl is None:
        return None
    codes = sl.codes
    pos = int(np.searchsorted(codes, teryt))
    if pos >= len(codes) or codes[pos] != teryt:
        return None
    value = np.asarray(sl.value, dtype=float)
    n = store.units.loc[codes, column].to_numpy(dtype=float)
    if not (np.isfinite(value[pos]) and np.isfinite(n[pos]) and n[pos] > 0):
        return None
    peer_group = store.units.at[teryt, "peer_group"]
    in_group = store.units.loc[codes, "peer_group"].to_numpy() == peer_group
    ok = in_group & np.isfinite(value) & np.isfinite(n) & (n > 0)
    mult = ind.formula.multiplier
    reference = float(np.sum(value[ok] * n[ok]) / np.sum(n[ok]))
    method = method_for(ind)
    (lo95,), (hi95,) = funnel_limits(reference / mult, np.array([n[pos]]), Z95, method)
    (lo998,), (hi998,) = funnel_limits(reference / mult, np.array([n[pos]]), Z998, method)
    v = float(value[pos])
    limits = (float(lo95 * mult), float(hi95 * mult), float(lo998 * mult), float(hi998 * mult))
    flag = str(classify(np.array([v]), *(np.array([x]) for x in limits))[0])
    return {"value": v, "n": float(n[pos]), "reference": reference, "peer_group": peer_group,
            "method": method, "lower95": limits[0], "upper95": limits[1], "lower998": limits[2],
            "upper998": limits[3], "flag": flag}


def indistinguishable(store, indicator_id: str, teryt: str, year: int) -> bool | None:
    """True when the unit's value lies within the 95% limits around its peer group's pooled rate.

    None for non-rate indicators or missing data (then no statement about chance variation can be made).
    """
    lim = unit_limits(store, indicator_id, teryt, year)
    return None if lim is None else lim["flag"] == "within95"


def rolling_value(store, indicator_id: str, teryt: str, year: int, window: int = 3) -> float | None:
    """The rolling value over the ``window`` years up to ``year``: None if fewer than 2 of them have data.

    Denominator-weighted mean Σ(value·n)/Σ(n); the release has one denominator count (2020) per unit, so
    the weights are equal and this is the mean of the available years.
    """
    _indicator(store, indicator_id)
    values = [p["value"] for p in store.series(indicator_id, teryt)
              if year - window < p["year"] <= year and p["value"] is not None and math.isfinite(p["value"])]
    if len(values) < 2:
        return None
    return float(sum(values) / len(values))


__all__ = [
    "COUNT_YEAR", "DENOMINATOR_NAMES", "FLAGS", "Z95", "Z998", "classify", "denominator_column", "funnel",
    "funnel_limits", "indistinguishable", "method_for", "rolling_value", "unit_limits",
]
