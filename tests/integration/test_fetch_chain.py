"""The real path end to end (issue 14): `omup data fetch` against a local server that answers like BDL and
SMUP, interrupted and resumed, then `omup data build`, then the API: every fetched value equals the value
computed by hand from the totals and the same year's population (P1336 from the raw files), flags are right
and nothing synthetic is left for the fetched indicators.

Real processes (the `omup` command, twice for the fetch and once for the build) against the fake APIs on
loopback (tests/fake_apis.py: paging, a 404 for a wrong id, a 429 with Retry-After, values for several
variables at gmina level over three years, a gmina renumbered by a type-digit change)."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from portal.config import REPO_ROOT, Settings
from tests.fake_apis import (
    BOCHNIA_G,
    BOCHNIA_M,
    DWELLINGS,
    KRAKOW,
    PLAN,
    PRUSZCZ,
    PRUSZCZ_OLD,
    SMUP_CAPITAL_SHARE,
    SMUP_DEBT,
    SPENDING_700,
    p1336,
    scenario,
    serve,
)

pytestmark = pytest.mark.integration
RAW = Settings.from_env().raw_path
OMUP = [sys.executable, "-m", "portal.cli"]
FETCHED = [
    "wydatki-700-na-mieszkanca",
    "mieszkania-oddane-na-1000",
    "dlug-na-mieszkanca",
    "wydatki-majatkowe-udzial",
]


def run(args: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*OMUP, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fetch-chain")
    data = tmp / "data"
    data.mkdir()
    shutil.copy(REPO_ROOT / "data" / "catalogue.yaml", data / "catalogue.yaml")
    shutil.copytree(REPO_ROOT / "data" / "indicators", data / "indicators")
    (data / "fetch.yaml").write_text(json.dumps(PLAN, ensure_ascii=False), encoding="utf-8")
    apis = scenario(RAW)
    with serve(apis) as base:
        env = {
            **os.environ,
            "OMUP_RAW_DIR": str(RAW),
            "OMUP_RELEASE_DIR": str(tmp / "release"),
            "OMUP_FETCH_DIR": str(tmp / "fetched"),
            "OMUP_CATALOGUE_PATH": str(data / "catalogue.yaml"),
            "OMUP_BDL_URL": f"{base}/api/v1",
            "OMUP_SMUP_URL": f"{base}/api/1.0.0",
            "OMUP_SMUP_API_KEY": "smup-key",
            "BDL_QUOTA_CACHE": str(tmp / "quota.json"),  # pyBDL's quota record of this test only
            "PYTHONUNBUFFERED": "1",
        }
        # 1. Interrupted: the server holds the 13th request until the command is stopped with Ctrl-C.
        apis.stall_after = 12
        proc = subprocess.Popen(
            [*OMUP, "data", "fetch", "--years", "2020-2022"],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert apis.stalled.wait(300), "the fetch never reached the 13th request"
        proc.send_signal(signal.SIGINT)
        _out, interrupted_err = proc.communicate(timeout=120)
        first = list(apis.answered)
        apis.stall_after = None
        apis.release.set()
        interrupted = {
            "returncode": proc.returncode,
            "stderr": interrupted_err,
            "fetch_dir_exists": (tmp / "fetched").exists(),
            "cache_exists": (tmp / ".fetched-http-cache" / "answers.sqlite").exists(),
        }
        # 2. Resumed: the same command again.
        resumed = run(["data", "fetch", "--years", "2020-2022"], env, timeout=600)
        second = apis.answered[len(first) :]
    # 3. The build, with the fetched values.
    built = run(["data", "build"], env, timeout=3600)
    settings = Settings.from_env(
        {k: v for k, v in env.items() if k.startswith("OMUP_")}
        | {"OMUP_RATE_LIMIT": "1000000 per minute", "OMUP_RATE_LIMIT_API": "1000000 per minute"}
    )
    return {
        "tmp": tmp,
        "apis": apis,
        "interrupted": interrupted,
        "first": first,
        "second": second,
        "resumed": resumed,
        "built": built,
        "settings": settings,
        "pop": p1336(RAW),
    }


@pytest.fixture(scope="module")
def client(chain):
    assert chain["built"].returncode == 0, chain["built"].stderr[-3000:]
    from portal.app import create_app

    return create_app(chain["settings"]).server.test_client()


def values(client, indicator: str, codes: list[str], demo: bool = False) -> dict[tuple[str, int], dict]:
    r = client.get(
        f"/api/v1/values?indicator={indicator}&units={','.join(codes)}&page_size=500"
        + ("&demo=1" if demo else "")
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return {(row["teryt"], row["year"]): row for row in r.get_json()["items"]}


# -- fetch ---------------------------------------------------------------------------------------------------
def test_an_interrupted_fetch_writes_nothing_and_resumes_where_it_stopped(chain):
    interrupted = chain["interrupted"]
    assert (
        interrupted["returncode"] != 0 and not interrupted["fetch_dir_exists"] and interrupted["cache_exists"]
    )
    assert "run the same command again" in interrupted["stderr"]
    assert chain["resumed"].returncode == 0, chain["resumed"].stderr[-3000:]
    got_before = {path for path, status in chain["first"] if status == 200}
    asked_after = [path for path, _ in chain["second"]]
    assert len(got_before) >= 10 and not got_before & set(asked_after)  # nothing fetched twice
    assert not (chain["tmp"] / ".fetched-http-cache").exists()  # removed once the fetch completed
    manifest = json.loads((chain["tmp"] / "fetched" / "FETCHED.json").read_text(encoding="utf-8"))
    assert manifest["bdl_url"].startswith("http://127.0.0.1:")
    assert "404" in manifest["errors"]["bdl:wydatki-900-na-mieszkanca"]  # the wrong id, named


def test_the_fetch_shows_its_estimate_and_a_progress_bar(chain):
    err = chain["resumed"].stderr
    assert "requests to BDL" in err and "at least" in err and "req" in err
    assert any(status == 429 for _, status in chain["first"] + chain["second"])  # and waited it out


# -- build and API -------------------------------------------------------------------------------------------
def test_spending_per_resident_equals_the_hand_computed_value(chain, client):
    pop = chain["pop"]
    got = values(client, "wydatki-700-na-mieszkanca", [PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW])
    checked = 0
    for code, by_year in SPENDING_700.items():
        if len(code) != 7 or code not in pop:
            continue
        today = PRUSZCZ if code == PRUSZCZ_OLD else code
        for year, (total, attr) in by_year.items():
            row = got[(today, year)]
            assert row["synthetic"] is False
            if attr == 4:  # confidential in BDL
                assert row["value"] is None and row["flag"] == "no_data"
                continue
            assert row["value"] == pytest.approx(total / pop[code][year], rel=1e-9), (code, year)
            assert row["flag"] == ("zero" if total == 0 else "ok")
            checked += 1
    assert checked == 11  # the renumbered gmina's 2020 and 2021 values under today's code included


def test_dwellings_per_1000_at_gmina_and_powiat(chain, client):
    pop = chain["pop"]
    got = values(client, "mieszkania-oddane-na-1000", [PRUSZCZ, BOCHNIA_M, BOCHNIA_G, "1201"])
    assert got[(PRUSZCZ, 2021)]["value"] == pytest.approx(57 / pop[PRUSZCZ_OLD][2021] * 1000)
    assert got[(BOCHNIA_G, 2022)]["flag"] == "estimated"  # BDL's preliminary estimate (attribute 9)
    assert got[("1201", 2021)]["value"] == pytest.approx(
        DWELLINGS["1201"][2021][0] / pop["1201"][2021] * 1000
    )
    summed = (
        DWELLINGS[BOCHNIA_M][2020][0] + DWELLINGS[BOCHNIA_G][2020][0]
    )  # BDL's 2020 value was "with the city"
    assert got[("1201", 2020)]["value"] == pytest.approx(summed / pop["1201"][2020] * 1000)
    assert got[("1201", 2020)]["flag"] == "partial"


def test_smup_values_and_flags_as_published(chain, client):
    got = values(client, "dlug-na-mieszkanca", [PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW])
    for year, spec in SMUP_DEBT.items():
        for code, (flag, value) in spec.items():
            row = got[(code, year)]
            if flag == 1:
                assert (row["value"], row["flag"]) == (value, "ok")
            elif flag == 2:
                assert (row["value"], row["flag"]) == (0.0, "zero")
            else:  # 5, and 3 without a value: missing, never a 0
                assert row["value"] is None and row["flag"] == "no_data"
    share = values(client, "wydatki-majatkowe-udzial", [PRUSZCZ, BOCHNIA_M])
    assert {c: share[(c, 2022)]["value"] for c in (PRUSZCZ, BOCHNIA_M)} == {
        c: v for c, (_f, v) in SMUP_CAPITAL_SHARE.items()
    }


def test_nothing_synthetic_is_left_for_the_fetched_indicators(chain, client):
    for indicator in FETCHED:
        for demo in (False, True):
            r = client.get(f"/api/v1/indicators/{indicator}" + ("?demo=1" if demo else ""))
            assert r.status_code == 200
            summary = r.get_json()["indicator"]
            assert summary["synthetic"] is False, (indicator, demo)
            got = values(client, indicator, [PRUSZCZ, BOCHNIA_M, BOCHNIA_G, KRAKOW], demo=demo)
            assert got and not any(row["synthetic"] for row in got.values())
    debt = client.get("/api/v1/indicators/dlug-na-mieszkanca").get_json()["indicator"]
    assert debt["levels"] == ["gmina"]  # SMUP publishes gminy only; the catalogue's powiaty are not invented
    meta = json.loads((Path(chain["settings"].release_dir) / "current" / "metadata.json").read_text())
    assert sorted(meta["fetched_from_api"]) == sorted(FETCHED)
    assert "wydatki-900-na-mieszkanca" in meta["demo_indicators"]  # the wrong id left its demo series alone
    report = meta["build_report"]["fetched"]
    assert report["indicators"]["wydatki-majatkowe-udzial"]["cross_check"]["beyond_tolerance"] == 1
    assert f"{PRUSZCZ_OLD}→{PRUSZCZ}" in report["rekeying"]["codes_moved_to_todays_unit"]
    assert report["population"]["beyond_tolerance"] == 0 and not math.isnan(report["population"]["compared"])
