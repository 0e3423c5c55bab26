"""A journalist opens an area, switches indicator and year, clicks a unit on the map, copies the link,
and the link reproduces the view; back and forward restore earlier views."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _wait_map(page) -> None:
    page.wait_for_selector("#area-map .maplibregl-canvas, #area-map canvas", state="attached")
    page.wait_for_function(
        "() => { const g = document.querySelector('#area-map .js-plotly-plot');"
        " return g && g.data && g.data.some(t => t.name === 'values' && t.locations.length > 100); }"
    )


def _pick(page, dropdown_id: str, text: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    option = page.get_by_role("option").filter(has_text=text).first
    option.click()


def test_journalist_switches_clicks_and_shares(page, live_server, browser):
    # Environment has no official indicator yet: the journey runs in the demo (synthetic values, labelled).
    page.goto(f"{live_server}/obszar/ochrona-srodowiska?demo=1")
    _wait_map(page)
    assert "Ochrona środowiska" in page.locator("h1").inner_text()
    shot(page, "area-start-1366")

    # Switch the indicator: the URL follows.
    _pick(page, "area-indicator", "Sieć wodociągowa na 100")
    page.wait_for_function("() => location.search.includes('wskaznik=')")
    first = _query(page.url)
    assert first["wskaznik"] == "siec-wodociagowa-na-100-km2"

    # Switch the year.
    _pick(page, "area-year", "2019")
    page.wait_for_function("() => location.search.includes('rok=2019')")
    _wait_map(page)

    # Click a unit on the map (the map's centre lies in a gmina of central Poland).
    page.locator("#area-map").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    canvas = page.locator("#area-map .maplibregl-canvas").first
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.52
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y, steps=3)  # plotly picks the unit under the pointer on hover, then reports the click
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('jst=')", timeout=15_000)
    state = _query(page.url)
    assert state["wskaznik"] == "siec-wodociagowa-na-100-km2" and state["rok"] == "2019"
    selected = state["jst"]
    assert re.fullmatch(r"\d{7}", selected)
    page.wait_for_selector(".selected-sentence")
    sentence = page.locator(".selected-sentence").inner_text()
    assert "2019" in sentence
    shot(page, "area-selected-1366")

    # The copied link reproduces the view in a fresh browser context.
    link = page.url
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    other = context.new_page()
    other.goto(link)
    _wait_map(other)
    other.wait_for_selector(".selected-sentence")
    assert other.locator(".selected-sentence").inner_text() == sentence
    assert "2019" in other.locator("#area-year").inner_text()
    highlighted = other.evaluate(
        "() => document.querySelector('#area-map .js-plotly-plot').data.find(t => t.name === 'selected').locations"
    )
    assert highlighted == [selected]
    context.close()

    # Back goes to the view before the click; forward returns to it.
    page.go_back()
    page.wait_for_function("() => !location.search.includes('jst=')")
    page.wait_for_function("() => !document.querySelector('.selected-sentence')")
    page.go_forward()
    page.wait_for_function(f"() => location.search.includes('jst={selected}')")
    page.wait_for_selector(".selected-sentence")


def test_ranking_tab_and_table_alternative(page, live_server):
    page.goto(f"{live_server}/obszar/edukacja?jst=1218093&widok=ranking")
    page.wait_for_selector("#area-ranking .ag-row")
    page.wait_for_selector("#area-ranking .ag-row[row-id='1218093']")
    row = page.locator("#area-ranking .ag-row[row-id='1218093']").first
    assert "Wadowice" in row.inner_text()
    shot(page, "area-ranking-1366")
    # Switching tabs writes the view into the URL.
    page.get_by_role("tab", name="Rozkład").click()
    page.wait_for_function("() => location.search.includes('widok=rozklad')")


def test_ranking_puts_missing_values_last_both_ways(page, live_server):
    page.goto(f"{live_server}/obszar/edukacja?widok=ranking")
    page.wait_for_selector("#area-ranking .ag-row")
    first_rank = "() => document.querySelector(\"#area-ranking .ag-row[row-index='0'] [col-id='rank']\").innerText"
    assert page.evaluate(first_rank).strip() == "1"
    # Descending by value: the highest value first, not a unit without data.
    page.locator("#area-ranking .ag-header-cell[col-id='value']").click()
    page.locator("#area-ranking .ag-header-cell[col-id='value']").click()
    page.wait_for_function("() => document.querySelector(\"#area-ranking .ag-header-cell[col-id='value']\")"
                           ".getAttribute('aria-sort') === 'descending'")
    assert page.evaluate(first_rank).strip() == "1"


def test_area_on_a_phone(phone_page, live_server):
    phone_page.goto(f"{live_server}/obszar/edukacja?jst=1218093")
    _wait_map(phone_page)
    phone_page.wait_for_selector(".selected-sentence")
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360 + 1, "the page scrolls sideways at 360 px"
    shot(phone_page, "area-360")


def test_api_page_fits_a_phone(phone_page, live_server):
    phone_page.goto(f"{live_server}/api")
    phone_page.wait_for_selector("h1")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 361, "/api scrolls sideways"
    # The curl examples name this server, ready to copy.
    assert f"curl -s '{live_server}/api/v1/" in phone_page.inner_text("body")
