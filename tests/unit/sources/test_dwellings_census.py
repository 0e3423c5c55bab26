"""NSP 2021 dwellings per 1,000 residents (portal/pipeline/sources/dwellings_census.py), recomputed from the
raw census export and the population on 31 Dec 2021."""

from __future__ import annotations

import random

import pytest

from tests.unit.sources._finance_raw import (
    RAW,
    catalogue,
    indicator_values,
    population,
    release_code,
    sources,
    wide,
)

FILE = RAW / "census-2021-dwellings" / "GOSP_2166_CTAB_20260511201617.csv"
SOURCES = ("population", "dwellings_census")
ID = "mieszkania-nsp-2021-na-1000"


@pytest.fixture(scope="module")
def raw() -> dict[str, float]:
    return {code: v for (code, _, year), v in wide(FILE).items() if year == 2021 and v is not None}


def test_poland_total_and_every_level_adds_up_to_it(raw) -> None:
    assert raw["0000000"] == 15_359_507
    m = sources(*SOURCES).measures
    d = m[m["measure"] == "dwellings_nsp2021"]
    for n, count in ((2, 16), (4, 380), (7, 2477)):
        level = d[d["teryt"].str.len() == n]
        assert len(level) == count
        assert level["value"].sum() == 15_359_507
    assert sources(*SOURCES).report["dwellings_census"]["unmatched_codes"] == []


def test_values_recomputed_at_every_level_with_the_population_of_31_december_2021(raw) -> None:
    got = indicator_values(ID, *SOURCES)
    pop = population()
    codes = [c for c in raw if c != "0000000" and (c[6] in "0123")]
    sample = [*random.Random(2166).sample(codes, 60), "1261011", "1261000", "1200000", "1465011", "0218032"]
    # The export has the gmina codes of 2021 (a type digit changed since for some): today's code by prefix.
    today = {t[:6]: t for t in got["teryt"] if len(t) == 7}
    for code in sample:
        teryt = today[code[:6]] if code[6] in "123" else release_code(code)
        row = got[(got["teryt"] == teryt) & (got["year"] == 2021)]
        expected = 1000 * raw[code] / pop[(code, 2021)]
        assert float(row["value"].iloc[0]) == pytest.approx(expected, rel=1e-12), code
    # Every unit of every level has a value, and nothing for other years.
    assert got.groupby(got["teryt"].str.len())["value"].count().to_dict() == {2: 16, 4: 380, 7: 2477}
    assert set(got["year"]) == {2021}


def test_urban_and_rural_parts_and_warsaw_districts_are_not_units() -> None:
    m = sources(*SOURCES).measures
    d = m[m["measure"] == "dwellings_nsp2021"]
    assert not d["teryt"].str.fullmatch(r"\d{6}[4589]").any()


def test_named_as_the_2021_census_to_tell_it_from_the_yearly_stock() -> None:
    ind = catalogue().by_id[ID]
    assert "2021" in ind.name.pl and "Spis" in ind.name.pl and "census" in ind.name.en
    assert ind.years == (2021, 2021) and ind.levels == ["gmina", "powiat", "wojewodztwo"]
    assert "31 XII 2021" in ind.formula.denominator.pl
