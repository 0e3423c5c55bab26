"""`omup data fetch` against a local server that answers like BDL and SMUP: arguments, failing fast offline,
what is asked and written, errors per indicator, quotas, progress and resuming an interrupted fetch."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from portal.catalogue import load_catalogue
from portal.config import REPO_ROOT, Settings
from portal.pipeline import fetch as fetch_module
from portal.pipeline import fetch_work
from portal.pipeline.fetch import FetchError, fetch_official, parse_sources, parse_years
from portal.pipeline.fetch_plan import FetchPlan
from portal.pipeline.fetch_work import human_duration, quota_seconds
from portal.pipeline.measures import MEASURE_COLUMNS
from tests import fake_apis
from tests.fake_apis import PLAN, FakeApis, scenario, serve

RAW = Settings.from_env().raw_path


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(REPO_ROOT / "data" / "catalogue.yaml")


@pytest.fixture
def plan() -> FetchPlan:
    return FetchPlan.model_validate(PLAN)


@pytest.fixture(autouse=True)
def own_quota(tmp_path, monkeypatch):
    """pyBDL's quota record in a file of this test, so runs of the suite do not share BDL's limits."""
    monkeypatch.setenv("BDL_QUOTA_CACHE", str(tmp_path / "quota.json"))


@pytest.fixture
def apis() -> FakeApis:
    apis = scenario(RAW)
    apis.retry_after = "0"
    return apis


@pytest.fixture
def api(apis):
    with serve(apis) as base:
        yield base


def settings_for(tmp_path: Path, base: str, **extra) -> Settings:
    return Settings(
        fetch_dir=str(tmp_path / "out" / "fetched"),
        bdl_url=f"{base}/api/v1",
        smup_url=f"{base}/api/1.0.0",
        smup_api_key="smup-key",
        **extra,
    )


def fetch(settings, catalogue, plan, **kwargs) -> dict:
    return fetch_official(
        settings, years="2020-2022", catalogue=catalogue, plan=plan, progress=False, **kwargs
    )


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir()) if parent.exists() else []


# -- arguments -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "years"),
    [
        ("2015-2024", list(range(2015, 2025))),
        ("2020", [2020]),
        (" 2020 - 2021 ", [2020, 2021]),
        ([2021, 2020], [2020, 2021]),
    ],
)
def test_parse_years(spec, years):
    assert parse_years(spec) == years


@pytest.mark.parametrize("spec", ["", "abc", "2024-2015", "15-24", "2020,2021", "2020-", "1900-1901", ["x"]])
def test_parse_years_refuses_garbage(spec):
    with pytest.raises(FetchError, match="years"):
        parse_years(spec)


def test_parse_sources():
    assert parse_sources("all") == ["bdl", "smup"]
    assert parse_sources("smup") == ["smup"]
    with pytest.raises(FetchError, match="unknown source"):
        parse_sources("gus")


def test_bad_years_fail_before_anything_else(tmp_path):
    with pytest.raises(FetchError, match="years"):
        fetch_official(Settings(fetch_dir=str(tmp_path / "f")), years="last ten")
    assert leftovers(tmp_path) == []


def test_broken_catalogue_is_a_fetch_error(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text("indicators: [", encoding="utf-8")
    with pytest.raises(FetchError, match="catalogue"):
        fetch_official(Settings(catalogue_path=str(path), fetch_dir=str(tmp_path / "f")))
    assert not (tmp_path / "f").exists()


def test_a_plan_naming_an_unknown_indicator_is_a_fetch_error(tmp_path, catalogue):
    (tmp_path / "catalogue.yaml").write_text(
        (REPO_ROOT / "data" / "catalogue.yaml").read_text(encoding="utf-8")
    )
    (tmp_path / "fetch.yaml").write_text(
        json.dumps(
            {
                **PLAN,
                "indicators": [
                    {"id": "no-such-indicator", "smup": {"all": 8, "unit": "%", "levels": ["gmina"]}}
                ],
            }
        )
    )
    with pytest.raises(FetchError, match="no-such-indicator: not an indicator of the catalogue"):
        fetch_official(
            Settings(catalogue_path=str(tmp_path / "catalogue.yaml"), fetch_dir=str(tmp_path / "f")),
            catalogue=catalogue,
        )
    assert not (tmp_path / "f").exists()


def test_smup_without_key_says_which_setting(tmp_path, catalogue, plan):
    no_key = Settings(
        fetch_dir=str(tmp_path / "f"), bdl_url="http://127.0.0.1:9", smup_url="http://127.0.0.1:9"
    )
    with pytest.raises(FetchError, match="OMUP_SMUP_API_KEY"):
        fetch(no_key, catalogue, plan)
    assert leftovers(tmp_path) == []


def test_the_default_addresses_are_the_official_apis():
    s = Settings()
    assert fetch_work.api_host(s, "bdl") == ("bdl.stat.gov.pl", 443)
    assert fetch_work.api_host(s, "smup") == ("api.smup.gov.pl", 443)
    assert s.bdl_url == "https://bdl.stat.gov.pl/api/v1" and s.smup_url == "https://api.smup.gov.pl/api/1.0.0"


# -- offline ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sources", ["all", "bdl", "smup"])
def test_offline_fails_fast_and_writes_nothing(tmp_path, catalogue, plan, sources):
    settings = settings_for(tmp_path, "http://127.0.0.1:9")  # a closed local port
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"cannot reach 127\.0\.0\.1:9.*no network\? nothing was written"):
        fetch_official(
            settings, sources=sources, years="2020-2021", catalogue=catalogue, plan=plan, progress=False
        )
    assert time.monotonic() - started < 3
    assert not (tmp_path / "out").exists()


def test_preflight_gives_up_on_a_hanging_lookup(monkeypatch):
    def slow_lookup(*args, **kwargs):
        time.sleep(1)
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(fetch_work.socket, "create_connection", slow_lookup)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 0\.2 s"):
        fetch_work.preflight("bdl.stat.gov.pl", 443, timeout=0.2)
    assert time.monotonic() - started < 0.9


def test_preflight_goes_through_the_https_proxy(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "localhost")
    assert fetch_work._preflight_target("bdl.stat.gov.pl", 443) == ("proxy.example", 3128)
    assert fetch_work._preflight_target("localhost", 443) == ("localhost", 443)
    assert fetch_work._preflight_target("127.0.0.1", 8000) == ("127.0.0.1", 8000)


# -- against the local BDL and SMUP ------------------------------------------------------------------
def test_fetch_writes_measures_and_manifest(tmp_path, catalogue, plan, apis, api):
    report = fetch(settings_for(tmp_path, api), catalogue, plan)
    out = tmp_path / "out" / "fetched"
    assert leftovers(out.parent) == ["fetched"]  # no temporary folders, and the answer cache is gone
    assert leftovers(out) == ["FETCHED.json", "measures-bdl.parquet", "measures-smup.parquet"]
    manifest = json.loads((out / "FETCHED.json").read_text(encoding="utf-8"))
    assert manifest == {k: v for k, v in report.items() if k != "path"} and manifest["format"] == 2

    bdl = pd.read_parquet(out / "measures-bdl.parquet")
    assert list(bdl.columns) == MEASURE_COLUMNS and set(bdl["source"]) == {"bdl-api"}
    assert set(bdl["measure"]) == {"bdl:72305", "bdl:202242", "bdl:748601", "bdl:76453", "bdl:76477"}
    spending = bdl[bdl["measure"] == "bdl:202242"].set_index(["teryt", "year"])
    # Codes as BDL gave them for each year: the renumbered gmina under its old code until 2021.
    assert spending.loc[("0414082", 2021), "value"] == 1_402_117.55 and ("0414083", 2022) in spending.index
    assert spending.loc[("1201011", 2021), "flag"] == "no_data"

    variables = manifest["sources"]["bdl"]["variables"]
    assert variables["202242"]["measureUnitName"] == "zł" and variables["72305"]["measureUnitName"] == "osoba"
    assert manifest["sources"]["bdl"]["waited_for_429_s"] == 0.0  # Retry-After: 0 in this test
    # Point 5: the wrong id is an error of its indicator, not 'no data', and nothing else fails with it.
    assert "404" in manifest["errors"]["bdl:wydatki-900-na-mieszkanca"]
    assert manifest["sources"]["bdl"]["failed"] == ["wydatki-900-na-mieszkanca"]

    smup = pd.read_parquet(out / "measures-smup.parquet")
    assert set(smup["measure"]) == {"smup:4074", "smup:4424", "smup:4053", "smup:4403"}
    assert manifest["sources"]["smup"]["ids"]["4074"]["no_data_years"] == [
        2020
    ]  # HTTP 404: no data that year
    assert manifest["sources"]["smup"]["flags"]["3"] == "estimated"  # named by SMUP's flag dictionary


def test_population_is_asked_for_every_year_in_one_request_per_page(tmp_path, catalogue, plan, apis, api):
    """Point 7: BDL's population of every year of the range (census-revised from 2020 on), not one year."""
    fetch(settings_for(tmp_path, api), catalogue, plan)
    pages = [r for r in apis.requests if r.startswith("/api/v1/data/by-variable/72305?")]
    assert pages and all("year=2020&year=2021&year=2022" in r for r in pages)
    levels = {r.split("unit-level=")[1].split("&")[0] for r in pages}
    assert levels == {"6", "5"}  # the levels of the indicators that divide by it


def test_paging_follows_total_records(tmp_path, catalogue, plan, apis, api):
    fetch(settings_for(tmp_path, api), catalogue, plan)
    gmina_pages = [
        r for r in apis.requests if r.startswith("/api/v1/data/by-variable/202242?") and "unit-level=6" in r
    ]
    # 5 codes (the renumbered gmina twice), 2 a page → 3 pages (+ the 429 answered first)
    assert sorted({r.split("&page=")[1].split("&")[0] for r in gmina_pages}) == ["0", "1", "2"]


def test_a_unit_bdl_states_differently_is_refused_before_its_data(tmp_path, catalogue, plan, apis, api):
    """Point 1: a variable BDL states in another unit than data/fetch.yaml is not fetched at all."""
    apis.bdl[202242]["unit"] = "tys. zł"
    report = fetch(settings_for(tmp_path, api), catalogue, plan)
    assert (
        "BDL states variable 202242 in 'tys. zł', data/fetch.yaml declares 'zł'"
        in (report["errors"]["bdl:wydatki-700-na-mieszkanca"])
    )
    assert not any(r.startswith("/api/v1/data/by-variable/202242") for r in apis.requests)


def test_fetching_one_source_carries_the_other_over(tmp_path, catalogue, plan, api):
    settings = settings_for(tmp_path, api)
    fetch(settings, catalogue, plan)
    out = Path(settings.fetch_dir)
    smup_before = (out / "measures-smup.parquet").read_bytes()
    report = fetch_official(
        settings, sources="bdl", years="2021", catalogue=catalogue, plan=plan, progress=False
    )
    assert leftovers(out) == ["FETCHED.json", "measures-bdl.parquet", "measures-smup.parquet"]
    assert (out / "measures-smup.parquet").read_bytes() == smup_before
    assert report["sources"]["smup"]["carried_over"] is True
    assert set(pd.read_parquet(out / "measures-bdl.parquet")["year"]) == {2021}


def test_a_failure_mid_fetch_leaves_the_previous_fetch_untouched(tmp_path, catalogue, plan, api, monkeypatch):
    settings = settings_for(tmp_path, api)
    fetch(settings, catalogue, plan)
    out = Path(settings.fetch_dir)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    lost = Settings(**{**settings.__dict__, "smup_url": "http://127.0.0.1:9/api/1.0.0"})
    monkeypatch.setattr(fetch_module, "preflight", lambda *a, **k: None)  # the connection goes mid-fetch
    with pytest.raises(FetchError, match="nothing was written"):
        fetch(lost, catalogue, plan)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [n for n in leftovers(out.parent) if not n.endswith("-http-cache")] == ["fetched"]


def test_every_indicator_failing_is_fatal(tmp_path, catalogue, plan, apis, api):
    apis.bdl.clear()
    with pytest.raises(FetchError, match="BDL: every indicator failed"):
        fetch_official(
            settings_for(tmp_path, api),
            sources="bdl",
            years="2021",
            catalogue=catalogue,
            plan=plan,
            progress=False,
        )
    assert not (tmp_path / "out" / "fetched").exists()


def test_an_interrupted_fetch_resumes_from_the_answers_on_disk(
    tmp_path, catalogue, plan, apis, api, monkeypatch
):
    """Point 6: answers are kept on disk (pyBDL's cache) until the fetch completes; a second run asks only
    for what the first did not get."""
    settings = settings_for(tmp_path, api)
    ticks = {"n": 0}
    real_tick = fetch_module.Progress.tick

    def tick_then_stop(self):
        real_tick(self)
        ticks["n"] += 1
        if ticks["n"] == 12:
            raise KeyboardInterrupt

    monkeypatch.setattr(fetch_module.Progress, "tick", tick_then_stop)
    with pytest.raises(KeyboardInterrupt):
        fetch(settings, catalogue, plan)
    assert not Path(settings.fetch_dir).exists()  # nothing written …
    assert (fetch_module.cache_dir(settings) / "answers.sqlite").exists()  # … but the answers are kept
    first = list(apis.answered)
    monkeypatch.setattr(fetch_module.Progress, "tick", real_tick)
    fetch(settings, catalogue, plan)
    second = apis.answered[len(first) :]
    done_before = {path for path, status in first if status == 200}
    assert not done_before & {path for path, _ in second}  # nothing asked twice
    assert not fetch_module.cache_dir(settings).exists()  # a complete fetch removes the cache


def test_progress_counts_every_request(tmp_path, catalogue, plan, apis, api, monkeypatch, capsys):
    bars = []
    real = fetch_module.Progress

    class Spy(real):
        def __init__(self, total, enabled=True):
            super().__init__(total, enabled=True)
            bars.append(self)

    monkeypatch.setattr(fetch_module, "Progress", Spy)
    fetch_official(
        settings_for(tmp_path, api), years="2020-2022", catalogue=catalogue, plan=plan, progress=True
    )
    bar = bars[0].bar
    assert bar.n == len(apis.requests) == bar.total  # the estimate corrected to what BDL and SMUP had
    err = capsys.readouterr().err
    assert "requests to BDL" in err and "without a key at least" in err and "resumes when run again" in err


def test_quota_estimate_follows_the_published_limits():
    """Point 6: BDL's limits per key (anonymous 5/s, 100/15 min, 1,000/12 h; a key 10/s, 500/15 min,
    5,000/12 h), every sliding window at once."""
    assert quota_seconds(100, registered=False) == 19.0  # the first 100 only wait for 5 a second
    assert quota_seconds(101, registered=False) == 15 * 60  # the 101st waits for the first window to pass
    assert quota_seconds(1_001, registered=False) == 12 * 3600
    assert quota_seconds(1_001, registered=True) == 2 * 15 * 60
    # The "about 2,000 requests": more than half a day without a key, well under an hour with one.
    assert 14 * 3600 < quota_seconds(2_000, registered=False) < 15 * 3600
    assert quota_seconds(2_000, registered=True) < 3600
    assert human_duration(12 * 3600) == "12.0 h" and human_duration(45 * 60) == "45 min"


def test_the_real_plan_needs_about_this_many_requests(catalogue):
    """The numbers the README gives for a full fetch (2015–2024): requests and the least time per key."""
    from portal.pipeline.fetch_work import plan_work
    from portal.pipeline.fetch_plan import fillable, load_plan

    real_plan = load_plan(REPO_ROOT / "data" / "fetch.yaml", catalogue)
    entries, _ = fillable(real_plan, catalogue)
    work = plan_work(real_plan, entries, list(range(2015, 2025)), ["bdl", "smup"])
    n = work.bdl_requests()
    assert 1_000 < n < 1_600, n
    assert 12 * 3600 <= quota_seconds(n, registered=False) < 24 * 3600
    assert quota_seconds(n, registered=True) <= 3 * 15 * 60
    assert work.smup_requests() == 2 + 14 * 10


def test_the_module_keeps_one_scenario():
    assert fake_apis.YEARS == [2020, 2021, 2022]
