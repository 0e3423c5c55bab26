"""Keyboard-only use and labelled controls, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null && el.getAttribute('aria-hidden') !== 'true')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby') && !el.closest('label')
                && !el.closest('[role=combobox][aria-labelledby]') && !el.closest('.dash-dropdown'))
  .map(el => el.id || el.name || el.outerHTML.slice(0, 80))"""


def test_resident_finds_a_unit_with_the_keyboard_only(page, live_server):
    page.goto(f"{live_server}/")
    page.wait_for_selector("#start-search")
    # The skip link comes first, then the navigation; tab until the search box has focus.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "start-search":
            break
    else:
        pytest.fail("the search box cannot be reached with Tab")
    page.keyboard.type("wadowice")
    page.wait_for_selector("#start-results a")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused and focused.startswith("/jst/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/jst/1218093**")
    page.wait_for_function("() => (document.querySelector('h1') || {}).innerText === 'Wadowice'")
    # Focus is visible: the focused element draws an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    shot(page, "keyboard-profile-1366")


@pytest.mark.parametrize("path", ["/", "/obszar/edukacja", "/porownaj?jst=1218093,1261011",
                                  "/wskaznik/kanalizacja-odsetek", "/budzet/1218093"])
def test_every_visible_control_has_a_label(page, live_server, path):
    page.goto(f"{live_server}{path}")
    page.wait_for_selector("main h1")
    page.wait_for_timeout(500)
    assert page.evaluate(UNLABELLED) == []
    # Headings start at one h1.
    assert page.locator("h1").count() == 1
