"""Powiat-level raw series: the years in which a powiat's code covers today's territory, and sums of additive
powiat counts to województwa.

Shared by the powiat panel and crime source modules; not a source itself (the leading underscore keeps it out
of ``portal.pipeline.sources.modules()``).

Two changes since 2010 moved a whole gmina from one powiat to another, so that the same powiat code covered a
different territory before:

* 2013: Wałbrzych left powiat wałbrzyski (0221) and became a city with powiat rights again (0265, absent from
  the series before 2013; 0221's earlier values include the city);
* 2015: the rural gmina Zielona Góra (powiat zielonogórski, 0809) was joined to the city of Zielona Góra
  (0862), about 19,000 residents moving from one powiat to the other.

A value of those powiaty before the change describes another territory than today's unit, so it is not
published at powiat level (the portal marks no breaks for powiaty); it stays in the województwo sums, whose
territory did not change.
"""

from __future__ import annotations

import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS

# powiat code → first year in which the code covers today's territory
TODAY_BORDERS_FROM: dict[str, int] = {"0221": 2013, "0265": 2013, "0809": 2015, "0862": 2015}
# powiaty that did not exist before a year (a województwo sum before it is complete without them)
CREATED_IN: dict[str, int] = {"0265": 2013}


def split_today_borders(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Powiat rows whose code covers today's territory in their year, and the rows that do not."""
    first = rows["teryt"].map(TODAY_BORDERS_FROM)
    before = first.notna() & (rows["year"] < first.fillna(0))
    return rows[~before].reset_index(drop=True), rows[before].reset_index(drop=True)


def sum_to_wojewodztwa(rows: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Sums of an additive powiat measure over each województwo, only where every powiat of that year has a
    value (flag ``ok``); a województwo with any powiat missing gets no row.

    ``rows`` are powiat rows with the codes of their own year (values of changed territories included).
    """
    powiaty = units.loc[units["level"] == "powiat", ["teryt", "wojewodztwo"]]
    present = rows[rows["value"].notna() & rows["teryt"].isin(set(powiaty["teryt"]))].copy()
    present = present[present["year"] >= present["teryt"].map(CREATED_IN).fillna(0)]
    present["woj"] = present["teryt"].str[:2]
    out = present.groupby(["measure", "woj", "year"], sort=True).agg(
        value=("value", "sum"), n=("value", "size"), source=("source", "first")).reset_index()
    per_woj = powiaty.groupby("wojewodztwo").size()
    created = pd.Series(CREATED_IN)
    expected = out["woj"].map(per_woj) - [
        int(((created.index.str[:2] == w) & (created.to_numpy() > y)).sum())
        for w, y in zip(out["woj"], out["year"], strict=True)]
    out = out[out["n"] == expected].rename(columns={"woj": "teryt"})
    out["flag"] = "ok"
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype(float)
    return out[MEASURE_COLUMNS].reset_index(drop=True)


def complete_wojewodztwa(woj_rows: pd.DataFrame) -> dict[str, dict[int, int]]:
    """For the report: per measure, the number of województwa with a sum in each year."""
    counts = woj_rows.groupby(["measure", "year"]).size()
    measures = counts.index.get_level_values(0).unique()
    return {m: {int(y): int(n) for y, n in counts[m].items()} for m in measures}
