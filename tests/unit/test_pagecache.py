"""Rendered profiles kept per process (portal/pagecache.py): the cached response is the bytes a fresh render
gives, keyed on release, edition, path and query; other pages are never cached."""

from __future__ import annotations

import orjson
import pytest

from portal import pagecache


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    return create_app(settings).server.test_client()


def _router(client, path: str, search: str = "") -> bytes:
    outs = [{"id": "page", "property": "children"}, {"id": "title-sink", "property": "children"}]
    body = {"output": "..page.children...title-sink.children..", "outputs": outs,
            "inputs": [{"id": "url", "property": "pathname", "value": path}],
            "changedPropIds": ["url.pathname"], "state": [{"id": "url", "property": "search", "value": search}]}
    r = client.post("/_dash-update-component", data=orjson.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.data[:300]
    return r.data


def _fresh(client, monkeypatch, path: str, search: str = "") -> bytes:
    """The response with the cache off (a plain render)."""
    with monkeypatch.context() as m:
        m.setattr(pagecache, "CACHED_PATHS", pagecache.re.compile(r"^$"))
        return _router(client, path, search)


@pytest.mark.parametrize(("path", "search"), [("/jst/1218093", ""), ("/jst/1218093", "?lang=en"),
                                              ("/jst/12", "?rok=2020"), ("/jst/1261", ""), ("/jst/9999999", "")])
def test_cached_profile_is_byte_identical_to_a_fresh_render(client, monkeypatch, path, search):
    pagecache.clear()
    _fresh(client, monkeypatch, path, search)  # a first render of a process may differ in null props; skip it
    fresh = _fresh(client, monkeypatch, path, search)
    first = _router(client, path, search)
    assert pagecache.stats == {"hits": 0, "misses": 1}
    again = _router(client, path, search)
    assert pagecache.stats == {"hits": 1, "misses": 1}
    assert first == fresh
    assert again == fresh
    assert orjson.loads(again)["response"]["page"]["children"]


def test_key_holds_query_and_edition(client, demo_mode, monkeypatch):
    pagecache.clear()
    demo = _router(client, "/jst/1218093")
    with monkeypatch.context() as m:  # the official edition: its own entry, not the demo's page
        import portal.store

        m.setattr(portal.store, "demo_requested", lambda: False)
        official = _router(client, "/jst/1218093")
    assert pagecache.stats["misses"] == 2
    assert demo != official
    _router(client, "/jst/1218093", "?lang=en")
    assert pagecache.stats["misses"] == 3
    keys = list(pagecache._pages)
    assert {k[0].endswith(":demo") for k in keys} == {True, False}


def test_other_pages_are_not_cached_and_the_cache_is_bounded(client, monkeypatch):
    pagecache.clear()
    _router(client, "/obszar/edukacja")
    _router(client, "/budzet/1218093")
    assert pagecache.stats == {"hits": 0, "misses": 0} and not pagecache._pages
    monkeypatch.setattr(pagecache, "MAX_PAGES", 2)
    for code in ("1218093", "1261011", "0201011"):
        _router(client, f"/jst/{code}")
    assert [k[1] for k in pagecache._pages] == ["/jst/1261011", "/jst/0201011"]


def test_warm_renders_profiles_into_the_cache(settings):
    from portal.app import create_app

    server = create_app(settings).server
    pagecache.clear()
    paths = pagecache.warm(server)
    assert len(paths) == 4 and any("lang=en" in p for p in paths)
    assert pagecache.stats == {"hits": 0, "misses": 4}
    assert len(pagecache._pages) == 4
    client = server.test_client()
    _router(client, paths[0])
    assert pagecache.stats["hits"] == 1


def test_a_pinned_link_gets_the_newer_data_notice_once_its_version_is_not_current(client, store, monkeypatch):
    import portal.store

    pagecache.clear()
    monkeypatch.setattr(portal.store, "pinned_version", lambda: store.version)
    monkeypatch.setattr(portal.store, "current_version", lambda settings=None: store.version)
    while_current = _router(client, "/jst/1218093", f"?v={store.version}")
    assert b"pinned-notice" not in while_current
    monkeypatch.setattr(portal.store, "current_version", lambda settings=None: "0123456789ab")  # a newer release
    after = _router(client, "/jst/1218093", f"?v={store.version}")
    assert pagecache.stats == {"hits": 0, "misses": 2}
    assert b"pinned-notice" in after
