"""Dwellings counted by the 2021 National Census (NSP 2021, state on 31 March 2021), every level.

``census-2021-dwellings/GOSP_2166_…csv``: GUS BDL table P2166, "mieszkania ogółem", an English-language
export ("Code", "Name") with rows for Poland, województwa, powiaty, gminy (type digits 1–3), the urban and
rural parts of urban-rural gminy (4, 5) and Warsaw's districts (8). A dwelling stock is a count over a
territory, so each level's row is that level's own figure (a powiat's equals the sum of its gminy); gminy,
powiaty and województwa are published as exported, the parts and districts are not used.
"""

from __future__ import annotations

import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, rekey_gminy
from portal.pipeline.register import RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput
from portal.pipeline.sources._bdl_wide import BDL_URL, GUS_LICENCE, codes7, level_code, long_rows, read_csv

NSP_2021 = Dataset(
    id="gus-nsp2021-p2166-mieszkania", publisher="GUS", table="P2166",
    name="Mieszkania ogółem – Narodowy Spis Powszechny Ludności i Mieszkań 2021 (stan 31 III 2021)",
    name_en="Dwellings, total – 2021 National Population and Housing Census (as of 31 March 2021)",
    folder="census-2021-dwellings", files=("GOSP_2166_CTAB_20260511201617.csv",), years="2021",
    levels=("gmina", "powiat", "wojewodztwo"),
    attribution="Źródło: GUS, Narodowy Spis Powszechny Ludności i Mieszkań 2021, Bank Danych Lokalnych",
    licence=GUS_LICENCE, url=BDL_URL,
    note="Dwellings of every kind of ownership, occupied or not, as counted by the census on 31 March 2021.",
)
DATASETS = [NSP_2021]
INFOS = [MeasureInfo("dwellings_nsp2021", "mieszkań", True, ("gmina", "powiat", "wojewodztwo"),
                     "NSP 2021, 31 III 2021, every level as published")]


def read_rows(ctx: BuildContext) -> pd.DataFrame:
    """The export as measure rows with the release's codes (gmina codes not yet re-keyed)."""
    path = ctx.raw / NSP_2021.folder / NSP_2021.files[0]
    df = read_csv(path)
    if "Code" not in df.columns:
        raise RawInputError(f"{path}: missing column 'Code'")
    cols = [c for c in df.columns if c.startswith("total;dwellings;2021")]
    if len(cols) != 1:
        raise RawInputError(f"{path}: expected one column 'total;dwellings;2021;…', found {len(cols)}")
    code = codes7(path, df["Code"]).map(level_code)
    keep = code.notna()
    df, code = df[keep].reset_index(drop=True), code[keep].reset_index(drop=True)
    return long_rows(path, code, df, {2021: cols[0]}, "dwellings_nsp2021", NSP_2021.id)


def read(ctx: BuildContext) -> SourceOutput:
    rows = read_rows(ctx)
    g = rows["teryt"].str.len() == 7
    rk = rekey_gminy(rows[g], ctx.units, ctx.changes)
    higher = rows[~g]
    unknown = sorted(set(higher["teryt"]) - set(ctx.units["teryt"]))
    if unknown:
        raise RawInputError(f"{NSP_2021.folder}: powiat or województwo codes not in the register: {unknown}")
    measures = pd.concat([combine_years(rk.frame), higher], ignore_index=True)[MEASURE_COLUMNS]
    measures["year"] = measures["year"].astype("int64")
    report = {"unmatched_codes": rk.unmatched}
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
