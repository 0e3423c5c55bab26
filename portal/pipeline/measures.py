"""Official base quantities ("measures") per unit and year, and indicators computed from them.

A source module (``portal/pipeline/sources/``) reads one raw input and returns measures: additive totals or
published values of one quantity (population, own revenues in zł, dwellings, offences, …), one row per
(measure, today's unit, year). Indicators marked ``real: {kind: ratio}`` in the catalogue are then computed
by one rule for every level:

    value = multiplier × Σ numerator / Σ denominator

where a level's numerator and denominator are the values the source publishes for that level, or – when the
catalogue allows it (``sum_up``) and the measure is additive – the sums over the level's gminy. A ratio is
therefore never a population-weighted mean of ratios, and a gmina-budget value is never shown as a powiat's.

Measure table (``MEASURE_COLUMNS``): measure:str, teryt:str (today's code), year:int, value:float,
flag:str (``portal.pipeline.FLAGS``), source:str (a source id of ``portal/pipeline/sources``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portal.catalogue import Indicator
from portal.pipeline import RELEASE_VALUE_COLUMNS

MEASURE_COLUMNS = ["measure", "teryt", "year", "value", "flag", "source"]
LEVEL_OF_LEN = {7: "gmina", 4: "powiat", 2: "wojewodztwo"}


@dataclass(frozen=True)
class MeasureInfo:
    """What one measure is: its unit, whether it adds up over units, and the levels its source publishes."""

    id: str
    unit: str
    additive: bool
    levels: tuple[str, ...]
    note: str = ""


@dataclass
class Rekeyed:
    """Rows re-keyed to today's units, and the codes that could not be (for the build report)."""

    frame: pd.DataFrame
    unmatched: list[str] = field(default_factory=list)


def empty_measures() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                         zip(MEASURE_COLUMNS, ["object", "object", "int64", "float64", "object", "object"], strict=True)})


def gmina_code_map(units: pd.DataFrame, changes: pd.DataFrame) -> dict[str, str]:
    """Every gmina code seen in a year's list (2019 boundaries, 2023, 2024, 2025, 2026) → today's (2025) code.

    Exact codes first (today's and the change table's), then the 6-digit prefix for codes of years the table
    does not list (a type-digit change keeps the prefix). Split parents map to themselves, never to the new
    gmina carved out of them.
    """
    today = units.loc[units["level"] == "gmina", "teryt"].tolist()
    out = {c: c for c in today}
    for row in changes.itertuples():
        if row.change == "split":
            continue
        out.setdefault(row.old_teryt, row.new_teryt)
    return out


def rekey_gminy(df: pd.DataFrame, units: pd.DataFrame, changes: pd.DataFrame, code: str = "teryt") -> Rekeyed:
    """Map 7-digit gmina codes of any year to today's unit; rows of codes with no unit today are dropped and
    reported. Several old codes of one unit (a type-digit change, each code with its own years) are combined
    by the caller (``combine_years``)."""
    known = gmina_code_map(units, changes)
    by_prefix: dict[str, list[str]] = {}
    for c in units.loc[units["level"] == "gmina", "teryt"]:
        by_prefix.setdefault(c[:6], []).append(c)
    mapped = []
    for c in df[code]:
        new = known.get(c)
        if new is None:
            cands = by_prefix.get(c[:6], [])
            new = cands[0] if len(cands) == 1 else None
        mapped.append(new)
    out = df.copy()
    out[code] = mapped
    unmatched = sorted(set(df.loc[out[code].isna(), code]))
    return Rekeyed(out[out[code].notna()].reset_index(drop=True), unmatched)


def combine_years(df: pd.DataFrame, keys: Iterable[str] = ("measure", "teryt", "year")) -> pd.DataFrame:
    """One row per key: where a unit had two codes (each with its years), keep the one value that exists.

    Two different non-missing values for the same unit and year would be an error of re-keying: raise.
    """
    keys = list(keys)
    present = df[df["value"].notna()]
    dup = present[present.duplicated(keys, keep=False)]
    if len(dup):
        clash = dup.groupby(keys)["value"].nunique()
        clash = clash[clash > 1]
        if len(clash):
            k = clash.index[0]
            raise ValueError(f"two different values for {dict(zip(keys, k, strict=True))} after re-keying codes")
    present = present.drop_duplicates(keys)
    missing = df[df["value"].isna()].drop_duplicates(keys)
    missing = missing.merge(present[keys], on=keys, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([present, missing], ignore_index=True)


def sum_up(gmina_rows: pd.DataFrame, units: pd.DataFrame, level: str) -> pd.DataFrame:
    """Sums of an additive gmina measure over each powiat or województwo.

    A sum over a unit with some gminy missing gets the flag ``partial`` (its value is a lower bound); a unit
    with no gmina value gets no row.
    """
    from portal.pipeline.register import NEW_GMINY_2025

    gminy = units[units["level"] == "gmina"].set_index("teryt")
    key = "powiat" if level == "powiat" else "wojewodztwo"
    df = gmina_rows[gmina_rows["value"].notna()].copy()
    df["parent"] = df["teryt"].map(gminy[key])
    expected = gminy.groupby(key).size()
    # Before 2025 the gminy created that year were part of their parents: a sum without them is complete.
    new_in = gminy.loc[gminy.index.isin(list(NEW_GMINY_2025)), key].value_counts()
    grouped = df.groupby(["measure", "parent", "year"], sort=True)
    out = grouped.agg(value=("value", "sum"), n=("value", "size"), source=("source", "first")).reset_index()
    want = out["parent"].map(expected).to_numpy() - np.where(
        out["year"].to_numpy() < 2025, out["parent"].map(new_in).fillna(0).to_numpy(int), 0)
    complete = out["n"].to_numpy() >= want
    out["flag"] = np.where(complete, "ok", "partial")
    return out.rename(columns={"parent": "teryt"})[MEASURE_COLUMNS]


def level_rows(measures: pd.DataFrame, measure: str, level: str, units: pd.DataFrame, sum_gminy: bool) -> pd.DataFrame:
    """A measure's rows at one level: as published for the years the source publishes that level, and (if
    allowed) summed from the gminy for the other years."""
    rows = measures[measures["measure"] == measure]
    lens = rows["teryt"].str.len().map(LEVEL_OF_LEN)
    own = rows[lens == level]
    if level == "gmina" or not sum_gminy:
        return own
    gmina = rows[(lens == "gmina") & ~rows["year"].isin(set(own["year"]))]
    if not len(gmina):
        return own
    return pd.concat([own, sum_up(gmina, units, level)], ignore_index=True)


def ratio_values(ind: Indicator, measures: pd.DataFrame, units: pd.DataFrame,
                 infos: dict[str, MeasureInfo]) -> pd.DataFrame:
    """The values of a ``real: {kind: ratio}`` indicator at each level and year (``RELEASE_VALUE_COLUMNS``)."""
    real = ind.real
    assert real is not None and real.numerator is not None
    for m in (real.numerator, real.denominator):
        if m is not None and m not in infos:
            raise ValueError(f"{ind.id}: measure '{m}' is not produced by any source")
    frames = []
    years = set(ind.year_list)
    for level in ind.levels:
        sum_ok = real.sum_up and infos[real.numerator].additive
        num = level_rows(measures, real.numerator, level, units, sum_ok)
        num = num[num["year"].isin(years)]
        df = num.rename(columns={"value": "num", "flag": "num_flag", "source": "num_source"})
        if real.denominator is not None:
            # A denominator that adds up (population, area, pupils) may always be summed from the gminy.
            den = level_rows(measures, real.denominator, level, units, infos[real.denominator].additive)
            den = den[["teryt", "year", "value", "flag", "source"]].rename(
                columns={"value": "den", "flag": "den_flag", "source": "den_source"})
            df = df.merge(den, on=["teryt", "year"], how="left")
        else:
            df["den"] = 1.0
            df["den_flag"] = "ok"
            df["den_source"] = None
        with np.errstate(divide="ignore", invalid="ignore"):
            value = real.multiplier * df["num"].to_numpy(float) / df["den"].to_numpy(float)
        value[~np.isfinite(value)] = np.nan
        flag = np.where(np.isnan(value), "no_data", np.where(value == 0, "zero", "ok"))
        # An estimated part makes the value an estimate; an incomplete sum makes it partial (the stronger note).
        partial = df["num_flag"].eq("partial") | df["den_flag"].eq("partial")
        estimated = df["num_flag"].eq("estimated") | df["den_flag"].eq("estimated")
        has = ~np.isnan(value)
        flag = np.where(has & partial.to_numpy(), "partial", np.where(has & estimated.to_numpy(), "estimated", flag))
        sources = [s if not isinstance(d, str) or not d or d == s else f"{s};{d}"
                   for s, d in zip(df["num_source"], df["den_source"], strict=True)]
        den_out = df["den"].to_numpy(float) if real.denominator is not None else np.full(len(df), np.nan)
        frames.append(pd.DataFrame({"indicator": ind.id, "teryt": df["teryt"].to_numpy(), "year": df["year"],
                                    "value": value, "flag": flag, "synthetic": False, "source": sources,
                                    "numerator": df["num"].to_numpy(float), "denominator": den_out}))
    if not frames:
        return pd.DataFrame(columns=RELEASE_VALUE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out[RELEASE_VALUE_COLUMNS]
