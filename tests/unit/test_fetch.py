"""`omup data fetch` offline: argument checks, failing fast, atomic writes with replayed sources."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pandas as pd
import pytest
import yaml

from portal.catalogue import Catalogue
from portal.config import Settings
from portal.pipeline import VALUE_COLUMNS
from portal.pipeline import fetch as fetch_module
from portal.pipeline.bdl import BdlSource
from portal.pipeline.fetch import FetchError, fetch_official, parse_sources, parse_years
from portal.pipeline.smup import SmupClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "smup"
RECORDED = Settings.from_env().raw_path / "bdl-api-fixtures-pybdl" / "samples_raw_data.json"
TEXT = {"pl": "t", "en": "t"}


def indicator(id_: str, levels: list[str], **source) -> dict:
    return {
        "id": id_,
        "area": "finanse",
        "dimension": "kontekst",
        "name": TEXT,
        "description": TEXT,
        "unit": TEXT,
        "direction": "neutral",
        "formula": {"numerator": TEXT},
        "source": {"evidence": "code_verified_value", "attribution": "GUS", **source},
        "levels": levels,
        "years": [2015, 2024],
        "sentence": TEXT,
        "synthetic": {"median": 1.0},
    }


CATALOGUE = {
    "areas": [{"id": "finanse", "name": TEXT, "description": TEXT, "headline": "dlug"}],
    "size_classes": [{"id": "s", "lower": 0, "upper": None, "name": TEXT}],
    "indicators": [
        indicator("dlug", ["gmina"], smup={"gmina": 4074, "mnpp": 4424}, evidence="smup_imported"),
        indicator("podatek", ["gmina", "powiat", "wojewodztwo"], smup={"all": 16}, evidence="smup_imported"),
        indicator("urodzenia", ["wojewodztwo"], bdl_variable=76973),
        indicator("zgadniete", ["gmina"], bdl_variable=999, evidence="guessed"),
    ],
}


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.model_validate(CATALOGUE)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(CATALOGUE, allow_unicode=True), encoding="utf-8")
    return Settings(catalogue_path=str(path), fetch_dir=str(tmp_path / "out" / "fetched"), smup_api_key="key")


@pytest.fixture
def offline(monkeypatch):
    """Both API hosts replaced by a closed local port: the preflight fails at once, deterministically."""
    monkeypatch.setattr(fetch_module, "PREFLIGHT_HOSTS", {"bdl": ("127.0.0.1", 9), "smup": ("127.0.0.1", 9)})
    for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def smup_answer(request: httpx.Request) -> httpx.Response:
    resource = request.url.path.rsplit("/", 1)[-1]
    params = request.url.params
    name = resource + (f"-{params['id']}-{params['id-daty']}" if resource == "indicator-date-data" else "")
    path = FIXTURES / f"{name}-page{params['page']}.json"
    if not path.exists():
        return httpx.Response(404)
    return httpx.Response(200, content=path.read_bytes(), headers={"Content-Type": "application/json"})


def bdl_answer(request: httpx.Request) -> httpx.Response:
    results = json.loads(RECORDED.read_text(encoding="utf-8"))["get_data_by_variable"]
    return httpx.Response(200, json={"page": 0, "results": results})


def replaying_bdl(tmp_path: Path, handler) -> BdlSource:
    from pybdl import BDL, BDLConfig

    client = BDL(
        BDLConfig(
            cache_backend=None,
            quota_cache_enabled=False,
            quota_cache_file=str(tmp_path / "quota" / "q.json"),
            request_retries=0,
            http_429_max_retries=0,
        )
    )
    client.api.data.session.close()
    client.api.data.session = httpx.Client(transport=httpx.MockTransport(handler))
    return BdlSource(Settings(), client=client)


def replaying_smup() -> SmupClient:
    return SmupClient("key", transport=httpx.MockTransport(smup_answer), sleep=lambda s: None)


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


def test_bad_years_fail_before_anything_else(settings, tmp_path):
    with pytest.raises(FetchError, match="years"):
        fetch_official(settings, years="last ten")
    assert leftovers(tmp_path / "out") == []


def test_broken_catalogue_is_a_fetch_error(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text("indicators: [", encoding="utf-8")
    with pytest.raises(FetchError, match="catalogue"):
        fetch_official(Settings(catalogue_path=str(path), fetch_dir=str(tmp_path / "f")))
    assert not (tmp_path / "f").exists()


def test_smup_without_key_says_which_setting(settings, tmp_path, offline):
    no_key = Settings(catalogue_path=settings.catalogue_path, fetch_dir=settings.fetch_dir)
    with pytest.raises(FetchError, match="OMUP_SMUP_API_KEY"):
        fetch_official(no_key, sources="smup")
    assert leftovers(tmp_path / "out") == []


# -- offline ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sources", ["all", "bdl", "smup"])
def test_offline_fails_fast_and_writes_nothing(settings, tmp_path, offline, sources):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"cannot reach 127\.0\.0\.1:9.*no network\? nothing was written"):
        fetch_official(settings, sources=sources, years="2020-2021")
    assert time.monotonic() - started < 3
    assert not (tmp_path / "out").exists()


def test_preflight_gives_up_on_a_hanging_lookup(monkeypatch, offline):
    def slow_lookup(*args, **kwargs):
        time.sleep(1)
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(fetch_module.socket, "create_connection", slow_lookup)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 0\.2 s"):
        fetch_module.preflight("bdl", timeout=0.2)
    assert time.monotonic() - started < 0.9


def test_preflight_goes_through_the_https_proxy(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "localhost")
    assert fetch_module._preflight_target("bdl.stat.gov.pl", 443) == ("proxy.example", 3128)
    assert fetch_module._preflight_target("localhost", 443) == ("localhost", 443)


def test_real_hosts_are_the_official_apis():
    assert fetch_module.PREFLIGHT_HOSTS == {"bdl": ("bdl.stat.gov.pl", 443), "smup": ("api.smup.gov.pl", 443)}


# -- with replayed sources -------------------------------------------------------------------------
def test_fetch_writes_values_and_manifest(settings, catalogue, tmp_path, offline):
    report = fetch_official(
        settings,
        years="2022-2023",
        catalogue=catalogue,
        bdl=replaying_bdl(tmp_path, bdl_answer),
        smup=replaying_smup(),
    )
    out = Path(settings.fetch_dir)
    assert leftovers(out.parent) == ["fetched"]  # no temporary folders left behind
    assert leftovers(out) == ["FETCHED.json", "values-bdl.parquet", "values-smup.parquet"]

    bdl = pd.read_parquet(out / "values-bdl.parquet")
    assert list(bdl.columns) == VALUE_COLUMNS
    assert set(bdl["indicator"]) == {"urodzenia"}  # the guessed id is not fetched
    assert set(bdl["teryt"]) == {"12"} and set(bdl["year"]) == {2022, 2023}

    smup = pd.read_parquet(out / "values-smup.parquet")
    assert list(smup.columns) == VALUE_COLUMNS and not smup["synthetic"].any()
    dlug = smup[smup["indicator"] == "dlug"]
    assert set(dlug["source"]) == {"SMUP:4074", "SMUP:4424"}  # gminy and mnpp merged into one indicator
    assert {"1001011", "1062011", "1465011"} <= set(dlug["teryt"]) and dlug["teryt"].is_unique
    podatek = smup[smup["indicator"] == "podatek"]
    assert set(podatek["teryt"]) == {"1001011", "1062011", "1001", "1062", "10"}

    manifest = json.loads((out / "FETCHED.json").read_text(encoding="utf-8"))
    assert manifest == {k: v for k, v in report.items() if k != "path"}
    assert manifest["years"] == [2022, 2023] and manifest["errors"] == {}
    dlug_entry = manifest["sources"]["smup"]["indicators"]["dlug"]
    # HTTP 404 means no data that year, not a failure
    assert dlug_entry["no_data_years"] == {"4074": [2022], "4424": [2022]}
    assert dlug_entry["rows"] == len(dlug) and dlug_entry["unmapped_rows"] == 2
    assert manifest["sources"]["bdl"]["indicators"]["urodzenia"]["rows"] == 2


def test_fetching_one_source_carries_the_other_over(settings, catalogue, tmp_path, offline):
    fetch_official(
        settings,
        years="2023",
        catalogue=catalogue,
        bdl=replaying_bdl(tmp_path, bdl_answer),
        smup=replaying_smup(),
    )
    out = Path(settings.fetch_dir)
    smup_before = (out / "values-smup.parquet").read_bytes()
    (out / "stale.txt").write_text("from an older run")
    report = fetch_official(
        settings, sources="bdl", years="2022", catalogue=catalogue, bdl=replaying_bdl(tmp_path, bdl_answer)
    )
    assert leftovers(out) == ["FETCHED.json", "values-bdl.parquet", "values-smup.parquet"]
    assert (out / "values-smup.parquet").read_bytes() == smup_before
    assert report["sources"]["smup"]["carried_over"] is True
    assert set(pd.read_parquet(out / "values-bdl.parquet")["year"]) == {2022}


def test_a_failure_mid_fetch_leaves_the_previous_fetch_untouched(settings, catalogue, tmp_path, offline):
    fetch_official(
        settings,
        years="2023",
        catalogue=catalogue,
        bdl=replaying_bdl(tmp_path, bdl_answer),
        smup=replaying_smup(),
    )
    out = Path(settings.fetch_dir)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def connection_lost(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset by peer")

    with pytest.raises(FetchError, match="nothing was written"):
        fetch_official(
            settings,
            years="2023",
            catalogue=catalogue,
            bdl=replaying_bdl(tmp_path, connection_lost),
            smup=replaying_smup(),
        )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert leftovers(out.parent) == ["fetched"]


def test_an_indicator_error_is_recorded_not_fatal(settings, tmp_path, offline):
    cat = Catalogue.model_validate(
        {**CATALOGUE, "indicators": [*CATALOGUE["indicators"], indicator("zla", ["gmina"], bdl_variable=13)]}
    )

    def unknown_variable(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/13"):
            return httpx.Response(400, json={"errors": [{"message": "Unknown variable"}]})
        return bdl_answer(request)

    report = fetch_official(
        settings, sources="bdl", years="2023", catalogue=cat, bdl=replaying_bdl(tmp_path, unknown_variable)
    )
    assert "HTTP 400" in report["errors"]["bdl:zla"]
    assert report["sources"]["bdl"]["failed"] == ["zla"]
    assert set(pd.read_parquet(Path(settings.fetch_dir) / "values-bdl.parquet")["indicator"]) == {"urodzenia"}


def test_every_indicator_failing_is_fatal(settings, catalogue, tmp_path, offline):
    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400)

    with pytest.raises(FetchError, match="every indicator failed"):
        fetch_official(
            settings, sources="bdl", years="2023", catalogue=catalogue, bdl=replaying_bdl(tmp_path, refused)
        )
    assert not Path(settings.fetch_dir).exists()
