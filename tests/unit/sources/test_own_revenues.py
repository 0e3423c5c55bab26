"""Own revenues of gmina budgets (portal/pipeline/sources/own_revenues.py), recomputed from the raw BDL
exports."""

from __future__ import annotations

import math
import random

import pytest

from tests.unit.sources._finance_raw import (
    RAW,
    catalogue,
    context,
    indicator_values,
    population,
    sources,
    wide,
)

FOLDER_2010 = RAW / "bdl-own-revenues-2010-2019"
FILE_2015 = RAW / "bdl-own-revenues-2015-2024" / "FINA_2622_CTAB_20260608161005.csv"
TAX = "dochody podatkowe - podatek"
ITEMS = {
    "podatek-nieruchomosci-na-mieszkanca": f"{TAX} od nieruchomości",
    "podatek-rolny-na-mieszkanca": f"{TAX} rolny",
    "podatek-lesny-na-mieszkanca": f"{TAX} leśny",
    "podatek-od-srodkow-transportowych-na-mieszkanca": f"{TAX} od środków transportowych",
    "karta-podatkowa-na-mieszkanca": f"{TAX} od działalności gospodarczej osób fizycznych, opłacany w formie "
                                     "karty podatkowej",
    "dochody-z-majatku-na-mieszkanca": "dochody z majątku",
    "dochody-z-najmu-i-dzierzawy-na-mieszkanca": "dochody z majątku - dochody z najmu i dzierżawy składników "
                                                 "majątkowych JST oraz innych umów o podobnym charakterze",
    "dofinansowanie-inwestycji-na-mieszkanca": "pozostałe dochody - środki na dofinansowanie własnych zadań "
                                               "pozyskane z innych źródeł - inwestycyjne",
}
GMINA_BUDGET_IDS = [*ITEMS, "dochody-wlasne-na-mieszkanca", "podatek-nieruchomosci-udzial"]
SOURCES = ("population", "own_revenues")


@pytest.fixture(scope="module")
def first():
    return wide(FOLDER_2010 / "dochody.csv")


@pytest.fixture(scope="module")
def second():
    return wide(FILE_2015)


@pytest.fixture(scope="module")
def sample(first, second) -> list[str]:
    """30 gminy whose code is the same in both exports, 2010–2024, and today; plus Kraków."""
    today = set(context().units.loc[context().units["level"] == "gmina", "teryt"])
    stable = sorted(
        c for c in today
        if all(first.get((c, "razem", y)) for y in range(2010, 2020))
        and all(second.get((c, "razem", y)) for y in range(2015, 2025))
    )
    assert len(stable) > 2000
    return sorted({*random.Random(2622).sample(stable, 30), "1261011"})


def _value(df, teryt: str, year: int) -> float:
    row = df[(df["teryt"] == teryt) & (df["year"] == year)]
    assert len(row) == 1, (teryt, year)
    return float(row["value"].iloc[0])


def test_the_two_exports_of_the_total_agree_2015_2019_within_1_zl_for_every_gmina(first, second) -> None:
    # The first export has codes of each year's division, the second those of 2026: a type-digit change
    # keeps the first six digits, so the two meet on (6-digit prefix, year).
    a = {(c[:6], y): v for (c, item, y), v in first.items() if item == "razem" and y >= 2015 and v is not None
         and c[6] in "123"}
    b = {(c[:6], y): v for (c, item, y), v in second.items() if v is not None and c[6] in "123"}
    both = sorted(set(a) & set(b))
    assert len(both) == 4 * 2478 + 2477  # Ostrowice existed until 2018
    worst = max(abs(a[k] - b[k]) for k in both)
    assert worst <= 1.0, worst
    # Nothing on one side only: every gmina-year of 2015–2019 is in both exports.
    assert set(a) == set(b) & {k for k in b if k[1] <= 2019}


def test_krakow_2010_own_revenue_is_the_checked_figure() -> None:
    m = sources(*SOURCES).measures
    krakow = m[(m["measure"] == "gmina_own_revenue") & (m["teryt"] == "1261011") & (m["year"] == 2010)]
    assert float(krakow["value"].iloc[0]) == pytest.approx(2_143_185_921, abs=1)
    value = _value(indicator_values("dochody-wlasne-na-mieszkanca", *SOURCES), "1261011", 2010)
    assert value == pytest.approx(2_143_185_921 / population()[("1261011", 2010)], rel=1e-12)


def test_own_revenue_per_resident_recomputed_for_sampled_gminy_2010_2024(first, second, sample) -> None:
    got = indicator_values("dochody-wlasne-na-mieszkanca", *SOURCES)
    pop = population()
    for code in sample:
        for year in range(2010, 2025):
            zl = first[(code, "razem", year)] if year < 2015 else second[(code, "razem", year)]
            assert _value(got, code, year) == pytest.approx(zl / pop[(code, year)], rel=1e-12), (code, year)


@pytest.mark.parametrize("indicator_id", list(ITEMS))
def test_item_per_resident_recomputed_for_sampled_gminy_2010_2019(indicator_id, first, sample) -> None:
    got = indicator_values(indicator_id, *SOURCES)
    ind = catalogue().by_id[indicator_id]
    pop = population()
    checked = 0
    for code in sample:
        for year in ind.year_list:
            zl = first[(code, ITEMS[indicator_id], year)]
            assert zl is not None, (code, year)
            assert _value(got, code, year) == pytest.approx(zl / pop[(code, year)], rel=1e-12, abs=1e-12)
            checked += 1
    assert checked == len(sample) * len(ind.year_list)


def test_property_tax_share_recomputed_and_negative_net_revenue_left_out(first, second, sample) -> None:
    got = indicator_values("podatek-nieruchomosci-udzial", *SOURCES)
    item = ITEMS["podatek-nieruchomosci-na-mieszkanca"]
    for code in sample:
        for year in range(2010, 2020):
            total = first[(code, "razem", year)] if year < 2015 else second[(code, "razem", year)]
            expected = 100 * first[(code, item, year)] / total
            assert _value(got, code, year) == pytest.approx(expected, rel=1e-12)
    negative = sorted((c, y) for (c, it, y), v in first.items() if it == item and v is not None and v < 0)
    assert negative == [("0613052", 2016), ("2012022", 2018), ("2410042", 2015), ("2410062", 2015),
                        ("2415092", 2015)]
    per_resident = indicator_values("podatek-nieruchomosci-na-mieszkanca", *SOURCES)
    for code, year in negative:
        row = got[(got["teryt"] == code) & (got["year"] == year)]
        assert math.isnan(float(row["value"].iloc[0])) and row["flag"].iloc[0] == "no_data"
        assert _value(per_resident, code, year) < 0  # the negative amount stays in the per-resident value
    assert got["value"].dropna().between(0, 100).all()


def test_tax_card_is_empty_in_2010_and_2011_and_so_starts_in_2012(first) -> None:
    item = ITEMS["karta-podatkowa-na-mieszkanca"]
    assert all(v is None for (c, it, y), v in first.items() if it == item and y in (2010, 2011))
    assert catalogue().by_id["karta-podatkowa-na-mieszkanca"].years == (2012, 2019)


def test_cofinancing_exported_twice_holds_the_same_numbers(first) -> None:
    mangled = wide(FOLDER_2010 / "dochody_inwestycyjne.csv", encoding="latin-1")
    item = ITEMS["dofinansowanie-inwestycji-na-mieszkanca"]
    clean = {(c, y): v for (c, it, y), v in first.items() if it == item}
    assert {(c, y): v for (c, _, y), v in mangled.items()} == clean
    assert len(clean) == 2521 * 10


def test_a_missing_report_exported_as_zero_is_no_data(first, second) -> None:
    # Boguszów-Gorce 2019: every item 0 in BDL, own revenue included – no budget has no own revenue.
    assert first[("0221011", "razem", 2019)] == 0 and second[("0221011", "razem", 2019)] == 0
    assert sources(*SOURCES).report["own_revenues"]["unreported_gmina_years"] == ["0221011 2019"]
    for ind in GMINA_BUDGET_IDS:
        got = indicator_values(ind, *SOURCES)
        row = got[(got["teryt"] == "0221011") & (got["year"] == 2019)]
        assert row["flag"].tolist() == ["no_data"], ind


def test_codes_of_units_that_no_longer_exist_are_reported() -> None:
    report = sources(*SOURCES).report["own_revenues"]
    # The rural gmina Zielona Góra (joined to the city in 2015) and Ostrowice (divided in 2019).
    assert report["unmatched_codes_2010_2019"] == ["0809102", "3203042"]
    assert report["unmatched_codes_2015_2024"] == ["3203042"]
    # Wałbrzych changed its code (same territory) when it became a city with powiat rights in 2013.
    m = sources(*SOURCES).measures
    walbrzych = m[(m["measure"] == "gmina_own_revenue") & (m["teryt"] == "0265011")]
    assert sorted(walbrzych["year"]) == list(range(2010, 2025))
    assert float(walbrzych[walbrzych["year"] == 2010]["value"].iloc[0]) == pytest.approx(192_110_748.4)


def test_gmina_budget_values_are_published_for_gminy_only() -> None:
    m = sources(*SOURCES).measures
    mine = m[m["source"].str.startswith("bdl-p2622")]
    assert set(mine["teryt"].str.len()) == {7}
    for ind in GMINA_BUDGET_IDS:
        assert catalogue().by_id[ind].levels == ["gmina"], ind
        assert not catalogue().by_id[ind].real.sum_up, ind


def test_powiat_rows_of_the_2015_export_are_sums_of_gminy_not_budgets(second) -> None:
    # Why they are not used: they hold nothing but the sums of the gminy.
    for powiat in ("1206", "1261", "3002"):
        for year in (2015, 2024):
            gminy = sum(v for (c, _, y), v in second.items()
                        if c[:4] == powiat and c[6] in "123" and y == year and v is not None)
            assert second[(powiat + "000", "razem", year)] == pytest.approx(gminy, abs=0.01)
