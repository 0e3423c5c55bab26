"""Issue 8 in the browser: the funnel plot of a rate indicator and the 'within chance variation' label."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

RATE = "zlobki-miejsca-na-1000-mieszkancow"  # official (nursery register): places per 1,000 residents
SMALL = "2210011"  # Krynica Morska: a small gmina within chance variation for rate indicators
# Functions, not bare expressions: the portal's CSP forbids eval, which Playwright uses for an expression.
FUNNEL_DRAWN = "() => document.querySelectorAll('.funnel-graph .main-svg .scatterlayer .trace').length >= 5"


@pytest.mark.parametrize("fixture", ["page", "phone_page"])
def test_rate_indicator_shows_the_funnel(live_server, request, fixture):
    page = request.getfixturevalue(fixture)
    page.goto(f"{live_server}/wskaznik/{RATE}")
    page.wait_for_selector(".funnel-section h2")
    page.wait_for_function(FUNNEL_DRAWN)
    assert "Wykres lejkowy pokazuje" in page.inner_text(".funnel-section")
    page.locator(".funnel-section").scroll_into_view_if_needed()
    shot(page, f"funnel-indicator-{'desktop' if fixture == 'page' else 'phone'}")
    # The three-year average goes to the URL and redraws the funnel.
    page.locator(".funnel-section .form-switch label").first.click()
    page.wait_for_url("**srednia=3**")
    page.wait_for_function("() => document.querySelector('#indicator-funnel').innerText.includes('średnie z lat')")
    page.wait_for_function(FUNNEL_DRAWN)


@pytest.mark.parametrize("fixture", ["page", "phone_page"])
def test_small_gmina_profile_shows_the_chance_label(live_server, request, fixture):
    page = request.getfixturevalue(fixture)
    # Areas fold on phones: the URL opens the social-policy area, where the label is.
    page.goto(f"{live_server}/jst/{SMALL}" + ("?otwarte=polityka-spoleczna" if fixture == "phone_page" else ""))
    label = page.locator(".profile-card .chance-label:visible").first
    label.wait_for()
    assert label.inner_text().strip() == "w granicach przypadkowych wahań"
    assert page.locator(".profile-similar .similar-item").count() == 10
    card = page.locator(".profile-card", has=page.locator(".chance-label")).first
    card.scroll_into_view_if_needed()
    shot(page, f"chance-profile-{'desktop' if fixture == 'page' else 'phone'}")


def test_area_explorer_funnel_tab(live_server, page):
    page.goto(f"{live_server}/obszar/polityka-spoleczna?wskaznik={RATE}&jst={SMALL}&widok=lejek")
    page.wait_for_function(FUNNEL_DRAWN.replace(".funnel-graph", "#area-funnel"))
    assert "w granicach przypadkowych wahań" in page.inner_text(".selected-sentence")
    shot(page, "funnel-area-desktop")
