"""The share dialog's «pin to data version» boxes: the iframe code is pinned by default, the link is not;
ticking and unticking swaps the texts in the browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def test_pin_boxes_swap_link_and_iframe(page, live_server, store):
    page.goto(live_server + "/obszar/edukacja?wskaznik=egzamin-8-matematyka&jst=1218093")
    page.click("#area-share .share-open")
    dialog = page.locator(".modal.show")
    dialog.wait_for()
    page.wait_for_function("() => document.querySelector('.modal.show input').value.startsWith('http')")
    link = dialog.locator("input.dash-input-element").first
    frame = dialog.locator("textarea").nth(0)
    pinned = f"v={store.version}"
    assert pinned not in link.input_value()
    assert pinned in frame.input_value() and frame.input_value().count("src=\"http") == 1
    boxes = dialog.locator("input.form-check-input")
    boxes.nth(0).check()
    page.wait_for_function(f"() => document.querySelector('.modal.show input').value.includes('{pinned}')")
    boxes.nth(1).uncheck()
    page.wait_for_function(
        f"() => !document.querySelector('.modal.show textarea').value.includes('{pinned}')")
    assert frame.input_value().count("src=\"http") == 1
    assert pinned in dialog.locator("textarea").nth(1).input_value()  # the citation stays pinned
    shot(page, "share-pin")
