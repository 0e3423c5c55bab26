"""Browser tab titles follow the page and its language."""

from __future__ import annotations

from callbacks.router import render_page
from portal.routing import title_of


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


def test_accessibility_statement_has_a_title(store):
    assert title_of("/deklaracja-dostepnosci") == "Deklaracja dostępności – OMUP"
    assert title_of("/deklaracja-dostepnosci", "en") == "Accessibility statement – OMUP"


def test_demo_banner_is_one_line_with_the_rest_folded(store, demo_store, demo_mode):
    from dash import html

    from layouts.components.shell import synthetic_banner
    from tests.unit._tree import text, walk

    ids = [i.id for i in demo_store.catalogue.in_area("edukacja")]
    banner = synthetic_banner("pl", ids)
    details = [n for n in walk(banner) if isinstance(n, html.Details)]
    assert len(details) == 1
    summary = next(n for n in walk(details[0]) if isinstance(n, html.Summary))
    # The one line: what the demo is, in numbers, and the «more» toggle.
    n = len(demo_store.synthetic_ids)
    assert text(summary).startswith(f"Tryb demonstracyjny: {n} z {len(demo_store.catalogue.indicators)} wskaźników")
    assert text(summary).rstrip().endswith("więcej")
    synthetic_names = [demo_store.catalogue.by_id[i].name.pl for i in ids if i in demo_store.synthetic_ids]
    assert synthetic_names and all(name in text(details[0]) for name in synthetic_names)
    assert f"({len(synthetic_names)})" in text(details[0])
    # No page indicators given: no list of names, still one line and the numbers.
    assert "Synthetic on this page" not in text(synthetic_banner("en"))


def test_official_banner_says_in_numbers_what_is_official(store):
    from layouts.components.shell import synthetic_banner
    from portal.release_facts import official_facts
    from tests.unit._tree import text

    assert not store.demo and not store.synthetic_ids
    facts = official_facts(store)
    coverage = store.meta["official_coverage"]
    assert facts.indicators == len(coverage) == len(store.catalogue.indicators)
    assert facts.by_level["powiat"] == sum(1 for c in coverage.values() if "powiat" in c)
    assert facts.year_from == min(c["from"] for v in coverage.values() for c in v.values())
    assert facts.demo_adds == len(store.meta["demo_indicators"]) > 0
    t = text(synthetic_banner("pl"))
    assert t.startswith(f"Tylko dane urzędowe: {facts.indicators} wskaźnik")
    assert f"gminy: {facts.by_level['gmina']}" in t and f"{facts.year_from}–{facts.year_to}" in t
    assert f"dodaje {facts.demo_adds} wskaźnik" in t
    assert "syntetyczne" not in t.split("więcej")[0]  # the line itself names no synthetic values
