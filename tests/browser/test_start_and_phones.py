"""Issue 15 in a real browser: the search box is the whole input and Enter opens the first result; on phones the
header folds into a menu button and the banner is one line; compare at 360 px lays charts out for the width;
the trend embed of three same-named gminy draws three lines; exported images never clip their title.
Screenshots of the start page, an area, the indicator page and compare at 1366 and 360 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_search_box_is_the_whole_input_and_enter_opens_the_first_result(page, live_server):
    page.goto(live_server + "/")
    box = page.locator(".hero .dash-input-container")
    box.wait_for()
    inp = page.locator("#start-search")
    box_w, inp_w = box.bounding_box()["width"], inp.bounding_box()["width"]
    assert inp_w >= 0.95 * box_w, (inp_w, box_w)
    # A click near the right end of the visible box focuses the input.
    b = box.bounding_box()
    page.mouse.click(b["x"] + b["width"] - 12, b["y"] + b["height"] / 2)
    assert page.evaluate("document.activeElement && document.activeElement.id") == "start-search"
    # The placeholder is not cut: it fits the input.
    assert page.evaluate("""() => { const i = document.getElementById('start-search');
        const c = document.createElement('canvas').getContext('2d'); c.font = getComputedStyle(i).font;
        return c.measureText(i.placeholder).width < i.clientWidth; }""")
    page.keyboard.type("powiat krakowski")
    page.wait_for_selector("#start-results a[href='/jst/1206']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/jst/1206")
    page.goto(live_server + "/")
    page.locator("#start-search").fill("m. Kraków")
    page.wait_for_selector("#start-results a[href='/jst/1261011']")
    page.locator("#start-search").press("Enter")
    page.wait_for_url("**/jst/1261011")


def test_on_a_phone_the_header_is_a_menu_button_and_the_banner_one_line(phone_page, live_server):
    pg = phone_page
    pg.goto(live_server + "/")
    pg.wait_for_selector("#start-search")
    nav = pg.locator("#main-nav")
    assert not nav.is_visible()
    header_h = pg.locator("header").bounding_box()["height"]
    banner = pg.locator(".official-note")
    assert header_h < 80 and banner.bounding_box()["height"] < 40, (header_h, banner.bounding_box())
    assert pg.locator("#start-search").bounding_box()["y"] < 400  # the search is on the first screen
    # The menu button opens the navigation and says so; Escape closes it.
    toggle = pg.locator("button.nav-toggle")
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert pg.locator("#main-nav a[href='/porownaj']").is_visible()
    shot(pg, "phone-menu-open-360")
    pg.keyboard.press("Escape")
    assert not nav.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    # «more» opens the numbers under the one line.
    pg.locator(".official-note summary").click()
    assert pg.locator(".official-note .banner-body").is_visible()
    assert "wskaźnik" in pg.locator(".official-note .banner-body").inner_text()


def test_compare_on_a_phone_is_laid_out_for_the_width(phone_page, live_server):
    pg = phone_page
    pg.goto(live_server + "/porownaj?jst=0201011,0201022,1018013&obszar=finanse-jst")
    pg.wait_for_selector(".compare-bar .main-svg")
    pg.wait_for_timeout(500)
    assert pg.evaluate(NO_SIDEWAYS_SCROLL) <= 1
    width = pg.evaluate("document.documentElement.clientWidth")
    graphs = pg.locator(".compare-bar")
    assert graphs.count() >= 2
    for i in range(graphs.count()):
        g = graphs.nth(i)
        box = g.bounding_box()
        assert box["width"] >= width - 40, (box["width"], width)  # full-width plots
        # Names stand above the bars, inside the plot, never cut at either edge.
        names = g.locator(".annotation-text")
        assert names.count() >= 3
        for j in range(names.count()):
            nb = names.nth(j).bounding_box()
            if nb is None or nb["width"] == 0:
                continue
            assert nb["x"] >= box["x"] - 1 and nb["x"] + nb["width"] <= box["x"] + box["width"] + 1, nb
    texts = pg.locator(".compare-bar").first.inner_text()
    assert "Bolesławiec (gm. wiejska, pow. bolesławiecki)" in texts
    shot(pg, "compare-360")


def test_trend_embed_of_three_boleslawiec_draws_three_named_lines(page, live_server):
    page.goto(live_server + "/embed/trend?jst=0201011,0201022,1018013")
    page.wait_for_selector("#chart[data-rendered] .main-svg")
    lines = page.evaluate("""() => document.getElementById('chart').data
        .filter(t => t.mode === 'lines+markers').map(t => t.name)""")
    assert len(lines) == 3 and len(set(lines)) == 3 and all(n.startswith("Bolesławiec (") for n in lines)
    assert page.locator(".scatterlayer .trace .js-line").count() >= 3
    shot(page, "embed-trend-boleslawiec")


@pytest.mark.parametrize("kind", ["ranking", "mapa", "trend"])
def test_exported_images_never_clip_the_title(page, live_server, kind):
    """The longest indicator name of the catalogue (demo, so the synthetic mark lengthens it too), drawn as the
    export figure: the title stays inside the image and above the plot."""
    from portal.store import get_store

    store = get_store(demo=True)
    longest = max(store.catalogue.indicators, key=lambda i: len(i.name.pl))
    level = "gminy" if "gmina" in longest.levels else "powiaty" if "powiat" in longest.levels else "wojewodztwa"
    query = f"wskaznik={longest.id}&poziom={level}&demo=1" + ("&jst=0201011,0201022,1018013" if kind == "trend" else "")
    page.goto(f"{live_server}/embed/{kind}?{query}")
    page.wait_for_selector("#chart[data-rendered]")
    box = page.evaluate("""async () => {
        const d = document.createElement('div'); document.body.appendChild(d);
        await Plotly.newPlot(d, EXPORT.data, EXPORT.layout, {staticPlot: true});
        const t = d.querySelector('.gtitle').getBoundingClientRect();
        const svg = d.querySelector('.main-svg').getBoundingClientRect();
        const plot = d.querySelector('.bglayer, .cartesianlayer, .maplayer') ;
        return {title: [t.left - svg.left, t.top - svg.top, t.right - svg.left, t.bottom - svg.top],
                width: EXPORT.layout.width, height: EXPORT.layout.height, top: EXPORT.layout.margin.t,
                lines: (EXPORT.layout.title.text.match(/<br>/g) || []).length};
    }""")
    left, top, right, bottom = box["title"]
    assert left >= 0 and top >= 0 and right <= box["width"] and bottom <= box["top"], box
    assert box["lines"] >= 2  # the long title wrapped (then the subtitle)


@pytest.mark.parametrize("width", [1366, 360])
@pytest.mark.parametrize(("name", "path", "ready"), [
    ("start", "/", "#start-search"),
    ("area", "/obszar/edukacja?jst=1218093", "#area-map .main-svg"),
    ("indicator", "/wskaznik/dochody-wlasne-na-mieszkanca", "#indicator-map-graph .main-svg"),
    ("compare", "/porownaj?jst=1218093,1218033,1261011&obszar=edukacja", ".compare-bar .main-svg"),
])
def test_screenshots_of_my_pages(browser, live_server, name, path, ready, width):
    from tests.browser.conftest import _new_page

    errors: list[str] = []
    context, pg = _new_page(browser, width, errors)
    try:
        pg.goto(live_server + path)
        pg.wait_for_selector(ready, state="attached")
        pg.wait_for_timeout(1200)
        assert pg.evaluate(NO_SIDEWAYS_SCROLL) <= 1
        assert pg.locator("h1").count() == 1
        shot(pg, f"uib-{name}-{width}")
    finally:
        context.close()
    assert not errors, errors
