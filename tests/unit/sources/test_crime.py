"""Offences found by the Police (portal/pipeline/sources/crime.py): GUS's published rates are the values, and
counts over P1336's population reproduce them to within the difference between mid-year and year-end
population. Read from the raw XLSX with openpyxl, not with the pipeline's reader."""

from __future__ import annotations

import random
import statistics
from functools import lru_cache

import openpyxl
import pytest

from tests.unit.sources._social_raw import RAW, built, catalogue, p1336, sources

FILE = RAW / "bdl-crime-powiat-2013-2024" / "przestepstwa_2013-2024.xlsx"
SOURCES = ("population", "crime")
RATE = "przestępstwa stwierdzone przez Policję {} na 1000 mieszkańców"
ROAD = "przeciwko bezpieczeństwu powszechnemu i bezpieczeństwu w komunikacji - drogowe"
CATEGORIES = ("o charakterze kryminalnym", "przeciwko mieniu", ROAD)
INDICATORS = {
    "przestepstwa-na-1000": RATE.format("ogółem"),
    "przestepstwa-kryminalne-na-1000": RATE.format("o charakterze kryminalnym"),
    "przestepstwa-przeciwko-mieniu-na-1000": RATE.format("przeciwko mieniu"),
    "przestepstwa-drogowe-na-1000": RATE.format(ROAD),
    "wykrywalnosc-przestepstw-kryminalnych":
        "wskaźnik wykrywalności sprawców przestępstw stwierdzonych przez Policję - o charakterze kryminalnym",
}


@lru_cache(maxsize=1)
def raw() -> dict[tuple[str, str, int], float | None]:
    """{(7-digit code, series, year): value} of sheet TABLICA."""
    book = openpyxl.load_workbook(FILE, read_only=True)
    try:
        rows = list(book["TABLICA"].iter_rows(values_only=True))
    finally:
        book.close()
    series, years = [], []
    last = None
    for label, year in zip(rows[0][2:], rows[1][2:], strict=True):
        last = label or last
        series.append(last)
        years.append(int(year))
    out = {}
    for row in rows[3:]:
        code = str(row[0]).zfill(7)
        for s, y, cell in zip(series, years, row[2:], strict=True):
            out[(code, s, y)] = None if cell in (None, "-") else float(str(cell).replace(",", "."))
    return out


def release_code(code7: str) -> str:
    return code7[:2] if code7[2:] == "00000" else code7[:4]


@lru_cache(maxsize=1)
def year_end_population() -> dict[tuple[str, int], float]:
    """P1336 population on 31 Dec by (7-digit code, year), 2015–2024."""
    return {(code, year): v for year in range(2015, 2025) for code, v in p1336(year).items()}


def units() -> list[str]:
    return sorted({c for c, _, _ in raw() if c != "0000000"})


def test_checked_figures_and_shape() -> None:
    assert [raw()[("0000000", "o charakterze kryminalnym", y)] for y in (2013, 2014, 2015)] == [
        727_718, 589_147, 522_546]
    assert len(units()) == 396  # 16 województwa and 380 powiaty
    m = sources(*SOURCES).measures
    assert set(m.loc[m["source"] == "bdl-przestepstwa-stwierdzone", "teryt"].str.len()) == {2, 4}


@pytest.mark.parametrize("indicator", list(INDICATORS))
def test_values_are_gus_published_rates_at_both_levels(indicator: str) -> None:
    got = built((indicator,), SOURCES).loc[indicator]
    assert catalogue().by_id[indicator].years == (2014, 2024)
    sample = [c for c in units() if c[2:] == "00000"] + random.Random(indicator).sample(
        [c for c in units() if c[2:] != "00000"], 60)
    for code in sample:
        unit = release_code(code)
        for year in range(2014, 2025):
            published = raw()[(code, INDICATORS[indicator], year)]
            if unit in ("0809", "0862") and year < 2015:
                assert (unit, year) not in got.index  # the rural gmina Zielona Góra moved in 2015
                continue
            assert got.loc[(unit, year), "value"] == published, (unit, year)
            assert got.loc[(unit, year), "flag"] == "ok"
    assert not (got.reset_index()["year"] < 2014).any()  # 2013 included juveniles' acts


def _agreement(population) -> list[float]:
    diffs = []
    for code in units():
        for category in CATEGORIES:
            for year in (*range(2016, 2020), *range(2021, 2025)):
                count = raw()[(code, category, year)]
                published = raw()[(code, RATE.format(category), year)]
                pop = population(code, year)
                if count and published:
                    diffs.append(abs(1000 * count / pop / published - 1))
    return diffs


def test_counts_over_year_end_population_reproduce_the_published_rate_within_two_percent() -> None:
    p = year_end_population()
    diffs = _agreement(lambda code, year: p[(code, year)])
    assert len(diffs) > 9000
    assert max(diffs) < 0.02
    assert sum(d <= 0.01 for d in diffs) / len(diffs) > 0.99
    # GUS divides by the mid-year population: the mean of two year-ends reproduces the rate far better.
    mid = _agreement(lambda code, year: (p[(code, year)] + p[(code, year - 1)]) / 2)
    assert statistics.median(mid) < statistics.median(diffs) / 3
    assert sum(d <= 0.005 for d in mid) / len(mid) > 0.85


def test_counts_are_kept_as_additive_measures() -> None:
    m = sources(*SOURCES).measures.set_index(["measure", "teryt", "year"])["value"]
    assert m[("offences_criminal", "02", 2024)] == raw()[("0200000", "o charakterze kryminalnym", 2024)]
    # A województwo's count is the sum of its powiaty's.
    for w in ("02", "14", "32"):
        powiaty = sum(v for (c, s, y), v in raw().items()
                      if c[:2] == w and c[2:] != "00000" and s == "przeciwko mieniu" and y == 2020)
        assert m[("offences_property", w, 2020)] == powiaty
