"""A councillor compares Wadowice with neighbours, then reads an indicator's definition and the data notes."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression until it is truthy (page.wait_for_function evaluates strings, which the
    portal's Content-Security-Policy forbids; page.evaluate runs through the debugger protocol)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(100)

WADOWICE = "1218093"
# plotly.js fetches the geometry and maplibre draws it later than the SVG overlay appears.
MAP_DRAWN = """() => { const gd = document.querySelector('.indicator-map .js-plotly-plot');
  const sp = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  return !!(sp && sp.map && sp.map.loaded() && sp.map.areTilesLoaded()); }"""


def _add_unit(page, typed: str, option_text: str) -> None:
    page.click("#compare-add")
    page.keyboard.type(typed, delay=40)
    option = page.locator(".Select-menu-outer, .dash-dropdown-options, [role='listbox']").get_by_text(
        option_text, exact=False
    )
    option.first.wait_for()
    option.first.click()


def _unit_headers(page) -> list[str]:
    return page.locator(".compare-table thead th.col-unit").all_inner_texts()


def test_councillor_compares_units(live_server, page):
    page.goto(f"{live_server}/porownaj?jst={WADOWICE}")
    page.wait_for_selector(".compare-table")
    assert _unit_headers(page) == ["Wadowice"]
    assert "Dodaj jeszcze" in page.inner_text("#compare-units")

    _add_unit(page, "Kalwaria", "Kalwaria Zebrzydowska")
    wait_until(page, "document.querySelectorAll('.compare-table thead th.col-unit').length === 2")
    _add_unit(page, "Andrych", "Andrychów")
    wait_until(page, "document.querySelectorAll('.compare-table thead th.col-unit').length === 3")
    assert _unit_headers(page) == ["Wadowice", "Kalwaria Zebrzydowska", "Andrychów"]
    page.wait_for_url(re.compile(r"jst=1218093(,|%2C)1218033(,|%2C)1218013"))
    page.wait_for_selector(".compare-bar .main-svg")
    shot(page, "compare-desktop")

    page.click("button[aria-label='Usuń Kalwaria Zebrzydowska z porównania']")
    wait_until(page, "document.querySelectorAll('.compare-table thead th.col-unit').length === 2")
    assert _unit_headers(page) == ["Wadowice", "Andrychów"]
    page.wait_for_url(re.compile(r"jst=1218093(,|%2C)1218013(&|$)"))

    page.select_option("#compare-area", "finanse-jst")
    page.wait_for_url(re.compile(r"obszar=finanse-jst"))
    wait_until(page, "document.querySelector('.compare-table').innerText.includes('Dochody')")
    assert "Wynik egzaminu" not in page.inner_text(".compare-table")

    # Back to the previous state: the URL drives the page.
    page.go_back()
    wait_until(page, "document.querySelector('.compare-table').innerText.includes('Wynik egzaminu')")


def test_pages_on_desktop_and_phone(live_server, page, phone_page):
    for pg, suffix in ((page, "desktop"), (phone_page, "phone")):
        if suffix == "phone":
            pg.goto(f"{live_server}/porownaj?jst={WADOWICE},1218033,1218013")
            pg.wait_for_selector(".compare-bar .main-svg")
            shot(pg, "compare-phone")
        pg.goto(f"{live_server}/wskaznik/egzamin-8-matematyka")
        pg.wait_for_selector(".indicator-map .main-svg")
        wait_until(pg, f"({MAP_DRAWN})()")
        assert "DANE URZĘDOWE" in pg.inner_text(".origin")
        zoom = pg.evaluate("() => document.querySelector('.indicator-map .js-plotly-plot')._fullLayout.map.zoom")
        # On a phone the map is zoomed out to fit the screen (the legend moves under it); desktop keeps 5.1.
        assert (zoom < 5.0) if suffix == "phone" else (zoom == 5.1)
        shot(pg, f"indicator-{suffix}")
        pg.select_option("#indicator-level", "powiat")
        pg.wait_for_url(re.compile(r"poziom=powiaty"))
        wait_until(pg, "document.querySelector('#indicator-body h2').innerText.includes('powiaty')")
        pg.goto(f"{live_server}/o-danych")
        pg.wait_for_selector("#syntetyczne", state="attached")
        assert "Szczawa" in pg.text_content("#ksztalty")
        shot(pg, f"about-{suffix}")


def test_synthetic_indicator_page_is_labelled(live_server, page):
    page.goto(f"{live_server}/wskaznik/kanalizacja-odsetek?rok=2020&demo=1")
    page.wait_for_selector(".origin-synthetic")
    assert "DANE SYNTETYCZNE" in page.inner_text(".origin")
    page.wait_for_selector("#indicator-year")
    assert page.input_value("#indicator-year") == "2020"
    page.goto(f"{live_server}/?demo=0")  # leave the demo (the cookie)


def test_unknown_indicator_is_404_with_suggestions(live_server, browser):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{live_server}/wskaznik/nie-ma-takiego", timeout=10)
    assert err.value.code == 404
    err.value.close()  # the error holds the response's socket
    # Own context: the 404 document itself is logged as a failed resource, which is the point here.
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        response = pg.goto(f"{live_server}/wskaznik/egzamin-8-matma")
        assert response is not None and response.status == 404
        pg.wait_for_selector(".suggestions a")
        assert "/wskaznik/egzamin-8-matematyka" in pg.inner_html(".suggestions")
        assert not errors
    finally:
        context.close()
