"""Investment spending of gmina budgets (portal/pipeline/sources/investment_spending.py), recomputed from the
raw BDL export."""

from __future__ import annotations

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

FILE = RAW / "bdl-investment-spending-2015-2024" / "FINA_2633_CTAB_20260608160916.csv"
SOURCES = ("population", "investment_spending")
ITEM = "wydatki majątkowe inwestycyjne"


@pytest.fixture(scope="module")
def raw():
    return wide(FILE)


def test_poland_and_krakow_are_the_checked_figures(raw) -> None:
    assert raw[("0000000", ITEM, 2024)] == 60_254_138_722.47
    m = sources(*SOURCES).measures
    y2024 = m[(m["measure"] == "gmina_investment_spending") & (m["year"] == 2024)]
    # Every gmina of 2024 is matched to a unit of today, so the gminy add up to Poland's row.
    assert y2024["value"].sum() == pytest.approx(60_254_138_722.47, abs=1.0)
    assert float(y2024.loc[y2024["teryt"] == "1261011", "value"].iloc[0]) == pytest.approx(804_592_800.05)


def test_per_resident_values_recomputed_for_sampled_gminy(raw) -> None:
    gminy = sorted(set(context().units.loc[context().units["level"] == "gmina", "teryt"]))
    stable = [c for c in gminy if all(raw.get((c, ITEM, y)) for y in range(2015, 2025))]
    assert len(stable) > 2300
    sample = sorted({*random.Random(2633).sample(stable, 40), "1261011", "1465011"})
    got = indicator_values("wydatki-inwestycyjne-na-mieszkanca", *SOURCES)
    pop = population()
    for code in sample:
        for year in range(2015, 2025):
            row = got[(got["teryt"] == code) & (got["year"] == year)]
            expected = raw[(code, ITEM, year)] / pop[(code, year)]
            assert float(row["value"].iloc[0]) == pytest.approx(expected, rel=1e-12), (code, year)
            assert row["flag"].iloc[0] == "ok"


def test_a_gmina_whose_code_changed_has_one_series() -> None:
    # Pieszyce: 0202031 in 2015, 0202033 from 2016 (type digit changed); today 0202033.
    raw = wide(FILE)
    got = indicator_values("wydatki-inwestycyjne-na-mieszkanca", *SOURCES)
    pieszyce = got[got["teryt"] == "0202033"].set_index("year")["value"]
    assert list(pieszyce.index) == list(range(2015, 2025))
    # P1336 keys Pieszyce's 2015 population by the old code too.
    assert pieszyce[2015] == pytest.approx(raw[("0202031", ITEM, 2015)] / population()[("0202031", 2015)])
    assert pieszyce[2016] == pytest.approx(raw[("0202033", ITEM, 2016)] / population()[("0202033", 2016)])


def test_missing_report_is_no_data_and_ostrowice_is_reported() -> None:
    got = indicator_values("wydatki-inwestycyjne-na-mieszkanca", *SOURCES)
    bog = got[(got["teryt"] == "0221011") & (got["year"] == 2019)]
    assert bog["flag"].tolist() == ["no_data"]  # exported as 0,00 with every P2622 item 0: a missing report
    report = sources(*SOURCES).report["investment_spending"]
    assert report == {"unmatched_codes": ["3203042"], "unreported_gmina_years": ["0221011 2019"]}


def test_published_for_gminy_only(raw) -> None:
    m = sources(*SOURCES).measures
    assert set(m.loc[m["measure"] == "gmina_investment_spending", "teryt"].str.len()) == {7}
    ind = catalogue().by_id["wydatki-inwestycyjne-na-mieszkanca"]
    assert ind.levels == ["gmina"] and ind.real is not None and ind.years == (2015, 2024)
    # The export's powiat rows are the sums of its gminy (so not the powiat's budget), as PROVENANCE says.
    for powiat in ("0201", "1261", "2469"):
        gminy = sum(v for (c, _, y), v in raw.items() if c[:4] == powiat and c[6] in "123" and y == 2024)
        assert raw[(powiat + "000", ITEM, 2024)] == pytest.approx(gminy, abs=0.01)
