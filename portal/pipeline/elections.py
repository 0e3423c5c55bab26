"""Real turnout values from PKW results: gminy of 2025, aggregated to powiaty and województwa.

Sources (``raw/pkw-turnout`` and ``raw/pkw-presidential``; see their PROVENANCE.txt):

* ``frekwencja_long_DERIVED.csv`` – turnout in % per PKW 6-digit gmina code for every election; the gmina
  values are taken from it unchanged (flag ``ok``).
* ``2024_pe_gminy.csv`` – the derived file lacks the 65 cities with powiat rights in the 2024 European
  election (their rows carry no TERYT, only the city's name in ``Powiat``); they are recovered by matching
  that name to the city with powiat rights of the same województwo. Warsaw is present as districts.
* ``pkw-presidential/*.csv`` – electorate and ballots taken from the box per gmina for the three presidential
  rounds; presidential turnout of Warsaw, powiaty and województwa is computed exactly from them as
  Σ ballots / Σ electorate (flag ``ok``).

Sejm and European elections come only as percentages, so every combination of gminy (Warsaw's 18 districts,
powiaty, województwa) is a weighted mean of gmina turnouts, weighted by the electorate of the nearest
presidential election (2020 round 2 for 2019 elections, 2025 round 1 for 2023 and 2024). The electorate of a
nearby year is much closer to the true denominator than total population (which counts children, whose share
differs a lot between suburbs and ageing rural gminy), yet it is not the same register: these values carry the
flag ``estimated``.

Warsaw appears in PKW results as districts 146502–146519; they are combined into the gmina Warszawa (1465011).
Abroad and ships (powiat codes 98/99) are dropped. Szczawa (1207132) and Grabówka (2002162) exist since
1 January 2025: before that their territory voted within Kamienica and Supraśl, whose values cover it, so the
new gminy get ``no_data`` rows for earlier elections and the aggregates above them count as complete.
Every gmina of the 2025 register without a result gets an explicit ``no_data`` row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from portal.pipeline import VALUE_COLUMNS
from portal.pipeline.register import NEW_GMINY_2025, RawInputError, fold

SOURCE = "PKW"
# indicator id → (election label in the derived file, years)
TURNOUT_INDICATORS: dict[str, tuple[str, tuple[int, ...]]] = {
    "frekwencja-sejm": ("Sejm", (2019, 2023)),
    "frekwencja-pe": ("PE", (2019, 2024)),
    "frekwencja-prezydent-t2": ("Prezydent_t2", (2020, 2025)),
    "frekwencja-prezydent-t1": ("Prezydent_t1", (2025,)),
}
PRESIDENTIAL_FILES: dict[tuple[str, int], str] = {
    ("Prezydent_t2", 2020): "wyniki_gl_na_kand_po_gminach_utf8__2020.csv",
    ("Prezydent_t1", 2025): "wyniki_gl_na_kandydatow_po_gminach_utf8.csv",
    ("Prezydent_t2", 2025): "wyniki_gl_na_kandydatow_po_gminach_w_drugiej_turze_utf8.csv",
}
# Which presidential round's electorate weights the percentage-only elections of a year.
WEIGHT_ROUND: dict[int, tuple[str, int]] = {
    2019: ("Prezydent_t2", 2020),
    2023: ("Prezydent_t1", 2025),
    2024: ("Prezydent_t1", 2025),
}
WARSAW_GMINA = "1465011"
WARSAW_DISTRICTS = {f"1465{d:02d}" for d in range(2, 20)}
ELECTORATE = "Liczba wyborców uprawnionych do głosowania"
BALLOTS = "Liczba kart wyjętych z urny"
ABROAD = {"zagranica", "statki"}
# PKW spells województwa in lower case without the word "województwo".
VOIVODESHIPS = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}


def turnout_values(raw: Path, units: pd.DataFrame) -> pd.DataFrame:
    """Turnout (%) of the four turnout indicators for every gmina, powiat and województwo of ``units``.

    Returns a values table (``portal.pipeline.VALUE_COLUMNS``), sorted by indicator, year, teryt.
    Raises ``RawInputError`` naming the file and row when an input is missing or malformed.
    """
    raw = Path(raw)
    gminy = units[units["level"] == "gmina"]
    to_unit = _prefix_to_unit(gminy)
    long = _read_long(raw / "pkw-turnout" / "frekwencja_long_DERIVED.csv")
    pe2024 = _recover_pe2024_cities(raw / "pkw-turnout" / "2024_pe_gminy.csv", gminy, long)
    long = pd.concat([long, pe2024], ignore_index=True)
    counts = {
        key: _read_presidential(raw / "pkw-presidential" / name, gminy)
        for key, name in PRESIDENTIAL_FILES.items()
    }

    frames = []
    for indicator, (election, years) in TURNOUT_INDICATORS.items():
        for year in years:
            part = long[(long["election"] == election) & (long["year"] == year)]
            presidential = counts.get((election, year))
            weights = _weights(counts[WEIGHT_ROUND[year]], year) if presidential is None else None
            frames.append(_one_election(indicator, year, part, presidential, weights, gminy, units, to_unit))
    out = pd.concat(frames, ignore_index=True)[VALUE_COLUMNS]
    return out.sort_values(["indicator", "year", "teryt"]).reset_index(drop=True)


def _prefix_to_unit(gminy: pd.DataFrame) -> dict[str, str]:
    mapping = dict(zip(gminy["teryt"].str[:6], gminy["teryt"], strict=True))
    for district in WARSAW_DISTRICTS:
        mapping[district] = WARSAW_GMINA
    return mapping


def _read_long(path: Path) -> pd.DataFrame:
    df = _read(path, ["teryt6", "election", "year", "turnout_pct"], sep=",")
    df["teryt6"] = df["teryt6"].str.strip().str.zfill(6)
    bad_code = ~df["teryt6"].str.fullmatch(r"\d{6}", na=False)
    _fail_on(path, df, bad_code, "teryt6", "is not a 6-digit TERYT code")
    year = pd.to_numeric(df["year"], errors="coerce")
    _fail_on(path, df, year.isna(), "year", "is not a year")
    df["year"] = year.astype(int)
    df["turnout"] = _percent(path, df, "turnout_pct")
    df = df[~df["teryt6"].str[2:4].isin(["98", "99"])]
    return df[["teryt6", "election", "year", "turnout"]]


def _recover_pe2024_cities(path: Path, gminy: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """The 2024 European election rows of cities with powiat rights, which PKW exported without TERYT."""
    df = _read(path, ["TERYT Gminy", "Gmina", "Powiat", "Województwo", "Frekwencja"])
    cities = df[df["TERYT Gminy"].isna() & df["Gmina"].isna() & ~df["Powiat"].isin(ABROAD)]
    cities = cities[cities["Województwo"].notna()]
    codes = _city_codes(path, cities, gminy)
    turnout = _percent(path, cities, "Frekwencja", decimal_comma=True)
    out = pd.DataFrame({"teryt6": codes, "election": "PE", "year": 2024, "turnout": turnout.to_numpy()})
    known = set(long.loc[(long["election"] == "PE") & (long["year"] == 2024), "teryt6"])
    return out[~out["teryt6"].isin(known)].reset_index(drop=True)


def _city_codes(path: Path, rows: pd.DataFrame, gminy: pd.DataFrame) -> list[str]:
    """6-digit codes of cities with powiat rights named in ``Powiat`` (rows without TERYT in PKW exports)."""
    woj = {fold(name): code for code, name in VOIVODESHIPS.items()}
    mnpp = gminy[gminy["mnpp"]]
    by_name = {(fold(n), t[:2]): t[:6] for n, t in zip(mnpp["name"], mnpp["teryt"], strict=True)}
    codes = []
    for idx, row in rows.iterrows():
        key = (fold(str(row["Powiat"])), woj.get(fold(str(row["Województwo"]))))
        if key not in by_name:
            raise RawInputError(
                f"{path}: row {idx + 2}: city '{row['Powiat']}' ({row['Województwo']}) without TERYT matches "
                "no city with powiat rights"
            )
        codes.append(by_name[key])
    return codes


def _read_presidential(path: Path, gminy: pd.DataFrame) -> pd.DataFrame:
    """Electorate and ballots taken from the box per PKW 6-digit code (abroad and ships dropped)."""
    df = _read(path, ["Gmina", "Powiat", "Województwo", ELECTORATE, BALLOTS])
    code_col = next((c for c in ("TERYT Gminy", "Kod TERYT") if c in df.columns), None)
    if code_col is None:
        raise RawInputError(f"{path}: missing column 'TERYT Gminy' / 'Kod TERYT'")
    code = df[code_col].str.strip().str.zfill(6)
    abroad = df["Powiat"].isin(ABROAD) | code.str[2:4].isin(["98", "99"])
    df = df[~abroad].copy()
    code = code[~abroad]
    # 2025 round 1 exports cities with powiat rights without TERYT and without Gmina; the name is in Powiat.
    nameless = code.isna()
    if nameless.any():
        code = code.copy()
        code[nameless] = _city_codes(path, df[nameless], gminy)
    bad = ~code.str.fullmatch(r"\d{6}", na=False)
    _fail_on(path, df, bad, code_col, "is not a 6-digit TERYT code")
    out = pd.DataFrame({"teryt6": code.to_numpy()})
    for col, name in ((ELECTORATE, "electorate"), (BALLOTS, "ballots")):
        values = pd.to_numeric(df[col].str.replace(" ", "", regex=False), errors="coerce")
        _fail_on(path, df, values.isna() | (values < 0), col, "is not a non-negative number")
        out[name] = values.to_numpy(float)
    _fail_on(
        path,
        df,
        pd.Series(out["ballots"].to_numpy() > out["electorate"].to_numpy(), index=df.index),
        BALLOTS,
        "exceeds the electorate",
    )
    dup = out["teryt6"].duplicated()
    if dup.any():
        raise RawInputError(f"{path}: TERYT {out.loc[dup, 'teryt6'].iloc[0]} appears twice")
    return out


def electorate_2025(raw: Path, gminy: pd.DataFrame) -> dict[str, float]:
    """Electorate per PKW 6-digit gmina code in the first round of the 2025 presidential election."""
    counts = _read_presidential(Path(raw) / "pkw-presidential" / PRESIDENTIAL_FILES[("Prezydent_t1", 2025)], gminy)
    return dict(zip(counts["teryt6"], counts["electorate"], strict=True))


def _weights(counts: pd.DataFrame, year: int) -> pd.Series:
    """Electorate per PKW code used to weight the percentage-only elections of ``year``."""
    w = counts.set_index("teryt6")["electorate"].copy()
    if year < 2025:
        # Before 2025 the new gminy voted within their parents: the parent's electorate includes them.
        for child, parent in NEW_GMINY_2025.items():
            if child[:6] in w.index and parent[:6] in w.index:
                w[parent[:6]] += w.pop(child[:6])
    return w


def _one_election(
    indicator: str,
    year: int,
    part: pd.DataFrame,
    presidential: pd.DataFrame | None,
    weights: pd.Series | None,
    gminy: pd.DataFrame,
    units: pd.DataFrame,
    to_unit: dict[str, str],
) -> pd.DataFrame:
    part = part.drop_duplicates("teryt6")
    part = part.assign(unit=part["teryt6"].map(to_unit)).dropna(subset=["unit"])
    if presidential is not None:
        num = presidential.assign(unit=presidential["teryt6"].map(to_unit)).dropna(subset=["unit"])
        num = num.groupby("unit")[["electorate", "ballots"]].sum()
        exact = True
    else:
        num = part.assign(electorate=part["teryt6"].map(weights))
        if num["electorate"].isna().any():
            missing = num.loc[num["electorate"].isna(), "teryt6"].iloc[0]
            raise RawInputError(f"no electorate weight for PKW code {missing} ({indicator} {year})")
        num["ballots"] = num["turnout"] / 100 * num["electorate"]
        num = num.groupby("unit")[["electorate", "ballots"]].sum()
        exact = False

    rows = []
    single = part[part["unit"] != WARSAW_GMINA].set_index("unit")["turnout"]
    for unit, value in single.items():
        rows.append((unit, float(value), "ok"))
    if WARSAW_GMINA in num.index and (part["unit"] == WARSAW_GMINA).any():
        w = num.loc[WARSAW_GMINA]
        rows.append((WARSAW_GMINA, 100 * w["ballots"] / w["electorate"], "ok" if exact else "estimated"))
    gmina_values = pd.DataFrame(rows, columns=["teryt", "value", "flag"])

    # Gminy without a result: explicit no_data rows.
    absent = sorted(set(gminy["teryt"]) - set(gmina_values["teryt"]))
    gmina_values = pd.concat(
        [gmina_values, pd.DataFrame({"teryt": absent, "value": np.nan, "flag": "no_data"})], ignore_index=True
    )

    # Upper levels from the gmina numerators and denominators actually present.
    expected = set(gminy["teryt"])
    if year < 2025:
        expected -= set(NEW_GMINY_2025)
    present = num[num.index.isin(set(gmina_values.loc[gmina_values["flag"] != "no_data", "teryt"]))]
    gmina_flag = gmina_values.set_index("teryt")["flag"]
    upper_rows = []
    for level, width in (("powiat", 4), ("wojewodztwo", 2)):
        key = present.index.str[:width]
        sums = present.groupby(key)[["electorate", "ballots"]].sum()
        expected_by = pd.Series(sorted(expected)).str[:width].value_counts()
        have_by = pd.Series(present.index).str[:width].value_counts()
        for code in units.loc[units["level"] == level, "teryt"]:
            if code not in sums.index or sums.loc[code, "electorate"] <= 0:
                upper_rows.append((code, np.nan, "no_data"))
                continue
            value = 100 * sums.loc[code, "ballots"] / sums.loc[code, "electorate"]
            complete = have_by.get(code, 0) >= expected_by.get(code, 0)
            # A city with powiat rights is its own single gmina: its value is the gmina's, weights cancel.
            single_ok = have_by.get(code, 0) == 1 and gmina_flag.get(present.index[key == code][0]) == "ok"
            flag = "partial" if not complete else ("ok" if exact or single_ok else "estimated")
            upper_rows.append((code, float(value), flag))
    values = pd.concat(
        [gmina_values, pd.DataFrame(upper_rows, columns=["teryt", "value", "flag"])], ignore_index=True
    )
    values["indicator"] = indicator
    values["year"] = year
    values["synthetic"] = False
    values["source"] = SOURCE
    return values


def _read(path: Path, required: list[str], sep: str = ";") -> pd.DataFrame:
    if not path.exists():
        raise RawInputError(f"{path}: missing raw input file")
    try:
        df = pd.read_csv(
            path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
        )
    except Exception as exc:
        raise RawInputError(f"{path}: cannot be parsed as CSV: {exc}") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise RawInputError(f"{path}: missing columns {missing}")
    return df


def _percent(path: Path, df: pd.DataFrame, col: str, decimal_comma: bool = False) -> pd.Series:
    text = df[col].str.strip()
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    _fail_on(path, df, values.isna(), col, "is not a number")
    _fail_on(path, df, (values < 0) | (values > 100), col, "is outside 0–100")
    return values.astype(float)


def _fail_on(path: Path, df: pd.DataFrame, bad: pd.Series, col: str, what: str) -> None:
    """Raise naming the first offending row as a 1-based line of the file (header = line 1)."""
    bad = bad.to_numpy(bool) if hasattr(bad, "to_numpy") else np.asarray(bad, bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        row = df.index[i]
        raise RawInputError(f"{path}: row {row + 2}: {col} '{df[col].iloc[i]}' {what}")
