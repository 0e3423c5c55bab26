"""The debate pack PDF: a first page that tells the story, the budget table, one section (bookmark) per chosen
indicator, real sources for real values only, absolute links, the verdict of portal/verdict.py, clear errors."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from portal import debate_pack
from portal.debate_pack import FontMissingError, debate_pack_pdf
from portal.verdict import card_verdict

OFFICIAL = ["egzamin-8-matematyka", "dochody-wlasne-na-mieszkanca", "zlobki-miejsca-na-1000-mieszkancow"]
DEMO = ["przedszkola-3-6-odsetek", "egzamin-8-matematyka", "mieszkania-komunalne-na-1000"]


def _pdf_string(raw: bytes) -> str:
    """A PDF string object as fpdf2 writes it: <FEFF…> UTF-16BE hex or a literal (…)."""
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode("ascii"))
        return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")
    text = raw[1:-1].decode("latin-1")
    return re.sub(r"\\(.)", r"\1", text)


def bookmarks(pdf: bytes) -> list[str]:
    """Titles of the numbered outline entries (the document's /Title and the budget bookmark left out)."""
    titles = [_pdf_string(m) for m in re.findall(rb"/Title (<[0-9a-fA-F]+>|\((?:\\.|[^\\)])*\))", pdf)]
    return [t for t in titles if re.match(r"\d+/\d+\. ", t)]


def outline(pdf: bytes) -> list[str]:
    return [_pdf_string(m) for m in re.findall(rb"/Title (<[0-9a-fA-F]+>|\((?:\\.|[^\\)])*\))", pdf)]


def page_texts(pdf: bytes) -> list[str]:
    """The text drawn on each page (uncompressed packs; fpdf2 writes each glyph run as a hex string)."""
    pages = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            stream = zlib.decompress(stream)
        except zlib.error:
            pass
        if b"BT" in stream:
            pages.append(stream)
    return pages


def links(pdf: bytes) -> list[str]:
    return [m.decode() for m in re.findall(rb"/URI \((.*?)\)", pdf)]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_one_section_per_indicator_after_the_front_page(store, lang):
    pdf = debate_pack_pdf(store, "1218062", OFFICIAL, lang=lang)
    assert pdf.startswith(b"%PDF")
    names = [store.indicator(i).name.get(lang) for i in OFFICIAL]
    assert bookmarks(pdf) == [f"{k}/3. {name}" for k, name in enumerate(names, 1)]
    assert ("Budżet" if lang == "pl" else "Budget") in outline(pdf)
    # Page 1 holds the story, the indicators at a glance and the budget table; then one page per section.
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1 + len(OFFICIAL)


def test_links_are_absolute_and_official_sources_name_their_tables(store, monkeypatch):
    monkeypatch.setenv("OMUP_BASE_URL", "https://omup.example.pl")
    pdf = debate_pack_pdf(store, "1218062", OFFICIAL, compress=False)
    uris = links(pdf)
    assert "https://omup.example.pl/jst/1218062" in uris
    assert "https://omup.example.pl/wskaznik/egzamin-8-matematyka" in uris
    assert all(u.startswith("https://") for u in uris)
    sources = debate_pack._sources(store, store.indicator("dochody-wlasne-na-mieszkanca"), "pl",
                                   debate_pack.texts("pl"))
    assert "GUS P2622" in sources and "data_in_hand" not in sources and "podstawa" not in sources


def test_synthetic_sections_are_not_credited_to_real_ids(demo_store):
    t = debate_pack.texts("pl")
    ind = demo_store.indicator("przedszkola-3-6-odsetek")
    assert demo_store.is_synthetic(ind.id)
    text = debate_pack._sources(demo_store, ind, "pl", t)
    assert text.startswith("Brak źródła: wartości syntetyczne")
    assert "GUS BDL zmienna" not in text and "podstawa" not in text
    pdf = debate_pack_pdf(demo_store, "2461011", DEMO, compress=False)
    assert len(bookmarks(pdf)) == 3


def test_the_pack_says_what_the_page_says(store):
    # The verdict of each indicator (year and label) is the card's: the first page lists it.
    for ind in OFFICIAL:
        v = card_verdict(store, ind, "1218062", None, "pl")
        assert v.year is not None
    pdf = debate_pack_pdf(store, "1218062", OFFICIAL[:1], compress=False)
    assert len(bookmarks(pdf)) == 1


def test_polish_letters_and_duplicates(store):
    ids = ["zlobki-miejsca-na-1000-mieszkancow", "zlobki-miejsca-na-1000-mieszkancow", "ludnosc"]
    pdf = debate_pack_pdf(store, "1207132", ids, compress=False)  # Szczawa: created 2025, has breaks
    name = store.indicator(ids[0]).name.pl
    assert "ż" in name  # Polish letters survive the round trip through the outline
    assert bookmarks(pdf) == [f"1/2. {name}", f"2/2. {store.indicator('ludnosc').name.pl}"]
    assert b"DejaVu" in pdf


def test_city_and_powiat(store):
    assert len(bookmarks(debate_pack_pdf(store, "1465011", OFFICIAL[:1]))) == 1
    assert len(bookmarks(debate_pack_pdf(store, "1218", OFFICIAL[:1], lang="en"))) == 1


def test_errors(store, monkeypatch):
    with pytest.raises(ValueError, match="no-such-indicator"):
        debate_pack_pdf(store, "1218093", [OFFICIAL[0], "no-such-indicator"])
    with pytest.raises(ValueError, match="unknown unit"):
        debate_pack_pdf(store, "9999999", OFFICIAL)
    with pytest.raises(ValueError):
        debate_pack_pdf(store, "1218093", [])
    monkeypatch.setattr(debate_pack, "FONT_REGULAR", Path("/nonexistent/DejaVuSans.ttf"))
    with pytest.raises(FontMissingError, match="fonts-dejavu-core"):
        debate_pack_pdf(store, "1218093", OFFICIAL)
