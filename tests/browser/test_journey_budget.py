"""A councillor's journey through the budget view: official series first, the year and the comparison group in
the URL, tables that stack on phones, the demo's divisions labelled, the debate pack."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

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

WADOWICE = "1218093"
NO_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _official(page, timeout: float = 20_000) -> None:
    page.wait_for_selector("#budget-official-table table", timeout=timeout)
    page.wait_for_selector("#budget-official-trends .main-svg", timeout=timeout)


def _csv_link(page):
    return page.locator("#budget-downloads a", has_text="CSV")


def test_councillor_goes_from_profile_to_budget_and_changes_year(live_server, page):
    page.goto(f"{live_server}/jst/{WADOWICE}")
    page.locator(".profile-actions").get_by_role("link", name="Budżet", exact=True).click()
    page.wait_for_url(re.compile(rf"/budzet/{WADOWICE}"))
    _official(page)
    # Official data lead: the first part of the view is the official one, and nothing is synthetic.
    assert "budget-official" in page.locator(".budget-view > .budget-part").first.get_attribute("class")
    assert page.locator(".synthetic-badge").count() == 0
    assert "dochody własne" in page.locator("#budget-summary").inner_text()
    absent = page.locator(".budget-view .no-official")
    assert absent.count() == 1 and "omup data fetch" in absent.inner_text()
    assert "demo=1" in absent.locator("a").get_attribute("href")

    page.select_option("#budget-year", "2019")
    page.wait_for_url(re.compile(r"rok=2019"))
    wait_until(page,
        "document.querySelector('#budget-official-table caption').textContent.includes('2019')")
    assert "2019" in page.locator("#budget-summary").inner_text()
    shot(page, "budget-1218093-2019-1366")


@pytest.mark.parametrize("teryt", [WADOWICE, "1261011", "1218"])
def test_budget_view_at_both_widths_tables_stack_on_phones(live_server, page, phone_page, teryt):
    for pg, width in ((page, 1366), (phone_page, 360)):
        pg.goto(f"{live_server}/budzet/{teryt}")
        _official(pg)
        assert pg.evaluate(NO_OVERFLOW) <= 1, f"{teryt} at {width} px scrolls sideways"
        table = pg.locator("#budget-official-table table")
        if width == 360:
            # One block per row: the header row is hidden, every cell names its column.
            assert not pg.locator("#budget-official-table thead").is_visible()
            assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
            label = pg.evaluate("getComputedStyle(document.querySelector('#budget-official-table td'), '::before')"
                                ".content")
            assert label not in ("none", "normal", '""')
        shot(pg, f"budget-{teryt}-{width}")


def test_the_comparison_group_is_in_the_url(live_server, page):
    page.goto(f"{live_server}/budzet/{WADOWICE}?rok=2023")
    _official(page)
    assert page.locator("#budget-similar a").count() == 0
    page.get_by_label("10 najbardziej podobnymi jednostkami (podobne JST)").check()
    page.wait_for_url(re.compile(r"podobne=knn"))
    assert "rok=2023" in page.url
    similar = page.locator("#budget-similar a[href^='/jst/']:not([href*='#'])")
    similar.first.wait_for()
    assert similar.count() == 10
    wait_until(page,
        "document.querySelector('#budget-official-table caption').textContent.includes('10 najbardziej podobnych')")
    assert "10 najbardziej podobnych jednostek" in page.locator("#budget-lead").inner_text()
    shot(page, "budget-1218093-knn-1366")
    # A shared link opens on the same choice; switching back drops it from the URL.
    page.goto(page.url)
    _official(page)
    assert page.get_by_label("10 najbardziej podobnymi jednostkami (podobne JST)").is_checked()
    page.get_by_label(re.compile(r"^grupą podobnych jednostek")).check()
    page.wait_for_url(lambda url: "podobne" not in url and "rok=2023" in url)


def test_demo_divisions_are_labelled_and_the_scatter_title_fits(live_server, page, phone_page):
    for pg, width in ((page, 1366), (phone_page, 360)):
        pg.goto(f"{live_server}/budzet/1261011?demo=1")
        # Six plotly charts on a loaded machine: more time than the default.
        _official(pg, timeout=60_000)
        pg.wait_for_selector("#budget-bars .main-svg", timeout=60_000)
        pg.wait_for_selector("#budget-scatter .main-svg", timeout=60_000)
        assert pg.locator(".synthetic-banner").is_visible()
        bullets = pg.locator("#budget-gaps li")
        assert bullets.count() == 9
        for i in range(9):
            assert bullets.nth(i).locator(".synthetic-badge").count() == 1
        # The y-axis title of the cost–outcome chart lies inside the figure.
        inside = pg.evaluate("""() => {
            const svg = document.querySelector('#budget-scatter .main-svg').getBoundingClientRect();
            const t = document.querySelector('#budget-scatter .ytitle').getBoundingClientRect();
            return t.left >= svg.left - 1 && t.top >= svg.top - 1 && t.bottom <= svg.bottom + 1; }""")
        assert inside, f"the y-axis title is clipped at {width} px"
        assert pg.evaluate(NO_OVERFLOW) <= 1
        shot(pg, f"budget-1261011-demo-{width}")
    page.goto(f"{live_server}/budzet/{WADOWICE}?demo=0")  # leave the demo (the cookie)


def test_debate_pack_from_the_budget_view(live_server, page):
    page.goto(f"{live_server}/budzet/{WADOWICE}")
    _official(page)
    href = page.locator("#budget-pack-link").get_attribute("href")
    assert href.startswith(f"/pobierz/pakiet.pdf?jst={WADOWICE}&wskazniki=") and "demo" not in href
    response = page.request.get(live_server + href)
    assert response.status == 200 and response.body().startswith(b"%PDF")
