"""Revenue of each local-government budget from its share in personal income tax (PIT), 2019–2020, from the
Ministry of Finance's yearly "Informacja o udziałach JST w podatku PIT" (one workbook per kind of budget).

Executed revenue ("dochody wykonane": payments minus refunds), budget division 756, paragraph 0010:

* gminy workbook, rozdział 75621 – the gmina's share; 2,411 gminy (codes WK PK GK GT of the year's
  division);
* cities with powiat rights (66), two rows each: 75621 the city's share as a gmina, 75622 its share as a
  powiat. Such a city is one budget doing both jobs and receives both shares, at the gmina and at the powiat
  rate. Each share is published at its own level: the gmina share under the city's gmina code (Kraków
  1261011) beside the other gminy, the powiat share under its powiat code (1261) beside the other powiaty.
  The city's budget as a whole receives the sum of the two.
* powiaty workbook, rozdział 75622 – the 314 land powiaty;
* województwa workbook, rozdział 75623 – the 16 regional budgets.

Each is a budget's own revenue, so every level is published as the source gives it and never summed from
the level below. Gmina codes of 2019–2020 are re-keyed to today's gminy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, rekey_gminy
from portal.pipeline.register import RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

MF = "Źródło: Ministerstwo Finansów"
FOLDER = "mf-pit-shares-2019-2020"
FILES = {
    # (budget year, kind of budget) → workbook
    (2019, "gminy"): "20200214_Gminy_za_2019.xlsx",
    (2019, "mnpp"): "20200214_Miasta_NPP_za_2019.xlsx",
    (2019, "powiaty"): "20200214_Powiaty_za_2019.xlsx",
    (2019, "wojewodztwa"): "20200214_Wojewodztwa_za_2019.xlsx",
    (2020, "gminy"): "20210215_Gminy_2_za_2020.xlsx",
    (2020, "mnpp"): "20210215_Miasta_NPP_2_za_2020.xlsx",
    (2020, "powiaty"): "20210211_Powiaty_za_2020.xlsx",
    (2020, "wojewodztwa"): "20210211_Wojewodztwa_za_2020.xlsx",
}
MF_PIT = Dataset(
    id="mf-udzialy-pit-2019-2020", publisher="MF", table="Informacja o udziałach JST w podatku PIT",
    name="Informacja o udziałach jednostek samorządu terytorialnego w podatku dochodowym od osób "
         "fizycznych (dochody wykonane) za lata 2019 i 2020",
    name_en="Shares of local governments in personal income tax (executed revenue), budget years 2019 "
            "and 2020",
    folder=FOLDER, files=tuple(FILES.values()), years="2019–2020", levels=("gmina", "powiat", "wojewodztwo"),
    attribution=MF,
    licence="informacja publiczna Ministerstwa Finansów, ponowne wykorzystanie z podaniem źródła "
            "(pliki z repozytorium na licencji MIT)",
    note="One workbook per kind of budget: gminy (rozdział 75621), cities with powiat rights (75621 as a "
         "gmina, 75622 as a powiat), powiaty (75622), województwa (75623); column 'Dochody wykonane (wpłaty "
         "minus zwroty)', paragraph 0010.",
)
DATASETS = [MF_PIT]
INFOS = [
    MeasureInfo("pit_share_gmina_budget", "zł", True, ("gmina",),
                "gmina budgets' executed PIT share (rozdział 75621; a city with powiat rights: its gmina "
                "share)"),
    MeasureInfo("pit_share_powiat_budget", "zł", True, ("powiat",),
                "powiat budgets' executed PIT share (rozdział 75622; a city with powiat rights: its powiat "
                "share)"),
    MeasureInfo("pit_share_wojewodztwo_budget", "zł", True, ("wojewodztwo",),
                "województwo budgets' executed PIT share (rozdział 75623)"),
]
EXPECTED_ROZDZIALY = {"gminy": {"75621"}, "mnpp": {"75621", "75622"}, "powiaty": {"75622"},
                      "wojewodztwa": {"75623"}}


def _flags(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def read_workbook(path: Path) -> pd.DataFrame:
    """One MF workbook as a table: wk, pk, gk, gt (TERYT parts, '-' where none), name, rozdzial, executed
    (zł) and the sheet row."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        sheet = pd.read_excel(path, header=None, dtype=str)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be read as a workbook: {exc}") from exc
    head = sheet.index[_flags(sheet[0].astype("string").str.strip().eq("WK"))]
    if not len(head):
        raise RawInputError(f"{path}: no header row starting with 'WK'")
    h = head[0]

    def column(pattern: str, row: int) -> int:
        labels = sheet.loc[row].astype("string").fillna("").str.replace("\n", " ").str.strip()
        hits = [i for i, v in labels.items() if re.match(pattern, v, re.IGNORECASE)]
        if len(hits) != 1:
            raise RawInputError(f"{path}: expected one column '{pattern}' in row {row + 1}, "
                                f"found {len(hits)}")
        return hits[0]

    executed, rozdzial = column(r"dochody wykonane", h), column(r"rozdzia", h + 1)
    body = sheet.loc[h + 1:]
    body = body[_flags(body[0].astype("string").str.strip().str.fullmatch(r"\d{2}"))]
    parts = {k: body[i].astype("string").str.strip() for k, i in (("wk", 0), ("pk", 1), ("gk", 2), ("gt", 3))}
    out = pd.DataFrame({**parts, "name": body[4], "rozdzial": body[rozdzial].astype("string").str.strip(),
                        "row": body.index + 1})
    text = body[executed].astype("string").str.strip().str.replace(",", ".", regex=False)
    value = pd.to_numeric(text, errors="coerce")
    if value.isna().any():
        i = value.index[value.isna()][0]
        raise RawInputError(f"{path}: row {i + 1}: executed revenue '{body.at[i, executed]}' is not a number")
    out["executed"] = value.astype(float)
    return out.reset_index(drop=True)


def read_raw(ctx: BuildContext) -> pd.DataFrame:
    """Every workbook's rows with the release code each belongs to (gmina codes of their own year, not yet
    re-keyed): MEASURE_COLUMNS plus kind and name."""
    units = ctx.units
    city_gmina = units[(units["level"] == "gmina") & units["mnpp"]].set_index("powiat")["teryt"]
    known = set(units["teryt"])
    frames = []
    for (year, kind), name in FILES.items():
        path = ctx.raw / FOLDER / name
        wb = read_workbook(path)
        found = set(wb["rozdzial"])
        if found != EXPECTED_ROZDZIALY[kind]:
            raise RawInputError(f"{path}: rozdziały {sorted(found)}, "
                                f"expected {sorted(EXPECTED_ROZDZIALY[kind])}")
        if kind == "gminy":
            teryt = wb["wk"] + wb["pk"] + wb["gk"] + wb["gt"]
            measure = pd.Series("pit_share_gmina_budget", index=wb.index)
        elif kind == "mnpp":
            as_gmina = wb["rozdzial"] == "75621"
            city = wb["wk"] + wb["pk"]
            teryt = city.where(~as_gmina, city.map(city_gmina))
            measure = pd.Series("pit_share_powiat_budget", index=wb.index).where(~as_gmina,
                                                                                 "pit_share_gmina_budget")
        elif kind == "powiaty":
            teryt = wb["wk"] + wb["pk"]
            measure = pd.Series("pit_share_powiat_budget", index=wb.index)
        else:
            teryt = wb["wk"]
            measure = pd.Series("pit_share_wojewodztwo_budget", index=wb.index)
        bad = ~_flags(teryt.astype("string").str.fullmatch(r"\d{2}|\d{4}|\d{7}"))
        if kind != "gminy":  # gmina codes are re-keyed (and unmatched ones reported) below
            bad |= ~teryt.isin(known)
        if bad.any():
            r = wb[bad].iloc[0]
            raise RawInputError(f"{path}: row {r['row']}: {r['name']} has no unit in the register "
                                f"(WK PK GK GT = {r['wk']} {r['pk']} {r['gk']} {r['gt']})")
        frames.append(pd.DataFrame({"measure": measure, "teryt": teryt.astype(object), "year": year,
                                    "value": wb["executed"], "flag": "ok", "source": MF_PIT.id, "kind": kind,
                                    "name": wb["name"]}))
    out = pd.concat(frames, ignore_index=True)
    dup = out[out.duplicated(["measure", "teryt", "year"], keep=False)]
    if len(dup):
        r = dup.iloc[0]
        raise RawInputError(f"{FOLDER}: two rows for {r['measure']} of {r['teryt']} in {r['year']}")
    return out


def read(ctx: BuildContext) -> SourceOutput:
    rows = read_raw(ctx)
    g = rows["teryt"].str.len() == 7
    rk = rekey_gminy(rows.loc[g, MEASURE_COLUMNS], ctx.units, ctx.changes)
    measures = pd.concat([combine_years(rk.frame), rows.loc[~g, MEASURE_COLUMNS]], ignore_index=True)
    measures["year"] = measures["year"].astype("int64")
    counts = measures.groupby(["measure", "year"]).size()
    report = {"unmatched_codes": rk.unmatched,
              "units": {f"{m} {y}": int(n) for (m, y), n in counts.items()}}
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
