"""Precomputed statistics per (indicator, year, level): ranks, percentiles, peer and regional quartiles.

Ranks follow each indicator's direction (1 = best); for neutral indicators rank 1 is the highest value.
Percentiles are direction-free: ``pct`` is the share (0–100) of units in the group with a lower value, so
"better than X %" is ``pct`` for higher-better and ``100 − pct`` for lower-better indicators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue


def _rank_block(df: pd.DataFrame, keys: list[str], suffix: str) -> pd.DataFrame:
    grp = df.groupby(keys, sort=False, observed=True)
    n = grp["value"].transform("count")
    asc = grp["value"].rank(method="min", ascending=True)
    best = grp["score"].rank(method="min", ascending=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(n > 1, 100.0 * (asc - 1) / (n - 1), 50.0)
    out = pd.DataFrame(index=df.index)
    out[f"rank_{suffix}"] = best.astype("Int32")
    out[f"n_{suffix}"] = n.astype("Int32")
    out[f"pct_{suffix}"] = np.where(df["value"].notna(), pct, np.nan)
    return out


def unit_stats(values: pd.DataFrame, units: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One row per value: rank and percentile in Poland and in the peer group (NaN where the value is missing)."""
    u = units.set_index("teryt")[["level", "peer_group"]]
    df = values[["indicator", "teryt", "year", "value"]].copy()
    df["level"] = df["teryt"].map(u["level"])
    df["peer_group"] = df["teryt"].map(u["peer_group"])
    sign = {i.id: (-1.0 if i.direction == "lower_better" else 1.0) for i in catalogue.indicators}
    df["score"] = df["value"] * df["indicator"].map(sign)
    pl = _rank_block(df, ["indicator", "year", "level"], "pl")
    peer = _rank_block(df, ["indicator", "year", "level", "peer_group"], "peer")
    out = pd.concat([df[["indicator", "teryt", "year", "level", "peer_group"]], pl, peer], axis=1)
    return out.reset_index(drop=True)


def group_stats(values: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Quartiles per (indicator, year, level, scope, group): scope is 'national', 'peer' or 'wojewodztwo'."""
    u = units.set_index("teryt")
    df = values[["indicator", "teryt", "year", "value"]].dropna(subset=["value"]).copy()
    df["level"] = df["teryt"].map(u["level"])
    df["peer"] = df["teryt"].map(u["peer_group"])
    woj = df["teryt"].str[:2]
    df["wojewodztwo"] = woj.where(df["level"] != "wojewodztwo", "PL")
    df["national"] = "PL"
    frames = []
    for scope, col in (("national", "national"), ("peer", "peer"), ("wojewodztwo", "wojewodztwo")):
        grp = df.groupby(["indicator", "year", "level", col], sort=True, observed=True)["value"]
        q = grp.quantile([0.25, 0.5, 0.75]).unstack()
        q.columns = ["q1", "median", "q3"]
        stats = pd.concat([grp.count().rename("n"), grp.min().rename("min"), grp.max().rename("max"),
                           grp.mean().rename("mean"), q], axis=1).reset_index()
        stats = stats.rename(columns={col: "group"})
        stats.insert(3, "scope", scope)
        frames.append(stats)
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype("int32")
    return out
