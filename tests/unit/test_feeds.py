"""Atom feeds (portal/feeds.py, portal/api/feeds.py): valid Atom parsed by feedparser and checked against the
spec's required elements, what changed for a unit between two releases, and the feeds' link tags in pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from portal.feeds import (
    ATOM_NS,
    alternate_links,
    atom,
    release_entries,
    rfc3339,
    unit_changes,
)
from portal.release import list_releases

A = "{" + ATOM_NS + "}"


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True
    return app.server.test_client()


def _get(client, url: str) -> tuple[int, str, str]:
    r = client.get(url)
    try:
        return r.status_code, r.mimetype, r.get_data(as_text=True)
    finally:
        r.close()


def assert_valid_atom(body: str) -> feedparser.FeedParserDict:
    """RFC 4287's required elements (feed: id, title, updated, author; entry: id, title, updated, link or
    content), timestamps in RFC 3339, unique entry ids; then a real feed library must read it cleanly."""
    root = ET.fromstring(body.encode("utf-8"))
    assert root.tag == A + "feed"
    for tag in ("id", "title", "updated"):
        assert root.find(A + tag) is not None and root.find(A + tag).text
    assert root.find(A + "author/" + A + "name") is not None
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert stamp.match(root.find(A + "updated").text)
    assert root.find(A + "link[@rel='self']") is not None
    ids = []
    for entry in root.findall(A + "entry"):
        for tag in ("id", "title", "updated"):
            assert entry.find(A + tag) is not None and entry.find(A + tag).text
        assert stamp.match(entry.find(A + "updated").text)
        assert entry.find(A + "link[@rel='alternate']") is not None
        ids.append(entry.find(A + "id").text)
    assert len(ids) == len(set(ids))
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_atom_builder_escapes_and_validates():
    entries = [{"id": "urn:omup:test:1", "title": "A & B <c>",
                "updated": rfc3339("2025-05-31T10:00:00+02:00"),
                "lines": ["x < y", "„cudzysłów” & ampersand"]}]
    body = atom("urn:omup:test", "Tytuł & <test>", "http://x/feeds/t.atom", "http://x/", entries,
                lambda e: "http://x/e?a=1&b=2")
    parsed = assert_valid_atom(body)
    assert parsed.feed.title == "Tytuł & <test>"
    assert parsed.entries[0].title == "A & B <c>"
    assert parsed.entries[0].updated == "2025-05-31T08:00:00Z"
    assert parsed.entries[0].link == "http://x/e?a=1&b=2"
    assert "„cudzysłów” &amp; ampersand" in parsed.entries[0].content[0].value


def test_rfc3339():
    assert rfc3339("2026-11-29T14:24:51+00:00") == "2026-11-29T14:24:51Z"
    assert rfc3339("2026-11-29T14:24:51") == "2026-11-29T14:24:51Z"
    assert rfc3339("nonsense") == "1970-01-01T00:00:00Z"


def test_releases_feed(client, settings):
    status, mimetype, body = _get(client, "/feeds/wydania.atom")
    assert status == 200 and mimetype == "application/atom+xml"
    parsed = assert_valid_atom(body)
    kept = list_releases(settings)
    assert [e.id for e in parsed.entries] == [f"urn:omup:release:{r['version']}" for r in kept]
    # The oldest kept release has nothing to compare with (or is of an older, unreadable format).
    assert parsed.entries[-1].summary.startswith(("Najstarsze przechowywane wydanie", "Wydanie "))
    status, _, body_en = _get(client, "/feeds/wydania.atom?lang=en")
    assert status == 200 and "new data releases" in assert_valid_atom(body_en).feed.title


def test_release_entries_compare_with_the_previous_kept_release(settings):
    entries = release_entries(settings)
    kept = list_releases(settings)
    assert len(entries) == len(kept)
    for entry, rel in zip(entries, kept, strict=True):
        assert entry["version"] == rel["version"] and entry["lines"]


def test_unit_feed(client, store):
    status, _, body = _get(client, "/feeds/jst/1261011.atom")
    assert status == 200
    parsed = assert_valid_atom(body)
    assert "Kraków" in parsed.feed.title
    assert all(e.link.endswith(f"?v={e.id.rsplit(':', 1)[-1]}") for e in parsed.entries)
    assert _get(client, "/feeds/jst/9999999.atom")[0] == 404


class _Older:
    """The release as it was 'before': one indicator lacked its latest year, one value was different."""

    def __init__(self, store, indicator: str, drop_year: int, revise_year: int, delta: float) -> None:
        self._s, self.catalogue, self.units = store, store.catalogue, store.units
        self.indicator, self.drop_year = indicator, drop_year
        self.revise_year, self.delta = revise_year, delta

    def series(self, indicator_id: str, teryt: str) -> list[dict]:
        out = self._s.series(indicator_id, teryt)
        if indicator_id != self.indicator:
            return out
        out = [dict(p) for p in out if p["year"] != self.drop_year]
        for p in out:
            if p["year"] == self.revise_year:
                p["value"] += self.delta
        return out


def test_unit_changes_name_new_years_and_revisions(store):
    series = {p["year"]: p["value"] for p in store.series("ludnosc", "1261011") if p["value"] is not None}
    last, before = max(series), sorted(series)[-3]
    old = _Older(store, "ludnosc", last, before, -100.0)
    lines = unit_changes(old, store, "1261011")
    assert lines == [
        f"Ludność: nowe lata {last} (ostatnia wartość {_people(series[last])}).",
        f"Ludność, {before}: {_people(series[before] - 100)} → {_people(series[before])}.",
    ]
    assert unit_changes(store, store, "1261011") == []


def _people(n: float) -> str:
    from portal.explain import format_value

    return format_value(n, "osób", 0)


def test_pages_link_their_feeds(client):
    for path, unit_feed in (("/jst/1261011", True), ("/raport/1218", True), ("/o-danych", False)):
        status, _, body = _get(client, path)
        assert status == 200
        head = body.split("</head>", 1)[0]
        links = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', head)
        assert "/feeds/wydania.atom" in links
        own = f"/feeds/jst/{path.rsplit('/', 1)[-1]}.atom"
        assert (own in links) is unit_feed, links
    assert alternate_links("/cele/1261011")[1][1] == "/feeds/jst/1261011.atom"
    assert len(alternate_links("/porownaj")) == 1
