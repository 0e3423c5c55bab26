"""Real eighth-grade exam results (CKE, egzamin ósmoklasisty) per gmina, powiat and województwo, 2021–2025.

The CKE school tables (``raw/cke-e8-schools/e8-schools-<year>.csv``) name each school's locality and
województwo but carry no TERYT code, so schools are placed in gminy by name:

* the locality is compared with the names of the 2025 gminy of the school's województwo, both folded
  (lower case, no diacritics, single spaces, no spaces around hyphens);
* one gmina of that name → that gmina; several → the town lies in the urban gmina (kind 1, e.g. Bolesławiec
  miejska next to Bolesławiec wiejska), or in the urban-rural one (kind 3) when there is no urban one;
  two gminy of the same kind (or two rural ones) → the school is dropped as ambiguous;
* a locality that is not the name of a gmina (most villages) stays unmatched.

So towns are covered almost completely, while a rural or urban-rural gmina is represented only by the schools
of its seat locality when it bears the gmina's name. Values and flags follow from that:

* gmina – candidate-weighted mean of the matched schools' mean scores, Σ(average × candidates) / Σ candidates;
  flag ``ok`` for urban gminy (kind miejska, incl. cities with powiat rights), ``partial`` for rural and
  urban-rural ones, whose village schools are mostly not matched;
* powiat – the same mean over the matched schools of its gminy: ``ok`` for cities with powiat rights (one
  urban gmina), ``partial`` for the other powiaty (leaning towards town schools);
* województwo – over all schools of the region (matched or not), flag ``ok``.

Schools whose result is suppressed (empty average) do not count for that subject. Every gmina and powiat
without a value gets a ``no_data`` row. The matching is checked against an independent list of Mazowieckie
schools with official gmina codes (``wyniki_testow_2025_mazowieckie_fixed.csv``); precision and recall go
into the match report.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline import VALUE_COLUMNS
from portal.pipeline.register import RawInputError, fold

SOURCE = "CKE"
EXAM_YEARS = (2021, 2022, 2023, 2024, 2025)
# indicator id → subject key (column prefix in the CKE tables)
EXAM_INDICATORS: dict[str, str] = {
    "egzamin-8-matematyka": "math",
    "egzamin-8-polski": "polish",
    "egzamin-8-angielski": "english",
}
GMINA_KINDS = ("miejska", "wiejska", "miejsko-wiejska")
VALIDATION_FILE = "wyniki_testow_2025_mazowieckie_fixed.csv"


def exam_values(raw: Path, units: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Exam results of the three subjects for 2021–2025, and a report on how schools were matched to gminy.

    Returns (values table with ``portal.pipeline.VALUE_COLUMNS``, report). The report holds, per year, the
    count of schools, matched, ambiguous and unmatched, and per gmina kind the matched and ambiguous schools
    and the gminy covered out of all gminy of that kind; under ``"validation_mazowieckie"`` the precision and
    recall of the matching against official gmina codes. Raises ``RawInputError`` naming the file and row.
    """
    folder = Path(raw) / "cke-e8-schools"
    gminy = units[units["level"] == "gmina"]
    gazetteer = build_gazetteer(gminy)
    regions = _region_codes(units)
    kind_of = dict(zip(gminy["teryt"], gminy["kind"], strict=True))

    frames = []
    report: dict = {"years": {}}
    for year in EXAM_YEARS:
        path = folder / f"e8-schools-{year}.csv"
        schools = read_schools(path, regions)
        matched = match_localities(schools["woj"], schools["city"], gazetteer)
        schools = pd.concat([schools, matched], axis=1)
        report["years"][year] = _year_report(schools, gminy, kind_of)
        for indicator, subject in EXAM_INDICATORS.items():
            frames.append(_subject_values(indicator, year, subject, schools, units, kind_of))
    report["validation_mazowieckie"] = validate_mazowieckie(folder / VALIDATION_FILE, gazetteer)
    values = pd.concat(frames, ignore_index=True)[VALUE_COLUMNS]
    return values.sort_values(["indicator", "year", "teryt"]).reset_index(drop=True), report


def normalise(name: str) -> str:
    """Fold a locality or gmina name for comparison: 'Golub - Dobrzyń ' → 'golub-dobrzyn'."""
    text = fold(str(name)).strip()
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text)


def build_gazetteer(gminy: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(województwo code, normalised gmina name) → [(teryt, kind), ...] for the gminy of the register."""
    gazetteer: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for teryt, name, kind in zip(gminy["teryt"], gminy["name"], gminy["kind"], strict=True):
        gazetteer.setdefault((teryt[:2], normalise(name)), []).append((teryt, kind))
    return gazetteer


def match_locality(woj: str, city: str, gazetteer: dict) -> tuple[str | None, str, str | None]:
    """(gmina teryt or None, status 'matched'|'ambiguous'|'unmatched', kind) for one school's locality."""
    candidates = gazetteer.get((woj, normalise(city)), [])
    if not candidates:
        return None, "unmatched", None
    if len(candidates) == 1:
        teryt, kind = candidates[0]
        return teryt, "matched", kind
    for preferred in ("miejska", "miejsko-wiejska"):
        of_kind = [c for c in candidates if c[1] == preferred]
        if len(of_kind) == 1:
            return of_kind[0][0], "matched", preferred
        if len(of_kind) > 1:
            return None, "ambiguous", preferred
    kinds = {c[1] for c in candidates}
    return None, "ambiguous", kinds.pop() if len(kinds) == 1 else None


def match_localities(woj: pd.Series, city: pd.Series, gazetteer: dict) -> pd.DataFrame:
    """Vectorised ``match_locality``: columns gmina, status, kind, on the index of ``city``."""
    rows = [match_locality(w, c, gazetteer) for w, c in zip(woj, city, strict=True)]
    return pd.DataFrame(rows, columns=["gmina", "status", "kind"], index=city.index)


def read_schools(path: Path, regions: dict[str, str]) -> pd.DataFrame:
    """One year's school table with numeric candidates and averages and the województwo code in ``woj``."""
    subjects = list(EXAM_INDICATORS.values())
    required = ["region", "city"] + [f"{s}_{c}" for s in subjects for c in ("candidates", "average")]
    df = _read(path, required, sep=";")
    woj = df["region"].map(lambda r: regions.get(normalise(r)) if isinstance(r, str) else None)
    _fail_on(path, df, woj.isna(), "region", "is not a województwo")
    _fail_on(path, df, df["city"].isna(), "city", "is empty")
    out = pd.DataFrame({"woj": woj, "city": df["city"].str.strip()}, index=df.index)
    for subject in subjects:
        cand = _number(path, df, f"{subject}_candidates")
        avg = _number(path, df, f"{subject}_average")
        _fail_on(path, df, cand < 0, f"{subject}_candidates", "is negative")
        _fail_on(path, df, (avg < 0) | (avg > 100), f"{subject}_average", "is outside 0–100")
        out[f"{subject}_candidates"] = cand
        out[f"{subject}_average"] = avg
    return out


def validate_mazowieckie(path: Path, gazetteer: dict) -> dict:
    """Precision and recall of locality matching against official gmina codes of Mazowieckie schools.

    precision = matched schools placed in the right gmina / matched schools; recall = schools placed in the
    right gmina / all schools. Codes are compared on their 6-digit prefix (the type digit of urban-rural
    gminy is 4/5 for town/rural part there). Also per kind of the true gmina (from the file's prefix).
    """
    df = _read(path, ["Kod teryt gminy", "Miejscowość"], sep=",")
    code = df["Kod teryt gminy"].str.strip()
    _fail_on(path, df, ~code.str.fullmatch(r"\d{7}", na=False), "Kod teryt gminy", "is not a 7-digit code")
    matched = match_localities(pd.Series("14", index=df.index), df["Miejscowość"].fillna(""), gazetteer)
    is_matched = matched["status"] == "matched"
    correct = is_matched & (matched["gmina"].str[:6] == code.str[:6])
    kinds = {t[:6]: k for entries in gazetteer.values() for t, k in entries}
    true_kind = code.str[:6].map(kinds)
    by_kind = {}
    for kind in GMINA_KINDS:
        sel = true_kind == kind
        n, m, c = int(sel.sum()), int((sel & is_matched).sum()), int((sel & correct).sum())
        by_kind[kind] = {"schools": n, "matched": m, "correct": c, "recall": c / n if n else None}
    n_matched = int(is_matched.sum())
    return {
        "schools": len(df),
        "matched": n_matched,
        "correct": int(correct.sum()),
        "ambiguous": int((matched["status"] == "ambiguous").sum()),
        "precision": int(correct.sum()) / n_matched if n_matched else None,
        "recall": int(correct.sum()) / len(df) if len(df) else None,
        "by_kind": by_kind,
    }


def _region_codes(units: pd.DataFrame) -> dict[str, str]:
    woj = units[units["level"] == "wojewodztwo"]
    return {
        normalise(n.removeprefix("województwo ")): t for t, n in zip(woj["teryt"], woj["name"], strict=True)
    }


def _year_report(schools: pd.DataFrame, gminy: pd.DataFrame, kind_of: dict[str, str]) -> dict:
    status = schools["status"]
    out: dict = {
        "schools": len(schools),
        "matched": int((status == "matched").sum()),
        "ambiguous": int((status == "ambiguous").sum()),
        "unmatched": int((status == "unmatched").sum()),
        "by_kind": {},
    }
    covered = set(schools.loc[status == "matched", "gmina"])
    for kind in GMINA_KINDS:
        total = int((gminy["kind"] == kind).sum())
        n_cov = sum(1 for t in covered if kind_of[t] == kind)
        out["by_kind"][kind] = {
            "schools_matched": int(((status == "matched") & (schools["kind"] == kind)).sum()),
            "schools_ambiguous": int(((status == "ambiguous") & (schools["kind"] == kind)).sum()),
            "gminy_covered": n_cov,
            "gminy_total": total,
            "coverage": n_cov / total if total else None,
        }
    return out


def _subject_values(
    indicator: str, year: int, subject: str, schools: pd.DataFrame, units: pd.DataFrame, kind_of: dict
) -> pd.DataFrame:
    cand, avg = schools[f"{subject}_candidates"], schools[f"{subject}_average"]
    usable = cand.gt(0) & avg.notna()
    s = pd.DataFrame({"gmina": schools["gmina"], "woj": schools["woj"], "cand": cand, "points": avg * cand})[
        usable
    ]

    rows = []
    by_gmina = s.dropna(subset=["gmina"]).groupby("gmina")[["points", "cand"]].sum()
    for teryt, r in by_gmina.iterrows():
        rows.append((teryt, r["points"] / r["cand"], "ok" if kind_of[teryt] == "miejska" else "partial"))
    by_powiat = by_gmina.groupby(by_gmina.index.str[:4])[["points", "cand"]].sum()
    for teryt, r in by_powiat.iterrows():
        mnpp = int(teryt[2:4]) >= 61
        rows.append((teryt, r["points"] / r["cand"], "ok" if mnpp else "partial"))
    by_woj = s.groupby("woj")[["points", "cand"]].sum()
    for teryt, r in by_woj.iterrows():
        rows.append((teryt, r["points"] / r["cand"], "ok"))
    values = pd.DataFrame(rows, columns=["teryt", "value", "flag"])

    absent = sorted(set(units["teryt"]) - set(values["teryt"]))
    values = pd.concat(
        [values, pd.DataFrame({"teryt": absent, "value": np.nan, "flag": "no_data"})], ignore_index=True
    )
    values["indicator"] = indicator
    values["year"] = year
    values["synthetic"] = False
    values["source"] = SOURCE
    return values


def _read(path: Path, required: list[str], sep: str) -> pd.DataFrame:
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(
            path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
        )
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise RawInputError(f"{path}: missing columns {missing}")
    return df


def _number(path: Path, df: pd.DataFrame, col: str) -> pd.Series:
    """A decimal-comma column as float; empty cells (suppressed results) become NaN, anything else fails."""
    text = df[col].str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    _fail_on(path, df, values.isna() & text.notna() & text.ne(""), col, "is not a number")
    return values.astype(float)


def _fail_on(path: Path, df: pd.DataFrame, bad: pd.Series, col: str, what: str) -> None:
    """Raise naming the first offending row as a 1-based line of the file (header = line 1)."""
    flags = bad.fillna(False).to_numpy(bool)
    if flags.any():
        i = int(np.flatnonzero(flags)[0])
        raise RawInputError(f"{path}: row {df.index[i] + 2}: {col} '{df[col].iloc[i]}' {what}")
