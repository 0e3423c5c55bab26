"""The child benefit "Rodzina 500+" (świadczenie wychowawcze) per gmina in 2019, from GUS BDL table OCHR_3803
(``bdl-500plus-2019/``, a long export: one row per gmina code of 2019 and variable).

The export has four variables: the average monthly number of families receiving the benefit and of children
it is paid for in the first half of 2019, the average monthly number of children in the second half, and the
year's expenditure on the benefit in zł. On 1 July 2019 the benefit became universal (every child under 18,
no income test for the first child), so the two halves are different programmes: the number of children
almost doubled (3.6 million → 6.1 million). The children measure of the year is therefore that of the second
half, the benefit as it has been paid since; the first half is kept as its own measures, and the families
count exists only for the first half (income-tested for a family's first child). Expenditure covers the
whole year, both rules.

Gminy paid the benefit in 2019 (ZUS has since 2022): higher levels are sums over their gminy. Codes of 2019
are re-keyed to today's gminy (``rekey_gminy``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS, MeasureInfo, combine_years, rekey_gminy
from portal.pipeline.register import RawInputError
from portal.pipeline.sources import BuildContext, Dataset, SourceOutput

GUS = "Źródło: GUS, Bank Danych Lokalnych"
GUS_LICENCE = "dane publiczne GUS; ponowne wykorzystanie z podaniem źródła"
YEAR = 2019

OCHR_3803 = Dataset(
    id="bdl-ochr-3803-2019",
    publisher="GUS",
    table="OCHR_3803",
    name="Świadczenie wychowawcze (Rodzina 500+): rodziny i dzieci (przeciętnie miesięcznie), wydatki",
    name_en="Child-raising benefit (Family 500+): families and children (monthly average), expenditure",
    folder="bdl-500plus-2019",
    files=("OCHR_3803_CREL_20210124132209.csv",),
    years="2019",
    levels=("gmina",),
    attribution=GUS,
    licence=GUS_LICENCE,
    url="https://bdl.stat.gov.pl/bdl/dane/podgrup/tablica",
    note="Families: average monthly number, I–VI 2019 only. Children: average monthly number, I–VI and "
    "VII–XII 2019 (the benefit became universal on 1 VII 2019). Expenditure in zł, the whole of 2019.",
)
DATASETS = [OCHR_3803]

# measure → the variable's label in the export (column 'Świadczenie wychowawcze'), and its unit ('-' or 'zł').
VARIABLES = {
    "rodzina500_families_h1": (
        "przeciętna miesięczna liczba rodzin otrzymujących świadczenie wychowawcze "
        "w okresie od 1 stycznia 2019 do 30 czerwca 2019",
        "-",
    ),
    "rodzina500_children_h1": (
        "przeciętna miesięczna liczba dzieci, na które rodziny otrzymują świadczenie "
        "wychowawcze w okresie od 1 stycznia 2019 do 30 czerwca 2019",
        "-",
    ),
    "rodzina500_children_h2": (
        "przeciętna miesięczna liczba dzieci, na które rodziny otrzymują świadczenie "
        "wychowawcze w okresie od 1 lipca 2019 do 31 grudnia 2019",
        "-",
    ),
    "rodzina500_expenditure": ("wydatki na świadczenia wychowawcze", "zł"),
}
INFOS = [
    MeasureInfo(
        "rodzina500_families_h1",
        "rodzin",
        True,
        ("gmina",),
        "families receiving the benefit, monthly average I–VI 2019 (before it became universal)",
    ),
    MeasureInfo(
        "rodzina500_children_h1",
        "dzieci",
        True,
        ("gmina",),
        "children the benefit was paid for, monthly average I–VI 2019",
    ),
    MeasureInfo(
        "rodzina500_children_h2",
        "dzieci",
        True,
        ("gmina",),
        "children the benefit was paid for, monthly average VII–XII 2019 (universal benefit)",
    ),
    MeasureInfo("rodzina500_expenditure", "zł", True, ("gmina",), "expenditure on the benefit, 2019"),
]

_COLUMNS = ["Kod", "Świadczenie wychowawcze", "Rok", "Wartosc", "Jednostka miary"]


def read_export(path) -> pd.DataFrame:
    """The export as measure rows of 2019 gmina codes (before re-keying)."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise RawInputError(f"{path}: missing columns {missing}")
    label_to_measure = {label: m for m, (label, _) in VARIABLES.items()}
    measure = df["Świadczenie wychowawcze"].str.strip().map(label_to_measure)

    def fail(mask: pd.Series, what: str) -> None:
        if mask.any():
            i = int(np.flatnonzero(mask.to_numpy())[0])
            raise RawInputError(f"{path}: row {i + 2}: {what}")

    fail(
        measure.isna(),
        f"unknown variable '{df['Świadczenie wychowawcze'].iloc[int(np.argmax(measure.isna()))]}'",
    )
    fail(df["Rok"].str.strip() != str(YEAR), f"year is not {YEAR}")
    unit = measure.map({m: u for m, (_, u) in VARIABLES.items()})
    fail(df["Jednostka miary"].str.strip() != unit, "unit of measure is not the expected one")
    code = df["Kod"].str.strip()
    fail(~code.str.fullmatch(r"\d{6}[123]"), "code is not a 7-digit gmina TERYT code (types 1–3)")
    text = df["Wartosc"].str.strip().str.replace(",", ".", regex=False).str.replace(" ", "", regex=False)
    value = pd.to_numeric(text.where(text.ne("")), errors="coerce")
    fail(value.isna() & text.ne(""), "value is not a number")
    fail(value < 0, "value is negative")
    out = pd.DataFrame(
        {
            "measure": measure,
            "teryt": code,
            "year": YEAR,
            "value": value.astype(float),
            "flag": np.where(value.isna(), "no_data", "ok"),
            "source": OCHR_3803.id,
        }
    )
    dup = out.duplicated(["measure", "teryt"])
    fail(dup, "duplicate row for the same gmina and variable")
    return out


def read(ctx: BuildContext) -> SourceOutput:
    path = ctx.raw / OCHR_3803.folder / OCHR_3803.files[0]
    rows = read_export(path)
    rk = rekey_gminy(rows, ctx.units, ctx.changes)
    measures = combine_years(rk.frame)[MEASURE_COLUMNS]
    measures["year"] = measures["year"].astype("int64")
    totals = rows.groupby("measure")["value"].sum()
    report = {
        "gminy": int(rows["teryt"].nunique()),
        "unmatched_codes": rk.unmatched,
        "totals_2019": {m: float(totals.get(m, np.nan)) for m in VARIABLES},
    }
    return SourceOutput(measures=measures, infos=INFOS, datasets=DATASETS, report=report)
