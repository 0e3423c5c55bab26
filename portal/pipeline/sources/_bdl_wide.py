"""Reading GUS BDL "wide" CSV exports (one row per unit, one column per item and year) into measure rows.

Shared by the finance and census source modules; not a source itself (the leading underscore keeps it out of
``portal.pipeline.sources.modules()``). Every malformed input raises ``RawInputError`` naming the file, the
row and what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline.measures import MEASURE_COLUMNS
from portal.pipeline.register import RawInputError

GUS = "Źródło: GUS, Bank Danych Lokalnych"
GUS_LICENCE = "dane publiczne GUS; ponowne wykorzystanie z podaniem źródła"
BDL_URL = "https://bdl.stat.gov.pl/bdl/dane/podgrup/tablica"

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def read_csv(path: Path, sep: str = ";", **kw) -> pd.DataFrame:
    """The file as text columns (codes keep their leading zeros; numbers are parsed by ``numbers``)."""
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        return pd.read_csv(path, sep=sep, dtype=str, **kw)
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc


def numbers(path: Path, s: pd.Series, what: str) -> pd.Series:
    """BDL numbers (decimal comma, optional spaces) as floats; empty cells and '-' are missing."""
    text = s.astype("string").str.strip()
    for old, new in (("\u00a0", ""), (" ", ""), (",", ".")):
        text = text.str.replace(old, new, regex=False)
    text = text.where(text.ne("") & text.ne("-"))
    out = pd.to_numeric(text, errors="coerce")
    bad = out.isna() & text.notna()
    if bad.any():
        i = bad[bad].index[0]
        raise RawInputError(f"{path}: row {i + 2}: {what} '{s[i]}' is not a number")
    return out.astype(float)


def codes7(path: Path, kod: pd.Series) -> pd.Series:
    """7-digit TERYT codes, with the leading zero some exports drop put back."""
    code = kod.astype("string").str.strip().str.zfill(7)
    bad = ~code.str.fullmatch(r"\d{7}").fillna(False).astype(bool)
    if bad.any():
        i = bad[bad].index[0]
        raise RawInputError(f"{path}: row {i + 2}: code '{kod[i]}' is not a 7-digit TERYT code")
    return code.astype(object)


def level_code(code7: str) -> str | None:
    """BDL 7-digit code → the release's code: gmina 7 digits (types 1–3), powiat 4, województwo 2; None for
    Poland, urban and rural parts of urban-rural gminy (4, 5) and Warsaw's districts (8)."""
    if code7 == "0000000":
        return None
    if code7[2:] == "00000":
        return code7[:2]
    if code7[4:] == "000":
        return code7[:4]
    if code7[6] in "123":
        return code7
    return None


def year_columns(path: Path, df: pd.DataFrame, item: str | None = None) -> dict[int, str]:
    """Columns of one item by year, for headers like '<category>;<item>;<year>;[zł]' (``item`` None: every
    column with a year)."""
    cols: dict[int, str] = {}
    for c in df.columns:
        parts = c.replace("\n", ";").split(";")
        if item is not None and (len(parts) < 3 or parts[1].strip() != item):
            continue
        m = _YEAR.search(c)
        if m:
            year = int(m.group(1))
            if year in cols:
                raise RawInputError(f"{path}: two columns for {item or 'the value'} in {year}")
            cols[year] = c
    if not cols:
        raise RawInputError(f"{path}: no year columns{f' for item {item!r}' if item else ''}")
    return cols


def long_rows(
    path: Path, codes: pd.Series, df: pd.DataFrame, cols: dict[int, str], measure: str, source: str
) -> pd.DataFrame:
    """Measure rows (``MEASURE_COLUMNS``) of one item: one row per code and year, missing cells kept as
    ``no_data`` rows."""
    frames = []
    for year, col in sorted(cols.items()):
        v = numbers(path, df[col].reset_index(drop=True), f"{measure} {year}")
        frames.append(
            pd.DataFrame(
                {
                    "measure": measure,
                    "teryt": codes.to_numpy(),
                    "year": year,
                    "value": v.to_numpy(float),
                    "source": source,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["flag"] = np.where(out["value"].isna(), "no_data", "ok")
    out["year"] = out["year"].astype("int64")
    return out[MEASURE_COLUMNS]
