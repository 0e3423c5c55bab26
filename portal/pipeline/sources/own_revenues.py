"""Own revenues of gmina budgets (GUS BDL table P2622): the total 2010–2024 and its tax and property items
2010–2019, in zł, for gminy (cities with powiat rights included, with the gmina part of their budget).

* ``bdl-own-revenues-2010-2019/dochody.csv`` – ten items per year, 2010–2019, one row per gmina code of the
  division of its year (the leading zero dropped). The item "środki na dofinansowanie własnych zadań
  pozyskane z innych źródeł – inwestycyjne" is also exported alone in ``dochody_inwestycyjne.csv`` (header
  mangled to CP1250-read-as-Latin-1); the two are checked to hold the same numbers and the clean file is used.
  The tax-card item is empty for 2010 and 2011 in this export.
* ``bdl-own-revenues-2015-2024/FINA_2622_…csv`` – the total ("razem"), 2015–2024, codes of the 2026
  division. Its powiat, województwo and Poland rows are sums of the gminy (not those units' own budgets)
  and are not used: a gmina-budget value is published at gmina level only.

The total runs 2010–2014 from the first export and 2015–2024 from the second; the two agree 2015–2019 for
every gmina to within half a złoty (rounding of the first export), which the report records.

Net revenue of an item can be negative where refunds exceeded receipts (property tax: five gmina-years, e.g.
Pawłowice 2015). It is kept as published; the measure ``gmina_tax_property_for_share`` leaves those years
out, because the share of own revenue is not a share of a whole then.

A gmina-year whose total own revenue is exported as 0 zł is a missing report, not a budget without own
revenue (Boguszów-Gorce 2019: every item 0, in P2633 too): all its items are set missing (``no_data``) and
listed in the report (``unreported_gmina_years``, also used by ``investment_spending``).

Codes of earlier divisions are re-keyed to today's gminy (``rekey_gminy``, ``combine_years``). One code
change that the TERYT change table cannot know is added here: Wałbrzych was a gmina of powiat wałbrzyski
(0221091) until 2012 and a city with powiat rights (0265011) from 2013, on the same territory. Units that
no longer exist are reported as unmatched: the rural gmina Zielona Góra (0809102, joined to the city in
2015) and Ostrowice (3203042, divided between Drawsko Pomorskie and Złocieniec in 2019).
"""

from __future__ import annotations

import numpy as np
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
    numbers,
    read_csv,
    year_columns,
)

ITEMS_2010 = Dataset(
    id="bdl-p2622-gminy-2010-2019", publisher="GUS", table="P2622",
    name="Dochody budżetów gmin – dochody własne według źródeł (gminy łącznie z miastami na prawach "
         "powiatu)",
    name_en="Own revenues of gmina budgets by source (gminy including cities with powiat rights)",
    folder="bdl-own-revenues-2010-2019", files=("dochody.csv", "dochody_inwestycyjne.csv"),
    years="2010–2019", levels=("gmina",), attribution=GUS, licence=GUS_LICENCE, url=BDL_URL,
    note="Ten items in zł: total, agricultural, forest, property and transport tax, tax card (from 2012), "
         "services, property income, of which rents and leases, investment co-financing from other sources. "
         "Codes of the division of each year; the co-financing item is exported twice (identical numbers).",
)
TOTAL_2015 = Dataset(
    id="bdl-p2622-gminy-2015-2024", publisher="GUS", table="P2622",
    name="Dochody budżetów gmin – dochody własne razem (gminy łącznie z miastami na prawach powiatu)",
    name_en="Own revenues of gmina budgets, total (gminy including cities with powiat rights)",
    folder="bdl-own-revenues-2015-2024", files=("FINA_2622_CTAB_20260608161005.csv",),
    years="2015–2024", levels=("gmina",), attribution=GUS, licence=GUS_LICENCE, url=BDL_URL,
    note="Codes of the 2026 division. The export's powiat, województwo and Poland rows are sums of gminy, "
         "not the budgets of those units, and are not used.",
)
DATASETS = [ITEMS_2010, TOTAL_2015]

# measure → the item's label in the export header ('<category>;<item>;<year>;[zł]').
ITEMS = {
    "gmina_own_revenue": "razem",
    "gmina_tax_agricultural": "dochody podatkowe - podatek rolny",
    "gmina_tax_forest": "dochody podatkowe - podatek leśny",
    "gmina_tax_property": "dochody podatkowe - podatek od nieruchomości",
    "gmina_tax_transport": "dochody podatkowe - podatek od środków transportowych",
    "gmina_tax_card": "dochody podatkowe - podatek od działalności gospodarczej osób fizycznych, "
                      "opłacany w formie karty podatkowej",
    "gmina_revenue_services": "wpływy z usług",
    "gmina_revenue_property": "dochody z majątku",
    "gmina_revenue_rent_lease": "dochody z majątku - dochody z najmu i dzierżawy składników majątkowych JST "
                                "oraz innych umów o podobnym charakterze",
    "gmina_investment_cofinancing": "pozostałe dochody - środki na dofinansowanie własnych zadań pozyskane "
                                    "z innych źródeł - inwestycyjne",
}
_NOTES = {
    "gmina_own_revenue": "dochody własne razem; 2010–2014 dochody.csv, 2015–2024 FINA_2622",
    "gmina_tax_agricultural": "podatek rolny",
    "gmina_tax_forest": "podatek leśny",
    "gmina_tax_property": "podatek od nieruchomości",
    "gmina_tax_transport": "podatek od środków transportowych",
    "gmina_tax_card": "podatek opłacany w formie karty podatkowej (2012–2019)",
    "gmina_revenue_services": "wpływy z usług",
    "gmina_revenue_property": "dochody z majątku",
    "gmina_revenue_rent_lease": "dochody z najmu i dzierżawy (część dochodów z majątku)",
    "gmina_investment_cofinancing": "środki na dofinansowanie własnych zadań inwestycyjnych z innych źródeł",
}
INFOS = [MeasureInfo(m, "zł", True, ("gmina",), f"gmina budget, {_NOTES[m]}") for m in ITEMS] + [
    MeasureInfo("gmina_tax_property_for_share", "zł", True, ("gmina",),
                "gmina_tax_property, missing where refunds exceeded receipts (net revenue below 0 zł): the "
                "numerator of the property tax's share of own revenue, which is not a share of a whole then"),
]

SECOND_EXPORT_FROM = 2015
# Same territory, new code: a change of status the TERYT change table (2019 onwards) cannot know.
# Wałbrzych: gmina miejska of powiat wałbrzyski until 2012, city with powiat rights from 2013.
SAME_TERRITORY = {"0221091": "0265011"}


def _gmina_rows(path, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    if "Kod" not in df.columns:
        raise RawInputError(f"{path}: missing column 'Kod'")
    code = codes7(path, df["Kod"])
    keep = code.str[6].isin(list("123"))
    return df[keep].reset_index(drop=True), code[keep].reset_index(drop=True)


def _rekeyed(ctx: BuildContext, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rows = rows.assign(teryt=rows["teryt"].replace(SAME_TERRITORY))
    rk = rekey_gminy(rows, ctx.units, ctx.changes)
    return combine_years(rk.frame), rk.unmatched


def unreported_gmina_years(rows: pd.DataFrame) -> set[tuple[str, int]]:
    """(gmina, year) pairs whose total own revenue is 0 zł: the gmina's report is missing from the export."""
    zero = rows[(rows["measure"] == "gmina_own_revenue") & (rows["value"] == 0)]
    return set(zip(zero["teryt"], zero["year"].astype(int), strict=True))


def _blank(rows: pd.DataFrame, pairs: set[tuple[str, int]]) -> pd.DataFrame:
    hit = pd.Series([(t, int(y)) in pairs for t, y in zip(rows["teryt"], rows["year"], strict=True)],
                    index=rows.index)
    return rows.assign(value=rows["value"].mask(hit), flag=rows["flag"].mask(hit, "no_data"))


def read_items_2010(ctx: BuildContext) -> pd.DataFrame:
    """Every item of dochody.csv as measure rows with the codes of their year (not re-keyed)."""
    path = ctx.raw / ITEMS_2010.folder / ITEMS_2010.files[0]
    df, code = _gmina_rows(path, read_csv(path))
    frames = [long_rows(path, code, df, year_columns(path, df, item), measure, ITEMS_2010.id)
              for measure, item in ITEMS.items()]
    items = pd.concat(frames, ignore_index=True)

    # The co-financing item exported alone, with a mangled header: its numbers must equal the clean file's.
    path2 = ctx.raw / ITEMS_2010.folder / ITEMS_2010.files[1]
    df2, code2 = _gmina_rows(path2, read_csv(path2, encoding="latin-1"))
    if not code2.equals(code):
        raise RawInputError(f"{path2}: its codes differ from those of {path.name}")
    mine = items[items["measure"] == "gmina_investment_cofinancing"]
    for year, col in year_columns(path2, df2).items():
        theirs = numbers(path2, df2[col], f"co-financing {year}").to_numpy(float)
        ours = mine.loc[mine["year"] == year, "value"].to_numpy(float)
        same = (np.isnan(theirs) & np.isnan(ours)) | (np.abs(theirs - ours) < 0.005)
        if len(theirs) != len(ours) or not same.all():
            raise RawInputError(f"{path2}: the co-financing item of {year} differs from {path.name} "
                                f"({int((~same).sum())} gminy)")
    return items


def read_total_2015(ctx: BuildContext) -> pd.DataFrame:
    """The 2015–2024 total as measure rows of gminy with their 2026 codes (not re-keyed)."""
    path = ctx.raw / TOTAL_2015.folder / TOTAL_2015.files[0]
    df, code = _gmina_rows(path, read_csv(path))
    cols = year_columns(path, df, ITEMS["gmina_own_revenue"])
    return long_rows(path, code, df, cols, "gmina_own_revenue", TOTAL_2015.id)


def read(ctx: BuildContext) -> SourceOutput:
    items, items_unmatched = _rekeyed(ctx, read_items_2010(ctx))
    total, total_unmatched = _rekeyed(ctx, read_total_2015(ctx))
    unreported = unreported_gmina_years(items) | unreported_gmina_years(total)
    items, total = _blank(items, unreported), _blank(total, unreported)

    # The two exports of the total where they overlap (2015–2019), gmina by gmina.
    overlap = (items["measure"] == "gmina_own_revenue") & (items["year"] >= SECOND_EXPORT_FROM)
    both = items[overlap].merge(total, on=["teryt", "year"], suffixes=("_a", "_b"))
    both = both.dropna(subset=["value_a", "value_b"])
    diff = (both["value_a"] - both["value_b"]).abs()

    # Net revenue after refunds can be negative (e.g. Pawłowice 2015): a true value per resident, but not a
    # part of own revenue, so the share leaves it out.
    prop = items[items["measure"] == "gmina_tax_property"]
    negative = prop["value"] < 0
    for_share = prop.assign(measure="gmina_tax_property_for_share", value=prop["value"].mask(negative),
                            flag=prop["flag"].mask(negative, "no_data"))
    measures = pd.concat([items[~overlap], total, for_share], ignore_index=True)[MEASURE_COLUMNS]
    measures["year"] = measures["year"].astype("int64")
    report = {
        "unmatched_codes_2010_2019": items_unmatched,
        "unmatched_codes_2015_2024": total_unmatched,
        "same_territory_recoded": SAME_TERRITORY,
        "unreported_gmina_years": sorted(f"{t} {y}" for t, y in unreported),
        "negative_property_tax_gmina_years": sorted(f"{t} {y}" for t, y in zip(
            prop.loc[negative, "teryt"], prop.loc[negative, "year"], strict=True)),
        "total_2015_2019_gmina_years_compared": len(both),
        "total_2015_2019_max_abs_difference_zl": round(float(diff.max()), 2) if len(diff) else None,
    }
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
