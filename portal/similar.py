"""'Podobne JST': the k nearest units of the same level on standardised context variables, with reasons.

Variables (z-scores over the level's units that have all chosen variables):
- ``population`` – log of residents (2020);
- ``density`` – log of residents per km²;
- ``type`` – gmina kind (miejska, wiejska, miejsko-wiejska, city with powiat rights) one-hot; the 0/1 columns
  are left unscaled, so a different kind adds 2 to the squared distance – the expected squared difference
  of one standardised variable between two random units, i.e. type weighs like one variable;
- ``share_65_plus`` – residents aged 65+ / all residents (2020);
- ``own_revenue`` – log of own revenue per resident (indicator dochody-wlasne-na-mieszkanca, latest year);
  logged because a few rich gminy would otherwise squeeze everybody else together. In this release the
  indicator is synthetic, and the result says so.
The matrix is built once per (store version, level, variables) and each call is one vector distance.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

OWN_REVENUE = "dochody-wlasne-na-mieszkanca"
KINDS = ("miejska", "wiejska", "miejsko-wiejska", "mnpp")
VARIABLES: dict[str, dict[str, str]] = {
    "population": {"pl": "liczba mieszkańców (log)", "en": "population (log)"},
    "density": {"pl": "gęstość zaludnienia (log)", "en": "population density (log)"},
    "type": {"pl": "typ jednostki", "en": "type of unit"},
    "share_65_plus": {"pl": "udział mieszkańców w wieku 65+", "en": "share of residents aged 65+"},
    "own_revenue": {"pl": "dochody własne na mieszkańca (log)", "en": "own revenue per resident (log)"},
}
DEFAULT_VARIABLES = tuple(VARIABLES)
SYNTHETIC_NOTICE = {
    "pl": "Dochody własne na mieszkańca są w tym wydaniu danymi syntetycznymi (nie są to dane urzędowe).",
    "en": "Own revenue per resident is synthetic in this release (not official data).",
}


def parse_variables(variables: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Variable names from a list or a comma-separated string (None → all); ValueError names a bad one."""
    if variables is None:
        return DEFAULT_VARIABLES
    names = [v.strip() for v in (variables.split(",") if isinstance(variables, str) else variables)]
    names = [v for v in names if v]
    for name in names:
        if name not in VARIABLES:
            raise ValueError(f"unknown variable {name!r} (one of {', '.join(VARIABLES)})")
    if not names:
        raise ValueError("no variables chosen")
    return tuple(dict.fromkeys(names))


class _ByVersion:
    """Hashes a store by its data version, so the cache key changes when a new release is loaded."""

    def __init__(self, store) -> None:
        self.store = store

    def __hash__(self) -> int:
        return hash(self.store.cache_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByVersion) and other.store.cache_key == self.store.cache_key


def _display(m: dict, i: int, names: tuple[str, ...]) -> dict:
    """The unit's variables as people read them (residents, per km², kind, share, zł)."""
    out: dict = {}
    for name in names:
        block = m["raw"][name][i]
        if name == "type":
            hit = [k for k, on in zip(KINDS, block, strict=True) if on]
            out[name] = hit[0] if hit else None
        elif not np.isfinite(block[0]):
            out[name] = None
        elif name in ("population", "density", "own_revenue"):
            out[name] = round(float(np.exp(block[0])), 1)
        else:
            out[name] = round(float(block[0]), 4)
    return out


def _raw(store, level: str, codes: np.ndarray, name: str) -> tuple[np.ndarray, list[str]]:
    """Raw value(s) of one variable for ``codes``: (matrix n × columns, column names)."""
    units = store.units.loc[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "population":
            col = np.log(units["population"].to_numpy(float))
        elif name == "density":
            col = np.log(units["density"].to_numpy(float))
        elif name == "share_65_plus":
            col = units["pop_65_plus"].to_numpy(float) / units["population"].to_numpy(float)
        elif name == "own_revenue":
            year = store.latest_year(OWN_REVENUE, level)
            sl = store.slice(OWN_REVENUE, year, level) if year is not None else None
            col = np.full(len(codes), np.nan)
            if sl is not None:
                pos = {c: i for i, c in enumerate(sl.codes)}
                vals = np.asarray(sl.value, float)
                col = np.array([vals[pos[c]] if c in pos else np.nan for c in codes])
            col = np.log(np.where(col > 0, col, np.nan))
        elif name == "type":
            kind = np.where(units["mnpp"].to_numpy(bool), "mnpp", units["kind"].to_numpy(str))
            return np.column_stack([(kind == k).astype(float) for k in KINDS]), [f"type:{k}" for k in KINDS]
        else:  # parse_variables guards this
            raise ValueError(name)
    return col[:, None], [name]


@lru_cache(maxsize=32)
def _matrix(key: _ByVersion, level: str, variables: tuple[str, ...]) -> dict:
    """Standardised matrix of the level's complete units, with the column → variable map."""
    store = key.store
    codes = np.asarray(store.level_codes(level)).astype(str)
    raw = {name: _raw(store, level, codes, name)[0] for name in variables}
    complete = np.isfinite(np.hstack(list(raw.values()))).all(axis=1)
    blocks, owner = [], []
    for name in variables:
        block = raw[name]
        if name != "type":
            # Standardised over the complete units only, so a unit without data does not shift the scale.
            x = block[:, 0]
            mean, sd = (x[complete].mean(), x[complete].std()) if complete.any() else (0.0, 0.0)
            constant = sd <= 1e-9 * (abs(mean) + 1.0)  # rounding noise is no variation
            block = (x * 0.0 if constant else (x - mean) / sd)[:, None]  # x * 0 keeps NaN
        blocks.append(block)
        owner.extend([name] * block.shape[1])
    z = np.hstack(blocks)
    # A column that is constant at this level (type among powiaty) adds nothing and is harmless.
    return {"codes": codes, "z": z, "complete": complete, "owner": np.array(owner), "raw": raw,
            "pos": {c: i for i, c in enumerate(codes)}}


def similar_units(store, teryt: str, k: int = 10, variables=None) -> dict:
    """The k units of the same level nearest to ``teryt`` on the chosen context variables.

    Returns {teryt, name, level, k, variables: [{id, name: {pl, en}, synthetic}], synthetic, notice,
    values: {variable: readable value}, missing: [variables the unit lacks], units: [{teryt, name,
    display_name, distance, contributions: {variable: share of the squared distance}, values}]} sorted by
    distance, the unit itself left out.
    Contributions sum to 1 (all zeros for an identical unit). Units lacking a variable are skipped; a unit
    that lacks one itself gets no neighbours (``missing`` says which). ValueError: unknown unit, bad variable
    or k < 1.
    """
    names = parse_variables(variables)
    if teryt not in store.units.index:
        raise ValueError(f"unknown unit {teryt!r}")
    if int(k) < 1:
        raise ValueError("k must be at least 1")
    level = store.units.at[teryt, "level"]
    m = _matrix(_ByVersion(store), level, names)
    i = m["pos"][teryt]
    synthetic = "own_revenue" in names and bool(store.is_synthetic(OWN_REVENUE))
    out = {
        "teryt": teryt, "name": store.units.at[teryt, "display_name"], "level": level, "k": int(k),
        "variables": [{"id": v, "name": VARIABLES[v], "synthetic": v == "own_revenue" and synthetic}
                      for v in names],
        "synthetic": synthetic, "notice": SYNTHETIC_NOTICE if synthetic else None,
        "values": _display(m, i, names), "missing": [], "units": [],
    }
    z, owner = m["z"], m["owner"]
    if not m["complete"][i]:
        out["missing"] = sorted({str(o) for o, ok in zip(owner, np.isfinite(z[i]), strict=True) if not ok})
        return out
    candidates = np.flatnonzero(m["complete"])
    candidates = candidates[candidates != i]
    sq = (z[candidates] - z[i]) ** 2
    dist2 = sq.sum(axis=1)
    k = min(int(k), len(candidates))
    nearest = np.argpartition(dist2, k - 1)[:k] if k < len(candidates) else np.arange(len(candidates))
    nearest = nearest[np.lexsort((m["codes"][candidates[nearest]], dist2[nearest]))]
    per_var = np.column_stack([sq[nearest][:, owner == v].sum(axis=1) for v in names])
    for row, j in enumerate(nearest):
        code = str(m["codes"][candidates[j]])
        total = float(dist2[j])
        shares = per_var[row] / total if total > 0 else np.zeros(len(names))
        out["units"].append({
            "teryt": code, "name": store.units.at[code, "name"],
            "display_name": store.units.at[code, "display_name"],
            "distance": round(float(np.sqrt(total)), 4),
            "contributions": {v: round(float(s), 4) for v, s in zip(names, shares, strict=True)},
            "values": _display(m, int(candidates[j]), names),
        })
    return out


__all__ = ["DEFAULT_VARIABLES", "OWN_REVENUE", "VARIABLES", "parse_variables", "similar_units"]


KNN_K = 10  # `podobne=knn`: the budget view compares with the 10 most similar units (portal/similar.py)


def stats_over(store, indicator_id: str, year: int, level: str, codes) -> dict | None:
    """{n, min, q1, median, q3, max, mean} over ``codes`` for one indicator-year; None without values.

    Quartiles interpolate linearly, as the pipeline's fixed peer-group statistics do (pandas quantile).
    """
    sl = store.slice(indicator_id, year, level)
    codes = np.asarray(codes, dtype=str)
    if sl is None or codes.size == 0:
        return None
    idx = np.clip(np.searchsorted(sl.codes, codes), 0, len(sl.codes) - 1)
    vals = sl.value[idx[sl.codes[idx] == codes]]
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return None
    q1, median, q3 = np.quantile(vals, [0.25, 0.5, 0.75])
    return {"n": int(vals.size), "min": float(vals.min()), "q1": float(q1), "median": float(median),
            "q3": float(q3), "max": float(vals.max()), "mean": float(vals.mean())}
