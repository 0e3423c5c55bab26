"""BDL mapping on pyBDL's recorded API payloads, and BdlSource with pyBDL's HTTP session replaying them."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import httpx
import pytest

from portal.catalogue import Indicator
from portal.config import Settings
from portal.pipeline import VALUE_COLUMNS
from portal.pipeline.bdl import (
    NO_DATA_ATTRS,
    ZERO_ATTRS,
    BdlError,
    BdlSource,
    bdl_results_to_values,
    bdl_unit_to_teryt,
    make_bdl_client,
    wants_bdl,
)

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


# -- results → values ------------------------------------------------------------------------------
def test_recorded_by_variable_payload_to_values():
    df = bdl_results_to_values(by_variable(), "urodzenia", 76973, 2, years=range(2015, 2025))
    assert list(df.columns) == VALUE_COLUMNS
    assert set(df["teryt"]) == {"12"}  # Poland and the macroregion are not województwa
    assert df.attrs["dropped_units"] == 2
    assert df["year"].tolist() == list(range(2015, 2025))
    raw = {int(v["year"]): v["val"] for v in by_variable()[2]["values"]}
    assert df["value"].tolist() == [float(raw[y]) for y in range(2015, 2025)]
    assert set(df["flag"]) == {"ok"}  # every recorded value has attrId 1
    assert set(df["source"]) == {"BDL:76973"} and set(df["indicator"]) == {"urodzenia"}
    assert not df["synthetic"].any()


def test_without_years_every_recorded_year_is_kept():
    df = bdl_results_to_values(by_variable(), "x", 1, "wojewodztwo")
    assert (df["year"].min(), df["year"].max(), len(df)) == (1995, 2024, 30)


def test_gmina_level_keeps_kinds_1_2_3_and_warsaw():
    df = bdl_results_to_values(gmina_results(), "x", 1, 6, years=[2024])
    assert sorted(df["teryt"]) == ["1201011", "1201022", "1201032", "1201042", "1465011"]
    assert df.attrs["dropped_units"] == 3


def test_attributes_become_flags():
    unit = by_variable()[2]
    values = {int(v["year"]): v for v in unit["values"]}
    values[2020].update(attrId=4, val=0)  # ". lub 0": no information / confidential
    values[2021].update(attrId=94, val=0)  # meaningful zero
    values[2022].update(attrId=3)  # aggregate may be incomplete
    values[2023].update(attrId=7, val=0.04)  # below the presentation format
    values[2024].update(val=None)
    values[2019].update(val=0)  # a measured zero with the ordinary attribute
    df = bdl_results_to_values([unit], "x", 1, 2, years=range(2018, 2025)).set_index("year")
    assert df.loc[2018, "flag"] == "ok"
    assert (df.loc[2019, "value"], df.loc[2019, "flag"]) == (0.0, "zero")
    assert math.isnan(df.loc[2020, "value"]) and df.loc[2020, "flag"] == "no_data"
    assert (df.loc[2021, "value"], df.loc[2021, "flag"]) == (0.0, "zero")
    assert df.loc[2022, "flag"] == "partial" and df.loc[2022, "value"] == values[2022]["val"]
    assert (df.loc[2023, "value"], df.loc[2023, "flag"]) == (0.04, "ok")
    assert math.isnan(df.loc[2024, "value"]) and df.loc[2024, "flag"] == "no_data"


def test_no_data_attributes_match_the_recorded_attribute_list():
    attributes = recorded("attributes")["list_attributes"]
    missing = {
        a["id"]
        for a in attributes
        if "brak informacji" in a["description"].lower() or "niedostępna" in a["description"].lower()
    }
    assert missing == NO_DATA_ATTRS
    zeros = {a["id"] for a in attributes if a["name"] == "0" and "mniejsza" not in a["description"]}
    assert zeros == ZERO_ATTRS


def test_swagger_value_field_is_accepted_too():
    unit = {"id": "011200000000", "values": [{"year": "2020", "value": 5.5, "attrId": 1}]}
    assert bdl_results_to_values([unit], "x", 1, 2)["value"].tolist() == [5.5]


def test_empty_results_give_an_empty_values_table():
    df = bdl_results_to_values([], "x", 1, 6)
    assert df.empty and list(df.columns) == VALUE_COLUMNS


# -- BdlSource through pyBDL, HTTP replayed --------------------------------------------------------
def indicator(**source) -> Indicator:
    text = {"pl": "t", "en": "t"}
    return Indicator.model_validate(
        {
            "id": "urodzenia",
            "area": "a",
            "dimension": "kontekst",
            "name": text,
            "description": text,
            "unit": text,
            "direction": "neutral",
            "formula": {"numerator": text},
            "source": {"evidence": "code_verified_value", "attribution": "GUS BDL", **source},
            "levels": ["gmina", "wojewodztwo"],
            "years": [2015, 2024],
            "sentence": text,
            "synthetic": {"median": 1.0},
        }
    )


class ReplayBdl:
    """Answers /data/by-variable like BDL: level 2 → recorded payload, level 6 → two pages of gminy."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"errors": [{"message": "nope"}]})
        level = request.url.params.get("unit-level")
        if level == "2":
            return httpx.Response(200, json={"totalRecords": 3, "page": 0, "results": by_variable()})
        units = gmina_results()
        if request.url.params.get("page") == "1":
            return httpx.Response(200, json={"page": 1, "results": units[5:], "links": {}})
        nxt = str(request.url.copy_merge_params({"page": "1"}))
        return httpx.Response(200, json={"page": 0, "results": units[:5], "links": {"next": nxt}})


def replaying_client(tmp_path: Path, handler, api_key: str = "bdl-key"):
    """A real pybdl.BDL whose data session goes to ``handler`` instead of the network."""
    from pybdl import BDL, BDLConfig

    client = BDL(
        BDLConfig(
            api_key=api_key,
            cache_backend=None,
            quota_cache_enabled=False,
            quota_cache_file=str(tmp_path / "quota.json"),
            request_retries=0,
            http_429_max_retries=0,
        )
    )
    old = client.api.data.session
    client.api.data.session = httpx.Client(transport=httpx.MockTransport(handler), headers=old.headers)
    old.close()
    return client


def test_source_fetches_every_level_and_page(tmp_path):
    handler = ReplayBdl()
    client = replaying_client(tmp_path, handler)
    source = BdlSource(Settings(), client=client)
    df = source.fetch_indicator(indicator(bdl_variable=76973), [2023, 2024])
    client.close()
    first = handler.requests[0]
    assert first.url.path == "/api/v1/data/by-variable/76973"
    assert first.url.params.get_list("year") == ["2023", "2024"]
    assert first.url.params["unit-level"] == "6" and first.headers["X-ClientId"] == "bdl-key"
    assert [r.url.params.get("unit-level") for r in handler.requests] == ["6", "6", "2"]  # two gmina pages
    assert sorted(df.loc[df["teryt"].str.len() == 7, "teryt"].unique()) == [
        "1201011",
        "1201022",
        "1201032",
        "1201042",
        "1465011",
    ]
    assert set(df["year"]) == {2023, 2024}
    assert set(df.loc[df["teryt"].str.len() == 2, "teryt"]) == {"12"}
    assert df.attrs["dropped_units"] == 5  # 3 at level 6, Poland and the macroregion at level 2


def test_source_404_is_no_data(tmp_path):
    client = replaying_client(tmp_path, ReplayBdl(status=404))
    assert BdlSource(Settings(), client=client).fetch_variable(76973, 6, [2024]) == []
    client.close()


def test_source_http_error_is_a_bdl_error(tmp_path):
    client = replaying_client(tmp_path, ReplayBdl(status=400))
    with pytest.raises(BdlError, match="HTTP 400") as err:
        BdlSource(Settings(), client=client).fetch_variable(1, "gmina", [2024])
    assert err.value.status == 400 and not err.value.connection
    client.close()


def test_source_without_network_is_a_connection_error(tmp_path):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    client = replaying_client(tmp_path, offline)
    with pytest.raises(BdlError, match=r"cannot reach bdl\.stat\.gov\.pl") as err:
        BdlSource(Settings(), client=client).fetch_variable(1, 6, [2024])
    assert err.value.connection
    client.close()


def test_make_bdl_client_uses_settings(tmp_path):
    settings = Settings(bdl_api_key="k", fetch_timeout="4")
    client = make_bdl_client(settings, quota_cache_file=tmp_path / "quota.json")
    try:
        assert client.config.api_key == "k" and client.config.cache_backend is None
        assert client.api.data.session.headers["X-ClientId"] == "k"
        assert client.api.data.session.timeout.read == 4.0
    finally:
        client.close()


def test_only_trustworthy_variable_ids_are_fetched():
    assert wants_bdl(indicator(bdl_variable=76973))
    assert not wants_bdl(indicator(bdl_variable=76973, evidence="guessed"))
    assert not wants_bdl(indicator(bdl_subject="P1234", evidence="subject_only"))
    assert not wants_bdl(indicator())
