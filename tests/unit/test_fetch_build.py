"""From a fetch folder to the release's official values (portal/pipeline/fetched.py), one test per point of
issue 14: totals divided by the same year's population, two sources, levels, renumbered codes, flags and the
census-revised population. The fetch folder is written by `fetch_official` against the local fake BDL/SMUP;
the register, the change table and the raw population are the real build's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from portal.catalogue import load_catalogue
from portal.config import REPO_ROOT, Settings
from portal.pipeline import register, validate
from portal.pipeline.fetch import fetch_official
from portal.pipeline.fetch_plan import FetchPlan
from portal.pipeline.fetched import FetchedDataError, fetched_release
from portal.pipeline.progress import quiet
from portal.pipeline.sources import BuildContext, read_all
from tests.fake_apis import (
    BOCHNIA_G,
    BOCHNIA_M,
    DWELLINGS,
    GONE,
    KRAKOW,
    PLAN,
    PRUSZCZ,
    PRUSZCZ_OLD,
    SMUP_DEBT,
    SPENDING_700,
    p1336,
    scenario,
    serve,
)

RAW = Settings.from_env().raw_path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The real catalogue, register, change table and raw population; a fetch folder from the fake APIs."""
    tmp = tmp_path_factory.mktemp("fetch-build")
    catalogue = load_catalogue(REPO_ROOT / "data" / "catalogue.yaml")
    units = register.build_register(RAW, catalogue)
    changes = register.build_change_table(RAW)
    ctx = BuildContext(raw=RAW, units=units, changes=changes, log=quiet())
    sources = read_all(ctx, only=["population"])
    (tmp / "fetch.yaml").write_text(json.dumps(PLAN), encoding="utf-8")
    apis = scenario(RAW)
    apis.retry_after = "0"
    mp = pytest.MonkeyPatch()
    mp.setenv("BDL_QUOTA_CACHE", str(tmp / "quota.json"))
    with serve(apis) as base:
        settings = Settings(
            fetch_dir=str(tmp / "fetched"),
            bdl_url=f"{base}/api/v1",
            smup_url=f"{base}/api/1.0.0",
            smup_api_key="smup-key",
        )
        fetch_official(
            settings,
            years="2020-2022",
            catalogue=catalogue,
            plan=FetchPlan.model_validate(PLAN),
            progress=False,
        )
    mp.undo()
    release = fetched_release(tmp / "fetched", tmp / "fetch.yaml", catalogue, ctx, sources)
    return {
        "tmp": tmp,
        "catalogue": catalogue,
        "ctx": ctx,
        "sources": sources,
        "release": release,
        "pop": p1336(RAW),
    }


def value(release, indicator: str, teryt: str, year: int) -> pd.Series:
    v = release.values
    row = v[(v["indicator"] == indicator) & (v["teryt"] == teryt) & (v["year"] == year)]
    assert len(row) == 1, (indicator, teryt, year)
    return row.iloc[0]


# -- point 1 ---------------------------------------------------------------------------------------------
def test_totals_are_divided_by_the_same_years_population(world):
    """Point 1: a total in zł becomes zł per resident only through the population of its year."""
    release, pop = world["release"], world["pop"]
    for code, by_year in SPENDING_700.items():
        if code == GONE:
            continue
        today = PRUSZCZ if code == PRUSZCZ_OLD else code
        for year, (total, attr) in by_year.items():
            row = value(release, "wydatki-700-na-mieszkanca", today, year)
            if attr == 4:
                assert math.isnan(row["value"]) and row["flag"] == "no_data"
                continue
            expected = total / pop[code][year]
            assert row["value"] == pytest.approx(expected, rel=1e-12), (code, year)
            assert (row["numerator"], row["denominator"]) == (total, pop[code][year])
            assert row["flag"] == ("zero" if total == 0 else "ok") and not row["synthetic"]
    # Bolesławiec's "96,215,000 zł per resident" cannot happen: every value is a per-resident amount.
    assert (
        release.values.loc[release.values["indicator"] == "wydatki-700-na-mieszkanca", "value"].max() < 1_000
    )


def test_a_fetched_unit_other_than_the_plans_fails_the_build(world, tmp_path):
    """Point 1: data recorded in another unit than data/fetch.yaml declares is refused, naming all of it."""
    folder = tmp_path / "fetched"
    folder.mkdir()
    for f in (world["tmp"] / "fetched").iterdir():
        folder.joinpath(f.name).write_bytes(f.read_bytes())
    manifest = json.loads((folder / "FETCHED.json").read_text(encoding="utf-8"))
    manifest["sources"]["bdl"]["variables"]["202242"]["measureUnitName"] = "tys. zł"
    (folder / "FETCHED.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        FetchedDataError,
        match=r"indicator wydatki-700-na-mieszkanca: BDL variable 202242 was "
        r"fetched in 'tys. zł' but data/fetch.yaml declares 'zł'",
    ):
        fetched_release(
            folder, world["tmp"] / "fetch.yaml", world["catalogue"], world["ctx"], world["sources"]
        )


# -- point 2 ---------------------------------------------------------------------------------------------
def test_one_source_is_published_and_the_other_checks_it(world):
    """Point 2: SMUP's share is published (priority), BDL's ratio of totals is compared with it; a difference
    beyond 0.5 pp is reported, and no unit-year comes twice."""
    release = world["release"]
    v = release.values
    share = v[v["indicator"] == "wydatki-majatkowe-udzial"]
    assert not share.duplicated(["teryt", "year"]).any() and set(share["source"]) == {"smup-api"}
    assert value(release, "wydatki-majatkowe-udzial", BOCHNIA_M, 2022)["value"] == 15.0
    check = release.report["indicators"]["wydatki-majatkowe-udzial"]["cross_check"]
    assert (check["against"], check["compared"], check["beyond_tolerance"]) == ("bdl", 2, 1)
    assert check["examples"] == [
        {"teryt": BOCHNIA_M, "year": 2022, "published": 15.0, "other": pytest.approx(21 / 150 * 100)}
    ]
    assert not v.duplicated(["indicator", "teryt", "year"]).any()


# -- point 3 ---------------------------------------------------------------------------------------------
def test_levels_are_what_the_source_publishes_plus_the_sums_the_plan_allows(world):
    """Point 3: SMUP's gmina-only debt is published for gminy only (its catalogue entry narrowed, so the build
    no longer fails on powiaty); dwellings reach powiaty as BDL publishes them or summed from gminy."""
    release, catalogue = world["release"], world["catalogue"]
    debt = release.catalogue.by_id["dlug-na-mieszkanca"]
    assert catalogue.by_id["dlug-na-mieszkanca"].levels == ["gmina", "powiat", "wojewodztwo"]
    assert debt.levels == ["gmina"] and debt.year_list == [2021, 2022] and debt.real.kind == "api"
    assert not debt.is_synthetic and debt.synthetic is None
    assert debt.source.attribution.startswith("Źródło: GUS/MSWiA, System Monitorowania")
    dwellings = release.catalogue.by_id["mieszkania-oddane-na-1000"]
    assert dwellings.levels == ["gmina", "powiat"]
    pop = world["pop"]
    published = value(release, "mieszkania-oddane-na-1000", "1201", 2021)
    assert published["value"] == pytest.approx(DWELLINGS["1201"][2021][0] / pop["1201"][2021] * 1000)
    assert published["flag"] == "ok"
    # 2020: BDL's powiat value is "together with the city" (attribute 97): summed from the gminy instead,
    # partial because only two of bocheński's nine gminy are in this fetch.
    summed = value(release, "mieszkania-oddane-na-1000", "1201", 2020)
    assert summed["numerator"] == DWELLINGS[BOCHNIA_M][2020][0] + DWELLINGS[BOCHNIA_G][2020][0]
    assert summed["flag"] == "partial"
    ids = set(release.ids)
    keep = release.values[release.values["indicator"].isin(ids)]
    validate.validate_values(
        keep.astype(
            {
                "year": "int64",
                "value": "float64",
                "synthetic": "bool",
                "numerator": "float64",
                "denominator": "float64",
            }
        ),
        world["ctx"].units,
        release.catalogue.restricted_to(ids),
    )


def test_an_indicator_without_fetched_values_stays_in_the_demo(world):
    release = world["release"]
    assert "wydatki-900-na-mieszkanca" not in release.ids
    assert release.catalogue.by_id["wydatki-900-na-mieszkanca"].is_synthetic
    assert release.report["indicators"]["wydatki-900-na-mieszkanca"]["published"] is False


# -- point 4 ---------------------------------------------------------------------------------------------
def test_codes_of_other_years_are_re_keyed_to_todays_unit_or_reported(world):
    """Point 4: Pruszcz's 2020–2021 values, under the code it had then, land on today's Pruszcz; a code no
    unit has today is reported, not silently dropped."""
    release = world["release"]
    years = release.values.loc[
        (release.values["indicator"] == "wydatki-700-na-mieszkanca") & (release.values["teryt"] == PRUSZCZ),
        "year",
    ]
    assert sorted(years) == [2020, 2021, 2022]
    assert PRUSZCZ_OLD not in set(release.values["teryt"])
    rekeying = release.report["rekeying"]
    assert f"{PRUSZCZ_OLD}→{PRUSZCZ}" in rekeying["codes_moved_to_todays_unit"]
    assert rekeying["codes_without_a_unit_today"] == [GONE] and rekeying["rows_not_kept"] == 1


# -- point 5 ---------------------------------------------------------------------------------------------
def test_every_flag_reaches_the_release(world):
    """Point 5: SMUP 2 → zero, 5 and 3 without a value → no data (never 0/ok), BDL 9 → estimated, 0 → zero."""
    release = world["release"]
    flags = {
        (t, y): (release.values.set_index(["indicator", "teryt", "year"]).loc[("dlug-na-mieszkanca", t, y)])
        for t in (PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW)
        for y in (2021, 2022)
    }
    assert (flags[(BOCHNIA_M, 2021)]["value"], flags[(BOCHNIA_M, 2021)]["flag"]) == (0.0, "zero")
    assert flags[(BOCHNIA_G, 2021)]["flag"] == "no_data" and math.isnan(flags[(BOCHNIA_G, 2021)]["value"])
    assert flags[(BOCHNIA_M, 2022)]["flag"] == "no_data" and math.isnan(flags[(BOCHNIA_M, 2022)]["value"])
    assert flags[(KRAKOW, 2022)]["value"] == SMUP_DEBT[2022][KRAKOW][1]  # from the cities' indicator
    assert value(release, "mieszkania-oddane-na-1000", BOCHNIA_G, 2022)["flag"] == "estimated"
    assert value(release, "wydatki-700-na-mieszkanca", BOCHNIA_G, 2020)["flag"] == "zero"


# -- point 7 ---------------------------------------------------------------------------------------------
def test_per_resident_values_use_the_census_revised_population(world):
    """Point 7: the denominator is BDL's population of the same year, revised on the 2021 census from 2020
    (the raw P1336 here), never the pre-revision P2137 export of 2020; the two sources of population agree."""
    release, pop = world["release"], world["pop"]
    pre = pd.read_csv(RAW / "bdl-exports-2020" / "LUDN_2137_CTAB_20210625164329.csv", sep=";", dtype=str)
    pre_2020 = float(pre.loc[pre["Kod"].str.zfill(7) == PRUSZCZ_OLD, "ogółem"].iloc[0])
    row = value(release, "wydatki-700-na-mieszkanca", PRUSZCZ, 2020)
    assert row["denominator"] == pop[PRUSZCZ_OLD][2020] == 9365.0 and pre_2020 == 9558.0
    check = release.report["population"]
    assert check["compared"] > 0 and check["beyond_tolerance"] == 0
    assert check["from_bdl"] > 0 and check["from_raw_files"] > 0  # the raw files fill what BDL lacked


def test_the_release_entry_names_its_datasets(world):
    release = world["release"]
    entry = release.catalogue.by_id["wydatki-700-na-mieszkanca"]
    assert entry.source.datasets == ["bdl-api"]
    assert entry.real.numerator == "fetch:wydatki-700-na-mieszkanca:bdl-num"
    assert entry.real.denominator == "fetch:population"
    assert {d.id for d in release.datasets} == {"bdl-api", "smup-api"}
    assert Path(world["tmp"] / "fetched" / "FETCHED.json").exists()


def test_a_fetch_folder_of_an_older_format_is_not_used_and_the_build_says_so(world, tmp_path):
    (tmp_path / "FETCHED.json").write_text(json.dumps({"files": ["values-bdl.parquet"]}), encoding="utf-8")
    log = quiet()
    ctx = BuildContext(raw=RAW, units=world["ctx"].units, changes=world["ctx"].changes, log=log)
    plan = world["tmp"] / "fetch.yaml"
    assert fetched_release(tmp_path, plan, world["catalogue"], ctx, world["sources"]) is None
    assert "older format" in log.lines[-1] and "omup data fetch" in log.lines[-1]
