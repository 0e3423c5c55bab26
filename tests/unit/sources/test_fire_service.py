"""State Fire Service interventions (portal/pipeline/sources/fire_service.py): rows matched to gminy on code
and name, recomputed from the raw XLSX (openpyxl) and P1336's CSV, not with the pipeline's readers."""

from __future__ import annotations

import random
from functools import lru_cache

import openpyxl
import pytest

from tests.unit.sources._social_raw import RAW, built, context, p1336, sources

FILE = RAW / "psp-interventions-2023-2024" / "fire_incidents.xlsx"
SOURCES = ("population", "fire_service")
INDICATORS = {"interwencje-psp-na-1000": "Ogółem zdarzeń", "pozary-na-1000": "Pożary",
              "miejscowe-zagrozenia-na-1000": "Miejscowe zagrożenia"}


@lru_cache(maxsize=1)
def rows() -> list[dict]:
    book = openpyxl.load_workbook(FILE, read_only=True)
    try:
        data = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    header = data[0]
    return [{**dict(zip(header, r, strict=True)), "code": str(r[0]).zfill(6)} for r in data[1:]]


@lru_cache(maxsize=1)
def population() -> dict[tuple[str, int], float]:
    """P1336 by (6-digit prefix for gminy, 4 or 2 digits above, year), 2023–2024."""
    out = {}
    for year in (2023, 2024):
        for code, v in p1336(year).items():
            key = code[:2] if code[2:] == "00000" else code[:4] if code[4:] == "000" else code[:6]
            if len(key) < 6 or code[6] in "123":  # not the urban and rural parts (4, 5) or districts (8)
                out[(key, year)] = v
    return out


def total(selected: list[dict], label: str, year: int) -> float:
    return sum(r[f"{label} rok {year}"] for r in selected)


def built_indicator(indicator: str):
    """The indicator as the build writes it (``real_values``: levels, years and flags of the catalogue)."""
    return built((indicator,), SOURCES).loc[indicator]


def test_raw_rows_add_up_and_match_the_checked_shape() -> None:
    assert len(rows()) == 2535
    for r in rows():
        for y in (2023, 2024):
            assert r[f"Ogółem zdarzeń rok {y}"] == (r[f"Pożary rok {y}"] + r[f"Miejscowe zagrożenia rok {y}"]
                                                    + r[f"Alarmy fałszywe rok {y}"])
    assert total(rows(), "Ogółem zdarzeń", 2023) == 485_841


def test_match_report() -> None:
    report = sources(*SOURCES).report["fire_service"]
    assert report["rows_by_match"] == {"exact": 2477, "part": 38, "ambiguous": 14, "parent2025": 4,
                                       "unmatched": 2}
    assert report["row_match_rate"] == pytest.approx(2519 / 2535, abs=1e-4)
    assert report["gminy_with_a_value"] == report["gminy_2023_2024"] == 2477
    assert [r.split(" (")[0] for r in report["ambiguous_non_zero_rows"]] == [
        "060303 Sawin", "100102 Kleszczów", "320907 Mielno"]


@pytest.mark.parametrize("indicator", list(INDICATORS))
def test_gminy_recomputed_from_their_own_row(indicator: str) -> None:
    label = INDICATORS[indicator]
    got = built_indicator(indicator)
    units = context().units
    gminy = units[units["level"] == "gmina"].set_index("teryt")["name"]
    by_key = {(r["code"], r["Gmina"]): r for r in rows()}
    exact = [g for g in gminy.index if (g[:6], gminy[g]) in by_key
             and sum(1 for r in rows() if r["code"] == g[:6]) == 1]
    assert len(exact) > 2400
    for g in random.Random(indicator).sample(exact, 60):
        r = by_key[(g[:6], gminy[g])]
        for y in (2023, 2024):
            expected = 1000 * r[f"{label} rok {y}"] / population()[(g[:6], y)]
            assert got.loc[(g, y), "value"] == pytest.approx(expected, rel=1e-12), (g, y)
            assert got.loc[(g, y), "flag"] in ("ok", "zero")


def test_city_districts_are_summed_into_the_city_and_2025_parts_into_the_parent() -> None:
    got = built_indicator("interwencje-psp-na-1000")
    for city in ("1465011", "1261011", "1061011", "0264011", "3064011"):
        districts = [r for r in rows() if r["code"][:4] == city[:4]]
        assert len(districts) > 1
        expected = 1000 * total(districts, "Ogółem zdarzeń", 2023) / population()[(city[:6], 2023)]
        assert got.loc[(city, 2023), "value"] == pytest.approx(expected, rel=1e-12)
    assert total([r for r in rows() if r["code"][:4] == "1465"], "Ogółem zdarzeń", 2023) == 20_214
    m = sources(*SOURCES).measures.set_index(["measure", "teryt", "year"])["value"]
    # Supraśl (Grabówka split off in 2025): 70 + 30 + 15 + 0; Kamienica (Szczawa): 73 + 32.
    assert m[("psp_events", "2002093", 2023)] == 115
    assert m[("psp_events", "1207052", 2023)] == 105
    assert not m.index.get_level_values("teryt").isin(["2002162", "1207132"]).any()


def test_ambiguous_rows_are_not_given_to_a_gmina_but_counted_in_the_powiat() -> None:
    got = built_indicator("interwencje-psp-na-1000")
    # 060303 'Sawin': the code of the rural gmina Chełm, the name of Sawin (2 events in 2023, 1 in 2024).
    for g in ("0603032", "0603102"):
        assert got.loc[(g, 2023), "flag"] == got.loc[(g, 2024), "flag"] == "partial"
    own = next(r for r in rows() if r["code"] == "060310" and r["Gmina"] == "Sawin")
    assert got.loc[("0603102", 2023), "value"] == pytest.approx(
        1000 * own["Ogółem zdarzeń rok 2023"] / population()[("060310", 2023)])
    # 320907 'Mielno' (5 events in 2023, none in 2024): incomplete in 2023 only.
    assert got.loc[("3209053", 2023), "flag"] == "partial" and got.loc[("3209053", 2024), "flag"] == "ok"
    # Every powiat holds all rows coded in it (cross-powiat rows are all zero), ambiguous ones included.
    for p in ("0603", "1001", "3209", "1465", "0221"):
        expected = total([r for r in rows() if r["code"][:4] == p], "Ogółem zdarzeń", 2024)
        assert got.loc[(p, 2024), "value"] == pytest.approx(1000 * expected / population()[(p, 2024)])
        assert got.loc[(p, 2024), "flag"] == "ok"


def test_wojewodztwa_hold_every_row() -> None:
    got = built_indicator("pozary-na-1000")
    for w in sorted({r["code"][:2] for r in rows()}):
        for y in (2023, 2024):
            expected = total([r for r in rows() if r["code"][:2] == w], "Pożary", y)
            rate = 1000 * expected / population()[(w, y)]
            assert got.loc[(w, y), "value"] == pytest.approx(rate, rel=1e-12)
            assert got.loc[(w, y), "flag"] == "ok"
