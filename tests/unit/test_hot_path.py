"""The structure that keeps the portal fast (timings live in bench/): geometry is a hashed, immutable static file
fetched once by the browser, and no callback response ever carries it."""

from __future__ import annotations

import gzip
import hashlib
import re

import brotli
import orjson
import pytest


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    return create_app(settings).server.test_client()


def _deps(client) -> dict[str, dict]:
    return {d["output"]: d for d in orjson.loads(client.get("/_dash-dependencies").data)}


def _call(client, output: str, inputs: list[dict], state: list[dict] | None = None) -> bytes:
    outs = [{"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
            for o in output.strip(".").split("...")]
    body = {"output": output, "outputs": outs if len(outs) > 1 else outs[0], "inputs": inputs,
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs], "state": state or []}
    r = client.post("/_dash-update-component", data=orjson.dumps(body), content_type="application/json")
    assert r.status_code in (200, 204), r.data[:300]
    return r.data


def _no_geometry(payload: bytes) -> None:
    assert b'"coordinates"' not in payload
    assert b'"MultiPolygon"' not in payload and b'"Polygon"' not in payload


@pytest.mark.parametrize("path", ["/", "/obszar/edukacja", "/obszar/ochrona-srodowiska", "/jst/1218093",
                                  "/wskaznik/kanalizacja-odsetek", "/porownaj", "/porownaj?jst=1218093,1261011",
                                  "/budzet/1218093", "/o-danych"])
def test_page_responses_carry_no_geometry(client, path):
    deps = _deps(client)
    router = next(o for o in deps if o.startswith("..page.children"))
    pathname, _, search = path.partition("?")
    payload = _call(client, router, [{"id": "url", "property": "pathname", "value": pathname}],
                    [{"id": "url", "property": "search", "value": "?" + search if search else ""}])
    _no_geometry(payload)


def test_map_update_sends_ids_values_and_a_hashed_geometry_url(client, store):
    from portal.state import resolve_state

    deps = _deps(client)
    state = resolve_state(store, "edukacja", {"jst": "1218093"}).as_dict()
    payload = _call(client, "area-map-figure.data", [{"id": "area-state", "property": "data", "value": state}])
    _no_geometry(payload)
    fig = orjson.loads(payload)["response"]["area-map-figure"]["data"]
    urls = {t["geojson"] for t in fig["data"]}
    assert len(urls) == 1
    url = urls.pop()
    assert re.fullmatch(r"/geo/gmina\.[0-9a-f]{12}\.geojson", url)
    assert "area-map-figure.data" in deps
    # Every other explorer callback: no geometry either.
    for output in deps:
        if output.startswith(("area-ranking-box", "area-distribution", "area-heading")):
            ranking_state = dict(state, view="ranking")
            _no_geometry(_call(client, output, [{"id": "area-state", "property": "data", "value": ranking_state}]))


def test_geometry_file_is_hashed_immutable_and_precompressed(client, store):
    rel = store.geometry_file("gmina")
    name = rel.split("/")[-1]
    raw = (store.path / rel).read_bytes()
    assert name.split(".")[1] == hashlib.sha256(raw).hexdigest()[:12]
    with client.get(f"/geo/{name}", headers={"Accept-Encoding": "br, gzip"}) as r:
        assert r.status_code == 200
        assert r.headers["Content-Encoding"] == "br"
        assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]
        assert brotli.decompress(r.data) == raw
    with client.get(f"/geo/{name}", headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.data) == raw
        assert len(r.data) < 400_000
    # Unknown or malformed names: 404, never a path outside the release.
    assert client.get("/geo/gmina.000000000000.geojson").status_code == 404
    assert client.get("/geo/..%2Fmetadata.json").status_code == 404


def test_static_bundles_are_served_precompressed(client):
    # plotly.js is loaded by dcc.Graph on demand from this fingerprinted URL.
    r = client.get("/_dash-component-suites/plotly/package_data/plotly.min.v7_1_0m1.js", headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert "immutable" in r.headers["Cache-Control"]
    assert len(r.data) < 1_400_000  # 4.7 MB raw
    # A component-suite file that does not exist is a 404, not an error.
    assert client.get("/_dash-component-suites/dash/dcc/nope.js").status_code == 404
