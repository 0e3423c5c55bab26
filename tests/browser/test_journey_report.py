"""A councillor prepares the report on the state of the gmina: writes a goal, chooses the report's contents,
and downloads the Word document, which holds what was chosen."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from docx import Document

from tests.browser.conftest import shot
from tests.browser.test_accessibility import UNLABELLED

pytestmark = pytest.mark.browser

WADOWICE = "1218093"


def test_councillor_chooses_the_report_and_downloads_it(page, live_server):
    page.set_default_timeout(60_000)  # a report page draws charts on the server; the machine may be busy
    # 1. A goal on the goals page: written, judged, and carried to the report in the link.
    page.goto(f"{live_server}/cele/{WADOWICE}")
    page.wait_for_selector("main h1")
    assert page.evaluate(UNLABELLED) == []
    page.fill("#goals-text", "Więcej mieszkańców")
    page.select_option("#goals-indicator", "ludnosc")
    page.fill("#goals-baseline", "2019")
    page.fill("#goals-target", "40000")
    page.fill("#goals-target-year", "2030")
    page.click("#goals-add")
    page.wait_for_function("() => location.search.includes('cele=')")
    page.wait_for_selector(".goal-card h3:has-text('Więcej mieszkańców')")
    shot(page, "report-goals-1366")
    page.click("#goals-report")

    # 2. The report page with the goal; every control labelled, one h1.
    page.wait_for_url(re.compile(rf".*/raport/{WADOWICE}\?.*cele=.*"))
    page.wait_for_selector("#rozdzial-cele")
    assert page.locator("h1").count() == 1
    assert page.evaluate(UNLABELLED) == []
    assert "Więcej mieszkańców" in page.inner_text("#report-body")

    # 3. Leave out a chapter and choose an earlier year: the URL and the download link follow.
    page.locator("#report-chapters label", has_text="Realizacja uchwał").click()
    page.wait_for_function("() => location.search.includes('rozdzialy=')")
    page.wait_for_function("() => !document.querySelector('#rozdzial-uchwaly')")
    years = page.eval_on_selector_all("#report-year option", "els => els.map(e => e.value).filter(v => v)")
    assert page.input_value("#report-year") == years[0]  # the latest year by default
    earlier = years[1]
    page.select_option("#report-year", earlier)
    page.wait_for_function(f"() => location.search.includes('rok={earlier}')")
    href = page.get_attribute("#report-docx", "href")
    query = parse_qs(urlparse(href).query)
    assert query["rok"] == [earlier] and "uchwaly" not in query["rozdzialy"][0] and "cele" in query

    # 4. Charts are drawn as they scroll into view (the same builder as the document's).
    chart = page.locator("img.report-chart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => { const i = document.querySelector('img.report-chart');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    assert chart.get_attribute("alt").startswith("Wykres: ")
    shot(page, "report-page-1366")

    # 5. Download: the Word document holds the chosen chapters, the goal, charts and sources.
    with page.expect_download() as info:
        page.click("#report-docx")
    download = info.value
    assert download.suggested_filename == f"raport-{WADOWICE}-{earlier}.docx"
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert "Jednostka w liczbach" in headings and "Cele i wartości docelowe" in headings
    assert not any(h.startswith("Realizacja uchwał") for h in headings)
    assert any(h.startswith("Budżet obywatelski") for h in headings)
    assert any(p.text.startswith("Więcej mieszkańców") for p in doc.paragraphs if p.style.name == "Heading 2")
    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert images
    assert "GUS" in "\n".join(p.text for p in doc.paragraphs)
