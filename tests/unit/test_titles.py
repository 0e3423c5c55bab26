"""Browser tab titles follow the page and its language."""

from __future__ import annotations

from callbacks.router import render_page
from layouts.routes import title_of


def test_titles_in_both_languages(store):
    assert title_of("/wskaznik/egzamin-8-matematyka") == "Wynik egzaminu ósmoklasisty z matematyki – OMUP"
    en = title_of("/wskaznik/egzamin-8-matematyka", "en")
    assert en.endswith(" – OMUP") and "egzaminu" not in en
    assert title_of("/obszar/edukacja", "en") == "Education – OMUP"
    assert title_of("/budzet/1218093", "en") == "Budget: Wadowice – OMUP"
    assert title_of("/nie-ma-takiej", "en") == "Not found – OMUP"
    assert title_of("/porownaj") == "Porównanie – OMUP"


def test_router_passes_the_language(store):
    _, title = render_page("/o-danych", "?lang=en")
    assert title == "About the data – OMUP"
