"""The debate pack PDF: produced, one section (bookmark) per chosen indicator, clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import debate_pack
from portal.debate_pack import FontMissingError, debate_pack_pdf
from portal.store import get_store

# These tests exercise the page mechanics on the demo edition (official plus synthetic values).
pytestmark = pytest.mark.usefixtures("demo_mode")

CHOSEN = ["przedszkola-3-6-odsetek", "egzamin-8-matematyka", "mieszkania-komunalne-na-1000"]


def _pdf_string(raw: bytes) -> str:
    """A PDF string object as fpdf2 writes it: <FEFF…> UTF-16BE hex or a literal (…)."""
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode("ascii"))
        return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")
    text = raw[1:-1].decode("latin-1")
    return re.sub(r"\\(.)", r"\1", text)


def bookmarks(pdf: bytes) -> list[str]:
    """Titles of the outline entries (the document's /Title in Info is not numbered and is left out)."""
    titles = [_pdf_string(m) for m in re.findall(rb"/Title (<[0-9a-fA-F]+>|\((?:\\.|[^\\)])*\))", pdf)]
    return [t for t in titles if re.match(r"\d+/\d+\. ", t)]


@pytest.fixture(scope="module")
def store():
    return get_store()


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_one_section_per_indicator(store, lang):
    pdf = debate_pack_pdf(store, "0210062", CHOSEN, lang=lang)
    assert pdf.startswith(b"%PDF")
    names = [store.indicator(i).name.get(lang) for i in CHOSEN]
    assert bookmarks(pdf) == [f"{k}/3. {name}" for k, name in enumerate(names, 1)]
    # Title page + one page per section.
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 4


def test_polish_letters_and_duplicates(store):
    ids = ["zlobki-miejsca-na-1000", "zlobki-miejsca-na-1000", "ludnosc"]
    pdf = debate_pack_pdf(store, "1207132", ids, compress=False)  # Szczawa: created 2025, has breaks
    marks = bookmarks(pdf)
    name = store.indicator("zlobki-miejsca-na-1000").name.pl
    assert "żł" in name  # Polish letters survive the round trip through the outline
    assert marks == [f"1/2. {name}", f"2/2. {store.indicator('ludnosc').name.pl}"]
    assert b"DejaVu" in pdf


def test_city_and_powiat(store):
    assert len(bookmarks(debate_pack_pdf(store, "1465011", CHOSEN[:1]))) == 1
    assert len(bookmarks(debate_pack_pdf(store, "1218", CHOSEN[:2], lang="en"))) == 2


def test_errors(store, monkeypatch):
    with pytest.raises(ValueError, match="no-such-indicator"):
        debate_pack_pdf(store, "1218093", [CHOSEN[0], "no-such-indicator"])
    with pytest.raises(ValueError, match="unknown unit"):
        debate_pack_pdf(store, "9999999", CHOSEN)
    with pytest.raises(ValueError):
        debate_pack_pdf(store, "1218093", [])
    monkeypatch.setattr(debate_pack, "FONT_REGULAR", Path("/nonexistent/DejaVuSans.ttf"))
    with pytest.raises(FontMissingError, match="fonts-dejavu-core"):
        debate_pack_pdf(store, "1218093", CHOSEN)
