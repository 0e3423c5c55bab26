"""Rodzina 500+ in 2019 (portal/pipeline/sources/rodzina500.py), recomputed from the raw BDL exports with the
csv module: sampled gminy, powiaty as sums of their gminy, national totals."""

from __future__ import annotations

import random
from functools import lru_cache

import pytest

from portal.pipeline.register import RawInputError
from portal.pipeline.sources import rodzina500
from tests.unit.sources._social_raw import RAW, built, number, p1336, rows, today

EXPORT = RAW / "bdl-500plus-2019" / "OCHR_3803_CREL_20210124132209.csv"
AGE = RAW / "bdl-population-age-2010-2019" / "ludnosc.csv"
INDICATORS = (
    "rodzina-500-dzieci-na-1000-0-17",
    "rodzina-500-rodziny-na-1000",
    "rodzina-500-wydatki-na-mieszkanca",
)
SOURCES = ("population", "rodzina500")
H2 = (
    "przeciętna miesięczna liczba dzieci, na które rodziny otrzymują świadczenie wychowawcze "
    "w okresie od 1 lipca"
)
H1_FAMILIES = (
    "przeciętna miesięczna liczba rodzin otrzymujących świadczenie wychowawcze w okresie od 1 stycznia"
)
SPENDING = "wydatki na świadczenia wychowawcze"


@lru_cache(maxsize=1)
def lookup() -> dict[tuple[str, str, int], dict]:
    return built(INDICATORS, SOURCES)[["value", "flag", "numerator", "denominator"]].to_dict("index")


@lru_cache(maxsize=1)
def export() -> dict[tuple[str, str], float]:
    """{(gmina code of 2019, variable prefix): value} for the three variables the indicators use."""
    _, data = rows(EXPORT)
    out = {}
    for r in data:
        for prefix in (H2, H1_FAMILIES, SPENDING):
            if r[2].startswith(prefix):
                out[(r[0], prefix)] = number(r[4])
    return out


@lru_cache(maxsize=1)
def aged_0_17_2019() -> dict[str, float]:
    header, data = rows(AGE)
    col = header[0].index("w wieku przedprodukcyjnym;ogółem;2019;[osoba]")
    return {r[0].zfill(7): float(r[col]) for r in data if r[0].zfill(7)[6] in "123" and r[col].strip()}


def test_every_gmina_of_2019_has_the_three_variables() -> None:
    codes = {c for c, _ in export()}
    assert len(codes) == 2477
    assert all(export()[(c, p)] is not None for c in codes for p in (H2, H1_FAMILIES, SPENDING))
    assert sum(export()[(c, H2)] for c in codes) == 6_070_400


def test_sampled_gminy_recomputed() -> None:
    codes = sorted({c for c, _ in export()})
    sample = {*random.Random(3803).sample(codes, 40), "1465011", "0201011", "0201022"}
    # P1336 carries codes of a later division: match gminy on the 6-digit prefix.
    population = {c[:6]: v for c, v in p1336(2019).items() if c[6] in "123"}
    v = lookup()
    for code in sample:  # codes of 2019; the release has today's (a type digit may have changed)
        children = v[("rodzina-500-dzieci-na-1000-0-17", today(code), 2019)]
        assert children["numerator"] == export()[(code, H2)]
        assert children["denominator"] == aged_0_17_2019()[code]
        assert children["value"] == pytest.approx(
            1000 * export()[(code, H2)] / aged_0_17_2019()[code], rel=1e-12
        )
        families = v[("rodzina-500-rodziny-na-1000", today(code), 2019)]
        assert families["value"] == pytest.approx(
            1000 * export()[(code, H1_FAMILIES)] / population[code[:6]], rel=1e-12
        )
        spending = v[("rodzina-500-wydatki-na-mieszkanca", today(code), 2019)]
        assert spending["value"] == pytest.approx(
            export()[(code, SPENDING)] / population[code[:6]], rel=1e-12
        )
        assert {children["flag"], families["flag"], spending["flag"]} == {"ok"}


@pytest.mark.parametrize("powiat", ["0201", "1261", "1465", "2212", "3006"])
def test_powiaty_are_sums_of_their_gminy(powiat: str) -> None:
    gminy = [c for c, p in export() if p == SPENDING and c.startswith(powiat)]
    spending = sum(export()[(c, SPENDING)] for c in gminy)
    children = sum(export()[(c, H2)] for c in gminy)
    aged = sum(aged_0_17_2019()[c] for c in gminy)
    v = lookup()
    assert v[("rodzina-500-wydatki-na-mieszkanca", powiat, 2019)]["value"] == pytest.approx(
        spending / p1336(2019)[powiat + "000"], rel=1e-12
    )
    assert v[("rodzina-500-dzieci-na-1000-0-17", powiat, 2019)]["value"] == pytest.approx(
        1000 * children / aged, rel=1e-12
    )


def test_national_totals() -> None:
    v = lookup()
    woj = [k for k in v if k[0] == "rodzina-500-wydatki-na-mieszkanca" and len(k[1]) == 2]
    assert len(woj) == 16
    assert sum(v[k]["numerator"] for k in woj) == 30_505_245_208  # zł, 2019
    assert sum(v[k]["denominator"] for k in woj) == p1336(2019)["0000000"]


def test_wrong_unit_or_variable_names_the_row(tmp_path) -> None:
    text = EXPORT.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([text[0], text[1], text[4].replace('"zł"', '"tys. zł"')]), encoding="utf-8")
    with pytest.raises(RawInputError, match=r"bad\.csv: row 3: unit of measure"):
        rodzina500.read_export(path)
