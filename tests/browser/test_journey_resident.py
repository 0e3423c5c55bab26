"""A resident's journey: find the gmina from the start page, read its profile; search quirks; bad codes."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

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
    h1 = page.locator("main h1").inner_text()
    assert h1 == "Wadowice"
    sentence = page.locator("#edukacja .card-sentence").first.inner_text()
    assert "W 20" in sentence and "ósmoklasiści" in sentence
    assert page.locator("#edukacja .band").count() >= 3
    assert page.locator(".profile-card .synthetic-badge").count() > 10
    assert page.locator(".profile-strengths li").count() >= 2
    shot(page, "resident-profile-1366")


def test_profile_on_a_phone(live_server, phone_page):
    page = phone_page
    page.goto(live_server + "/")
    page.wait_for_selector("#start-search")
    shot(page, "resident-start-360")
    page.goto(live_server + "/jst/1218093")
    page.wait_for_selector("#edukacja .profile-card")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page wider than the phone by {overflow} px"
    shot(page, "resident-profile-360")


def test_anchor_scrolls_to_area(live_server, page):
    page.goto(live_server + "/jst/1218093#kultura-i-rekreacja")
    page.wait_for_selector("#kultura-i-rekreacja .profile-card")
    page.wait_for_function(
        "Math.abs(document.getElementById('kultura-i-rekreacja').getBoundingClientRect().top) < 80")


def test_year_control_writes_url_and_rerenders(live_server, page):
    page.goto(live_server + "/jst/1218093")
    page.wait_for_selector("#edukacja .profile-card")
    page.select_option("#profile-year", "2023")
    page.wait_for_url(re.compile(r"rok=2023"))
    page.wait_for_function(
        "document.querySelector('#edukacja .card-sentence').innerText.startsWith('W 2023 r.')")
    page.go_back()
    page.wait_for_function(
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
