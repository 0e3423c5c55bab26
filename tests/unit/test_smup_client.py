"""SMUP client and mapping, offline: hand-written SMUP-shaped answers served by httpx.MockTransport."""

from __future__ import annotations

import json
import math
from pathlib import Path

import httpx
import pandas as pd
import pytest

from portal.pipeline.measures import MEASURE_COLUMNS
from portal.pipeline.smup import (
    DEFAULT_FLAGS,
    SmupClient,
    SmupError,
    dictionary_row_to_teryt,
    flag_map,
    id_daty,
    merge_unit_kinds,
    smup_rows_to_measures,
    teryt_lookup,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "smup"


def fixture_answer(request: httpx.Request) -> httpx.Response:
    """The fixture file named after the request, or 404 (SMUP's 'no data') when there is none."""
    resource = request.url.path.rsplit("/", 1)[-1]
    params = request.url.params
    name = resource
    if resource == "indicator-date-data":
        name += f"-{params['id']}-{params['id-daty']}"
    if "page" in params:
        name += f"-page{params['page']}"
    path = FIXTURES / f"{name}.json"
    if not path.exists():
        return httpx.Response(404, json={"message": "Brak danych"})
    return httpx.Response(200, content=path.read_bytes(), headers={"Content-Type": "application/json"})


class Recorder:
    """A MockTransport handler that remembers requests; ``script`` answers come first, then fixtures."""

    def __init__(self, script: list[httpx.Response | Exception] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.script = list(script or [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            answer = self.script.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return fixture_answer(request)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(handler: Recorder, sleeps: list[float], **kwargs) -> SmupClient:
    kwargs.setdefault("min_interval", 0.0)
    return SmupClient("test-key", transport=httpx.MockTransport(handler), sleep=sleeps.append, **kwargs)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def dictionary_rows() -> list[dict]:
    return load("teryt-dictionary-page1.json")["data"] + load("teryt-dictionary-page2.json")["data"]


# -- client ----------------------------------------------------------------------------------------
def test_requests_carry_key_language_and_base_url(sleeps):
    handler = Recorder()
    with make_client(handler, sleeps) as client:
        areas = client.areas_list()
    assert len(areas) == 10 and areas[-1]["nazwa-obszaru"] == "Finanse JST"
    request = handler.requests[0]
    assert str(request.url).startswith("https://api.smup.gov.pl/api/1.0.0/areas-list")
    assert request.headers["X-ClientId"] == "test-key"
    assert request.url.params["lang"] == "pl"


def test_teryt_dictionary_follows_page_count(sleeps):
    handler = Recorder()
    with make_client(handler, sleeps) as client:
        rows = client.teryt_dictionary()
    assert [r.url.params["page"] for r in handler.requests] == ["1", "2"]
    assert {r.url.params["page-size"] for r in handler.requests} == {"5000"}
    assert len(rows) == len(dictionary_rows()) == 13


def test_indicator_list(sleeps):
    with make_client(Recorder(), sleeps) as client:
        ids = [row["id"] for row in client.indicator_list()]
    assert ids == [4074, 4424, 16]


def test_indicator_date_data_asks_for_31_december_and_pages(sleeps):
    handler = Recorder()
    with make_client(handler, sleeps) as client:
        rows = client.indicator_date_data(4074, 2023)
    assert id_daty(2023) == 20231231
    assert [(r.url.params["id"], r.url.params["id-daty"]) for r in handler.requests] == [
        ("4074", "20231231")
    ] * 2
    assert len(rows) == 6


def test_404_means_no_data_that_year(sleeps):
    with make_client(Recorder(), sleeps) as client:
        assert client.indicator_date_data(4074, 2022) == []


def test_429_waits_retry_after_then_succeeds(sleeps):
    handler = Recorder([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(429)])
    with make_client(handler, sleeps) as client:
        rows = client.indicator_date_data(4424, 2023)
    assert len(rows) == 2
    assert sleeps == [7.0, 2.0]  # Retry-After when given, else exponential backoff (attempt 1 → 2 s)


def test_429_retries_are_bounded_and_waits_capped(sleeps):
    handler = Recorder([httpx.Response(429, headers={"Retry-After": "3600"})] * 10)
    with make_client(handler, sleeps, max_retries=3, max_wait=30) as client, pytest.raises(SmupError) as err:
        client.teryt_dictionary()
    assert err.value.status == 429 and "429" in str(err.value)
    assert sleeps == [30, 30, 30]
    assert len(handler.requests) == 4


def test_http_errors_become_smup_errors(sleeps):
    handler = Recorder([httpx.Response(400, text="zly parametr id-daty")])
    with make_client(handler, sleeps) as client, pytest.raises(SmupError, match=r"HTTP 400.*zly parametr"):
        client.indicator_date_data(4074, 2023)


def test_refused_key_says_which_setting(sleeps):
    handler = Recorder([httpx.Response(403)])
    with make_client(handler, sleeps) as client, pytest.raises(SmupError, match="OMUP_SMUP_API_KEY"):
        client.indicator_list()


def test_server_errors_are_retried_then_reported(sleeps):
    handler = Recorder([httpx.Response(503)] * 3)
    with make_client(handler, sleeps, max_retries=2) as client, pytest.raises(SmupError, match="HTTP 503"):
        client.indicator_list()
    assert sleeps == [1.0, 2.0]


def test_no_connection_is_a_connection_error(sleeps):
    handler = Recorder([httpx.ConnectError("Name or service not known")])
    with (
        make_client(handler, sleeps) as client,
        pytest.raises(SmupError, match=r"cannot reach api\.smup\.gov\.pl") as e,
    ):
        client.areas_list()
    assert e.value.connection


def test_key_is_required():
    with pytest.raises(SmupError, match="OMUP_SMUP_API_KEY"):
        SmupClient("")


# -- mapping ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"woj": "10", "pow": "01", "gmn": "01", "rodz": "1"}, ("1001011", "gmina")),
        ({"woj": "10", "pow": "01", "gmn": "08", "rodz": "3"}, ("1001083", "gmina")),
        ({"woj": 2, "pow": 1, "gmn": 2, "rodz": 2}, ("0201022", "gmina")),  # numbers lose leading zeros
        ({"woj": "10", "pow": "01", "gmn": "08", "rodz": "4"}, None),  # town part of Zelów
        ({"woj": "10", "pow": "01", "gmn": "08", "rodz": "5"}, None),  # rural part
        ({"woj": "14", "pow": "65", "gmn": "02", "rodz": "8"}, None),  # Warsaw district
        ({"woj": "14", "pow": "65", "gmn": "02", "rodz": "9"}, None),
        ({"woj": "10", "pow": "62"}, ("1062", "powiat")),
        ({"woj": "10", "pow": "01", "gmn": None, "rodz": ""}, ("1001", "powiat")),
        ({"woj": "12"}, ("12", "wojewodztwo")),
        ({"nazwa": "POLSKA"}, None),
    ],
)
def test_dictionary_row_to_teryt(row, expected):
    assert dictionary_row_to_teryt(row) == expected


def test_lookup_keeps_gminy_powiaty_wojewodztwa_only():
    lookup = teryt_lookup(dictionary_rows())
    assert lookup[1324] == ("1001011", "gmina")
    assert lookup[1450] == ("1062011", "gmina")  # city with powiat rights as a gmina …
    assert lookup[175] == ("1062", "powiat")  # … and as a powiat
    assert lookup[2300] == ("1465011", "gmina")  # Warsaw
    assert lookup[6] == ("12", "wojewodztwo")
    assert 1332 not in lookup and 1 not in lookup  # rodz 4, Warsaw district


def test_rows_to_measures_flags_precision_and_id_teryt_mapping():
    rows = load("indicator-date-data-4074-20231231-page1.json")["data"]
    rows += load("indicator-date-data-4074-20231231-page2.json")["data"]
    df = smup_rows_to_measures(rows, dictionary_rows(), 4074)
    assert list(df.columns) == MEASURE_COLUMNS
    got = {r.teryt: (r.value, r.flag) for r in df.itertuples()}
    assert got["1001011"] == (1160.06, "ok")  # flag 1, rounded to precyzja = 2
    assert got["1001022"] == (0.0, "zero")  # flag 2: the phenomenon did not occur
    assert math.isnan(got["1001083"][0]) and got["1001083"][1] == "no_data"  # flag 5
    # Point 5: flag 3 without a value is missing, never a 0 with flag ok.
    assert math.isnan(got["1001042"][0]) and got["1001042"][1] == "no_data"
    # id-teryt is SMUP's own id, never a TERYT; the rodz-4 town and an unknown id are dropped.
    assert "1324" not in got and "1332" not in got and len(got) == 4
    assert df.attrs["unmapped_rows"] == 2
    assert set(df["measure"]) == {"smup:4074"} and set(df["source"]) == {"smup-api"}
    assert set(df["year"]) == {2023} and df["year"].dtype == "int64"


@pytest.mark.parametrize("flag", [3, 4, 6])
def test_flags_3_4_6_keep_a_given_value_as_approximate_and_never_invent_one(flag):
    lookup = teryt_lookup(dictionary_rows())
    row = {"id": 1, "id-daty": 20231231, "id-teryt": 1324, "id-flaga": flag, "precyzja": 1}
    given = smup_rows_to_measures([{**row, "wartosc": 0.04}], lookup, 1)
    assert (given["value"].item(), given["flag"].item()) == (0.0, "estimated")
    empty = smup_rows_to_measures([{**row, "wartosc": None}], lookup, 1)
    assert math.isnan(empty["value"].item()) and empty["flag"].item() == "no_data"


def test_flag_meanings_come_from_smups_flag_dictionary_when_it_names_them():
    names = [
        {"id-flaga": 1, "nazwa": "Zjawisko wystąpiło"},
        {"id-flaga": 2, "nazwa": "Zjawisko nie wystąpiło"},
        {"id-flaga": 3, "nazwa": "Dane niekompletne"},
        {"id-flaga": 4, "nazwa": "Wartość mniejsza niż przyjęty format prezentacji"},
        {"id-flaga": 5, "nazwa": "Brak informacji, konieczność zachowania tajemnicy statystycznej"},
        {"id-flaga": 6, "nazwa": "Dane szacunkowe"},
    ]
    assert flag_map(names) == {1: "ok", 2: "zero", 3: "partial", 4: "estimated", 5: "no_data", 6: "estimated"}
    assert flag_map([]) == DEFAULT_FLAGS
    assert set(DEFAULT_FLAGS) == {1, 2, 3, 4, 5, 6}


def test_a_flag_without_a_meaning_is_an_error():
    row = {"id": 1, "id-daty": 20231231, "id-teryt": 1324, "id-flaga": 9, "wartosc": 5.0}
    with pytest.raises(SmupError, match="flag 9 has no meaning"):
        smup_rows_to_measures([row], teryt_lookup(dictionary_rows()), 1)


def test_gmina_and_mnpp_indicators_merge_into_one():
    lookup = teryt_lookup(dictionary_rows())
    gminy = smup_rows_to_measures(load("indicator-date-data-4074-20231231-page1.json")["data"], lookup, 4074)
    mnpp = smup_rows_to_measures(load("indicator-date-data-4424-20231231-page1.json")["data"], lookup, 4424)
    df = merge_unit_kinds([gminy, mnpp], "dlug")
    assert df["teryt"].is_unique and set(df["measure"]) == {"dlug"}
    assert set(df["teryt"]) == {"1001011", "1001022", "1001083", "1062011", "1465011"}
    assert df.loc[df["teryt"] == "1465011", "value"].item() == 4421.12


def test_merge_prefers_a_value_over_no_data():
    base = {"measure": "x", "year": 2023, "source": "smup-api"}
    first = pd.DataFrame([{**base, "teryt": "1001011", "value": math.nan, "flag": "no_data"}])
    second = pd.DataFrame([{**base, "teryt": "1001011", "value": 5.0, "flag": "ok"}])
    df = merge_unit_kinds([first[MEASURE_COLUMNS], second[MEASURE_COLUMNS]], "x")
    assert df[["value", "flag"]].to_dict("records") == [{"value": 5.0, "flag": "ok"}]


def test_all_levels_indicator_is_filtered_by_levels():
    rows = load("indicator-date-data-16-20231231-page1.json")["data"]
    lookup = teryt_lookup(dictionary_rows())
    every = smup_rows_to_measures(rows, lookup, 16)
    assert set(every["teryt"]) == {"1001011", "1062011", "1001", "1062", "10"}  # Warsaw district dropped
    assert every.loc[every["teryt"] == "1001011", "value"].item() == 955.3  # precyzja 1
    gminy = smup_rows_to_measures(rows, lookup, 16, levels=["gmina"])
    assert set(gminy["teryt"]) == {"1001011", "1062011"}
    assert gminy.attrs["unmapped_rows"] == 4


def test_no_rows_give_an_empty_measure_table():
    df = smup_rows_to_measures([], {}, 4074)
    assert df.empty and list(df.columns) == MEASURE_COLUMNS


def test_requests_go_to_the_configured_address(sleeps):
    handler = Recorder()
    with make_client(handler, sleeps, base_url="http://127.0.0.1:8765/smup/api/1.0.0") as client:
        client.areas_list()
    assert str(handler.requests[0].url).startswith("http://127.0.0.1:8765/smup/api/1.0.0/areas-list?")


def test_requests_are_spaced_and_answers_kept_for_a_resumed_fetch(sleeps, tmp_path):
    handler = Recorder()
    with make_client(handler, sleeps, min_interval=0.5, cache_file=tmp_path / "c.sqlite") as client:
        client.indicator_date_data(4424, 2023)
        client.indicator_date_data(4074, 2023)
    assert sleeps and all(0 < s <= 0.5 for s in sleeps)  # at most 2 a second
    asked = len(handler.requests)
    with make_client(handler, sleeps, cache_file=tmp_path / "c.sqlite") as client:
        assert len(client.indicator_date_data(4074, 2023)) == 6
    assert len(handler.requests) == asked  # from the disk cache
