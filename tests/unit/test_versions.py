"""Version-pinned embeds, API answers, downloads, oEmbed and citations, and the changelog between releases.

Two releases side by side in a temporary release folder: a copy of the current one (old) and a real build with
another synthetic seed (new, current), so synthetic values differ and real ones do not.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest

# These tests exercise the page mechanics on the demo edition (official plus synthetic values).
pytestmark = pytest.mark.usefixtures("demo_mode")

UNIT = "1218093"  # Wadowice


@pytest.fixture(scope="module")
def releases(settings, tmp_path_factory):
    from portal.pipeline.build import build_release
    from portal.release import current_release_path

    root = tmp_path_factory.mktemp("release")
    source = current_release_path(settings)
    old = source.name
    (root / "releases").mkdir()
    # Hard links: the release is read-only, and a copy of ~100 MB would only cost time.
    shutil.copytree(source, root / "releases" / old, copy_function=os.link)
    os.symlink(Path("releases") / old, root / "current")
    tmp_settings = replace(settings, release_dir=str(root))
    new = build_release(tmp_settings, seed=123)["version"]
    assert new != old
    return tmp_settings, old, new


@pytest.fixture(scope="module")
def client(releases):
    from portal.app import create_app

    app = create_app(releases[0])
    app._got_first_request["setup_server"] = True  # JSON and embed routes only (see test_api.py)
    return app.server.test_client()


@pytest.fixture(scope="module")
def stores(releases):
    from portal.store import get_store

    s, old, new = releases
    return get_store(s, old, demo=True), get_store(s, new, demo=True)


@pytest.fixture(scope="module")
def synthetic_indicator(stores):
    old, new = stores
    for ind in new.catalogue.indicators:
        if new.is_synthetic(ind.id) and "gmina" in ind.levels and old.is_synthetic(ind.id):
            a = [p["value"] for p in old.series(ind.id, UNIT)]
            b = [p["value"] for p in new.series(ind.id, UNIT)]
            if a and a != b:
                return ind.id
    pytest.fail("no synthetic indicator differs between the seeds")


def _figure(html: str) -> dict:
    m = re.search(r"var FIG=(.*?);var EXPORT=", html, re.S)
    assert m, html[:500]
    return orjson.loads(m.group(1))


def _trend_values(html: str) -> list[float]:
    out = []
    for trace in _figure(html)["data"]:
        out += [y for y in trace.get("y") or [] if isinstance(y, (int, float))]
    return out


def _close(a: float, values: list[float]) -> bool:
    return any(math.isclose(a, v, rel_tol=1e-6, abs_tol=1e-6) for v in values)


def test_releases_lists_both_with_one_current(client, releases):
    _, old, new = releases
    items = client.get("/api/v1/releases").get_json()["items"]
    assert {i["version"] for i in items} == {old, new}
    assert [i["version"] for i in items if i["current"]] == [new]
    assert all(i["built_at"] for i in items)


def test_pinned_embed_renders_old_numbers_with_newer_link(client, releases, stores, synthetic_indicator):
    _, old, new = releases
    s_old, s_new = stores
    url = f"/embed/trend?wskaznik={synthetic_indicator}&jst={UNIT}"
    r = client.get(f"{url}&v={old}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    shown = _trend_values(html)
    old_values = [p["value"] for p in s_old.series(synthetic_indicator, UNIT) if p["value"] is not None]
    new_values = [p["value"] for p in s_new.series(synthetic_indicator, UNIT) if p["value"] is not None]
    assert all(_close(v, shown) for v in old_values)
    assert not all(_close(v, shown) for v in new_values)
    assert "Dostępne są nowsze dane" in html and f"wersja danych {old}" in html
    link = re.search(r'<a class="newer" href="([^"]+)"', html).group(1)
    assert "v=" not in link and link.startswith("/embed/trend?")

    current = client.get(f"{url}&v={new}").get_data(as_text=True)
    assert "nowsze dane" not in current and f"wersja danych {new}" in current
    assert all(_close(v, _trend_values(current)) for v in new_values)
    plain = client.get(url).get_data(as_text=True)
    assert "nowsze dane" not in plain


def test_pinned_map_and_ranking_embeds(client, releases):
    _, old, _ = releases
    for kind in ("mapa", "ranking"):
        r = client.get(f"/embed/{kind}?wskaznik=ludnosc&v={old}&lang=en")
        assert r.status_code == 200 and "Newer data available" in r.get_data(as_text=True)


def test_unknown_version_is_404_with_kept_list(client, releases):
    _, old, new = releases
    r = client.get("/embed/mapa?wskaznik=ludnosc&v=abc123")
    html = r.get_data(as_text=True)
    assert r.status_code == 404 and "nie jest już dostępna" in html
    assert old in html and new in html and 'href="/embed/mapa?wskaznik=ludnosc"' in html
    r = client.get("/api/v1/indicators?v=abc123")
    assert r.status_code == 404
    err = r.get_json()["error"]
    assert err["code"] == "version_not_kept" and err["parameter"] == "v"
    assert set(err["kept_versions"]) == {old, new}
    r = client.get("/api/v1/indicators?v=../etc")
    assert r.status_code == 400 and r.get_json()["error"]["parameter"] == "v"
    r = client.get("/pobierz/profil.csv?jst=1218093&v=abc123")
    assert r.status_code == 404 and old in r.get_data(as_text=True)


def test_api_values_pinned_and_etag(client, releases, stores, synthetic_indicator):
    _, old, new = releases
    s_old, _ = stores
    url = f"/api/v1/values?indicator={synthetic_indicator}&units={UNIT}"
    r_old = client.get(f"{url}&v={old}")
    body = r_old.get_json()
    assert body["meta"]["data_version"] == old and body["meta"]["current_version"] == new
    expected = {p["year"]: p["value"] for p in s_old.series(synthetic_indicator, UNIT)}
    assert {i["year"]: i["value"] for i in body["items"]} == expected
    r_new = client.get(url)
    assert r_new.get_json()["meta"]["data_version"] == new
    assert r_old.headers["ETag"] != r_new.headers["ETag"]
    again = client.get(f"{url}&v={old}", headers={"If-None-Match": r_old.headers["ETag"]})
    assert again.status_code == 304


def test_download_pinned(client, releases):
    _, old, _ = releases
    text = client.get(f"/pobierz/profil.csv?jst={UNIT}&v={old}").get_data(as_text=True)
    assert old in text.split("\n\n")[0] or old in text[:600]


def test_oembed_and_citation_carry_version(client, releases):
    from portal.api.citation import citation

    _, old, _ = releases
    url = f"http://localhost/obszar/edukacja?v={old}"
    r = client.get("/oembed", query_string={"url": url})
    assert r.status_code == 200
    body = r.get_json()
    assert f"v={old}" in body["html"]
    r = client.get("/oembed", query_string={"url": "http://localhost/obszar/edukacja?v=abc123"})
    assert r.status_code == 404
    cite = citation("Test", f"/obszar/edukacja?v={old}", old, date(2025, 5, 5))
    assert f"wersja danych {old}" in cite["text"] and f"version = {{{old}}}" in cite["bibtex"]


def test_share_dialog_offers_pinned_variants(releases):
    from layouts.components.share import share_variants

    variants = share_variants("/obszar/edukacja", {"wskaznik": "ludnosc"}, "mapa", "pl")
    v = variants["version"]
    assert f"v={v}" in variants["link"]["pinned"] and "v=" not in variants["link"]["current"]
    assert f"v={v}" in variants["iframe"]["pinned"] and "v=" not in variants["iframe"]["current"]
    assert f"v={v}" in variants["cite"]["pinned"]


def test_changelog_synthetic_revised_real_unchanged(releases, synthetic_indicator):
    from portal.changelog import indicator_changelog, release_changelog

    s, old, new = releases
    ch = indicator_changelog(s, synthetic_indicator, old, new)
    assert ch["change"] == "compared" and ch["revised"] > 0
    assert ch["years_added"] == [] and ch["years_removed"] == []
    assert 0 < len(ch["largest_revisions"]) <= 5
    top = ch["largest_revisions"][0]
    assert abs(top["new"] - top["old"]) > ch["tolerance"] and top["unit"]["pl"] is not None
    assert not ch["status"]["changed"]
    real = indicator_changelog(s, "ludnosc", old, new)
    assert real["revised"] == 0 and real["years_added"] == [] and real["coverage"]["change"] == 0
    assert real["status"] == {"old": "real", "new": "real", "changed": False}
    # Defaults: previous kept → current.
    assert indicator_changelog(s, "ludnosc") is real
    summary = release_changelog(s)
    assert summary["from"] == old and summary["to"] == new
    revised_ids = {r["indicator"] for r in summary["indicators_revised"]}
    assert synthetic_indicator in revised_ids and "ludnosc" not in revised_ids
    assert summary["indicators_added"] == [] and summary["indicators_removed"] == []


def test_changelog_api(client, releases, synthetic_indicator):
    _, old, new = releases
    body = client.get(f"/api/v1/indicators/{synthetic_indicator}/changelog").get_json()
    assert body["changelog"]["from"] == old and body["changelog"]["to"] == new
    assert body["changelog"]["revised"] > 0
    body = client.get(f"/api/v1/indicators/ludnosc/changelog?from={new}&to={new}").get_json()
    assert body["changelog"]["revised"] == 0 and body["note"]
    assert client.get("/api/v1/indicators/nie-ma/changelog").status_code == 404
    r = client.get("/api/v1/indicators/ludnosc/changelog?from=zzz999")
    assert r.status_code == 404 and r.get_json()["error"]["parameter"] == "from"


def test_about_and_block_show_changes(client, releases, synthetic_indicator):
    from layouts.components.changelog import changelog_block, releases_section

    _, old, new = releases
    with client.application.app_context():
        text = str(releases_section("pl"))
        assert old in text and new in text and "Zmiany między wersjami danych" in text
        block = str(changelog_block(synthetic_indicator, "en"))
        assert old in block and new in block
