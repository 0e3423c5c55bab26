"""Keyboard-only use and labelled controls, in a real browser."""

from __future__ import annotations

import subprocess
from pathlib import Path

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


# ------------------------------------------------------------------------------------------------ axe-core
AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Every page type: start, area explorer, unit profile (gmina, powiat), indicator (with and without official
# values), compare, budget, report, goals, about, accessibility statement, 404, the /api page and an embed.
PAGE_TYPES = {
    "start": "/",
    "area": "/obszar/edukacja",
    "area-empty": "/obszar/ochrona-srodowiska",
    "profile": "/jst/1218093",
    "profile-powiat": "/jst/1218",
    "indicator": "/wskaznik/egzamin-8-matematyka",
    "indicator-no-official": "/wskaznik/kanalizacja-odsetek",
    "compare": "/porownaj?jst=1218093,1218033,1261011",
    "budget": "/budzet/1218093",
    "report": "/raport/1218093",
    "goals": "/cele/1218093",
    "about": "/o-danych",
    "accessibility": "/deklaracja-dostepnosci",
    "not-found": "/jst/wadowcie",
    "api": "/api",
    "embed": "/embed/ranking?wskaznik=egzamin-8-matematyka&poziom=powiaty",
}


def _axe_source() -> str:
    if not AXE.exists():  # tests/run.sh installs it; a bare pytest run installs it here the same way
        subprocess.run(["npm", "ci", "--prefix", str(AXE.parents[2]), "--no-audit", "--no-fund", "--silent"],
                       check=True, timeout=300)
    return AXE.read_text(encoding="utf-8")


def run_axe(pg) -> list[dict]:
    """axe-core's serious and critical violations of the page as it is now (WCAG 2.1 A and AA rules)."""
    if not pg.evaluate("() => !!window.axe"):
        pg.add_script_tag(content=_axe_source())
    result = pg.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                         AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:4]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["pl", "en"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, kind, lang):
    path = PAGE_TYPES[kind]
    url = live_server + path + (("&" if "?" in path else "?") + "lang=en" if lang == "en" else "")
    # The portal's CSP allows only its own scripts: the test's injected axe-core needs the CSP bypassed.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="pl-PL", bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        pg.goto(url)
        pg.wait_for_selector("h1, #chart[data-rendered]")
        pg.wait_for_load_state("networkidle")
        violations = run_axe(pg)
        assert not violations, violations
        if kind in ("start", "compare", "indicator"):
            pg.set_viewport_size({"width": 360, "height": 780})
            pg.wait_for_timeout(300)
            assert not run_axe(pg)
    finally:
        context.close()
