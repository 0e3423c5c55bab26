"""Nurseries and children's clubs (portal/pipeline/sources/nurseries.py): the placing of register entries in
gminy (same-named gminy, renamed gminy, city districts, ambiguity reported), checked against the institutions'
coordinates, and sampled gminy and powiaty recomputed from the raw register with the csv module."""

from __future__ import annotations

import random
import statistics
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import pytest

from portal.pipeline.register import NEW_GMINY_2025, fold
from portal.pipeline.sources import nurseries
from tests.unit.sources._social_raw import RAW, built, context, number, p1336, rows

FOLDER = RAW / "nursery-register-2024-2025"
FILES = {2024: "22052024-RZ-instytucje.csv", 2025: "17092025-RZ-instytucje.csv"}
INDICATORS = ("zlobki-miejsca-na-1000-mieszkancow", "zlobki-oblozenie", "zlobki-oplata-mediana")
SOURCES = ("population", "nurseries")


@lru_cache(maxsize=1)
def lookup() -> dict[tuple[str, str, int], dict]:
    return built(INDICATORS, SOURCES)[["value", "flag", "numerator", "denominator"]].to_dict("index")


@lru_cache(maxsize=1)
def output():
    return nurseries.read(context())


@lru_cache(maxsize=1)
def gazetteer() -> nurseries.Gazetteer:
    return nurseries.Gazetteer(RAW, context().units, context().changes)


def key(text: str) -> str:
    return " ".join(fold(text).replace(" - ", "-").split())


@lru_cache(maxsize=2)
def register(year: int) -> list[dict]:
    """The snapshot's institutions: woj, powiat, gmina (folded names), places, enrolled, fee, suspended."""
    (header,), data = rows(FOLDER / FILES[year])
    col = {h: i for i, h in enumerate(header)}
    out = []
    for r in data:
        if year == 2024:
            woj, powiat, gmina, _ = r[col["Lokalizacja instytucji"]].split(" > ", 3)
            powiat = powiat.removeprefix("Powiat ")
            fee = r[col[next(h for h in col if h.startswith("Opłata miesięczna"))]]
            suspended = r[col["Czy podmiot prowadzący zawiesił działalność gospodarczą?"]]
        else:
            woj, powiat, gmina = r[col["Województwo"]], r[col["Powiat"]], r[col["Gmina"]]
            fee = r[col[next(h for h in col if h.startswith("Podstawowa opłata"))]]
            suspended = r[col["Czy podmiot prowadzący zawiesił działalność instytucji opieki?"]]
        out.append(
            {
                "woj": key(woj),
                "powiat": key(powiat),
                "gmina": key(gmina),
                "places": number(r[col["Liczba miejsc"]]),
                "enrolled": number(r[col["Liczba dzieci zapisanych"]]),
                "fee": number(fee),
                "suspended": suspended == "TAK",
            }
        )
    return out


def test_match_rates_and_ambiguity_reported() -> None:
    snaps = output().report["snapshots"]
    assert set(snaps) == {"2024-05-22", "2025-01-01", "2025-09-17"}
    assert snaps["2024-05-22"]["institutions"] == 5712
    assert snaps["2024-05-22"]["match_rate_institutions"] >= 0.998
    assert snaps["2024-05-22"]["match_rate_places"] >= 0.998
    for date in ("2025-01-01", "2025-09-17"):
        assert snaps[date]["match_rate_institutions"] == snaps[date]["match_rate_places"] == 1.0
    missed = snaps["2024-05-22"]["not_matched"]
    assert {m["status"] for m in missed} == {"ambiguous"}
    assert {tuple(m["candidates"]) for m in missed} == {
        ("2805011", "2805022"),
        ("0607011", "0607052"),
        ("1207021", "1207092"),
    }  # Ełk, Kraśnik, Mszana Dolna
    # Their possible gminy are flagged for 2024, and only for 2024.
    v = lookup()
    assert v[("zlobki-miejsca-na-1000-mieszkancow", "2805011", 2024)]["flag"] == "partial"
    assert v[("zlobki-miejsca-na-1000-mieszkancow", "2805011", 2025)]["flag"] == "ok"


@pytest.mark.parametrize(
    ("woj", "powiat", "gmina", "locality", "expected", "how"),
    [
        ("DOLNOŚLĄSKIE", "bolesławiecki", "Bolesławiec", "Bolesławiec, miasto", "0201011", "name+locality"),
        ("DOLNOŚLĄSKIE", "bolesławiecki", "Bolesławiec", "Kozłów, wieś", "0201022", "name+locality"),
        (
            "DOLNOŚLĄSKIE",
            "Powiat bolesławiecki",
            "Bolesławiec",
            "Pstrąże Pstrąże 12",
            "0201022",
            "name+locality",
        ),
        ("ŁÓDZKIE", "wieruszowski", "Bolesławiec", "Bolesławiec, miasto", "1018013", "name"),
        ("POMORSKIE", "słupski", "Redzikowo", "Siemianice", "2212082", "name"),
        (
            "POMORSKIE",
            "słupski",
            "Słupsk",
            "Siemianice, wieś",
            "2212082",
            "name",
        ),  # the 2023 name of Redzikowo
        (
            "MAZOWIECKIE",
            "Warszawa",
            "Warszawa - Wola",
            "Warszawa - Wola, dzielnica m. st. Warszawy",
            "1465011",
            "city",
        ),
        ("MAŁOPOLSKIE", "Kraków", "Kraków-Podgórze", "Kraków-Podgórze, delegatura", "1261011", "city"),
    ],
)
def test_placing_in_gminy(woj, powiat, gmina, locality, expected, how) -> None:
    m = gazetteer().match(woj, powiat, gmina, locality)
    assert (m.teryt, m.how) == (expected, how)


def test_a_name_of_two_gminy_without_a_telling_locality_is_not_guessed() -> None:
    m = gazetteer().match("WARMIŃSKO-MAZURSKIE", "Powiat ełcki", "Ełk", "Ełk ul. Toruńska 10")
    assert m.teryt is None and m.how == "ambiguous" and m.candidates == ("2805011", "2805022")
    assert gazetteer().match("WARMIŃSKO-MAZURSKIE", "ełcki", "Ełk", "Ełk, miasto").teryt == "2805011"


def test_coordinates_agree_with_the_placing() -> None:
    """At least 97% of the Sep 2025 institutions with coordinates lie in the gmina they were placed in (the
    rest are mostly geocoding slips, e.g. a Gubin nursery pinned in Mazowsze)."""
    snap = nurseries.read_snapshot(FOLDER / FILES[2025])
    matched = nurseries.match_snapshot(gazetteer(), snap)
    (header,), data = rows(FOLDER / FILES[2025])
    xy = [r[header.index("Geolokalizacja")].split(";") for r in data]
    lon = pd.to_numeric(pd.Series([p[0] if len(p) == 2 else "" for p in xy]), errors="coerce")
    lat = pd.to_numeric(pd.Series([p[1] if len(p) == 2 else "" for p in xy]), errors="coerce")
    ok = lon.between(14, 24.5) & lat.between(49, 55)
    assert ok.sum() > 5500
    points = gpd.GeoDataFrame(
        {"teryt": matched["teryt"][ok].to_numpy()}, geometry=gpd.points_from_xy(lon[ok], lat[ok]), crs=4326
    )
    shapes = gpd.read_file(RAW / "boundaries-jusuff-2019" / "poland.municipalities.json")[
        ["terc", "geometry"]
    ]
    inside = gpd.sjoin(points, shapes, how="left", predicate="within")
    inside = inside[~inside.index.duplicated()]
    agree = (inside["terc"].str[:6] == inside["teryt"].str[:6]).mean()
    assert agree >= 0.97, agree


def _today_by_name() -> dict[tuple[str, str], str]:
    """(powiat code, folded gmina name) → today's gmina, for names borne by one gmina of the powiat."""
    g = context().units[context().units["level"] == "gmina"]
    keys = [(t[:4], key(n)) for t, n in zip(g["teryt"], g["name"], strict=True)]
    counts = pd.Series(keys).value_counts()
    return {k: t for k, t in zip(keys, g["teryt"], strict=True) if counts[k] == 1}


def _powiat_codes() -> dict[tuple[str, str], str]:
    u = context().units
    woj = {
        key(n.removeprefix("województwo ")): t
        for t, n in u.loc[u["level"] == "wojewodztwo", ["teryt", "name"]].values
    }
    p = u[u["level"] == "powiat"]
    return {
        (t[:2], key(n).removeprefix("powiat ")): t for t, n in zip(p["teryt"], p["name"], strict=True)
    } | {("woj", k): v for k, v in woj.items()}


@pytest.mark.parametrize("year", [2024, 2025])
def test_sampled_gminy_recomputed(year: int) -> None:
    by_name, codes = _today_by_name(), _powiat_codes()
    per: dict[str, list[dict]] = {}
    for r in register(year):
        p = codes.get((codes[("woj", r["woj"])], r["powiat"]))
        teryt = by_name.get((p, r["gmina"])) if p and int(p[2:4]) < 61 else None
        if teryt:
            per.setdefault(teryt, []).append(r)
    # The 31 XII nearest the snapshot (22 V 2024 → 2023; 17 IX 2025 → 2024); P1336 carries codes of a later
    # division, so gminy are matched on the 6-digit prefix.
    population = {c[:6]: n for c, n in p1336(year - 1).items() if c[6] in "123"}
    split = {*NEW_GMINY_2025, *NEW_GMINY_2025.values()}  # their 2025 population is the register's estimate
    sample = random.Random(year).sample(sorted(set(per) - split), 40)
    v = lookup()
    for teryt in sample:
        active = [r for r in per[teryt] if not r["suspended"]]
        places = sum(r["places"] for r in active)
        row = v[("zlobki-miejsca-na-1000-mieszkancow", teryt, year)]
        assert row["numerator"] == places, teryt
        assert row["denominator"] == population[teryt[:6]], teryt
        assert row["value"] == pytest.approx(1000 * places / population[teryt[:6]], rel=1e-12)
        reporting = [r for r in active if r["enrolled"] is not None]
        if reporting and sum(r["places"] for r in reporting):
            occ = v[("zlobki-oblozenie", teryt, year)]
            assert occ["value"] == pytest.approx(
                100 * sum(r["enrolled"] for r in reporting) / sum(r["places"] for r in reporting), rel=1e-12
            )
        fees = [r["fee"] for r in active if r["fee"] is not None]
        if fees:
            assert v[("zlobki-oplata-mediana", teryt, year)]["value"] == statistics.median(fees)


def test_new_gminy_of_2025_use_the_registers_population_estimate() -> None:
    units = context().units.set_index("teryt")
    v = lookup()
    for child, parent in NEW_GMINY_2025.items():
        for code in (child, parent):
            row = v[("zlobki-miejsca-na-1000-mieszkancow", code, 2025)]
            assert units.at[code, "population_estimated"]
            assert row["denominator"] == pytest.approx(units.at[code, "population"])
            assert row["flag"] != "ok"  # the estimated denominator is flagged
        assert ("zlobki-miejsca-na-1000-mieszkancow", child, 2024) not in v  # no values before it existed


def test_gminy_without_a_nursery_are_a_true_zero() -> None:
    v = lookup()
    zeros = [
        k
        for k, r in v.items()
        if k[0] == "zlobki-miejsca-na-1000-mieszkancow"
        and len(k[1]) == 7
        and k[2] == 2025
        and r["value"] == 0
    ]
    assert len(zeros) > 800
    split = {*NEW_GMINY_2025, *NEW_GMINY_2025.values()}  # flagged for their estimated population
    assert all(v[k]["flag"] == "zero" for k in zeros if k[1] not in split)
    # Occupancy and fee have no value there (no places, no institutions).
    assert all(pd.isna(v[("zlobki-oblozenie", t, y)]["value"]) for _, t, y in zeros[:50])


@pytest.mark.parametrize(
    ("year", "powiat", "woj_name", "powiat_name"),
    [(2025, "1206", "malopolskie", "krakowski"), (2024, "3021", "wielkopolskie", "poznanski")],
)
def test_powiat_fee_median_is_over_its_institutions(year, powiat, woj_name, powiat_name) -> None:
    fees = [
        r["fee"]
        for r in register(year)
        if r["woj"] == woj_name and r["powiat"] == powiat_name and not r["suspended"] and r["fee"] is not None
    ]
    assert len(fees) > 30
    assert lookup()[("zlobki-oplata-mediana", powiat, year)]["value"] == statistics.median(fees)


def test_national_places_leave_out_suspended_and_unplaced_institutions() -> None:
    v = lookup()
    for year in (2024, 2025):
        snap = nurseries.match_snapshot(gazetteer(), nurseries.read_snapshot(FOLDER / FILES[year]))
        placed = snap["teryt"].notna().to_numpy()
        active = [
            r["places"] for r, p in zip(register(year), placed, strict=True) if p and not r["suspended"]
        ]
        suspended = sum(r["places"] for r in register(year) if r["suspended"])
        assert suspended > 1000
        woj = sum(
            r["numerator"]
            for k, r in v.items()
            if k[0] == "zlobki-miejsca-na-1000-mieszkancow" and len(k[1]) == 2 and k[2] == year
        )
        assert woj == sum(active)
