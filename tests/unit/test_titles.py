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


def test_banner_keeps_the_headline_and_folds_the_names(store):
    from dash import html

    from layouts.components.shell import synthetic_banner
    from tests.unit._tree import text, walk

    ids = [i.id for i in store.catalogue.in_area("edukacja")]
    banner = synthetic_banner("pl", ids)
    details = [n for n in walk(banner) if isinstance(n, html.Details)]
    assert len(details) == 1
    synthetic_names = [store.catalogue.by_id[i].name.pl for i in ids if i in store.synthetic_ids]
    assert f"({len(synthetic_names)})" in text(details[0]) and all(n in text(details[0]) for n in synthetic_names)
    assert text(banner).startswith("Uwaga:")  # the headline stays outside the fold
    # No page indicators given: no list, only the headline.
    assert not [n for n in walk(synthetic_banner("en")) if isinstance(n, html.Details)]
