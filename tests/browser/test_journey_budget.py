"""A councillor's journey: profile → budget view → another year → download; both example units render."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

PARTS = (
    "#budget-bars .main-svg",
    "#budget-trends .main-svg",
    "#budget-scatter .main-svg",
    "#budget-revenue .main-svg",
)


def _wait_for_parts(page) -> None:
    for selector in PARTS:
        page.wait_for_selector(selector)
    page.wait_for_selector("#budget-table table")
    page.wait_for_selector("#budget-revenue-table table")


def _csv_link(page):
    return page.locator("#budget-downloads a", has_text="CSV")


def test_councillor_goes_from_profile_to_budget_changes_year_and_downloads(live_server, page):
    page.goto(f"{live_server}/jst/1218093")
    page.get_by_role("link", name="Budżet", exact=True).first.click()
    page.wait_for_url(re.compile(r"/budzet/1218093"))
    _wait_for_parts(page)
    latest = page.locator("#budget-year").input_value()

    page.select_option("#budget-year", "2019")
    page.wait_for_url(re.compile(r"rok=2019"))
    page.wait_for_function("document.querySelector('#budget-table caption').textContent.includes('2019')")
    assert "2019" in page.locator("#budget-summary").inner_text()
    assert latest != "2019"
    href = _csv_link(page).get_attribute("href")
    assert href == "/pobierz/budzet.csv?jst=1218093&rok=2019"
    assert _csv_link(page).get_attribute("download") is not None
    shot(page, "budget-1218093-2019-1366")

    status = page.request.get(live_server + href).status
    if status == 200:
        with page.expect_download() as info:
            _csv_link(page).click()
        assert info.value.suggested_filename.endswith(".csv")


@pytest.mark.parametrize("teryt", ["1218093", "1261011"])
def test_budget_view_renders_every_part_with_the_synthetic_notice(live_server, page, phone_page, teryt):
    for pg, width in ((page, 1366), (phone_page, 360)):
        pg.goto(f"{live_server}/budzet/{teryt}")
        _wait_for_parts(pg)
        assert pg.locator(".synthetic-banner").is_visible()
        labels = pg.locator("#budget-bars .annotation-text", has_text="DANE SYNTETYCZNE")
        assert labels.count() == 1
        assert pg.locator("#budget-gaps li").count() == 9
        assert "Związek nie oznacza przyczyny" in pg.locator("#budget-scatter-caption").inner_text()
        shot(pg, f"budget-{teryt}-{width}")


def test_section_choice_changes_the_scatter_and_the_url(live_server, page):
    page.goto(f"{live_server}/budzet/1261011?rok=2023")
    _wait_for_parts(page)
    page.select_option("#budget-section", "921")
    page.wait_for_url(re.compile(r"obszar=921"))
    page.wait_for_function(
        "document.querySelector('#budget-scatter-caption').textContent.includes('czytelnicy')"
        " || document.querySelector('#budget-scatter-caption').textContent.includes('Czytelnicy')"
    )
    assert "rok=2023" in page.url


def test_councillor_compares_with_the_ten_most_similar_units_and_back(live_server, page):
    page.goto(f"{live_server}/budzet/1218093?rok=2023")
    _wait_for_parts(page)
    assert page.locator("#budget-similar a").count() == 0
    page.get_by_label("10 najbardziej podobnymi jednostkami (podobne JST)").check()
    page.wait_for_url(re.compile(r"podobne=knn"))
    assert "rok=2023" in page.url
    similar = page.locator("#budget-similar a[href^='/jst/']:not([href*='#'])")
    similar.first.wait_for()
    assert similar.count() == 10
    assert "Andrychów" in page.locator("#budget-similar").inner_text()
    assert page.locator("#budget-similar .synthetic-badge").is_visible()
    page.wait_for_function(
        "document.querySelector('#budget-table caption').textContent.includes('10 najbardziej podobnych')"
    )
    assert "10 najbardziej podobnych jednostek" in page.locator("#budget-lead").inner_text()
    assert "mediana 10 najbardziej podobnych" in page.locator("#budget-summary").inner_text()
    assert "co mediana 10 najbardziej podobnych jednostek" in page.locator("#budget-gaps li").first.inner_text()
    assert _csv_link(page).get_attribute("href") == "/pobierz/budzet.csv?jst=1218093&rok=2023&podobne=knn"
    shot(page, "budget-1218093-knn-1366")

    # A shared link opens on the same choice; switching back drops it from the URL.
    page.goto(page.url)
    _wait_for_parts(page)
    assert page.get_by_label("10 najbardziej podobnymi jednostkami (podobne JST)").is_checked()
    assert page.locator("#budget-similar a[href^='/jst/']:not([href*='#'])").count() == 10
    page.get_by_label(re.compile(r"^grupą podobnych jednostek")).check()
    page.wait_for_url(lambda url: "podobne" not in url and "rok=2023" in url)
    page.wait_for_function("document.querySelectorAll('#budget-similar a').length === 0")
    assert "gminy miejsko-wiejskie" in page.locator("#budget-lead").inner_text()


def test_small_multiples_mark_a_territorial_change(live_server, page):
    page.goto(f"{live_server}/budzet/1211033")
    _wait_for_parts(page)
    assert page.locator("#budget-trends .annotation-text", has_text="zmiana typu").count() == 9
    assert "2020 a 2023" in page.locator(".break-note").inner_text()
    shot(page, "budget-1211033-break-1366")
