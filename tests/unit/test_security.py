"""Security headers, hostile input (never a 500), rate limits with Retry-After."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app(settings)
    return app.server.test_client()


def _current() -> dict:
    from portal.state import resolve_state
    from portal.store import get_store

    return resolve_state(get_store(), "edukacja", {"wskaznik": "egzamin-8-matematyka", "rok": "2025"}).as_dict()


def _sync_output(client) -> str:
    deps = orjson.loads(client.get("/_dash-dependencies").data)
    return next(d["output"] for d in deps if d["output"].startswith("..area-url.search"))


def _sync_body(client, **values) -> dict:
    """The area explorer's URL↔controls callback, as the browser would call it."""
    inputs = {"area-url.search": "", "area-indicator.value": "egzamin-8-matematyka", "area-year.value": 2024,
              "area-level.value": "gmina", "area-unit.value": None, "area-tabs.active_tab": "mapa",
              "area-peers-only.value": [], "area-map.clickData": None}
    inputs.update(values)
    outs = ("area-url.search", "area-state.data", "area-indicator.value", "area-year.options", "area-year.value",
            "area-level.options", "area-level.value", "area-unit.options", "area-unit.value", "area-tabs.active_tab",
            "area-peers-only.value", "area-peers-only.options")
    return {
        "output": _sync_output(client),
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outs],
        "inputs": [{"id": k.split(".")[0], "property": k.split(".")[1], "value": v} for k, v in inputs.items()],
        "changedPropIds": ["area-year.value"],
        "state": [{"id": "area-state", "property": "data", "value": _current()},
                  {"id": "area-url", "property": "pathname", "value": "/obszar/edukacja"}],
    }


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/obszar/edukacja", "/api/v1/indicators", "/nie-ma"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "strict-origin" in r.headers["Referrer-Policy"]
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_embeds_may_be_framed_anywhere(client):
    r = client.get("/embed/mapa?wskaznik=kanalizacja-odsetek")
    assert r.status_code == 200
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers


def test_broken_callback_bodies_get_4xx(client):
    r = client.post("/_dash-update-component", data=b"{not json", content_type="application/json")
    assert r.status_code == 400
    r = client.post("/_dash-update-component", data=b"[]", content_type="application/json")
    assert 400 <= r.status_code < 500
    r = client.post("/_dash-update-component", json={"output": "nope.children", "inputs": []})
    assert 400 <= r.status_code < 500
    assert b"Traceback" not in r.data


@pytest.mark.parametrize("year", ["abc", 10**30, -1, None, [], {"x": 1}, "2024" * 500])
def test_callback_with_hostile_values_never_fails_with_500(client, year):
    import json

    r = client.post("/_dash-update-component", data=json.dumps(_sync_body(client, **{"area-year.value": year})),
                    content_type="application/json")
    assert r.status_code < 500, r.data[:300]
    assert b"Traceback" not in r.data
    if r.status_code == 200:  # a value it could use (or ignore): the state stays valid
        state = orjson.loads(r.data)["response"]["area-state"]["data"]
        assert state["year"] in range(2015, 2026)


def test_callback_with_a_valid_change_answers(client):
    r = client.post("/_dash-update-component", data=orjson.dumps(_sync_body(client)), content_type="application/json")
    assert r.status_code == 200
    body = orjson.loads(r.data)
    assert body["response"]["area-state"]["data"]["year"] == 2024


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/", "/obszar/", "/jst/", "/wskaznik/", "/porownaj", "/budzet/", "/api/v1/units/",
                             "/api/v1/values", "/pobierz/ranking.csv", "/embed/mapa", "/oembed", "/geo/"]),
       tail=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
       query=st.dictionaries(st.sampled_from(["wskaznik", "rok", "poziom", "jst", "lang", "url", "page", "page_size",
                                              "indicator", "year", "level", "units", "q"]),
                             st.one_of(st.text(max_size=50), st.integers(-10**20, 10**20).map(str)), max_size=5))
def test_hostile_urls_never_fail_with_500(client, path, tail, query):
    from urllib.parse import quote

    r = client.get(path + quote(tail, safe=""), query_string=query)
    assert r.status_code < 500, (path, tail, query, r.status_code)


def test_rate_limit_answers_429_with_retry_after(settings):
    import flask

    from portal.web import init_limiter

    strict = replace(settings, rate_limit="6 per minute")  # an API call costs 2 (portal/limits.py)
    server = flask.Flask("limited")

    @server.route("/api/v1/ping")
    def ping():
        return {"ok": True}

    init_limiter(server, strict)
    c = server.test_client()
    codes = [c.get("/api/v1/ping").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    r = c.get("/api/v1/ping")
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    assert r.get_json()["error"]["code"] == "rate_limited"


def test_favicon_is_served_at_the_root(settings):
    # Pages outside Dash (/api, embeds) make the browser ask for /favicon.ico; a 404 there is a console error.
    from portal.app import create_app

    resp = create_app(settings).server.test_client().get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon" and resp.data[:4] == b"\x00\x00\x01\x00"
