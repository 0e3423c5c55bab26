"""PIT shares of every budget (portal/pipeline/sources/pit_shares.py), recomputed from the Ministry of Finance
workbooks (read here with openpyxl, not with the pipeline's reader), and cross-checked with GUS BDL's 2020
per-resident PIT share of gminy."""

from __future__ import annotations

import csv
import random
import statistics

import openpyxl
import pytest

from tests.unit.sources._finance_raw import (
    RAW,
    catalogue,
    context,
    indicator_values,
    number,
    population,
    sources,
)

FOLDER = RAW / "mf-pit-shares-2019-2020"
WORKBOOKS = {
    2019: ("20200214_Gminy_za_2019.xlsx", "20200214_Miasta_NPP_za_2019.xlsx",
           "20200214_Powiaty_za_2019.xlsx", "20200214_Wojewodztwa_za_2019.xlsx"),
    2020: ("20210215_Gminy_2_za_2020.xlsx", "20210215_Miasta_NPP_2_za_2020.xlsx",
           "20210211_Powiaty_za_2020.xlsx", "20210211_Wojewodztwa_za_2020.xlsx"),
}
SOURCES = ("population", "pit_shares")
IDS = {"gmina": "udzial-pit-na-mieszkanca", "powiat": "udzial-pit-powiatu-na-mieszkanca",
       "wojewodztwo": "udzial-pit-wojewodztwa-na-mieszkanca"}


def _rows(name: str) -> list[tuple[str, str, float]]:
    """(TERYT as written in WK PK GK GT without dashes, rozdział, executed revenue) of one workbook."""
    wb = openpyxl.load_workbook(FOLDER / name, read_only=True)
    out = []
    executed = None
    try:
        for row in wb.active.iter_rows(values_only=True):
            cells = ["" if c is None else str(c).strip() for c in row]
            if cells[0] == "WK":
                executed = next(i for i, c in enumerate(cells) if c.lower().startswith("dochody wykonane"))
                continue
            if executed is not None and len(cells[0]) == 2 and cells[0].isdigit():
                code = "".join(c for c in cells[:4] if c != "-")
                out.append((code, cells[8], float(cells[executed])))
    finally:
        wb.close()
    return out


@pytest.fixture(scope="module")
def mf() -> dict[int, dict[str, list[tuple[str, str, float]]]]:
    return {year: dict(zip(("gminy", "mnpp", "powiaty", "wojewodztwa"), map(_rows, files), strict=True))
            for year, files in WORKBOOKS.items()}


def _value(df, teryt: str, year: int) -> float:
    row = df[(df["teryt"] == teryt) & (df["year"] == year)]
    assert len(row) == 1, (teryt, year)
    return float(row["value"].iloc[0])


def test_workbooks_hold_every_budget_once(mf) -> None:
    for year in (2019, 2020):
        for kind, n, chapters in (("gminy", 2411, {"75621"}), ("mnpp", 132, {"75621", "75622"}),
                                  ("powiaty", 314, {"75622"}), ("wojewodztwa", 16, {"75623"})):
            assert len(mf[year][kind]) == n, (year, kind)
            assert {r for _, r, _ in mf[year][kind]} == chapters, (year, kind)
    out = sources(*SOURCES)
    assert out.report["pit_shares"]["unmatched_codes"] == []
    counts = out.report["pit_shares"]["units"]
    for year in (2019, 2020):
        assert counts[f"pit_share_gmina_budget {year}"] == 2477
        assert counts[f"pit_share_powiat_budget {year}"] == 380
        assert counts[f"pit_share_wojewodztwo_budget {year}"] == 16


def test_each_level_is_published_from_its_own_workbook_per_resident(mf) -> None:
    pop = population()
    today = context().units
    rng = random.Random(75621)
    for year in (2019, 2020):
        gminy = indicator_values(IDS["gmina"], *SOURCES)
        # Gminy whose 2019/2020 code is today's code; the others are re-keyed (a type-digit change).
        same = [(c, v) for c, _, v in mf[year]["gminy"] if c in set(today["teryt"])]
        assert len(same) > 2300
        for code, zl in rng.sample(same, 40):
            assert _value(gminy, code, year) == pytest.approx(zl / pop[(code, year)], rel=1e-12), (code, year)
        powiaty = indicator_values(IDS["powiat"], *SOURCES)
        for code, _, zl in rng.sample(mf[year]["powiaty"], 20):
            assert _value(powiaty, code, year) == pytest.approx(zl / pop[(code + "000", year)], rel=1e-12)
        regions = indicator_values(IDS["wojewodztwo"], *SOURCES)
        for code, _, zl in mf[year]["wojewodztwa"]:
            assert _value(regions, code, year) == pytest.approx(zl / pop[(code + "00000", year)], rel=1e-12)
        assert set(gminy.loc[gminy["year"] == year, "teryt"].str.len()) == {7}
        assert set(powiaty.loc[powiaty["year"] == year, "teryt"].str.len()) == {4}
        assert set(regions.loc[regions["year"] == year, "teryt"].str.len()) == {2}


def test_a_city_with_powiat_rights_has_its_gmina_share_as_gmina_and_its_powiat_share_as_powiat(mf) -> None:
    pop = population()
    gminy = indicator_values(IDS["gmina"], *SOURCES)
    powiaty = indicator_values(IDS["powiat"], *SOURCES)
    for year in (2019, 2020):
        city = {(c, r): v for c, r, v in mf[year]["mnpp"]}
        for powiat in ("1261", "1465", "0264", "3262"):  # Kraków, Warszawa, Wrocław, Szczecin
            gmina = powiat + "011"
            assert _value(gminy, gmina, year) == pytest.approx(city[(powiat, "75621")] / pop[(gmina, year)])
            expected = city[(powiat, "75622")] / pop[(powiat + "000", year)]
            assert _value(powiaty, powiat, year) == pytest.approx(expected)
    m = sources(*SOURCES).measures
    for year in (2019, 2020):
        at = m[m["year"] == year]
        gmina_total = sum(v for _, _, v in mf[year]["gminy"]) + sum(v for _, r, v in mf[year]["mnpp"]
                                                                     if r == "75621")
        powiat_total = sum(v for _, _, v in mf[year]["powiaty"]) + sum(v for _, r, v in mf[year]["mnpp"]
                                                                       if r == "75622")
        total = at.groupby("measure")["value"].sum()
        assert total["pit_share_gmina_budget"] == pytest.approx(gmina_total)
        assert total["pit_share_powiat_budget"] == pytest.approx(powiat_total)


def test_cross_check_with_gus_bdl_per_resident_2020() -> None:
    """BDL's 2020 PIT share per resident (P2627, gminy with cities with powiat rights) against the MF amounts.

    Measured (recorded in the indicator's note): our per-resident values are a median 2.1% above BDL's
    (5th–95th percentile −3.9% … +6.0%), because GUS divided by a population estimate made before the 2021
    census revision. With the mean of the pre-revision populations on 31 Dec 2019 (P1336) and 31 Dec 2020
    (P2137 as exported in 2021) as the denominator, the MF amounts reproduce BDL's per-resident values to a
    median 0.13% (95% of gminy within 0.43%): the amounts agree. For cities with powiat rights BDL counts the
    gmina and the powiat share together, which is why the catalogue says so.
    """
    bdl = {}
    with (RAW / "bdl-own-revenue-pit-2020" / "teryt_pit_per_person.csv").open(encoding="utf-8") as f:
        for code, value in csv.reader(f):
            bdl[code.strip().zfill(7)] = float(value)
    pre = {}
    with (RAW / "bdl-exports-2020" / "LUDN_2137_CTAB_20210625164329.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter=";")
        for row in rows:
            pre[row["Kod"].strip().zfill(7)] = number(row["ogółem"])
    # Codes of 2020 and of today differ for a few gminy (type digit): everything meets on the 6-digit prefix.
    pop = {(c[:6], y): v for (c, y), v in population().items() if len(c) == 7 and c[6] in "123"}
    city_pop = {c[:4]: v for (c, y), v in population().items() if y == 2020 and c[4:] == "000"}
    pre = {c[:6]: v for c, v in pre.items() if v is not None and c[6] in "123"}
    gminy = indicator_values(IDS["gmina"], *SOURCES)
    gminy = gminy[gminy["year"] == 2020]
    ours = dict(zip(gminy["teryt"].str[:6], gminy["value"], strict=True))
    powiaty = indicator_values(IDS["powiat"], *SOURCES)
    powiaty = powiaty[powiaty["year"] == 2020]
    powiat_share = {t: v * city_pop[t] for t, v in zip(powiaty["teryt"], powiaty["value"], strict=True)}
    units = context().units
    cities = set(units.loc[(units["level"] == "gmina") & units["mnpp"], "teryt"])
    rel, rel_mid, rel_city = [], [], []
    for code, per_person in bdl.items():
        p = code[:6]
        amount = ours[p] * pop[(p, 2020)]
        mid = (pop[(p, 2019)] + pre[p]) / 2
        if p + "1" in cities:
            rel_city.append((amount + powiat_share[p[:4]]) / mid / per_person - 1)
        else:
            rel.append(ours[p] / per_person - 1)
            rel_mid.append(abs(amount / mid / per_person - 1))
    assert len(rel) == 2411 and len(rel_city) == 66
    assert 0.01 < statistics.median(rel) < 0.03
    assert statistics.median(rel_mid) < 0.002
    assert statistics.quantiles(rel_mid, n=20)[-1] < 0.005  # 95th percentile
    assert statistics.median(abs(r) for r in rel_city) < 0.005  # BDL: gmina + powiat share for these cities


def test_catalogue_entries_are_single_level_and_never_summed() -> None:
    for level, ind_id in IDS.items():
        ind = catalogue().by_id[ind_id]
        assert ind.levels == [level] and ind.years == (2019, 2020)
        assert ind.real is not None and not ind.real.sum_up
        assert ind.source.attribution.startswith("Źródło: Ministerstwo Finansów")
