"""oEmbed: valid JSON for portal links, 404 for foreign ones, 501 for XML; embed pages and framing rules."""

from __future__ import annotations

from urllib.parse import quote

import pytest


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    # Only the JSON, file and embed routes are used here: skip Dash's first-request setup, which would take the
    # page callbacks (declared globally) for this app and leave none for a later app that serves pages.
    app._got_first_request["setup_server"] = True
    return app.server.test_client()


def test_oembed_for_area_link(client):
    url = "http://localhost/obszar/edukacja?wskaznik=egzamin-8-matematyka&rok=2024&poziom=gminy"
    r = client.get(f"/oembed?url={quote(url, safe='')}&format=json&maxwidth=500")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    body = r.get_json()
    assert body["version"] == "1.0" and body["type"] == "rich" and body["provider_name"] == "OMUP"
    assert body["width"] == 500 and isinstance(body["height"], int)
    assert body["title"] and "provider_url" in body
    assert "/embed/mapa?" in body["html"] and "rok=2024" in body["html"]


@pytest.mark.parametrize(("path", "kind"), [("/wskaznik/ludnosc", "mapa"), ("/jst/1218093", "trend"),
                                            ("/obszar/edukacja?widok=ranking", "ranking"),
                                            ("/porownaj?jst=1218093,1218013", "trend")])
def test_oembed_maps_pages_to_embeds(client, path, kind):
    r = client.get("/oembed?url=" + quote("http://localhost" + path, safe=""))
    assert r.status_code == 200 and f"/embed/{kind}" in r.get_json()["html"]


@pytest.mark.parametrize("url", ["https://example.com/obszar/edukacja", "http://localhost/o-danych",
                                 "javascript:alert(1)", "http://localhost/jst/9999999"])
def test_oembed_foreign_or_unknown_is_404(client, url):
    assert client.get("/oembed?url=" + quote(url, safe="")).status_code == 404


def test_oembed_xml_is_501_and_bad_size_400(client):
    url = quote("http://localhost/jst/1218093", safe="")
    assert client.get(f"/oembed?url={url}&format=xml").status_code == 501
    assert client.get(f"/oembed?url={url}&maxwidth=abc").status_code == 400


@pytest.mark.parametrize("path", ["/embed/mapa?wskaznik=egzamin-8-matematyka&jst=1218093",
                                  "/embed/ranking?wskaznik=kanalizacja-odsetek&poziom=powiaty",
                                  "/embed/trend?wskaznik=egzamin-8-matematyka&jst=1218093,1218013"])
def test_embed_pages_may_be_framed(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers
    text = r.data.decode("utf-8")
    assert "OMUP, wersja danych" in text and 'target="_blank"' in text and "/static/plotly-" in text


def test_synthetic_embed_shows_the_notice_only_in_the_demo(client):
    text = client.get("/embed/ranking?wskaznik=kanalizacja-odsetek&poziom=powiaty&demo=1").data.decode("utf-8")
    assert "wartości syntetyczne" in text and "(dane syntetyczne, nie urzędowe) – OMUP</title>" in text
    # Without demo=1 in its own URL an embed shows official values only (another indicator of the area, or
    # the first area that has one), and says nothing synthetic.
    official = client.get("/embed/ranking?wskaznik=kanalizacja-odsetek&poziom=powiaty").data.decode("utf-8")
    assert "syntetyczn" not in official and "DANE SYNTETYCZNE" not in official


def test_other_pages_refuse_framing(client):
    r = client.get("/api")
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]


def test_plotly_bundle_is_immutable_and_precompressed(client):
    from portal.api.embed import plotly_js_url

    r = client.get(plotly_js_url(), headers={"Accept-Encoding": "gzip, br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert "immutable" in r.headers["Cache-Control"]
    assert client.get("/static/plotly-0.0.0.min.js").status_code == 404
