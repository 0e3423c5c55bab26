"""The /api/v1 JSON API through the Flask test client: shapes, flags, pagination, errors, caching, CORS."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    # Only the JSON, file and embed routes are used here: skip Dash's first-request setup, which would take the
    # page callbacks (declared globally) for this app and leave none for a later app that serves pages.
    app._got_first_request["setup_server"] = True
    return app.server.test_client()


UNIT = "1218093"  # Wadowice
IND = "egzamin-8-matematyka"


def _ok(client, url):
    r = client.get(url)
    assert r.status_code == 200, (url, r.data[:300])
    body = r.get_json()
    assert body["meta"]["data_version"]
    assert body["meta"]["attribution"]
    return body


def test_units_search_and_filters(client):
    body = _ok(client, "/api/v1/units?q=Wadowice&level=gmina")
    assert body["items"][0]["teryt"] == UNIT
    body = _ok(client, "/api/v1/units?parent=1218&kind=wiejska&page_size=5")
    assert body["total"] > 0 and len(body["items"]) <= 5
    assert all(i["teryt"].startswith("1218") and i["kind"] == "wiejska" for i in body["items"])


def test_unit_facts_peer_group_and_parents(client):
    unit = _ok(client, f"/api/v1/units/{UNIT}")["unit"]
    assert unit["peer_group"]["name"]["pl"] and unit["peer_group"]["size"] > 1
    assert [p["teryt"] for p in unit["parents"]] == ["1218", "12"]


def test_old_code_redirects_and_unknown_is_404(client):
    r = client.get(f"/api/v1/units/{UNIT[:6]}")
    assert r.status_code == 301 and r.headers["Location"].endswith(f"/api/v1/units/{UNIT}")
    r = client.get("/api/v1/units/9999999")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_indicators_catalogue_and_detail(client):
    body = _ok(client, "/api/v1/indicators?area=edukacja")
    assert body["items"] and all(i["area"] == "edukacja" for i in body["items"])
    assert all(isinstance(i["synthetic"], bool) for i in body["items"])
    detail = _ok(client, f"/api/v1/indicators/{IND}")["indicator"]
    assert detail["source"]["attribution"] and detail["years"]["gmina"]
    assert client.get("/api/v1/indicators/nie-ma-takiego").status_code == 404


def test_values_carry_flag_and_synthetic(client):
    body = _ok(client, f"/api/v1/values?indicator={IND}&level=gmina&year=2024&page_size=7&page=2")
    assert len(body["items"]) == 7 and body["page"] == 2 and body["total"] > 7
    for v in body["items"]:
        assert {"flag", "synthetic", "value", "teryt", "year"} <= v.keys()
        assert v["year"] == 2024
    body = _ok(client, f"/api/v1/values?indicator={IND}&units={UNIT},1218013&from=2022&to=2024")
    assert {v["teryt"] for v in body["items"]} == {UNIT, "1218013"}
    assert {v["year"] for v in body["items"]} == {2022, 2023, 2024}


def test_rankings_in_peer_group(client):
    body = _ok(client, f"/api/v1/rankings?indicator={IND}&unit={UNIT}&page_size=500")
    assert body["peer_group"] and all(r["peer_group"] == body["peer_group"] for r in body["items"])
    assert UNIT in {r["teryt"] for r in body["items"]}
    ranks = [r["rank"] for r in body["items"] if r["rank"] is not None]
    assert ranks == sorted(ranks)


def test_profile_has_sentences_and_caveats(client):
    body = _ok(client, f"/api/v1/profiles/{UNIT}?lang=en")
    items = [i for a in body["areas"] for i in a["indicators"]]
    assert items and all(i["sentence"] for i in items)
    assert not [i for i in items if i["synthetic"]]  # official values only by default
    demo = _ok(client, f"/api/v1/profiles/{UNIT}?lang=en&demo=1")
    synthetic = [i for a in demo["areas"] for i in a["indicators"] if i["synthetic"]]
    assert synthetic and all(i["caveat"] for i in synthetic)
    assert isinstance(body["strongest"], list) and isinstance(body["weakest"], list)


def test_releases(client):
    body = _ok(client, "/api/v1/releases")
    assert any(r["current"] for r in body["items"])


@pytest.mark.parametrize(("url", "parameter"), [
    (f"/api/v1/values?indicator={IND}&year=abc", "year"),
    ("/api/v1/units?page_size=100000", "page_size"),
    ("/api/v1/units?page=99999999999999999999", "page"),
    ("/api/v1/units?level=xx", "level"),
    ("/api/v1/units?q=" + "x" * 5000, "q"),
    (f"/api/v1/values?indicator={IND}&units=" + ",".join(["1218093"] * 101), "units"),
    ("/api/v1/values", "indicator"),
    (f"/api/v1/rankings?indicator={IND}&peer_group=zzz", "peer_group"),
])
def test_bad_input_is_400_naming_the_parameter(client, url, parameter):
    r = client.get(url)
    assert r.status_code == 400, r.data[:200]
    err = r.get_json()["error"]
    assert err["code"] == "invalid_parameter" and err["parameter"] == parameter and err["message"]


def test_unknown_indicator_is_404(client):
    r = client.get("/api/v1/values?indicator=nie-ma-takiego")
    assert r.status_code == 404 and r.get_json()["error"]["parameter"] == "indicator"


def test_etag_304_cache_control_and_cors(client):
    r = client.get("/api/v1/indicators")
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    etag = r.headers["ETag"]
    again = client.get("/api/v1/indicators", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    other = client.get("/api/v1/indicators?area=edukacja")
    assert other.headers["ETag"] != etag
    pre = client.options("/api/v1/units", headers={"Origin": "https://example.org",
                                                    "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/values" in spec["paths"]
    page = client.get("/api")
    assert page.status_code == 200 and b"curl" in page.data and b"openapi.json" in page.data
    assert b"https://cdn" not in page.data
    # The examples carry the address the reader used, so they run as copied.
    assert b"curl -s 'http://localhost/api/v1/" in page.data and b"{BASE}" not in page.data
