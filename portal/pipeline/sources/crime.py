"""Offences found by the Police (przestępstwa stwierdzone), their rates per 1,000 residents and detection
rates, for powiaty and województwa, 2013–2024 (GUS BDL, data of the Police Headquarters).

``bdl-crime-powiat-2013-2024/przestepstwa_2013-2024.xlsx``: a BDL export with the sheets OPIS (definitions)
and TABLICA (header rows: series, year, unit; then one row per unit: Poland, 16 województwa, 380 powiaty;
``Kod`` is the 7-digit code, stored as text with its leading zero, though other exports drop it). 26 series:
counts in 8 categories, 9 detection rates (%) and 9 rates per 1,000 residents; there is no count of all
offences, only its rate. ``ludnosc_2013-2024.xlsx`` beside it (population by sex and age, powiaty) is not
used: the denominators of the release are P1336 (population.py).

Values are published as GUS publishes them, at each level: rates per 1,000 and detection rates are never
recomputed or averaged. GUS computes the rates over the mid-year population (not in the raw inputs): a count
divided by P1336's 31 December population reproduces the published rate to within 2% for every unit, and
the mean of two consecutive 31 December counts to within 0.5% for 99.7% of unit-years (2016–2024 without
2020, when the revision on the 2021 census broke the series; tests measure both).

A single proceeding may find thousands of offences (a fraud with many victims), so a small powiat's count can
jump several-fold in one year (powiat nidzicki 2024: 3,376 criminal offences against 508 a year before;
Mysłowice 2022: 359 offences per 1,000): such values are GUS's, kept as published.

Definitions (sheet OPIS): an offence found (przestępstwo stwierdzone) is an event confirmed as an offence in
a completed preparatory proceeding, counted by the place where it was committed; a proceeding may find
several offences. The detection rate is offences detected in the year (including those reopened) divided by
offences found plus those found in reopened proceedings discontinued earlier for want of a culprit. From
2013 the data come from Police statistics alone, and from 2014 they exclude punishable acts of juveniles
(now established by family courts), so 2013 is not comparable with later years.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo
from portal.pipeline.register import RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput
from portal.pipeline.sources._bdl_wide import BDL_URL, GUS, GUS_LICENCE, codes7, level_code, numbers
from portal.pipeline.sources._powiaty import split_today_borders

FOLDER = "bdl-crime-powiat-2013-2024"
FILE = "przestepstwa_2013-2024.xlsx"

CRIME = Dataset(
    id="bdl-przestepstwa-stwierdzone", publisher="GUS", table=None,
    name="Przestępstwa stwierdzone przez Policję w zakończonych postępowaniach przygotowawczych, wskaźniki "
         "wykrywalności i przestępstwa na 1000 mieszkańców",
    name_en="Offences found by the Police in completed preparatory proceedings, detection rates and offences "
            "per 1,000 residents",
    folder=FOLDER, files=(FILE,), years="2013–2024", levels=("powiat", "wojewodztwo"),
    attribution=f"{GUS} (dane Komendy Głównej Policji)", licence=GUS_LICENCE, url=BDL_URL,
    note="Category 'Organizacja państwa i wymiar sprawiedliwości' of BDL, last updated 15.05.2025. From 2014 "
         "without punishable acts of juveniles, so 2013 is not comparable with later years. Collected by "
         "github.com/imizgun/polish-crimes-eda (commit 1387bc5).",
)
DATASETS = [CRIME]

_RATE = "przestępstwa stwierdzone przez Policję {} na 1000 mieszkańców"
_DETECTION = "wskaźnik wykrywalności sprawców przestępstw stwierdzonych przez Policję - {}"
ROAD = "przeciwko bezpieczeństwu powszechnemu i bezpieczeństwu w komunikacji - drogowe"

# measure → (series label in TABLICA's first header row, unit of MeasureInfo, additive)
SERIES: dict[str, tuple[str, str, bool]] = {
    "crime_total_per_1000": (_RATE.format("ogółem"), "na 1000 mieszkańców", False),
    "crime_criminal_per_1000": (_RATE.format("o charakterze kryminalnym"), "na 1000 mieszkańców", False),
    "crime_property_per_1000": (_RATE.format("przeciwko mieniu"), "na 1000 mieszkańców", False),
    "crime_road_per_1000": (_RATE.format(ROAD), "na 1000 mieszkańców", False),
    "crime_detection_total": (_DETECTION.format("ogółem"), "%", False),
    "crime_detection_criminal": (_DETECTION.format("o charakterze kryminalnym"), "%", False),
    "offences_criminal": ("o charakterze kryminalnym", "przestępstw", True),
    "offences_property": ("przeciwko mieniu", "przestępstw", True),
    "offences_road": (ROAD, "przestępstw", True),
}
UNIT_ROW = {"%": "[%]"}
INFOS = [MeasureInfo(m, unit, additive, ("powiat", "wojewodztwo"), f"GUS/KGP: {label}")
         for m, (label, unit, additive) in SERIES.items()]


def read_table(path: Path) -> tuple[pd.Series, dict[str, dict[int, pd.Series]]]:
    """The TABLICA sheet: the 7-digit codes and, per series label, {year: column of values}."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be read as XLSX: {exc}") from exc
    if set(sheets) != {"OPIS", "TABLICA"}:
        raise RawInputError(f"{path}: expected the sheets OPIS and TABLICA, found {sorted(sheets)}")
    df = sheets["TABLICA"]
    if df.iloc[0, 0] != "Kod" or df.iloc[0, 1] != "Nazwa":
        raise RawInputError(f"{path}: TABLICA does not start with the columns Kod, Nazwa")
    label = df.iloc[0].ffill()
    body = df.iloc[3:].reset_index(drop=True)
    code = codes7(path, body[0])
    series: dict[str, dict[int, pd.Series]] = {}
    for c in df.columns[2:]:
        year = str(df.iloc[1, c]).strip()
        if not year.isdigit():
            raise RawInputError(f"{path}: column {c + 1}: year '{year}' is not a number")
        by_year = series.setdefault(str(label[c]).strip(), {})
        if int(year) in by_year:
            raise RawInputError(f"{path}: two columns for '{label[c]}' in {year}")
        unit = str(df.iloc[2, c]).strip()
        by_year[int(year)] = numbers(path, body[c], f"{label[c]} {year}").rename(unit)
    return code, series


def read_rows(raw: Path) -> pd.DataFrame:
    """Every measure as rows of powiaty and województwa (codes as exported), all years of the file."""
    path = raw / FOLDER / FILE
    code, series = read_table(path)
    level = code.map(level_code)
    keep = level.notna() & level.str.len().isin([2, 4]).fillna(False)
    frames = []
    for measure, (label, unit, _) in SERIES.items():
        if label not in series:
            raise RawInputError(f"{path}: missing series '{label}'")
        for year, values in sorted(series[label].items()):
            if values.name != UNIT_ROW.get(unit, "[-]"):
                raise RawInputError(f"{path}: series '{label}' {year} has unit {values.name}, expected "
                                    f"{UNIT_ROW.get(unit, '[-]')}")
            frames.append(pd.DataFrame({"measure": measure, "teryt": level[keep].to_numpy(), "year": year,
                                        "value": values[keep].to_numpy(float), "source": CRIME.id}))
    out = pd.concat(frames, ignore_index=True)
    out["flag"] = np.where(out["value"].isna(), "no_data", "ok")
    out["year"] = out["year"].astype("int64")
    return out[MEASURE_COLUMNS]


def read(ctx: BuildContext) -> SourceOutput:
    rows = read_rows(ctx.raw)
    unknown = sorted(set(rows["teryt"]) - set(ctx.units["teryt"]))
    if unknown:
        raise RawInputError(f"{FOLDER}/{FILE}: powiat or województwo codes not in the register: {unknown}")
    powiat = rows["teryt"].str.len() == 4
    today, changed = split_today_borders(rows[powiat])
    measures = pd.concat([today, rows[~powiat]], ignore_index=True)[MEASURE_COLUMNS]
    counts = measures[measures["value"].notna()].groupby([measures["teryt"].str.len(), "measure"]).size()
    report = {
        "units": {"powiat": int(rows.loc[powiat, "teryt"].nunique()),
                  "wojewodztwo": int(rows.loc[~powiat, "teryt"].nunique())},
        "values_per_level": {f"{'powiat' if n == 4 else 'wojewodztwo'} {m}": int(v)
                             for (n, m), v in counts.items()},
        "powiat_values_kept_off_for_border_changes": int(changed["value"].notna().sum()),
    }
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
