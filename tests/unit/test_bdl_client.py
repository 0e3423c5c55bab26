"""BDL mapping on pyBDL's recorded API payloads, and BdlSource through pyBDL, its HTTP answered locally."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import httpx
import pytest

from portal.config import Settings
from portal.pipeline.bdl import (
    ATTRIBUTE_FLAGS,
    NO_DATA_ATTRS,
    ZERO_ATTRS,
    BdlError,
    BdlSource,
    bdl_results_to_measures,
    bdl_unit_to_teryt,
    make_bdl_client,
    teryt_to_bdl_unit,
)
from portal.pipeline.measures import MEASURE_COLUMNS

RAW = Settings.from_env().raw_path
RECORDED = RAW / "bdl-api-fixtures-pybdl"
GMINA_IDS = RAW / "bdl-meta" / "gmina_teryt_codes.txt"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"samples_raw_{name}.json").read_text(encoding="utf-8"))


def by_variable() -> list[dict]:
    """Recorded /data/by-variable results: POLSKA, MAKROREGION POŁUDNIOWY, MAŁOPOLSKIE, 1995-2024."""
    return recorded("data")["get_data_by_variable"]


def gmina_results() -> list[dict]:
    """Level-6 results shaped like the recorded ones, for real unit ids (units fixture + gmina id list)."""
    values = by_variable()[2]["values"]
    ids = [u["id"] for u in recorded("units")["list_units"] if u["level"] == 6]  # Bochnia m., Bochnia gm., …
    ids += ["011212001064", "011212001065", "071412865011", "071412865028"]  # town/rural part, Warsaw, Bemowo
    return [{"id": uid, "name": f"unit {uid}", "values": copy.deepcopy(values)} for uid in ids]


# -- unit ids → TERYT ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unit_id", "level", "teryt"),
    [
        ("011212001011", 6, "1201011"),  # Bochnia, gmina miejska
        ("011212001022", 6, "1201022"),  # Bochnia, gmina wiejska
        ("011212001063", 6, "1201063"),  # an urban-rural gmina …
        ("011212001064", 6, None),  # … its town …
        ("011212001065", 6, None),  # … and its rural area
        ("071412865011", 6, "1465011"),  # Warsaw
        ("071412865028", 6, None),  # a Warsaw district
        ("011212001000", 6, None),  # a powiat is not a gmina
        ("011212001000", 5, "1201"),
        ("071412865000", 5, "1465"),
        ("011212001011", 5, None),
        ("011200000000", 2, "12"),
        ("011200000000", "wojewodztwo", "12"),
        ("000000000000", 2, None),  # POLSKA
        ("010000000000", 2, None),  # a macroregion
        ("011210000000", 2, None),  # a region
    ],
)
def test_unit_id_to_teryt(unit_id, level, teryt):
    assert bdl_unit_to_teryt(unit_id, level) == teryt


@pytest.mark.parametrize("teryt", ["1201011", "0414083", "1201", "12"])
def test_teryt_to_unit_id_round_trips(teryt):
    uid = teryt_to_bdl_unit(teryt)
    assert len(uid) == 12 and bdl_unit_to_teryt(uid, {7: 6, 4: 5, 2: 2}[len(teryt)]) == teryt


def test_every_recorded_gmina_id_maps_to_a_unique_seven_digit_teryt():
    ids = GMINA_IDS.read_text().split()
    kept = [t for t in (bdl_unit_to_teryt(i, 6) for i in ids) if t]
    assert len(kept) == sum(i[-1] in "123" for i in ids)  # kinds 4, 5 and 8 are dropped
    assert len(set(kept)) == len(kept)
    assert all(len(t) == 7 and t.isdigit() for t in kept)
    assert "1465011" in kept  # Warsaw stays


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="level"):
        bdl_unit_to_teryt("011200000000", 3)


# -- results → measures ----------------------------------------------------------------------------
def test_recorded_by_variable_payload_to_measures():
    df = bdl_results_to_measures(by_variable(), 76973, 2, years=range(2015, 2025))
    assert list(df.columns) == MEASURE_COLUMNS
    assert set(df["teryt"]) == {"12"}  # Poland and the macroregion are not województwa
    assert df.attrs["dropped_units"] == 2
    assert df["year"].tolist() == list(range(2015, 2025))
    raw = {int(v["year"]): v["val"] for v in by_variable()[2]["values"]}
    assert df["value"].tolist() == [float(raw[y]) for y in range(2015, 2025)]
    assert set(df["flag"]) == {"ok"}  # every recorded value has attrId 1
    assert set(df["measure"]) == {"bdl:76973"} and set(df["source"]) == {"bdl-api"}


def test_gmina_level_keeps_kinds_1_2_3_and_warsaw():
    df = bdl_results_to_measures(gmina_results(), 1, 6, years=[2024])
    assert sorted(df["teryt"]) == ["1201011", "1201022", "1201032", "1201042", "1465011"]
    assert df.attrs["dropped_units"] == 3


def test_every_recorded_attribute_has_a_meaning_in_the_release():
    """Point 5: every attribute BDL lists maps to a flag of the release (or drops the row); none guessed."""
    attributes = {a["id"]: a for a in recorded("attributes")["list_attributes"]}
    assert set(attributes) == set(ATTRIBUTE_FLAGS)
    for ident, attr in attributes.items():
        text = (attr["name"] + " " + attr["description"]).lower()
        flag = ATTRIBUTE_FLAGS[ident]
        if "brak informacji" in text or "niedostępna" in text:
            assert flag == "no_data", ident
        elif "łącznie dla powiatu i miasta" in text:
            assert flag == "drop", ident  # not this unit's own value
        elif "niekompletny" in text:
            assert flag == "partial", ident
        elif "mniejsza niż" in text or "szacunki" in text or "niskiej precyzji" in text:
            assert flag == "estimated", ident
        elif attr["name"] == "0":
            assert flag == "zero", ident
        else:
            assert flag == "ok", ident
    assert {4, 14, 15, 50, 91} == NO_DATA_ATTRS and {0, 94, 98} == ZERO_ATTRS


def test_attributes_become_flags():
    unit = by_variable()[2]
    values = {int(v["year"]): v for v in unit["values"]}
    values[2016].update(attrId=97, val=123)  # "together for the powiat and its city": not the unit's own
    values[2017].update(attrId=9)  # preliminary estimate
    values[2020].update(attrId=4, val=0)  # ". lub 0": no information / confidential
    values[2021].update(attrId=94, val=0)  # meaningful zero
    values[2022].update(attrId=3)  # aggregate may be incomplete
    values[2023].update(attrId=7, val=0.04)  # below the presentation format
    values[2024].update(val=None)
    values[2019].update(val=0)  # a measured zero with the ordinary attribute
    df = bdl_results_to_measures([unit], 1, 2, years=range(2016, 2025))
    assert df.attrs["combined_values"] == 1 and 2016 not in set(df["year"])
    df = df.set_index("year")
    assert (df.loc[2017, "flag"], df.loc[2018, "flag"]) == ("estimated", "ok")
    assert (df.loc[2019, "value"], df.loc[2019, "flag"]) == (0.0, "zero")
    assert math.isnan(df.loc[2020, "value"]) and df.loc[2020, "flag"] == "no_data"
    assert (df.loc[2021, "value"], df.loc[2021, "flag"]) == (0.0, "zero")
    assert df.loc[2022, "flag"] == "partial" and df.loc[2022, "value"] == values[2022]["val"]
    assert (df.loc[2023, "value"], df.loc[2023, "flag"]) == (0.04, "estimated")
    assert math.isnan(df.loc[2024, "value"]) and df.loc[2024, "flag"] == "no_data"


def test_an_unknown_attribute_is_an_error_not_a_value():
    unit = {"id": "011200000000", "values": [{"year": "2020", "val": 5.0, "attrId": 42}]}
    with pytest.raises(BdlError, match="attribute 42 has no meaning"):
        bdl_results_to_measures([unit], 77, 2)


def test_swagger_value_field_is_accepted_too():
    unit = {"id": "011200000000", "values": [{"year": "2020", "value": 5.5, "attrId": 1}]}
    assert bdl_results_to_measures([unit], 1, 2)["value"].tolist() == [5.5]


def test_empty_results_give_an_empty_measure_table():
    df = bdl_results_to_measures([], 1, 6)
    assert df.empty and list(df.columns) == MEASURE_COLUMNS


# -- BdlSource through pyBDL, HTTP answered by a local handler -------------------------------------
class ReplayBdl:
    """Answers like BDL: /variables/{id}; /data/by-variable level 2 → recorded payload, level 6 → two pages of
    gminy (totalRecords tells how many); an unknown variable → 404; `throttle` first answers are 429."""

    def __init__(self, status: int = 200, throttle: int = 0, retry_after: str | None = "7") -> None:
        self.requests: list[httpx.Request] = []
        self.status = status
        self.throttle = throttle
        self.retry_after = retry_after

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.throttle:
            self.throttle -= 1
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return httpx.Response(429, json={"reason": "limit", "result": "error"}, headers=headers)
        if self.status != 200:
            return httpx.Response(self.status, json={"errors": [{"message": "nope"}]})
        if "/variables/" in request.url.path:
            return httpx.Response(
                200, json={**recorded("variables")["get_variable"], "measureUnitName": "zł"}
            )
        level = request.url.params.get("unit-level")
        if level == "2":
            return httpx.Response(200, json={"totalRecords": 3, "page": 0, "results": by_variable()})
        units = gmina_results()
        if request.url.params.get("page") == "1":
            return httpx.Response(200, json={"totalRecords": len(units), "page": 1, "results": units[5:]})
        return httpx.Response(200, json={"totalRecords": len(units), "page": 0, "results": units[:5]})


def source(
    tmp_path: Path,
    handler,
    *,
    cache: bool = False,
    url: str = "https://bdl.stat.gov.pl/api/v1",
    sleeps: list | None = None,
    key: str = "bdl-key",
) -> BdlSource:
    settings = Settings(bdl_api_key=key, bdl_url=url, fetch_timeout="4")
    client = make_bdl_client(
        settings,
        cache_file=tmp_path / "cache.sqlite" if cache else None,
        quota_cache_file=tmp_path / "quota.json",
        transport=httpx.MockTransport(handler),
    )
    return BdlSource(settings, client=client, sleep=(sleeps if sleeps is not None else []).append)


def test_source_fetches_every_page_of_a_level(tmp_path, monkeypatch):
    monkeypatch.setattr("portal.pipeline.bdl.PAGE_SIZE", 5)
    handler = ReplayBdl()
    with source(tmp_path, handler) as src:
        pages: list[int] = []
        results = src.fetch_variable(76973, 6, [2023, 2024], on_total=pages.append)
    first = handler.requests[0]
    assert first.url.path == "/api/v1/data/by-variable/76973"
    assert first.url.params.get_list("year") == ["2023", "2024"]  # every year in one request
    assert first.url.params["unit-level"] == "6" and first.headers["X-ClientId"] == "bdl-key"
    assert [r.url.params["page"] for r in handler.requests] == ["0", "1"] and pages == [2]
    assert len(results) == len(gmina_results()) and src.requests == 2


def test_source_reads_the_variable_unit(tmp_path):
    with source(tmp_path, ReplayBdl()) as src:
        info = src.variable(76973)
    assert info["measureUnitName"] == "zł" and info["subjectId"] == "P1313"


def test_a_wrong_variable_id_is_an_error_not_no_data(tmp_path):
    """Point 5: BDL's 404 for a variable means a wrong id, never 'no data'."""
    with (
        source(tmp_path, ReplayBdl(status=404)) as src,
        pytest.raises(BdlError, match=r"404.*wrong id") as err,
    ):
        src.fetch_variable(999999, 6, [2024])
    assert err.value.status == 404 and not err.value.connection


def test_source_http_error_is_a_bdl_error(tmp_path):
    with source(tmp_path, ReplayBdl(status=400)) as src, pytest.raises(BdlError, match="HTTP 400") as err:
        src.fetch_variable(1, "gmina", [2024])
    assert err.value.status == 400 and not err.value.connection


def test_source_without_network_is_a_connection_error(tmp_path):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    with (
        source(tmp_path, offline) as src,
        pytest.raises(BdlError, match=r"cannot reach bdl\.stat\.gov\.pl") as e,
    ):
        src.fetch_variable(1, 6, [2024])
    assert e.value.connection


def test_a_429_waits_as_retry_after_says_then_goes_on(tmp_path):
    """Point 6: BDL's 429 is waited out for the Retry-After it gives (pyBDL alone ignores the header)."""
    sleeps: list[float] = []
    handler = ReplayBdl(throttle=2)
    with source(tmp_path, handler, sleeps=sleeps) as src:
        results = src.fetch_variable(76973, 2, [2024])
    assert sleeps == [7.0, 7.0] and len(results) == 3
    assert src.waited == 14.0 and src.requests == 3


def test_a_429_without_retry_after_backs_off_and_gives_up(tmp_path):
    sleeps: list[float] = []
    with (
        source(tmp_path, ReplayBdl(throttle=10, retry_after=None), sleeps=sleeps) as src,
        pytest.raises(BdlError, match="HTTP 429") as err,
    ):
        src.fetch_variable(76973, 2, [2024])
    assert sleeps == [2.0, 4.0, 8.0, 16.0] and err.value.status == 429


def test_answers_are_kept_on_disk_but_never_a_429(tmp_path):
    """Point 6: a second run reads pyBDL's disk cache; a 429 is not stored (it would be replayed forever)."""
    handler = ReplayBdl(throttle=1)
    with source(tmp_path, handler, cache=True) as src:
        first = src.fetch_variable(76973, 2, [2024])
    assert len(handler.requests) == 2  # the 429, then the answer
    with source(tmp_path, handler, cache=True) as src:
        again = src.fetch_variable(76973, 2, [2024])
    assert again == first and len(handler.requests) == 2  # nothing asked the second time
    assert (tmp_path / "cache.sqlite").exists()


def test_requests_go_to_the_configured_address(tmp_path):
    """OMUP_BDL_URL: a mirror or a recorded server on plain http stands in for the official host."""
    handler = ReplayBdl()
    with source(tmp_path, handler, url="http://127.0.0.1:8765/bdl/api/v1") as src:
        src.variable(76973)
    assert str(handler.requests[0].url).startswith("http://127.0.0.1:8765/bdl/api/v1/variables/76973?")


def test_make_bdl_client_uses_settings(tmp_path):
    settings = Settings(bdl_api_key="k", fetch_timeout="4")
    client = make_bdl_client(settings, quota_cache_file=tmp_path / "quota.json")
    try:
        assert client.config.api_key == "k" and client.config.cache_backend is None
        assert 429 not in client.config.retry_status_codes  # BdlSource handles 429 with Retry-After
        assert client.api.data.session.headers["X-ClientId"] == "k"
        assert client.api.data.session.timeout.read == 4.0
    finally:
        client.close()
