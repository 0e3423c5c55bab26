"""Eighth-grade exam results (CKE, egzamin ósmoklasisty) per gmina, 2021–2025: for Polish, mathematics and
English the pupils whose results are published and the sum of their scores, from CKE's own tables that carry
each school's or gmina's 7-digit TERYT code (``cke-e8-official-teryt/``).

* 2021–2024: the school tables (sheet "SAS" of CKE's workbooks as CSV: two header rows, ';', numbers with a
  decimal point or comma). A gmina's pupils are the takers of its schools with a published mean, its points
  Σ(mean × takers) over the same schools, so that points / pupils is the takers-weighted mean score in %.
* 2025: CKE's own gmina table ``E8_gminy_2025.csv`` (complete, as CKE published it for gminy). The 2025 school
  table is aggregated the same way as earlier years only for the build report and the tests, which compare
  the two.

CKE withholds the mean of a school (and of a gmina part) with fewer than 10 takers in 2021 and fewer than 5
from 2022 on; those pupils are counted in ``e8_<subject>_takers_withheld`` and left out of the mean (their
scores are unknown). A gmina's value is flagged ``partial`` when the withheld pupils are more than
``PARTIAL_SHARE`` of all its takers of the subject. Higher levels are Σ points / Σ pupils over their gminy
(``sum_up`` in the catalogue); their flag does not carry the withheld share, which the report gives per year.

Codes of urban and rural parts of urban-rural gminy (type digits 4 and 5) belong to the gmina (type 3); codes
of other years are re-keyed to today's gminy through the TERYT change table (``rekey_gminy``). Every gmina of
today gets a row for every year (zero pupils where CKE lists no school), except the two gminy created in 2025
before that year, whose schools are counted in their parents.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, rekey_gminy
from portal.pipeline.register import NEW_GMINY_2025, RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

CKE = "Źródło: CKE"
CKE_LICENCE = "dane publiczne CKE; ponowne wykorzystanie z podaniem źródła"
FOLDER = "cke-e8-official-teryt"
SCHOOL_YEARS = (2021, 2022, 2023, 2024)
GMINA_YEAR = 2025
SCHOOL_FILES = {y: f"E8_{y}_SAS.csv" for y in (*SCHOOL_YEARS, GMINA_YEAR)}
GMINA_FILE = "E8_gminy_2025.csv"
# measure key → the subject's name in the first header row (lower case)
SUBJECTS = {"polish": "język polski", "math": "matematyka", "english": "język angielski"}
PARTIAL_SHARE = 0.05

SCHOOLS = Dataset(
    id="cke-e8-szkoly",
    publisher="CKE",
    table="E8 SAS",
    name="Wyniki egzaminu ósmoklasisty według szkół (z kodem TERYT gminy), 2021–2025",
    name_en="Eighth-grade exam results by school (with the gmina's TERYT code), 2021–2025",
    folder=FOLDER,
    files=tuple(SCHOOL_FILES.values()),
    years="2021–2024",
    levels=("gmina",),
    attribution=CKE,
    licence=CKE_LICENCE,
    url="https://mapa.wyniki.edu.pl/",
    note="Sheet 'SAS' of CKE's workbooks as CSV. Values 2021–2024; the 2025 table only checks the "
    "aggregation against CKE's gmina table. Means of schools with fewer than 10 (2021) or 5 (2022–2025) "
    "takers are withheld by CKE: their pupils are counted but not in the mean.",
)
GMINY = Dataset(
    id="cke-e8-gminy-2025",
    publisher="CKE",
    table="E8 gminy",
    name="Wyniki egzaminu ósmoklasisty według gmin, 2025 (aktualizacja 07.2025)",
    name_en="Eighth-grade exam results by gmina, 2025 (update of July 2025)",
    folder=FOLDER,
    files=(GMINA_FILE,),
    years="2025",
    levels=("gmina",),
    attribution=CKE,
    licence=CKE_LICENCE,
    url="https://mapa.wyniki.edu.pl/",
    note="Urban and rural parts of urban-rural gminy are separate rows; they are added up to the gmina. "
    "Means of parts with fewer than 5 takers are withheld.",
)
DATASETS = [SCHOOLS, GMINY]

_SUBJECT_EN = {"polish": "Polish", "math": "mathematics", "english": "English"}
INFOS = [
    info
    for key, en in _SUBJECT_EN.items()
    for info in (
        MeasureInfo(
            f"e8_{key}_takers",
            "uczniów",
            True,
            ("gmina",),
            f"eighth-graders who took the {en} exam in schools (2025: gmina parts) with a published mean",
        ),
        MeasureInfo(
            f"e8_{key}_points",
            "uczniów × % punktów",
            True,
            ("gmina",),
            f"Σ mean score (%) × takers over the same schools; points / takers is the mean score in {en}",
        ),
        MeasureInfo(
            f"e8_{key}_takers_withheld",
            "uczniów",
            True,
            ("gmina",),
            f"takers of the {en} exam in schools (2025: gmina parts) whose mean CKE withholds",
        ),
    )
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def read_table(path: Path) -> pd.DataFrame:
    """A CKE table (school or gmina) as: code (7 digits as in the file), and per subject key
    ``<key>_takers`` and ``<key>_mean`` (floats; a withheld mean is NaN). Raises RawInputError naming the file
    and the data row (1 = the first row after the two header rows)."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(path, sep=";", header=[0, 1], dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV with two header rows: {exc}") from exc
    columns, block = [], ""
    for top, sub in df.columns:
        top = "" if str(top).startswith("Unnamed") else _flat(top)
        block = top or block
        columns.append((block, _flat(sub)))
    df.columns = pd.MultiIndex.from_tuples(columns)
    code_col = next((c for c in columns if c[1] == "kod teryt gminy"), None)
    if code_col is None:
        raise RawInputError(f"{path}: no column 'Kod teryt gminy' in the second header row")
    code = df[code_col].str.strip()
    bad = ~code.str.fullmatch(r"\d{7}", na=False)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise RawInputError(
            f"{path}: data row {i + 1}: 'Kod teryt gminy' '{code.iloc[i]}' is not a 7-digit code"
        )
    out = pd.DataFrame({"code": code.to_numpy()})
    for key, subject in SUBJECTS.items():
        for what, label in (("takers", "liczba zdających"), ("mean", "wynik średni (%)")):
            if (subject, label) not in df.columns:
                raise RawInputError(f"{path}: no column '{label}' under '{subject}'")
            out[f"{key}_{what}"] = _numbers(path, df[(subject, label)], f"{subject}: {label}")
        takers, mean = out[f"{key}_takers"], out[f"{key}_mean"]
        _fail(
            path, takers.lt(0) | (takers.fillna(0) % 1).ne(0), takers, f"{subject}: takers", "is not a count"
        )
        _fail(path, mean.lt(0) | mean.gt(100), mean, f"{subject}: mean", "is outside 0–100")
        _fail(path, mean.notna() & ~takers.gt(0), mean, f"{subject}: mean", "is given without takers")
    return out


def _numbers(path: Path, s: pd.Series, what: str) -> pd.Series:
    text = s.str.strip().str.replace("\u00a0", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(text.ne("")), errors="coerce")
    _fail(path, values.isna() & text.ne(""), s, what, "is not a number")
    return values.astype(float)


def _fail(path: Path, bad: pd.Series, values: pd.Series, what: str, problem: str) -> None:
    flags = bad.fillna(False).to_numpy(bool)
    if flags.any():
        i = int(np.flatnonzero(flags)[0])
        raise RawInputError(f"{path}: data row {i + 1}: {what} '{values.iloc[i]}' {problem}")


def gmina_code(code: pd.Series) -> pd.Series:
    """Urban (4) and rural (5) parts of an urban-rural gmina → the gmina (type 3)."""
    return code.where(~code.str[6].isin(["4", "5"]), code.str[:6] + "3")


def per_gmina(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of a CKE table (schools or gmina parts) summed per gmina code of the table's year: for each
    subject key ``<key>_takers`` (with a published mean), ``<key>_points`` and ``<key>_takers_withheld``."""
    df = pd.DataFrame({"code": gmina_code(table["code"])})
    for key in SUBJECTS:
        takers, mean = table[f"{key}_takers"].fillna(0.0), table[f"{key}_mean"]
        published = mean.notna() & takers.gt(0)
        df[f"{key}_takers"] = takers.where(published, 0.0)
        df[f"{key}_points"] = (takers * mean).where(published, 0.0)
        df[f"{key}_takers_withheld"] = takers.where(~published, 0.0)
    return df.groupby("code", sort=True).sum()


def _measures(sums: pd.DataFrame, year: int, source: str, ctx: BuildContext, report: dict) -> pd.DataFrame:
    """One year's gmina sums (per code of that year) as measure rows of today's gminy."""
    long = sums.reset_index().rename(columns={"code": "teryt"})
    rk = rekey_gminy(long, ctx.units, ctx.changes)
    if rk.unmatched:
        report.setdefault("unmatched_codes", {})[year] = rk.unmatched
    today = ctx.units.loc[ctx.units["level"] == "gmina", "teryt"]
    if year < 2025:
        today = today[~today.isin(list(NEW_GMINY_2025))]
    # A gmina without a school in CKE's table has no pupils: a true zero, so sums over powiaty stay complete.
    per = rk.frame.groupby("teryt").sum().reindex(today.to_numpy(), fill_value=0.0)
    frames = []
    for key in SUBJECTS:
        withheld = per[f"{key}_takers_withheld"]
        total = per[f"{key}_takers"] + withheld
        share = (withheld / total.where(total > 0)).fillna(0.0)
        flag = np.where(share > PARTIAL_SHARE, "partial", "ok")
        for m in ("takers", "points", "takers_withheld"):
            frames.append(
                pd.DataFrame(
                    {
                        "measure": f"e8_{key}_{m}",
                        "teryt": per.index,
                        "year": year,
                        "value": per[f"{key}_{m}"].to_numpy(float),
                        "flag": flag if m != "takers_withheld" else "ok",
                        "source": source,
                    }
                )
            )
        report.setdefault("years", {}).setdefault(year, {})[key] = {
            "takers": int(per[f"{key}_takers"].sum()),
            "takers_withheld": int(withheld.sum()),
            "gminy_with_value": int((per[f"{key}_takers"] > 0).sum()),
            "gminy_partial": int((flag == "partial").sum()),
        }
    return pd.concat(frames, ignore_index=True)


def compare_with_gmina_file(schools: pd.DataFrame, gminy: pd.DataFrame, tol: float = 0.05) -> dict:
    """How the school aggregation of 2025 agrees with CKE's gmina table, per subject: gminy (type 3 parts
    added up) where both have a mean, those within ``tol`` points, and the same for the gminy none of whose
    pupils were withheld from the school aggregation."""
    out = {}
    for key in SUBJECTS:
        s = schools[[f"{key}_takers", f"{key}_points", f"{key}_takers_withheld"]]
        g = gminy[[f"{key}_takers", f"{key}_points"]]
        j = g.join(s, how="inner", suffixes=("_cke", "_schools"))
        j = j[(j[f"{key}_takers_cke"] > 0) & (j[f"{key}_takers_schools"] > 0)]
        diff = (
            j[f"{key}_points_cke"] / j[f"{key}_takers_cke"]
            - j[f"{key}_points_schools"] / j[f"{key}_takers_schools"]
        ).abs()
        clean = j[f"{key}_takers_withheld"] == 0
        out[key] = {
            "gminy": len(j),
            "within": int((diff <= tol).sum()),
            "gminy_without_withheld": int(clean.sum()),
            "within_without_withheld": int((diff[clean] <= tol).sum()),
            "max_diff_without_withheld": round(float(diff[clean].max()), 3) if clean.any() else None,
        }
    return {"tolerance": tol, "subjects": out}


def read(ctx: BuildContext) -> SourceOutput:
    raw = ctx.raw / FOLDER
    report: dict = {"partial_share": PARTIAL_SHARE, "schools": {}}
    frames = []
    for year in SCHOOL_YEARS:
        table = read_table(raw / SCHOOL_FILES[year])
        report["schools"][year] = len(table)
        frames.append(_measures(per_gmina(table), year, SCHOOLS.id, ctx, report))
    gminy = per_gmina(read_table(raw / GMINA_FILE))
    frames.append(_measures(gminy, GMINA_YEAR, GMINY.id, ctx, report))
    schools_2025 = read_table(raw / SCHOOL_FILES[GMINA_YEAR])
    report["schools"][GMINA_YEAR] = len(schools_2025)
    report["check_2025_schools_vs_gminy"] = compare_with_gmina_file(per_gmina(schools_2025), gminy)
    measures = pd.concat(frames, ignore_index=True)[MEASURE_COLUMNS]
    measures["year"] = measures["year"].astype("int64")
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
