"""Eighth-grade exam results (portal/pipeline/sources/exams_cke.py), recomputed from CKE's raw tables with the
csv module: 2025 against CKE's own gmina table for every gmina, 2021–2024 from the school tables for sampled
gminy, powiaty and województwa."""

from __future__ import annotations

import math
import random
from functools import lru_cache
from pathlib import Path

import pytest

from portal.pipeline.register import RawInputError
from portal.pipeline.sources import exams_cke
from tests.unit.sources._social_raw import RAW, built, context, number, rows, today

FOLDER = RAW / "cke-e8-official-teryt"
INDICATORS = {
    "egzamin-8-polski": "język polski",
    "egzamin-8-matematyka": "matematyka",
    "egzamin-8-angielski": "język angielski",
}
SOURCES = ("population", "exams_cke")


def values():
    return built(tuple(INDICATORS), SOURCES)


@lru_cache(maxsize=1)
def lookup() -> dict[tuple[str, str, int], dict]:
    """{(indicator, teryt, year): {value, flag, numerator, denominator}} of the built values."""
    return values()[["value", "flag", "numerator", "denominator"]].to_dict("index")


@lru_cache(maxsize=8)
def cke_table(path: Path) -> list[dict]:
    """Rows of a CKE table: code and, per subject, (takers, mean or None)."""
    (top, sub), data = rows(path, skip=2)
    cols, block = {}, ""
    for i, (t, s) in enumerate(zip(top, sub, strict=True)):
        block = t.strip().lower() or block
        cols[(block, " ".join(s.split()).lower())] = i
    code = cols[("", "kod teryt gminy")]
    out = []
    for r in data:
        row = {"code": r[code].strip()}
        for subject in INDICATORS.values():
            takers = number(r[cols[(subject, "liczba zdających")]]) or 0.0
            row[subject] = (takers, number(r[cols[(subject, "wynik średni (%)")]]))
        out.append(row)
    return out


def gmina_of(code: str) -> str:
    """A school's or gmina part's code → the gmina (urban and rural parts 4/5 belong to type 3)."""
    return code[:6] + "3" if code[6] in "45" else code


def sums(table: list[dict], key) -> dict[tuple[str, str], list[float]]:
    """{(key(code), subject): [takers with a mean, Σ mean × takers, takers without a mean]}."""
    out: dict[tuple[str, str], list[float]] = {}
    for r in table:
        code = key(r["code"])
        for subject in INDICATORS.values():
            takers, mean = r[subject]
            acc = out.setdefault((code, subject), [0.0, 0.0, 0.0])
            if mean is not None and takers > 0:
                acc[0] += takers
                acc[1] += mean * takers
            else:
                acc[2] += takers
    return out


def test_2025_equals_cke_gmina_table_for_every_gmina_in_it() -> None:
    """REQUIRED: CKE's gmina table, urban and rural part rows added up to the gmina, within 0.05 points."""
    table = cke_table(FOLDER / "E8_gminy_2025.csv")
    assert len(table) == 3105 and {r["code"][6] for r in table} == {"1", "2", "4", "5"}
    per_gmina = sums(table, gmina_of)
    v = lookup()
    compared = 0
    for ind, subject in INDICATORS.items():
        codes = {c for c, s in per_gmina if s == subject}
        # Every gmina of today except the two created on 1 I 2025: CKE's 2025 tables still use the 2024
        # division and count their schools in Kamienica and Supraśl (their own rows here).
        assert len(codes) == 2477 and not codes & {"1207132", "2002162"}
        assert all(math.isnan(v[(ind, c, 2025)]["value"]) for c in ("1207132", "2002162"))
        for code in codes:
            takers, points, _ = per_gmina[(code, subject)]
            row = v[(ind, today(code), 2025)]
            if takers == 0:
                assert math.isnan(row["value"]), (ind, code)  # every part's mean withheld
                continue
            assert abs(row["value"] - points / takers) <= 0.05, (ind, code, row["value"], points / takers)
            assert row["denominator"] == takers  # the pupils the mean is based on
            compared += 1
    assert compared >= 3 * 2470


def test_urban_rural_gmina_2025_adds_its_town_and_rural_rows() -> None:
    table = {r["code"]: r for r in cke_table(FOLDER / "E8_gminy_2025.csv")}
    town, rural = (
        table["0402054"]["matematyka"],
        table["0402055"]["matematyka"],
    )  # Górzno: miasto, obszar wiejski
    expected = (town[0] * town[1] + rural[0] * rural[1]) / (town[0] + rural[0])
    row = lookup()[("egzamin-8-matematyka", "0402053", 2025)]
    assert row["value"] == pytest.approx(expected, abs=1e-9)
    assert row["denominator"] == town[0] + rural[0] == 51


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024])
def test_school_years_recomputed_for_sampled_gminy(year: int) -> None:
    per_gmina = sums(cke_table(FOLDER / f"E8_{year}_SAS.csv"), lambda c: today(gmina_of(c)))
    codes = sorted({c for c, _ in per_gmina})
    sample = {*random.Random(year).sample(codes, 40), "1465011", "1261011", "1218093"}
    v = lookup()
    for code in sample:
        for ind, subject in INDICATORS.items():
            takers, points, withheld = per_gmina.get((code, subject), [0.0, 0.0, 0.0])
            row = v[(ind, code, year)]
            if takers == 0:
                assert math.isnan(row["value"]), (ind, code, year)
                continue
            assert row["value"] == pytest.approx(points / takers, rel=1e-12), (ind, code, year)
            assert row["denominator"] == takers
            share = withheld / (takers + withheld)
            assert row["flag"] == ("partial" if share > exams_cke.PARTIAL_SHARE else "ok"), (ind, code, year)


def test_withheld_small_schools_are_counted_apart_and_mark_the_gmina() -> None:
    """2021: CKE withheld the means of schools with fewer than 10 takers; a gmina whose withheld pupils are
    more than 5% of its takers is flagged partial."""
    per_gmina = sums(cke_table(FOLDER / "E8_2021_SAS.csv"), lambda c: today(gmina_of(c)))
    heavy = [
        c for (c, s), (t, _, w) in per_gmina.items() if s == "matematyka" and t > 0 and w / (t + w) > 0.2
    ]
    assert len(heavy) > 50
    v = lookup()
    assert all(v[("egzamin-8-matematyka", c, 2021)]["flag"] == "partial" for c in heavy)
    withheld = sum(w for (_, s), (_, _, w) in per_gmina.items() if s == "matematyka")
    assert 16_000 < withheld < 18_000  # about 5% of 342,729 takers


@pytest.mark.parametrize("year", [2023, 2024])
def test_powiaty_and_wojewodztwa_are_sums_over_schools(year: int) -> None:
    table = cke_table(FOLDER / f"E8_{year}_SAS.csv")
    v = lookup()
    for n, codes in ((4, ["0201", "1261", "1465", "2263", "3021"]), (2, ["02", "14", "32"])):
        per = sums(table, lambda c, n=n: c[:n])
        for code in codes:
            takers, points, _ = per[(code, "matematyka")]
            row = v[("egzamin-8-matematyka", code, year)]
            assert row["value"] == pytest.approx(points / takers, rel=1e-12), (code, year)
            assert row["denominator"] == takers


def test_national_mean_2025() -> None:
    """CKE's national mean in mathematics 2025 was 50.1% (as PROVENANCE records)."""
    v = values().reset_index()
    woj = v[(v["indicator"] == "egzamin-8-matematyka") & (v["year"] == 2025) & (v["teryt"].str.len() == 2)]
    assert len(woj) == 16
    assert woj["numerator"].sum() / woj["denominator"].sum() == pytest.approx(50.1, abs=0.05)


def test_school_aggregation_agrees_with_cke_gmina_table_2025() -> None:
    """The method of 2021–2024 applied to the 2025 school table: where no school's mean was withheld it
    reproduces CKE's gmina table within 0.05 points for at least 97% of gminy, and the rest differ by less
    than 1.5 points, always with the schools higher (CKE revised some scores after the gmina table)."""
    schools = sums(cke_table(FOLDER / "E8_2025_SAS.csv"), gmina_of)
    gminy = sums(cke_table(FOLDER / "E8_gminy_2025.csv"), gmina_of)
    for subject in INDICATORS.values():
        diffs = []
        for (code, s), (takers, points, withheld) in schools.items():
            g_takers, g_points, _ = gminy[(code, s)]
            if s == subject and withheld == 0 and takers > 0 and g_takers > 0:
                diffs.append(points / takers - g_points / g_takers)
        within = sum(abs(d) <= 0.05 for d in diffs)
        assert len(diffs) > 1900
        assert within / len(diffs) >= 0.97, (subject, within, len(diffs))
        assert all(-0.05 <= d < 1.5 for d in diffs), subject
    report = exams_cke.compare_with_gmina_file(
        exams_cke.per_gmina(exams_cke.read_table(FOLDER / "E8_2025_SAS.csv")),
        exams_cke.per_gmina(exams_cke.read_table(FOLDER / "E8_gminy_2025.csv")),
    )
    assert report["subjects"]["math"]["within_without_withheld"] == 1937


def test_every_gmina_has_a_row_every_year_and_no_code_is_left_out() -> None:
    out = exams_cke.read(context())
    assert "unmatched_codes" not in out.report
    counts = out.measures[out.measures["measure"] == "e8_math_takers"].groupby("year")["teryt"].nunique()
    assert counts.to_dict() == {2021: 2477, 2022: 2477, 2023: 2477, 2024: 2477, 2025: 2479}


def test_a_malformed_table_names_the_file_and_row(tmp_path: Path) -> None:
    text = (FOLDER / "E8_gminy_2025.csv").read_text(encoding="utf-8").splitlines()
    bad = text[2].replace("0401042", "401042X", 1)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([*text[:2], bad, *text[3:5]]), encoding="utf-8")
    with pytest.raises(RawInputError, match=r"bad\.csv: data row 1: 'Kod teryt gminy' '401042X'"):
        exams_cke.read_table(path)
