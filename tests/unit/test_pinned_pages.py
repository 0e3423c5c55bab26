"""Shared links pinned to a data version (`v=`): pages and their callbacks render from that kept release."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import orjson
import pytest

OLD = "0123456789ab"


@pytest.fixture(scope="module")
def pinned(settings, tmp_path_factory):
    """A release folder holding the current release and an 'older' copy with one value changed."""
    from portal.app import create_app
    from portal.release import current_release_path

    good = current_release_path(settings)
    root = tmp_path_factory.mktemp("pinned") / "release"
    (root / "releases").mkdir(parents=True)
    shutil.copytree(good, root / "releases" / good.name)
    old = root / "releases" / OLD
    shutil.copytree(good, old)
    meta = orjson.loads((old / "metadata.json").read_bytes())
    meta["version"] = OLD
    meta["built_at"] = "2025-01-01T00:00:00+00:00"
    (old / "metadata.json").write_bytes(orjson.dumps(meta))
    index = orjson.loads((old / "cubes" / "index.json").read_bytes())["gmina"]
    k = index["indicators"].index("egzamin-8-matematyka")
    i = index["codes"].index("1218093")
    j = index["years"].index(2024)
    values = np.load(old / "cubes" / "gmina.value.npy")
    values[k, i, j] = 12.5
    np.save(old / "cubes" / "gmina.value.npy", values)
    by_year = old / "cubes" / "gmina.value.by_year.npy"  # the year-major copy the store reads slices from
    if by_year.exists():
        np.save(by_year, np.ascontiguousarray(values.transpose(0, 2, 1)))
    os.symlink(Path("releases") / good.name, root / "current")
    app = create_app(replace(settings, release_dir=str(root)))
    return app.server.test_client(), good.name


def _router(client, path: str, search: str, version: str | None) -> bytes:
    body = {"output": "..page.children...title-sink.children..",
            "outputs": [{"id": "page", "property": "children"}, {"id": "title-sink", "property": "children"}],
            "inputs": [{"id": "url", "property": "pathname", "value": path}],
            "changedPropIds": ["url.pathname"], "state": [{"id": "url", "property": "search", "value": search}]}
    if version:
        body["omup_v"] = version
    r = client.post("/_dash-update-component", data=orjson.dumps(body), content_type="application/json")
    assert r.status_code == 200
    return r.data


def test_pinned_page_says_so_and_links_to_current_data(pinned):
    client, _current = pinned
    page = _router(client, "/obszar/edukacja", f"?v={OLD}", OLD).decode()
    assert "Dostępne są nowsze dane" in page and OLD in page
    assert "Dostępne są nowsze dane" not in _router(client, "/obszar/edukacja", "", None).decode()


def test_pinned_callbacks_read_the_pinned_release(pinned, store):
    from portal.state import resolve_state

    client, _ = pinned
    state = resolve_state(store, "edukacja", {"wskaznik": "egzamin-8-matematyka", "rok": "2024", "v": OLD})
    assert state.version == OLD and f"v={OLD}" in state.search()
    body = {"output": "area-map-figure.data", "outputs": {"id": "area-map-figure", "property": "data"},
            "inputs": [{"id": "area-state", "property": "data", "value": state.as_dict()}],
            "changedPropIds": ["area-state.data"], "state": []}

    def value_for_wadowice(version):
        payload = dict(body, omup_v=version) if version else body
        r = client.post("/_dash-update-component", data=orjson.dumps(payload), content_type="application/json")
        fig = orjson.loads(r.data)["response"]["area-map-figure"]["data"]
        trace = next(t for t in fig["data"] if t["name"] == "values")
        return trace["z"][trace["locations"].index("1218093")]

    assert value_for_wadowice(OLD) == pytest.approx(12.5)
    assert value_for_wadowice(None) != pytest.approx(12.5)
    # An unknown version falls back to current data (an old link keeps working).
    assert value_for_wadowice("ffffffffffff") == value_for_wadowice(None)


def test_page_load_with_v_is_served(pinned):
    client, _ = pinned
    assert client.get(f"/obszar/edukacja?v={OLD}").status_code == 200
    assert client.get(f"/jst/1218093?v={OLD}").status_code == 200
