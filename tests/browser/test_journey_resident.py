"""A resident's journey: find the gmina from the start page, read its profile; search quirks; bad codes."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import SCREENSHOTS, shot

pytestmark = pytest.mark.browser


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression until it is truthy (page.wait_for_function evaluates strings, which the
    portal's Content-Security-Policy forbids; page.evaluate runs through the debugger protocol)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(100)

RESULTS = "#start-results"


def _search(page, live_server, query: str):
    page.goto(live_server + "/")
    box = page.locator("#start-search")
    box.fill(query)
    page.wait_for_selector(f"{RESULTS} a")
    return page.locator(f"{RESULTS} li")


def test_resident_finds_wadowice_and_reads_education(live_server, page):
    page.goto(live_server + "/")
    page.wait_for_selector("#start-search")
    shot(page, "resident-start-1366")
    page.locator("#start-search").type("wadowice", delay=30)
    hit = page.locator(f"{RESULTS} a", has_text="Wadowice").first
    hit.wait_for()
    assert "gmina miejsko-wiejska, pow. wadowicki" in hit.inner_text()
    hit.click()
    page.wait_for_url(re.compile(r"/jst/1218093$"))
    page.wait_for_selector("#edukacja .profile-card")
    assert page.locator("main h1").inner_text().startswith("Wadowice")
    sentence = page.locator("#edukacja .card-sentence").first.inner_text()
    assert "W 20" in sentence and "ósmoklasiści" in sentence
    assert page.locator("#edukacja .band").count() >= 1
    # Official values only by default: no synthetic badge anywhere.
    assert page.locator(".synthetic-badge").count() == 0
    shot(page, "resident-profile-1366")


FIRST_SCREEN = 780


@pytest.mark.parametrize(("teryt", "name"), [("1261011", "krakow"), ("1218062", "spytkowice"), ("1218", "powiat-1218")])
def test_the_first_screen_tells_the_story(live_server, page, phone_page, teryt, name):
    for pg, width in ((page, 1366), (phone_page, 360)):
        pg.goto(f"{live_server}/jst/{teryt}")
        pg.wait_for_selector(".headline-strip .headline-item")
        items = pg.locator(".headline-strip .headline-item")
        assert 4 <= items.count() <= 6
        # The strip and the sentences start on the first screen; each item has a value and a sparkline.
        assert pg.locator(".headline-strip").bounding_box()["y"] < FIRST_SCREEN
        assert pg.locator(".profile-story p").count() >= 1
        assert items.first.locator(".headline-value").inner_text()
        assert pg.locator(".headline-strip img.sparkline").count() >= 3
        assert pg.locator("img.locator-map").is_visible()
        assert pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
        shot(pg, f"profile-{name}-{width}")
        pg.screenshot(path=str(SCREENSHOTS / f"profile-{name}-{width}-first.png"))


def test_profile_on_a_phone_folds_areas_and_keeps_them_in_the_url(live_server, phone_page):
    page = phone_page
    page.goto(live_server + "/jst/1218093")
    page.wait_for_selector("#edukacja .profile-card", state="attached")
    wait_until(page, "!document.getElementById('edukacja').open")
    folded = page.evaluate("[...document.querySelectorAll('details.profile-area[data-foldable]')].every(d => !d.open)")
    assert folded
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, f"a folded profile is {height} px tall on a phone"
    # Similar units and the debate pack come where the contents list puts them: before the areas.
    order = page.evaluate("""() => [...document.querySelectorAll('.profile-toc a')].map(a => a.getAttribute('href'))""")
    tops = [page.evaluate(f"document.querySelector('{h}').getBoundingClientRect().top") for h in order]
    assert tops == sorted(tops)
    page.locator("#edukacja > summary").click()
    page.wait_for_url(re.compile(r"otwarte=edukacja"))
    assert page.locator("#edukacja .profile-card").first.is_visible()
    shot(page, "resident-profile-360")
    page.reload()
    page.wait_for_selector("#edukacja .profile-card")
    wait_until(page, "document.getElementById('edukacja').open && !document.getElementById('kontekst').open")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def test_anchor_scrolls_to_area(live_server, page):
    page.goto(live_server + "/jst/1218093#finanse-jst")
    page.wait_for_selector("#finanse-jst .profile-card")
    wait_until(page,
        "Math.abs(document.getElementById('finanse-jst').getBoundingClientRect().top) < 80")


def test_an_area_without_official_data_says_so_and_links_to_the_demo(live_server, page):
    page.goto(live_server + "/jst/1218093")
    note = page.locator("#kultura-i-rekreacja .no-official")
    note.wait_for()
    assert "omup data fetch" in note.inner_text()
    note.locator("a").click()
    page.wait_for_url(re.compile(r"demo=1"))
    page.wait_for_selector("#kultura-i-rekreacja .profile-card .synthetic-badge")
    page.goto(live_server + "/jst/1218093?demo=0")  # leave the demo (the cookie)
    page.wait_for_selector("#edukacja .profile-card")


def test_year_control_writes_url_and_rerenders(live_server, page):
    page.goto(live_server + "/jst/1218093")
    page.wait_for_selector("#edukacja .profile-card")
    page.select_option("#profile-year", "2023")
    page.wait_for_url(re.compile(r"rok=2023"))
    wait_until(page,
        "document.querySelector('#edukacja .card-sentence').innerText.startsWith('W 2023 r.')")
    page.go_back()
    wait_until(page,
        "document.querySelector('#edukacja .card-sentence').innerText.startsWith('W 2025 r.')")


@pytest.mark.parametrize(("query", "name"), [("lodz", "Łódź"), ("zory", "Żory")])
def test_search_ignores_diacritics(live_server, page, query, name):
    items = _search(page, live_server, query)
    assert name in [items.nth(i).locator(".fw-semibold").inner_text() for i in range(items.count())]


def test_same_names_are_told_apart(live_server, page):
    items = _search(page, live_server, "Bolesławiec")
    entries = [items.nth(i).inner_text() for i in range(items.count())]
    named = [e for e in entries if e.startswith("Bolesławiec")]
    assert len([e for e in named if "gmina" in e]) == 3
    assert len(set(named)) == len(named)


def test_unknown_code_is_404_with_suggestions(live_server, browser):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(live_server + "/jst/9999999", timeout=10)
    assert err.value.code == 404
    err.value.close()
    # Own context, not the `page` fixture: Chromium logs the document's 404 itself as a console error.
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        response = page.goto(live_server + "/jst/9999999")
        assert response.status == 404
        page.wait_for_selector(".not-found")
        assert "9999999" in page.locator(".not-found").inner_text()
        # No unit shares a prefix with 9999999, so the page suggests searching from the home page instead.
        assert page.locator(".not-found .suggestions").count() == 1
        assert page.locator(".not-found a[href='/']").count() == 1
    finally:
        context.close()


def test_old_code_redirects(live_server, page):
    response = page.goto(live_server + "/jst/121809")
    assert page.url.endswith("/jst/1218093")
    assert response.status == 200
    page.wait_for_selector("#edukacja .profile-card")
