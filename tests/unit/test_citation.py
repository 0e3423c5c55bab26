"""Citation: a ready sentence and BibTeX with the data version and the access date; the share dialog."""

from __future__ import annotations

from datetime import date

from portal.api.citation import bibtex_escape, citation


def test_sentence_and_bibtex_carry_version_and_date():
    c = citation("Wynik egzaminu – Wadowice", "https://omup.example/jst/1218093", "7816c950dae4",
                 date(2025, 5, 3), "pl", synthetic=True)
    assert "wersja danych 7816c950dae4" in c["text"] and "3 maja 2025" in c["text"]
    assert "https://omup.example/jst/1218093" in c["text"] and "syntetyczne" in c["text"]
    bib = c["bibtex"]
    assert bib.startswith("@misc{omup-wynik-egzaminu-wadowice-7816c950-2025,")
    assert "version = {7816c950dae4}" in bib and "urldate = {2025-05-03}" in bib
    assert bib.count("{") == bib.count("}")


def test_english_and_escaping():
    c = citation("100% & more_{x}", "https://x/y", "v1", date(2024, 12, 1), "en")
    assert "accessed 1 December 2024" in c["text"] and "data version v1" in c["text"]
    assert r"100\% \& more\_\{x\}" in c["bibtex"]
    assert bibtex_escape("a#b") == r"a\#b"


def test_share_panel_holds_link_iframe_downloads_and_citation(settings):
    from layouts.components.share import share_panel

    panel = share_panel("test-map", path="/obszar/edukacja", query={"wskaznik": "egzamin-8-matematyka",
                                                                    "rok": "2024", "poziom": "gminy"},
                        lang="pl", embed="mapa", downloads=[("CSV", "/pobierz/ranking.csv?x=1")])
    text = str(panel.to_plotly_json())
    assert "/embed/mapa?wskaznik=egzamin-8-matematyka" in text and 'height="560"' in text
    assert "/pobierz/ranking.csv?x=1" in text and "obraz=png" in text and "obraz=svg" in text
    assert "Jak cytować" in text and "@misc{" in text and date.today().isoformat() in text


def test_area_share_follows_the_state(settings):
    from callbacks.share import area_share
    from portal.state import resolve_state
    from portal.store import get_store

    state = resolve_state(get_store(), "edukacja", {"wskaznik": "egzamin-8-matematyka", "rok": "2024",
                                                    "widok": "ranking", "jst": "1218093"})
    text = str(area_share(state.as_dict()).to_plotly_json())
    assert "/embed/ranking?" in text and "jst=1218093" in text and "/pobierz/ranking.xlsx?" in text
    assert area_share(None) == []
