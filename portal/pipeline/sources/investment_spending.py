"""Investment spending of gmina budgets ("wydatki majątkowe inwestycyjne", GUS BDL table P2633), zł,
2015–2024.

``bdl-investment-spending-2015-2024/FINA_2633_…csv``: gminy together with cities with powiat rights (the
gmina part of their budget), codes of the 2026 division, one row per code where a gmina's type digit changed
(each with its own years). The export's powiat, województwo and Poland rows are sums of gminy, not those
units' own budgets, and are not used: a gmina-budget value is published at gmina level only. Codes are
re-keyed to today's gminy; Ostrowice (3203042, divided in 2019) has no unit today and is reported.

A gmina-year whose report is missing from the BDL finance exports (its total own revenue exported as 0 zł,
``own_revenues.unreported_gmina_years``: Boguszów-Gorce 2019) shows 0 zł here too; it is set missing
(``no_data``), not published as a true zero.
"""

from __future__ import annotations

import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, rekey_gminy
from portal.pipeline.register import RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput
from portal.pipeline.sources._bdl_wide import (
    BDL_URL,
    GUS,
    GUS_LICENCE,
    codes7,
    long_rows,
    read_csv,
    year_columns,
)

P2633 = Dataset(
    id="bdl-p2633-gminy-2015-2024", publisher="GUS", table="P2633",
    name="Wydatki budżetów gmin – wydatki majątkowe inwestycyjne (gminy łącznie z miastami na prawach "
         "powiatu)",
    name_en="Investment spending of gmina budgets (gminy including cities with powiat rights)",
    folder="bdl-investment-spending-2015-2024", files=("FINA_2633_CTAB_20260608160916.csv",),
    years="2015–2024", levels=("gmina",), attribution=GUS, licence=GUS_LICENCE, url=BDL_URL,
    note="Codes of the 2026 division. The export's powiat, województwo and Poland rows are sums of gminy, "
         "not the budgets of those units, and are not used.",
)
DATASETS = [P2633]
ITEM = "wydatki majątkowe inwestycyjne"
INFOS = [MeasureInfo("gmina_investment_spending", "zł", True, ("gmina",),
                     "gmina budget, wydatki majątkowe inwestycyjne (P2633)")]


def read_rows(ctx: BuildContext) -> pd.DataFrame:
    """The export's gmina rows as measure rows with their 2026 codes (not re-keyed)."""
    path = ctx.raw / P2633.folder / P2633.files[0]
    df = read_csv(path)
    if "Kod" not in df.columns:
        raise RawInputError(f"{path}: missing column 'Kod'")
    code = codes7(path, df["Kod"])
    keep = code.str[6].isin(list("123"))
    df, code = df[keep].reset_index(drop=True), code[keep].reset_index(drop=True)
    return long_rows(path, code, df, year_columns(path, df, ITEM), "gmina_investment_spending", P2633.id)


def read(ctx: BuildContext) -> SourceOutput:
    from portal.pipeline.sources import own_revenues

    rk = rekey_gminy(read_rows(ctx), ctx.units, ctx.changes)
    measures = combine_years(rk.frame)[MEASURE_COLUMNS]
    total = rekey_gminy(own_revenues.read_total_2015(ctx), ctx.units, ctx.changes).frame
    unreported = own_revenues.unreported_gmina_years(total)
    pairs = zip(measures["teryt"], measures["year"], strict=True)
    hit = pd.Series([(t, int(y)) in unreported for t, y in pairs], index=measures.index)
    measures["value"] = measures["value"].mask(hit)
    measures["flag"] = measures["flag"].mask(hit, "no_data")
    measures["year"] = measures["year"].astype("int64")
    report = {"unmatched_codes": rk.unmatched,
              "unreported_gmina_years": sorted(f"{t} {y}" for t, y in unreported)}
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
