"""Embeds in a foreign page: each /embed/ route renders its chart inside an iframe; other pages refuse framing;
the share dialog opens on the area page with an absolute link, iframe code and citation."""

from __future__ import annotations

import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

EMBEDS = {
    "mapa": "/embed/mapa?wskaznik=egzamin-8-matematyka&poziom=gminy&jst=1218093",
    "ranking": "/embed/ranking?wskaznik=kanalizacja-odsetek&poziom=powiaty&jst=1218&demo=1",  # demo: labelled
    "trend": "/embed/trend?wskaznik=egzamin-8-matematyka&jst=1218093,1218013",
}


@pytest.fixture(scope="module")
def host_page(live_server):
    """A page on another origin (a tiny local http.server) that embeds the three charts in iframes."""
    frames = "".join(f'<h2>{k}</h2><iframe id="{k}" src="{live_server}{u}" width="100%" height="520" '
                     f'style="border:1px solid #ccc"></iframe>' for k, u in EMBEDS.items())
    body = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>host</title><link rel='icon' href='data:,'></head><body>{frames}</body></html>"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            data = body.encode()
            self.send_response(200 if self.path in ("/", "/index.html") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_embeds_render_in_iframes_on_a_foreign_page(page, host_page):
    page.set_viewport_size({"width": 900, "height": 1800})
    page.goto(host_page)
    for kind in EMBEDS:
        frame = page.frame_locator(f"iframe#{kind}")
        frame.locator("#chart[data-rendered] .main-svg").first.wait_for(timeout=30_000)
        source = frame.locator("footer .source")
        assert "OMUP, wersja danych" in source.inner_text()
        assert frame.locator("footer a[target=_blank]").count() == 1
    ranking = page.frame_locator("iframe#ranking")
    assert "syntetyczne" in ranking.locator("p.synthetic").inner_text()
    page.wait_for_timeout(800)
    shot(page, "embeds-host-page")


def test_embed_on_a_phone_and_image_export(phone_page, live_server):
    phone_page.goto(live_server + EMBEDS["mapa"])
    phone_page.locator("#chart[data-rendered] .main-svg").first.wait_for(timeout=30_000)
    with phone_page.expect_download(timeout=30_000) as download:
        phone_page.click("button[data-format=svg]")
    assert download.value.suggested_filename.endswith(".svg")
    shot(phone_page, "embed-mapa-360")


def test_non_embed_pages_refuse_framing(live_server):
    with urllib.request.urlopen(live_server + "/obszar/edukacja") as r:
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
    with urllib.request.urlopen(live_server + EMBEDS["trend"]) as r:
        assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
        assert r.headers.get("X-Frame-Options") is None


def test_framing_is_refused_in_the_browser(browser, host_page, live_server):
    """A foreign page cannot show a portal page in a frame: the browser blocks it by the CSP."""
    from tests.browser.conftest import _new_page

    errors: list[str] = []
    context, pg = _new_page(browser, 1000, errors)
    try:
        pg.goto(host_page)
        pg.evaluate("""url => { const f = document.createElement('iframe'); f.id = 'blocked'; f.src = url;
                               document.body.prepend(f); }""", live_server + "/o-danych")
        pg.wait_for_function("() => true")
        pg.wait_for_timeout(2000)
    finally:
        context.close()
    assert any("frame-ancestors" in e for e in errors), errors


@pytest.mark.parametrize("width", [1366, 360])
def test_share_dialog_on_the_area_page(browser, live_server, width):
    from tests.browser.conftest import _new_page

    errors: list[str] = []
    context, pg = _new_page(browser, width, errors)
    try:
        pg.goto(live_server + "/obszar/edukacja?wskaznik=egzamin-8-matematyka&jst=1218093")
        pg.click("#area-share .share-open")
        dialog = pg.locator(".modal.show")
        dialog.wait_for()
        link = dialog.locator("input.dash-input-element").first
        pg.wait_for_function("() => document.querySelector('.modal.show input').value.startsWith('http')")
        assert link.input_value().startswith(live_server + "/obszar/edukacja?")
        texts = dialog.locator("textarea")
        assert f'src="{live_server}/embed/mapa?' in texts.nth(0).input_value()
        assert "wersja danych" in texts.nth(1).input_value()
        dialog.locator("button.share-copy").first.click()
        pg.wait_for_function("() => document.querySelector('.modal.show button.share-copy').innerText.includes('✓')")
        shot(pg, f"share-dialog-{width}")
    finally:
        context.close()
    console = [e for e in errors if "clipboard" not in e.lower()]
    assert not console, console
