"""Eighth-grade exam results: schools placed in gminy by locality name, candidate-weighted means."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portal.catalogue import Catalogue
from portal.config import Settings
from portal.pipeline import FLAGS, VALUE_COLUMNS
from portal.pipeline.exams import (
    EXAM_INDICATORS,
    EXAM_YEARS,
    VALIDATION_FILE,
    build_gazetteer,
    exam_values,
    match_locality,
)
from portal.pipeline.register import RawInputError, build_register

RAW = Settings.from_env().raw_path
CKE = RAW / "cke-e8-schools"
# Copied from data/catalogue.yaml, so the register builds while the catalogue is being edited.
SIZE_CLASSES = [
    {"id": "do-5k", "lower": 0, "upper": 5000, "name": {"pl": "do 5 tys.", "en": "under 5,000"}},
    {"id": "5-10k", "lower": 5000, "upper": 10000, "name": {"pl": "5–10 tys.", "en": "5,000–10,000"}},
    {"id": "10-20k", "lower": 10000, "upper": 20000, "name": {"pl": "10–20 tys.", "en": "10,000–20,000"}},
    {"id": "20-50k", "lower": 20000, "upper": 50000, "name": {"pl": "20–50 tys.", "en": "20,000–50,000"}},
    {"id": "50k-plus", "lower": 50000, "upper": None, "name": {"pl": "powyżej 50 tys.", "en": "over 50,000"}},
]
HEADER = (
    "region;public;school;city;polish_candidates;polish_average;math_candidates;math_average;"
    "english_candidates;english_average"
)


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    catalogue = Catalogue(areas=[], size_classes=SIZE_CLASSES, indicators=[])
    return build_register(RAW, catalogue)


@pytest.fixture(scope="module")
def built(units: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    return exam_values(RAW, units)


def _value(values: pd.DataFrame, indicator: str, teryt: str, year: int) -> pd.Series:
    row = values[(values["indicator"] == indicator) & (values["teryt"] == teryt) & (values["year"] == year)]
    assert len(row) == 1, (indicator, teryt, year)
    return row.iloc[0]


def test_shape_and_domain(built: tuple[pd.DataFrame, dict], units: pd.DataFrame) -> None:
    values, _ = built
    assert list(values.columns) == VALUE_COLUMNS
    assert set(values["teryt"]) <= set(units["teryt"])
    assert not values.duplicated(["indicator", "teryt", "year"]).any()
    assert set(values["flag"]) <= set(FLAGS)
    assert values["value"].dropna().between(0, 100).all()
    assert (values.loc[values["flag"] == "no_data", "value"].isna()).all()
    assert (values["source"] == "CKE").all() and not values["synthetic"].any()
    assert set(values["indicator"]) == set(EXAM_INDICATORS)
    assert set(values["year"]) == set(EXAM_YEARS)
    assert (values.groupby(["indicator", "year"])["teryt"].nunique() == len(units)).all()


def test_mazowieckie_validation(built: tuple[pd.DataFrame, dict]) -> None:
    check = built[1]["validation_mazowieckie"]
    assert check["schools"] == 1663
    assert check["precision"] >= 0.95
    assert check["by_kind"]["miejska"]["recall"] >= 0.95
    assert 0 < check["recall"] <= 1


def test_urban_gminy_are_covered(built: tuple[pd.DataFrame, dict]) -> None:
    report = built[1]["years"]
    assert report[2023]["by_kind"]["miejska"]["coverage"] >= 0.9
    for year in EXAM_YEARS:
        r = report[year]
        assert r["matched"] + r["ambiguous"] + r["unmatched"] == r["schools"]
        assert r["schools"] > 10_000


def test_sixteen_voivodeships_from_all_schools(built: tuple[pd.DataFrame, dict]) -> None:
    values = built[0]
    woj = values[(values["teryt"].str.len() == 2) & (values["flag"] == "ok")]
    assert (woj.groupby(["indicator", "year"]).size() == 16).all()
    assert len(woj.groupby(["indicator", "year"])) == len(EXAM_INDICATORS) * len(EXAM_YEARS)
    # Mazowieckie 2023 math over every school of the region, matched or not.
    df = pd.read_csv(CKE / "e8-schools-2023.csv", sep=";", dtype=str, encoding="utf-8-sig")
    df = df[df["region"] == "Mazowieckie"]
    cand = df["math_candidates"].str.replace(",", ".").astype(float)
    avg = df["math_average"].str.replace(",", ".").astype(float)
    ok = avg.notna() & (cand > 0)
    expected = (avg[ok] * cand[ok]).sum() / cand[ok].sum()
    assert _value(values, "egzamin-8-matematyka", "14", 2023)["value"] == pytest.approx(expected)


def test_candidate_weighted_mean_for_one_gmina(built: tuple[pd.DataFrame, dict]) -> None:
    df = pd.read_csv(CKE / "e8-schools-2023.csv", sep=";", dtype=str, encoding="utf-8-sig")
    town = df[(df["region"] == "Dolnośląskie") & (df["city"] == "Bolesławiec")]
    cand = town["math_candidates"].astype(float)
    avg = town["math_average"].str.replace(",", ".").astype(float)
    ok = avg.notna() & (cand > 0)
    assert ok.sum() >= 2
    expected = float(np.sum(avg[ok] * cand[ok]) / np.sum(cand[ok]))
    urban = _value(built[0], "egzamin-8-matematyka", "0201011", 2023)  # Bolesławiec, gmina miejska
    assert urban["value"] == pytest.approx(expected)
    assert urban["flag"] == "ok"
    # The rural gmina of the same name gets none of the town's schools.
    rural = _value(built[0], "egzamin-8-matematyka", "0201022", 2023)
    assert rural["flag"] == "no_data" or rural["value"] != pytest.approx(expected)


def test_warsaw_schools_go_to_the_city(built: tuple[pd.DataFrame, dict]) -> None:
    row = _value(built[0], "egzamin-8-polski", "1465011", 2025)
    assert row["flag"] == "ok" and 50 < row["value"] < 100
    assert _value(built[0], "egzamin-8-polski", "1465", 2025)["value"] == row["value"]


def test_same_kind_namesakes_are_ambiguous_in_real_data(units: pd.DataFrame) -> None:
    gazetteer = build_gazetteer(units[units["level"] == "gmina"])
    assert match_locality("18", "Czarna", gazetteer)[:2] == (None, "ambiguous")  # three rural gminy Czarna
    assert match_locality("18", "Dębica", gazetteer)[:2] == ("1803011", "matched")  # urban beats rural
    assert match_locality("14", "Warszawa", gazetteer)[:2] == ("1465011", "matched")
    assert match_locality("14", "Sucha", gazetteer)[1] == "unmatched"


def _tiny_units() -> pd.DataFrame:
    rows = [
        ("18", "wojewodztwo", "województwo podkarpackie", "wojewodztwo", False),
        ("1801", "powiat", "powiat bieszczadzki", "powiat", False),
        ("1803", "powiat", "powiat dębicki", "powiat", False),
        ("1801032", "gmina", "Czarna", "wiejska", False),
        ("1803032", "gmina", "Czarna", "wiejska", False),
        ("1803011", "gmina", "Dębica", "miejska", False),
        ("1803042", "gmina", "Dębica", "wiejska", False),
    ]
    return pd.DataFrame(rows, columns=["teryt", "level", "name", "kind", "mnpp"])


def _tiny_raw(tmp_path: Path, schools: list[str]) -> Path:
    folder = tmp_path / "raw" / "cke-e8-schools"
    folder.mkdir(parents=True)
    for year in EXAM_YEARS:
        (folder / f"e8-schools-{year}.csv").write_text(
            "\ufeff" + "\n".join([HEADER, *schools]) + "\n", encoding="utf-8"
        )
    (folder / VALIDATION_FILE).write_text("Kod teryt gminy,Miejscowość\n1803011,Dębica\n", encoding="utf-8")
    return tmp_path / "raw"


def test_ambiguous_school_is_dropped(tmp_path: Path) -> None:
    raw = _tiny_raw(
        tmp_path,
        [
            "Podkarpackie;Tak;SP 1;Czarna;10;60,0;10;50,0;10;70,0",
            "Podkarpackie;Tak;SP 2;Dębica;30;40,0;30;40,0;30;40,0",
            "Podkarpackie;Tak;SP 3;DĘBICA;10;80,0;10;80,0;10;80,0",
            "Podkarpackie;Tak;SP 4;Pustków;10;20,0;10;20,0;;",
        ],
    )
    values, report = exam_values(raw, _tiny_units())
    r = report["years"][2023]
    assert (r["matched"], r["ambiguous"], r["unmatched"]) == (2, 1, 1)
    math = values[(values["indicator"] == "egzamin-8-matematyka") & (values["year"] == 2023)].set_index(
        "teryt"
    )
    assert math.loc["1801032", "flag"] == "no_data" and math.loc["1803032", "flag"] == "no_data"
    assert math.loc["1803011", "value"] == pytest.approx((30 * 40 + 10 * 80) / 40)
    assert math.loc["1803", "flag"] == "partial"
    # The województwo counts every school, the ambiguous and unmatched ones too.
    assert math.loc["18", "value"] == pytest.approx((10 * 50 + 30 * 40 + 10 * 80 + 10 * 20) / 60)
    # Dębica is not in Mazowieckie: nothing matched there, so no precision and zero recall.
    assert report["validation_mazowieckie"]["precision"] is None
    assert report["validation_mazowieckie"]["recall"] == 0


def test_non_numeric_average_names_file_and_row(tmp_path: Path, units: pd.DataFrame) -> None:
    folder = tmp_path / "raw" / "cke-e8-schools"
    folder.mkdir(parents=True)
    for f in CKE.iterdir():
        (folder / f.name).symlink_to(f)
    target = folder / "e8-schools-2023.csv"
    target.unlink()
    lines = (CKE / "e8-schools-2023.csv").read_text(encoding="utf-8-sig").splitlines()
    fields = lines[5].split(";")
    fields[7] = "n/a"  # math_average
    lines[5] = ";".join(fields)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        RawInputError, match=r"e8-schools-2023\.csv: row 6: math_average 'n/a' is not a number"
    ):
        exam_values(tmp_path / "raw", units)


def test_missing_column_and_region(tmp_path: Path) -> None:
    raw = _tiny_raw(tmp_path, ["Podkarpackie;Tak;SP 2;Dębica;30;40,0;30;40,0;30;40,0"])
    path = raw / "cke-e8-schools" / "e8-schools-2021.csv"
    path.write_text("region;city;math_average\nPodkarpackie;Dębica;40\n", encoding="utf-8")
    with pytest.raises(RawInputError, match=r"e8-schools-2021\.csv: missing columns"):
        exam_values(raw, _tiny_units())
    path.write_text(HEADER + "\nAtlantyda;Tak;SP;Dębica;1;1;1;1;1;1\n", encoding="utf-8")
    with pytest.raises(RawInputError, match=r"e8-schools-2021\.csv: row 2: region 'Atlantyda'"):
        exam_values(raw, _tiny_units())
