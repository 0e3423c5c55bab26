"""GUS BDL series for powiaty (health care, social care, nurseries, housing construction, labour market),
2010–2022, from twelve long tables collected by a public research repository.

``bdl-powiat-panels/*.xlsx``: one sheet each, columns Code, County, Year and the value; one row per powiat and
year, powiaty only (no województwo or Poland rows). Codes are of two kinds: a 7-digit TERYT code with the
leading zero dropped (``201000`` = powiat 0201) or, in the salary and unemployment tables, the 12-digit BDL
unit id with the leading zero dropped (``11212001000`` = 011212001000: region 01, województwo 12, subregion
120, powiat 01 → 1201). Every code is checked against the powiat's name in the register. ``-`` is a missing
value.

What the files are, checked against GUS's national totals rather than taken from their English names:

* ``Number of hospital beds`` – beds in general hospitals (163–189 thousand a year, 363 powiaty listed; the 17
  absent ones are missing, not zero). The national sum drops by 8% from 2018 to 2019.
* ``Number of outpatient entities`` – outpatient health-care entities (przychodnie; 22,601 in 2022). The
  national sum jumps by 15% from 2010 to 2011. ``Number of marriages`` is a byte-for-byte copy of this table
  (11–22 "marriages" a year in powiat bolesławiecki cannot be marriages) and is not used.
* ``Number of social assistance centers`` – residential social-care homes (domy pomocy społecznej, DPS): 875
  in 2019, GUS counts 874 (47.6% of 1,837 stationary facilities). It cannot be the social-assistance centres
  (ośrodki pomocy społecznej): every gmina runs one, about 2,477, and the table holds 830–900 a year.
* ``Percentage of children cared for in nurseries`` – children in nurseries (żłobki) as a percentage of
  children up to 3, as published (Poznań 2019: 23.0, as the city's own statistics quote GUS).
* ``Number of apartments per 1,000`` – dwellings COMPLETED (oddane do użytkowania) per 1,000 residents, not
  the dwelling stock: rate × population sums to 238,367 in 2022 and 135,882 in 2010, GUS's completions
  (238.4 and 135.8 thousand). ``Number of housing units`` is a copy of ``Entities register per 10 000``
  (REGON entities per 10,000 residents) and is not used.
* ``Average salary amount`` – average gross monthly salary, zł (one value of 0, Jastrzębie-Zdrój 2022, is
  treated as missing).
* ``Number of unemployed`` – registered unemployed, 31 December (812,301 in 2022, GUS's figure).

Counts (beds, outpatient entities, DPS, unemployed) are published per powiat and summed to a województwo
where every powiat of that year has a value; published rates (nurseries %, completions per 1,000, salary)
exist for powiaty only and are never averaged into województwa. Years before 2010 are not read (the release's
official range starts in 2010); values of powiaty whose territory changed are kept off before the change
(``_powiaty.TODAY_BORDERS_FROM``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo
from portal.pipeline.register import RawInputError, fold
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput
from portal.pipeline.sources._bdl_wide import BDL_URL, GUS, GUS_LICENCE, numbers
from portal.pipeline.sources._powiaty import complete_wojewodztwa, split_today_borders, sum_to_wojewodztwa

FOLDER = "bdl-powiat-panels"
FIRST_YEAR = 2010
REPO_NOTE = ("Collected from BDL by github.com/WiktorAndrzejewski/Economic_Voting_PL (commit 545d530); "
             "BDL variable ids are not given in the files.")


@dataclass(frozen=True)
class Panel:
    measure: str
    file: str
    additive: bool
    unit: str
    dataset: Dataset
    zero_is_missing: bool = False


def _dataset(id_: str, file: str, name: str, name_en: str, years: str, additive: bool, note: str) -> Dataset:
    levels = ("powiat", "wojewodztwo") if additive else ("powiat",)
    return Dataset(id=id_, publisher="GUS", table=None, name=name, name_en=name_en, folder=FOLDER,
                   files=(file,), years=years, levels=levels, attribution=GUS, licence=GUS_LICENCE,
                   url=BDL_URL, note=f"{note} {REPO_NOTE}")


PANELS = [
    Panel("hospital_beds", "Number of hospital beds.xlsx", True, "łóżek", _dataset(
        "bdl-powiaty-lozka-szpitalne", "Number of hospital beds.xlsx",
        "Łóżka w szpitalach ogólnych (stan 31 XII)", "Beds in general hospitals (31 Dec)", "2010–2022", True,
        "Beds by the hospital's location; 363 of 380 powiaty listed (the others missing). The national sum "
        "falls from 181.7 thousand (2018) to 166.8 thousand (2019).")),
    Panel("outpatient_entities", "Number of outpatient entities.xlsx", True, "przychodni", _dataset(
        "bdl-powiaty-przychodnie", "Number of outpatient entities.xlsx",
        "Przychodnie (ambulatoryjna opieka zdrowotna)", "Outpatient health-care entities (clinics)",
        "2010–2022", True,
        "Entities by location. The national sum jumps from 16.6 thousand (2010) to 19.2 thousand (2011). "
        "The repository's 'Number of marriages' table is an identical copy of this one.")),
    Panel("dps_homes", "Number of social assistance centers.xlsx", True, "DPS", _dataset(
        "bdl-powiaty-domy-pomocy-spolecznej", "Number of social assistance centers.xlsx",
        "Domy pomocy społecznej (liczba placówek)", "Residential social-care homes (DPS), number",
        "2010–2022", True,
        "Named 'social assistance centers' in the repository; the national sum (875 in 2019) is GUS's number "
        "of domy pomocy społecznej, not of ośrodki pomocy społecznej (one per gmina). 347 powiaty listed.")),
    Panel("nursery_share_published", "Percentage of children cared for in nurseries.xlsx", False, "%",
          _dataset(
        "bdl-powiaty-zlobki-odsetek", "Percentage of children cared for in nurseries.xlsx",
        "Dzieci w żłobkach w % ogółu dzieci w wieku do lat 3",
        "Children in nurseries as % of all children up to 3", "2010–2022", False,
        "As published by GUS for powiaty (376 listed); no województwo values in the file.")),
    Panel("dwellings_completed_per_1000_published", "Number of apartments per 1,000.xlsx", False,
          "mieszkań na 1000 mieszkańców", _dataset(
              "bdl-powiaty-mieszkania-oddane-na-1000", "Number of apartments per 1,000.xlsx",
              "Mieszkania oddane do użytkowania na 1000 ludności",
              "Dwellings completed per 1,000 population", "2010–2022", False,
              "Named 'Number of apartments per 1,000' in the repository: completions, not the stock (rate × "
              "population gives GUS's national completions). 2023 is empty in the file.")),
    Panel("salary_gross_published", "Average salary amount.xlsx", False, "zł", _dataset(
        "bdl-powiaty-wynagrodzenie", "Average salary amount.xlsx",
        "Przeciętne miesięczne wynagrodzenie brutto", "Average gross monthly salary", "2010–2022", False,
        "Codes are BDL unit ids. One value of 0 (Jastrzębie-Zdrój, 2022) is treated as missing."),
        zero_is_missing=True),
    Panel("unemployed_registered", "Number of unemployed.xlsx", True, "osób", _dataset(
        "bdl-powiaty-bezrobotni", "Number of unemployed.xlsx",
        "Bezrobotni zarejestrowani (stan 31 XII)", "Registered unemployed (31 Dec)", "2010–2022", True,
        "Codes are BDL unit ids.")),
]
DATASETS = [p.dataset for p in PANELS]
INFOS = [MeasureInfo(p.measure, p.unit, p.additive, p.dataset.levels, p.dataset.name) for p in PANELS]

# Tables that are not used, and why (the report repeats it).
UNUSED = {
    "Number of marriages.xlsx": "identical to 'Number of outpatient entities.xlsx' (a mislabelled copy)",
    "Number of housing units.xlsx": "identical to 'Entities register per 10 000.xlsx' (REGON entities per "
                                    "10,000, not dwellings)",
    "Entities register per 10 000.xlsx": "REGON register entities: not asked for",
    "Number of divorces.xlsx": "not a public-service or context indicator of the release",
    "Number of people.xlsx": "population: P1336 (population.py) is used instead; equal to it from 2015",
}


def powiat_code(path: Path, code: str) -> str:
    """The 4-digit powiat code of a file's Code: a 7-digit TERYT code or a 12-digit BDL unit id, each with
    the leading zero dropped."""
    text = code.strip()
    if not text.isdigit():
        raise RawInputError(f"{path}: code '{code}' is not numeric")
    if len(text) <= 7:
        c7 = text.zfill(7)
        if c7[4:] != "000":
            raise RawInputError(f"{path}: code '{code}' is not a powiat code (…000)")
        return c7[:4]
    c12 = text.zfill(12)
    if len(c12) != 12 or c12[9:] != "000":
        raise RawInputError(f"{path}: code '{code}' is not a 12-digit BDL powiat id")
    return c12[2:4] + c12[7:9]


def _name_key(name: str) -> str:
    """'Powiat m. st. Warszawa' → 'warszawa'; 'Powiat brzeski_Malopolskie' → 'brzeski';
    'Powiat m. Wałbrzych od 2013' → 'walbrzych'."""
    text = fold(name).split("_")[0]
    for word in ("powiat ", "m. st. ", "m. "):
        text = text.replace(word, "")
    for tail in (" od 2013", " do 2002"):
        text = text.removesuffix(tail)
    return text.strip()


def read_panel(raw: Path, panel: Panel, units: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """One table as measure rows with powiat codes of each year (codes of powiaty that no longer exist are
    dropped and reported); every name is checked against the register."""
    path = raw / FOLDER / panel.file
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_excel(path, dtype=str)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be read as XLSX: {exc}") from exc
    if list(df.columns[:3]) != ["Code", "County", "Year"] or df.shape[1] != 4:
        raise RawInputError(f"{path}: expected columns Code, County, Year and one value, "
                            f"found {list(df.columns)}")
    df.columns = ["code", "name", "year", "value"]
    df["teryt"] = [powiat_code(path, c) for c in df["code"]]
    df["year"] = pd.to_numeric(df["year"], errors="coerce")
    if df["year"].isna().any():
        i = df.index[df["year"].isna()][0]
        raise RawInputError(f"{path}: row {i + 2}: year '{df.loc[i, 'year']}' is not a number")
    df["year"] = df["year"].astype("int64")
    value = numbers(path, df["value"], panel.measure)
    zeros = value.eq(0) & df["year"].ge(FIRST_YEAR)
    if panel.zero_is_missing:
        value = value.where(value != 0)
    df["value"] = value
    if df.duplicated(["teryt", "year"]).any():
        i = df.index[df.duplicated(["teryt", "year"])][0]
        raise RawInputError(f"{path}: row {i + 2}: second row for powiat {df.loc[i, 'teryt']} "
                            f"in {df.loc[i, 'year']}")

    powiaty = units[units["level"] == "powiat"].set_index("teryt")["name"]
    known = df["teryt"].isin(powiaty.index)
    for row in df[known].drop_duplicates("teryt").itertuples():
        if _name_key(row.name) != _name_key(powiaty[row.teryt]):
            raise RawInputError(f"{path}: code {row.code} is powiat {row.teryt} '{powiaty[row.teryt]}' in "
                                f"the register but '{row.name}' in the file")
    gone = df[~known]
    report = {"codes_not_in_register": sorted(set(gone["teryt"] + " " + gone["name"])),
              "values_of_codes_not_in_register_from_2010": int(gone.loc[gone["year"] >= FIRST_YEAR, "value"]
                                                                  .notna().sum())}
    if panel.zero_is_missing:
        report["zeros_treated_as_missing"] = sorted(f"{t} {y}" for t, y in df.loc[zeros, ["teryt", "year"]]
                                                    .itertuples(index=False))
    rows = df[known & (df["year"] >= FIRST_YEAR)]
    out = pd.DataFrame({"measure": panel.measure, "teryt": rows["teryt"].to_numpy(),
                        "year": rows["year"].to_numpy(), "value": rows["value"].to_numpy(float),
                        "source": panel.dataset.id})
    out["flag"] = np.where(out["value"].isna(), "no_data", "ok")
    return out[MEASURE_COLUMNS], report


def read(ctx: BuildContext) -> SourceOutput:
    frames = []
    report: dict = {"unused_tables": UNUSED}
    for panel in PANELS:
        rows, rep = read_panel(ctx.raw, panel, ctx.units)
        today, changed = split_today_borders(rows)
        rep["powiat_values_kept_off_for_border_changes"] = int(changed["value"].notna().sum())
        rep["powiaty_with_a_value"] = {int(y): int(n) for y, n in
                                       today[today["value"].notna()].groupby("year").size().items()}
        frames.append(today)
        if panel.additive:
            woj = sum_to_wojewodztwa(rows, ctx.units)
            frames.append(woj)
            rep["wojewodztwa_with_a_complete_sum"] = complete_wojewodztwa(woj).get(panel.measure, {})
        report[panel.measure] = rep
    measures = pd.concat(frames, ignore_index=True)[MEASURE_COLUMNS]
    measures["year"] = measures["year"].astype("int64")
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
