"""Embeds and oEmbed: official values by default, the demo only when their own URL asks (and then labelled in
every title); display names that tell same-named units apart; one line per unit in trends; neutral rankings
say "najwyższe"."""

from __future__ import annotations

import re
from urllib.parse import quote

import orjson
import pytest

BOLESLAWIEC = ("0201011", "0201022", "1018013")  # urban gmina, rural gmina, urban-rural gmina elsewhere


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    app = create_app()
    app._got_first_request["setup_server"] = True  # routes only (see tests/unit/test_api.py)
    return app.server.test_client()


def _figure(html: str) -> dict:
    return orjson.loads(re.search(r"var FIG=(\{.*?\});var EXPORT=", html, re.S).group(1))


def test_trend_of_three_same_named_gminy_draws_three_named_lines(client, store):
    html = client.get("/embed/trend?jst=" + ",".join(BOLESLAWIEC)).data.decode("utf-8")
    fig = _figure(html)
    lines = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
    names = [store.units.at[c, "display_name"] for c in BOLESLAWIEC]
    assert [t["name"] for t in lines] == names and len(set(names)) == 3
    title = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert "gm. wiejska" in title and "pow. wieruszowski" in title
    assert "syntetyczn" not in html  # default mode: official values only


def test_oembed_for_three_bolesławiec_names_them_apart(client, store):
    url = "http://127.0.0.1:8050/porownaj?jst=" + ",".join(BOLESLAWIEC)
    body = client.get("/oembed?url=" + quote(url, safe="")).get_json()
    assert body["title"].count("Bolesławiec") == 3 and "gm. miejsko-wiejska" in body["title"]


def test_ranking_embed_uses_display_names(client, store):
    # Gmina Olsztyn (2404123) is not the city of Olsztyn: wherever it is listed its name says so.
    html = client.get("/embed/ranking?wskaznik=ludnosc&poziom=gminy&n=30").data.decode("utf-8")
    fig = _figure(html)
    labels = [a["text"] for a in fig["layout"]["annotations"] if a.get("yref") == "y"]
    assert labels and all(re.match(r"\d+\. ", label) for label in labels)
    shown = {label.split(". ", 1)[1] for label in labels}
    display = set(store.units["display_name"])
    assert shown <= display


def test_neutral_ranking_embed_says_highest(client, store):
    neutral = next(i for i in store.catalogue.indicators if i.direction == "neutral" and "gmina" in i.levels)
    html = client.get(f"/embed/ranking?wskaznik={neutral.id}&poziom=gminy").data.decode("utf-8")
    assert "najwyższe 10" in html and "najlepsze 10" not in html
    directed = next(i for i in store.catalogue.indicators if i.direction == "higher_better" and "gmina" in i.levels)
    assert "najlepsze 10" in client.get(f"/embed/ranking?wskaznik={directed.id}&poziom=gminy").data.decode("utf-8")


def test_demo_embed_and_oembed_carry_the_synthetic_mark(client, demo_store):
    ind = next(i for i in demo_store.catalogue.indicators if demo_store.is_synthetic(i.id) and "gmina" in i.levels)
    html = client.get(f"/embed/mapa?wskaznik={ind.id}&demo=1").data.decode("utf-8")
    assert "(dane syntetyczne, nie urzędowe)" in re.search(r"<title>(.*?)</title>", html).group(1)
    page = f"http://127.0.0.1:8050/wskaznik/{ind.id}"
    body = client.get("/oembed?demo=1&url=" + quote(page, safe="")).get_json()
    assert body["title"].endswith("(dane syntetyczne, nie urzędowe)")
    assert "demo=1" in body["html"] and 'title="' in body["html"] and "dane syntetyczne" in body["html"]
    # The same oEmbed without demo=1: the indicator has no official values, so no embed of it at all.
    plain = client.get("/oembed?url=" + quote(page, safe=""))
    assert plain.status_code == 404 or "syntetyczn" not in plain.data.decode("utf-8")


def test_export_title_wraps_instead_of_clipping(client, store, demo_store):
    """PNG/SVG exports: the longest titles of the catalogue are broken into lines inside the image width."""
    from portal.api.images import EXPORT_SIZE, export_figure, wrap_title

    longest = max((i.name.pl for i in demo_store.full_catalogue.indicators), key=len)
    title = f"{longest} – gminy, 2024: najlepsze 10 (dane syntetyczne, nie urzędowe)"
    for kind, (width, _height) in EXPORT_SIZE.items():
        lines = wrap_title(title, width, 19)
        assert len(lines) >= 2 and all(len(line) * 19 * 0.6 <= width - 32 for line in lines)
        fig = export_figure({"data": [], "layout": {"margin": {"t": 10}}}, title=title, subtitle="zł", source="GUS",
                            kind=kind)
        layout = fig["layout"]
        assert layout["title"]["text"].count("<br>") >= len(lines)  # the lines, then the subtitle
        # The top margin grows with the lines: 19 px type at 1.3 line height, plus the subtitle.
        assert layout["margin"]["t"] >= 10 + len(lines) * 25 + 30


def test_api_page_has_the_portal_header_and_styles(client, store):
    html = client.get("/api").data.decode("utf-8")
    assert '<link rel="stylesheet" href="/assets/omup.css">' in html and "00-bootstrap.min.css" in html
    assert 'class="navbar' in html and 'id="main-nav"' in html and "nav-toggle" in html
    assert 'href="/deklaracja-dostepnosci"' in html and store.meta["licence"]["data"] in html
    assert html.count("<h1>") == 1 and 'id="main"' in html
    # Default mode: the page says values are official unless demo=1 is asked for; it shows no synthetic value.
    assert "wyłącznie wartości urzędowe" in html
    en = client.get("/api?lang=en").data.decode("utf-8")
    assert '<html lang="en">' in en and "About the data" in en
