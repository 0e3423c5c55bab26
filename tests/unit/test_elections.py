"""Turnout from PKW results: gmina values as published, Warsaw and upper levels recomputed from counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portal.catalogue import Catalogue
from portal.config import Settings
from portal.pipeline import FLAGS, VALUE_COLUMNS
from portal.pipeline.elections import TURNOUT_INDICATORS, turnout_values
from portal.pipeline.register import RawInputError, build_register

RAW = Settings.from_env().raw_path
# Copied from data/catalogue.yaml, so the register builds while the catalogue is being edited.
SIZE_CLASSES = [
    {"id": "do-5k", "lower": 0, "upper": 5000, "name": {"pl": "do 5 tys.", "en": "under 5,000"}},
    {"id": "5-10k", "lower": 5000, "upper": 10000, "name": {"pl": "5–10 tys.", "en": "5,000–10,000"}},
    {"id": "10-20k", "lower": 10000, "upper": 20000, "name": {"pl": "10–20 tys.", "en": "10,000–20,000"}},
    {"id": "20-50k", "lower": 20000, "upper": 50000, "name": {"pl": "20–50 tys.", "en": "20,000–50,000"}},
    {"id": "50k-plus", "lower": 50000, "upper": None, "name": {"pl": "powyżej 50 tys.", "en": "over 50,000"}},
]
PRESIDENTIAL_2020 = RAW / "pkw-presidential" / "wyniki_gl_na_kand_po_gminach_utf8__2020.csv"
PRESIDENTIAL_2025_T2 = (
    RAW / "pkw-presidential" / "wyniki_gl_na_kandydatow_po_gminach_w_drugiej_turze_utf8.csv"
)


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    catalogue = Catalogue(areas=[], size_classes=SIZE_CLASSES, indicators=[])
    return build_register(RAW, catalogue)


@pytest.fixture(scope="module")
def turnout(units: pd.DataFrame) -> pd.DataFrame:
    return turnout_values(RAW, units)


def _value(turnout: pd.DataFrame, indicator: str, teryt: str, year: int) -> pd.Series:
    row = turnout[
        (turnout["indicator"] == indicator) & (turnout["teryt"] == teryt) & (turnout["year"] == year)
    ]
    assert len(row) == 1, (indicator, teryt, year)
    return row.iloc[0]


def _counts(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig")
    code_col = "TERYT Gminy" if "TERYT Gminy" in df.columns else "Kod TERYT"
    df = df[df[code_col].notna()]
    return pd.DataFrame(
        {
            "teryt6": df[code_col].str.zfill(6),
            "electorate": df["Liczba wyborców uprawnionych do głosowania"].astype(float),
            "ballots": df["Liczba kart wyjętych z urny"].astype(float),
        }
    )


def test_shape_and_domain(turnout: pd.DataFrame, units: pd.DataFrame) -> None:
    assert list(turnout.columns) == VALUE_COLUMNS
    assert set(turnout["teryt"]) <= set(units["teryt"])
    assert not turnout.duplicated(["indicator", "teryt", "year"]).any()
    assert set(turnout["flag"]) <= set(FLAGS)
    assert turnout["value"].dropna().between(0, 100).all()
    assert turnout.loc[turnout["flag"] == "no_data", "value"].isna().all()
    assert turnout.loc[turnout["flag"] != "no_data", "value"].notna().all()
    assert (turnout["source"] == "PKW").all() and not turnout["synthetic"].any()
    expected = {(i, y) for i, (_, years) in TURNOUT_INDICATORS.items() for y in years}
    assert set(zip(turnout["indicator"], turnout["year"], strict=True)) == expected
    # Coverage is explicit: every unit of the register has one row per indicator and year.
    per_key = turnout.groupby(["indicator", "year"])["teryt"].nunique()
    assert (per_key == len(units)).all()


def test_gmina_values_equal_the_derived_file(turnout: pd.DataFrame) -> None:
    raw = pd.read_csv(RAW / "pkw-turnout" / "frekwencja_long_DERIVED.csv", dtype=str)
    first = raw.iloc[0]  # 020101 (m. Bolesławiec), PE 2019
    assert first["teryt6"] == "020101"
    row = _value(turnout, "frekwencja-pe", "0201011", int(first["year"]))
    assert row["value"] == pytest.approx(float(first["turnout_pct"]))
    assert row["flag"] == "ok"
    for teryt6, indicator, election, year, teryt in [
        ("020102", "frekwencja-pe", "PE", 2019, "0201022"),
        ("126101", "frekwencja-sejm", "Sejm", 2023, "1261011"),
        ("320101", "frekwencja-prezydent-t1", "Prezydent_t1", 2025, "3201011"),
    ]:
        sel = raw[
            (raw["teryt6"].str.zfill(6) == teryt6)
            & (raw["election"] == election)
            & (raw["year"] == str(year))
        ]
        assert _value(turnout, indicator, teryt, year)["value"] == pytest.approx(
            float(sel["turnout_pct"].iloc[0])
        )


def test_warsaw_combines_its_districts(turnout: pd.DataFrame) -> None:
    counts = _counts(PRESIDENTIAL_2025_T2)
    districts = counts[counts["teryt6"].str.match(r"1465(0[2-9]|1\d)")]
    assert len(districts) == 18
    rates = 100 * districts["ballots"] / districts["electorate"]
    row = _value(turnout, "frekwencja-prezydent-t2", "1465011", 2025)
    assert row["flag"] == "ok"
    assert rates.min() <= row["value"] <= rates.max()
    assert row["value"] == pytest.approx(100 * districts["ballots"].sum() / districts["electorate"].sum())
    assert 60 < row["value"] < 95
    # Percentage-only elections weight districts by a presidential electorate: estimated.
    assert _value(turnout, "frekwencja-sejm", "1465011", 2023)["flag"] == "estimated"
    assert 70 < _value(turnout, "frekwencja-sejm", "1465011", 2023)["value"] < 95


@pytest.mark.parametrize(
    ("path", "indicator", "year", "teryt"),
    [
        (PRESIDENTIAL_2020, "frekwencja-prezydent-t2", 2020, "0201"),
        (PRESIDENTIAL_2025_T2, "frekwencja-prezydent-t2", 2025, "1421"),
        (PRESIDENTIAL_2025_T2, "frekwencja-prezydent-t2", 2025, "14"),
    ],
)
def test_presidential_upper_levels_are_electorate_weighted(
    turnout: pd.DataFrame, path: Path, indicator: str, year: int, teryt: str
) -> None:
    counts = _counts(path)
    part = counts[counts["teryt6"].str.startswith(teryt)]
    expected = 100 * part["ballots"].sum() / part["electorate"].sum()
    row = _value(turnout, indicator, teryt, year)
    assert row["value"] == pytest.approx(expected)
    assert row["flag"] == "ok"


def test_sejm_upper_levels_are_estimated_between_gmina_extremes(turnout: pd.DataFrame) -> None:
    sejm = turnout[(turnout["indicator"] == "frekwencja-sejm") & (turnout["year"] == 2019)]
    gminy = sejm[sejm["teryt"].str.len() == 7]
    row = sejm[sejm["teryt"] == "0201"].iloc[0]
    members = gminy[gminy["teryt"].str.startswith("0201")]["value"]
    assert row["flag"] == "estimated"
    assert members.min() < row["value"] < members.max()
    # A city with powiat rights is its own single gmina: same value, no estimate involved.
    assert (
        _value(turnout, "frekwencja-sejm", "1261", 2019)["value"]
        == _value(turnout, "frekwencja-sejm", "1261011", 2019)["value"]
    )
    assert _value(turnout, "frekwencja-sejm", "1261", 2019)["flag"] == "ok"


def test_pe2024_cities_with_powiat_rights_recovered(turnout: pd.DataFrame, units: pd.DataFrame) -> None:
    pe = turnout[(turnout["indicator"] == "frekwencja-pe") & (turnout["year"] == 2024)].set_index("teryt")
    cities = units.loc[(units["level"] == "gmina") & units["mnpp"], "teryt"]
    assert len(cities) == 66
    assert pe.loc[cities, "value"].notna().all()
    assert pe.loc["1261011", "value"] == pytest.approx(
        51.27
    )  # Kraków, row without TERYT in 2024_pe_gminy.csv
    assert pe.loc["1261011", "flag"] == "ok"
    assert pe.loc["1465011", "flag"] == "estimated"  # Warsaw from its districts
    assert (pe.loc[pe.index.str.len() < 7, "flag"] != "no_data").all()


def test_new_gminy_only_in_2025(turnout: pd.DataFrame) -> None:
    for teryt in ("1207132", "2002162"):
        rows = turnout[turnout["teryt"] == teryt]
        assert (rows.loc[rows["year"] < 2025, "flag"] == "no_data").all()
        assert (rows.loc[rows["year"] == 2025, "flag"] == "ok").all()
        assert len(rows[rows["year"] == 2025]) == 2
    # Their parents' earlier values covered their territory, so the powiat is complete, not partial.
    assert _value(turnout, "frekwencja-prezydent-t2", "1207", 2020)["flag"] == "ok"


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "pkw-turnout").mkdir(parents=True)
    (raw / "pkw-presidential").symlink_to(RAW / "pkw-presidential")
    for f in (RAW / "pkw-turnout").iterdir():
        shutil.copy(f, raw / "pkw-turnout" / f.name)
    return raw


@pytest.mark.parametrize(("bad", "message"), [("abc", "is not a number"), ("150.0", "outside 0–100")])
def test_bad_turnout_names_file_and_row(tmp_path: Path, units: pd.DataFrame, bad: str, message: str) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "pkw-turnout" / "frekwencja_long_DERIVED.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",36.84,", f",{bad},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RawInputError, match=rf"frekwencja_long_DERIVED\.csv: row 4: .*{message}"):
        turnout_values(raw, units)


def test_missing_file_and_column(tmp_path: Path, units: pd.DataFrame) -> None:
    raw = _raw_copy(tmp_path)
    path = raw / "pkw-turnout" / "2024_pe_gminy.csv"
    df = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig").drop(columns="Frekwencja")
    df.to_csv(path, sep=";", index=False)
    with pytest.raises(RawInputError, match=r"2024_pe_gminy\.csv: missing columns \['Frekwencja'\]"):
        turnout_values(raw, units)
    path.unlink()
    with pytest.raises(RawInputError, match=r"2024_pe_gminy\.csv: missing raw input file"):
        turnout_values(raw, units)


def test_no_nan_weights(turnout: pd.DataFrame) -> None:
    assert np.isfinite(turnout.loc[turnout["flag"] != "no_data", "value"]).all()
