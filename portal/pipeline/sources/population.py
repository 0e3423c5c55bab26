"""Population: the exact count of residents 2010–2024 (the denominator of every per-resident value), age groups,
area, density and urbanisation, from GUS BDL exports.

* ``bdl-population-exact-2015-2024/`` – table P1336, 31 December, every level; from 2020 on GUS's revision on
  the 2021 census basis. The ``population`` measure for 2015–2024 at every level, as published.
* ``bdl-population-age-2010-2019/ludnosc.csv`` – population by economic age group, gminy, 2010–2019 (the three
  groups sum to the total). ``population`` for 2010–2014 (gminy; powiaty and województwa as the sums of the
  gminy they held then) and the age groups 2010–2019. It equals P1336 in 2015–2019 for every gmina (checked
  by a test). ``powierzchnia.csv`` beside it: area in km² per gmina, 2010–2019 (whole km² as exported).
* ``bdl-population-2023-2024/`` – table P2425, 2024: population density and urbanisation rate, every level.
  Its population in thousands (rounded to 10 people) is not used: P1336 has the exact counts.
* ``bdl-exports-2020/`` – table P2137, 31 XII 2020, gminy, by five-year age group. This export predates GUS's
  census revision of 2020+ (Poland 38,265,013 there against 38,088,564 revised), so it is used only for the
  age structure of 2020 (shares aged 0–14 and 65+), never as a denominator, and the indicators built from it
  say so.

Codes of earlier divisions are re-keyed to today's (2025) gminy through the TERYT change table; codes of units
that no longer exist are reported, their rows kept only in the sums of the powiat and województwo that held
them (by the code's first four and two digits).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, rekey_gminy
from portal.pipeline.register import RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

GUS = "Źródło: GUS, Bank Danych Lokalnych"
GUS_LICENCE = "dane publiczne GUS; ponowne wykorzystanie z podaniem źródła"

P1336 = Dataset(
    id="bdl-p1336", publisher="GUS", table="P1336",
    name="Ludność według miejsca zamieszkania, stan 31 XII (od 2020 r. po rewizji na podstawie NSP 2021)",
    name_en="Population by place of residence, 31 Dec (from 2020 revised on the 2021 census basis)",
    folder="bdl-population-exact-2015-2024", files=("LUDN_1336_CTAB_20260608161213.csv",),
    years="2015–2024", levels=("gmina", "powiat", "wojewodztwo"), attribution=GUS, licence=GUS_LICENCE,
    url="https://bdl.stat.gov.pl/bdl/dane/podgrup/tablica",
)
AGE = Dataset(
    id="bdl-ludnosc-ekonomiczne-grupy-wieku", publisher="GUS", table="P2577",
    name="Ludność w wieku przedprodukcyjnym, produkcyjnym i poprodukcyjnym, stan 31 XII",
    name_en="Population of pre-working, working and post-working age, 31 Dec",
    folder="bdl-population-age-2010-2019", files=("ludnosc.csv",), years="2010–2019", levels=("gmina",),
    attribution=GUS, licence=GUS_LICENCE,
    note="Sums of the three groups give the total population; used for 2010–2014 (P1336 from 2015).",
)
AREA = Dataset(
    id="bdl-powierzchnia", publisher="GUS", table="P1496",
    name="Powierzchnia ogólna w km²", name_en="Total area in km²",
    folder="bdl-population-age-2010-2019", files=("powierzchnia.csv",), years="2010–2019", levels=("gmina",),
    attribution=GUS, licence=GUS_LICENCE, note="Exported rounded to whole km².",
)
P2425 = Dataset(
    id="bdl-p2425", publisher="GUS", table="P2425",
    name="Gęstość zaludnienia oraz wskaźniki (ludność na 1 km², wskaźnik urbanizacji)",
    name_en="Population density and indices (people per km², urbanisation rate)",
    folder="bdl-population-2023-2024", files=("LUDN_2425_CTAB_20250611231708.csv",), years="2024",
    levels=("gmina", "powiat", "wojewodztwo"), attribution=GUS, licence=GUS_LICENCE,
)
P2137 = Dataset(
    id="bdl-p2137-2020", publisher="GUS", table="P2137",
    name="Ludność według płci i wieku, stan 31 XII 2020 (eksport sprzed rewizji na podstawie NSP 2021)",
    name_en="Population by sex and age, 31 Dec 2020 (export made before the 2021-census revision)",
    folder="bdl-exports-2020", files=("LUDN_2137_CTAB_20210625164329.csv",), years="2020", levels=("gmina",),
    attribution=GUS, licence=GUS_LICENCE,
    note="Used only for the age structure of 2020; per-resident values use the revised P1336.",
)
DATASETS = [P1336, AGE, AREA, P2425, P2137]

INFOS = [
    MeasureInfo("population", "osób", True, ("gmina", "powiat", "wojewodztwo"),
                "31 XII; 2015–2024 P1336 at every level, 2010–2014 sums of the age groups (gminy)"),
    MeasureInfo("pop_pre_working", "osób", True, ("gmina",), "aged 0–17"),
    MeasureInfo("pop_working", "osób", True, ("gmina",), "men 18–64, women 18–59"),
    MeasureInfo("pop_post_working", "osób", True, ("gmina",), "men 65+, women 60+"),
    MeasureInfo("pop_non_working", "osób", True, ("gmina",), "pre- plus post-working age"),
    MeasureInfo("area_km2", "km²", True, ("gmina",), "BDL area, whole km²"),
    MeasureInfo("density_published", "osób/km²", False, ("gmina", "powiat", "wojewodztwo")),
    MeasureInfo("urbanisation_rate", "%", False, ("gmina", "powiat", "wojewodztwo")),
    MeasureInfo("pop_2020_p2137", "osób", True, ("gmina",), "pre-revision export, age structure only"),
    MeasureInfo("pop_0_14_2020", "osób", True, ("gmina",)),
    MeasureInfo("pop_65_plus_2020", "osób", True, ("gmina",)),
]

_YEAR = re.compile(r"(20\d\d)")


def _read(path, sep: str = ";", **kw) -> pd.DataFrame:
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        return pd.read_csv(path, sep=sep, dtype=str, **kw)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc


def _number(path, s: pd.Series, what: str) -> pd.Series:
    text = s.str.strip().str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    text = text.str.replace(",", ".", regex=False)
    out = pd.to_numeric(text.where(text.ne("") & text.ne("-")), errors="coerce")
    bad = out.isna() & text.notna() & text.ne("") & text.ne("-")
    if bad.any():
        i = bad[bad].index[0]
        raise RawInputError(f"{path}: row {i + 2}: {what} '{s[i]}' is not a number")
    return out


def _codes(path, kod: pd.Series) -> pd.Series:
    code = kod.str.strip().str.zfill(7)
    bad = ~code.str.fullmatch(r"\d{7}", na=False)
    if bad.any():
        i = bad[bad].index[0]
        raise RawInputError(f"{path}: row {i + 2}: code '{kod[i]}' is not a 7-digit TERYT code")
    return code


def _level_code(code7: str) -> str | None:
    """BDL 7-digit code → the release's code: gmina 7 digits (types 1–3), powiat 4, województwo 2."""
    if code7 == "0000000":
        return None
    if code7[2:] == "00000":
        return code7[:2]
    if code7[4:] == "000":
        return code7[:4]
    if code7[6] in "123":
        return code7
    return None  # urban / rural parts (4, 5) and Warsaw's districts (8)


def _wide_years(path, df: pd.DataFrame, label: str | None = None) -> dict[int, str]:
    cols: dict[int, str] = {}
    for c in df.columns:
        flat = c.replace("\n", ";")
        if label is not None and not flat.startswith(label + ";"):
            continue
        m = _YEAR.search(flat)
        if m:
            cols[int(m.group(1))] = c
    if not cols:
        raise RawInputError(f"{path}: no year columns{f' for {label!r}' if label else ''}")
    return cols


def _long(codes: pd.Series, df: pd.DataFrame, cols: dict[int, str], path, measure: str, source: str) -> pd.DataFrame:
    frames = []
    for year, col in sorted(cols.items()):
        v = _number(path, df[col], f"{measure} {year}")
        frames.append(pd.DataFrame({"measure": measure, "teryt": codes.to_numpy(), "year": year,
                                    "value": v.to_numpy(float), "flag": "ok", "source": source}))
    out = pd.concat(frames, ignore_index=True)
    out["flag"] = np.where(out["value"].isna(), "no_data", "ok")
    return out


def read_exact(raw) -> pd.DataFrame:
    """P1336 as a long table of the release's codes (today's, after re-keying by the caller for gminy)."""
    path = raw / P1336.folder / P1336.files[0]
    df = _read(path)
    if "Kod" not in df.columns:
        raise RawInputError(f"{path}: missing column 'Kod'")
    code = _codes(path, df["Kod"]).map(_level_code)
    keep = code.notna()
    return _long(code[keep], df[keep].reset_index(drop=True), _wide_years(path, df), path, "population", P1336.id)


def _sum_by_prefix(gmina_old: pd.DataFrame, n: int) -> pd.DataFrame:
    """Sums of gmina rows (codes of their own year) over the powiat (n=4) or województwo (n=2) that held them."""
    df = gmina_old[gmina_old["value"].notna()].assign(teryt=lambda d: d["teryt"].str[:n])
    out = df.groupby(["measure", "teryt", "year"], sort=True).agg(value=("value", "sum"), source=("source", "first"))
    out = out.reset_index()
    out["flag"] = "ok"
    return out[MEASURE_COLUMNS]


def read(ctx: BuildContext) -> SourceOutput:
    raw = ctx.raw
    report: dict = {}
    frames = []

    exact = read_exact(raw)
    g = exact["teryt"].str.len() == 7
    rk = rekey_gminy(exact[g], ctx.units, ctx.changes)
    frames += [combine_years(rk.frame), exact[~g]]
    report["p1336_unmatched_codes"] = rk.unmatched

    # Economic age groups 2010–2019 (gminy of each year's division).
    path = raw / AGE.folder / AGE.files[0]
    df = _read(path)
    code = _codes(path, df["Kod"])
    gm = code.str[6].isin(list("123"))
    df, code = df[gm].reset_index(drop=True), code[gm].reset_index(drop=True)
    groups = {"pop_pre_working": "w wieku przedprodukcyjnym;ogółem",
              "pop_working": "w wieku produkcyjnym;ogółem",
              "pop_post_working": "w wieku poprodukcyjnym;ogółem"}
    age = pd.concat([_long(code, df, _wide_years(path, df, label), path, m, AGE.id) for m, label in groups.items()],
                    ignore_index=True)
    wide = age.pivot_table(index=["teryt", "year"], columns="measure", values="value", aggfunc="first")
    totals = wide[list(groups)].sum(axis=1, min_count=3)
    non_working = wide["pop_pre_working"] + wide["pop_post_working"]
    extra = [
        pd.DataFrame({"measure": m, "teryt": s.index.get_level_values(0), "year": s.index.get_level_values(1),
                      "value": s.to_numpy(float), "flag": "ok", "source": AGE.id})
        for m, s in (("population", totals[totals.index.get_level_values(1) < 2015]),
                     ("pop_non_working", non_working))
    ]
    age_old = pd.concat([age, *extra], ignore_index=True)
    # Powiaty and województwa: the sums of the gminy they held (codes of that year, dissolved gminy included).
    frames += [_sum_by_prefix(age_old, 4), _sum_by_prefix(age_old, 2)]
    rk = rekey_gminy(age_old, ctx.units, ctx.changes)
    frames.append(combine_years(rk.frame))
    report["age_groups_unmatched_codes"] = rk.unmatched

    # Area 2010–2019 (names in CP1250 read as Latin-1: only codes and numbers are used).
    path = raw / AREA.folder / AREA.files[0]
    df = _read(path, encoding="latin-1")
    code = _codes(path, df["Kod"])
    gm = code.str[6].isin(list("123"))
    df, code = df[gm].reset_index(drop=True), code[gm].reset_index(drop=True)
    cols = {int(c[4:]): c for c in df.columns if re.fullmatch(r"rok_\d{4}", c)}
    area = _long(code, df, cols, path, "area_km2", AREA.id)
    rk = rekey_gminy(area, ctx.units, ctx.changes)
    frames += [combine_years(rk.frame), _sum_by_prefix(area, 4), _sum_by_prefix(area, 2)]

    # Density and urbanisation 2024 (P2425), every level.
    path = raw / P2425.folder / P2425.files[0]
    df = _read(path, sep=",")
    code = _codes(path, df["Kod"]).map(_level_code)
    keep = code.notna()
    df, code = df[keep].reset_index(drop=True), code[keep].reset_index(drop=True)
    dens_col = next((c for c in df.columns if c.startswith("ludność na 1 km2")), None)
    urb_col = next((c for c in df.columns if c.startswith("wskaźnik urbanizacji")), None)
    if dens_col is None or urb_col is None:
        raise RawInputError(f"{path}: missing 'ludność na 1 km2' or 'wskaźnik urbanizacji' columns")
    for measure, col in (("density_published", dens_col), ("urbanisation_rate", urb_col)):
        part = _long(code, df, {2024: col}, path, measure, P2425.id)
        g = part["teryt"].str.len() == 7
        rk = rekey_gminy(part[g], ctx.units, ctx.changes)
        frames += [combine_years(rk.frame), part[~g]]

    # Age structure 2020 from the pre-revision P2137 export (gminy).
    path = raw / P2137.folder / P2137.files[0]
    df = _read(path)
    code = _codes(path, df["Kod"])
    gm = code.str[6].isin(list("123"))
    df, code = df[gm].reset_index(drop=True), code[gm].reset_index(drop=True)
    total = _number(path, df["ogółem"], "ogółem")
    a014 = sum(_number(path, df[c], c) for c in ("0-4", "5-9", "10-14"))
    a65 = _number(path, df["65-69"], "65-69") + _number(path, df["70 i więcej"], "70 i więcej")
    p2137 = pd.concat([
        pd.DataFrame({"measure": m, "teryt": code.to_numpy(), "year": 2020, "value": v.to_numpy(float),
                      "flag": "ok", "source": P2137.id})
        for m, v in (("pop_2020_p2137", total), ("pop_0_14_2020", a014), ("pop_65_plus_2020", a65))
    ], ignore_index=True)
    rk = rekey_gminy(p2137, ctx.units, ctx.changes)
    frames.append(combine_years(rk.frame))

    measures = pd.concat([f[MEASURE_COLUMNS] for f in frames], ignore_index=True)
    measures["year"] = measures["year"].astype("int64")
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
