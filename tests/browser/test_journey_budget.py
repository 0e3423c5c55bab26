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
