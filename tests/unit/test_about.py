"""About the data: what is official (counted from the release), every dataset with its exact source, one licence
statement, citations at the reader's address, and the sections a reader needs."""

from __future__ import annotations

from layouts import about as page
from portal.release_facts import change_counts, official_facts, peer_group_counts
from tests.unit._tree import by_id, links, text


def test_peer_group_counts_match_units(store):
    counts = {g["id"]: g["n"] for g in peer_group_counts(store)}
    assert set(counts) == set(store.meta["peer_groups"])
    assert sum(counts.values()) == len(store.units)
    assert counts["wojewodztwa"] == 16


def test_change_counts(store):
    counts = change_counts(store)
    assert sum(counts.values()) == len(store.changes)
    assert counts.get("split") == 2


def test_codes_phrase():
    assert page.codes_phrase(1, "pl") == "1 kod"
    assert page.codes_phrase(2, "pl") == "2 kody"
    assert page.codes_phrase(86, "pl") == "86 kodów"
    assert page.codes_phrase(2, "en") == "2 codes"


def test_year_span():
    assert page.year_span({"from": 2010, "to": 2024, "years": 15}, "pl") == "2010–2024"
    assert page.year_span({"from": 2025, "to": 2025, "years": 1}, "pl") == "2025"
    assert page.year_span({"from": 2019, "to": 2024, "years": 2}, "pl") == "2019–2024 (2 lata)"


def test_official_section_counts_what_is_official(store):
    tree = page.layout()
    section = by_id(tree, "urzedowe")
    facts = official_facts(store)
    t = text(section)
    assert f"wskaźniki – {facts.indicators} (gminy: {facts.by_level['gmina']}" in t
    assert f"lata {facts.year_from}–{facts.year_to}" in t and f"dodaje {facts.demo_adds} wskaźnik" in t
    hrefs = links(section)
    for iid in store.meta["real_indicators"]:
        assert f"/wskaznik/{iid}" in hrefs
    # In default mode nothing on the page is synthetic: the demo's indicators are linked only into the demo.
    demo_links = links(by_id(tree, "syntetyczne"))
    assert demo_links and all("demo=1" in h for h in demo_links)


def test_every_dataset_is_listed_with_its_exact_source(store):
    tree = page.layout()
    section = by_id(tree, "zrodla")
    for d in store.meta["datasets"]:
        item = by_id(section, f"zbior-{d['id']}")
        assert item is not None, d["id"]
        t = text(item)
        assert d["name"] in t and d["publisher"] in t and str(d["years"]) in t
        for f in d["files"]:
            assert f in t
        if d.get("table"):
            assert d["table"] in t
        assert d["licence"] in t


def test_one_licence_statement(store):
    tree = page.layout()
    assert text(by_id(tree, "licence-data")) == store.meta["licence"]["data"]
    en = page.layout(lang="en")
    assert text(by_id(en, "licence-data")) == store.meta["licence"]["data_en"]
    assert "CC BY 4.0" in text(tree)


def test_page_sections(store):
    tree = page.layout()
    t = text(tree)
    for needle in ("Szczawa", "Grabówka", store.version, "MIT", "Jak cytować", "stałe ziarno"):
        assert needle in t
    assert "/api" in links(tree) and "/pobierz/wydanie.csv" in links(tree)
    assert "86 kodów" in text(by_id(tree, "teryt"))
    assert "Uwagi techniczne" not in t and "Pewność identyfikatora" not in t
    # Areas without official indicators say what would fill them.
    missing = text(by_id(tree, "braki"))
    assert "Ochrona środowiska" in missing and "omup data fetch" in missing


def test_citation_uses_the_request_address_without_omup_base_url(store, monkeypatch):
    import flask

    monkeypatch.delenv("OMUP_BASE_URL", raising=False)
    server = flask.Flask("citation-test")  # only the request's address matters here
    with server.test_request_context("/o-danych", base_url="https://omup.example.org:8443"):
        assert "https://omup.example.org:8443/" in page.citation_example("pl")
    monkeypatch.setenv("OMUP_BASE_URL", "https://dane.gmina.example/")
    with server.test_request_context("/o-danych", base_url="http://127.0.0.1:9999"):
        assert "https://dane.gmina.example/" in page.citation_example("pl")


def test_demo_mode_page_lists_the_synthetic_indicators(store, demo_store, demo_mode):
    tree = page.layout()
    syn = by_id(tree, "syntetyczne")
    assert f"{len(demo_store.synthetic_ids)} z {len(demo_store.catalogue.indicators)}" in text(syn)
    hrefs = links(syn)
    for iid in demo_store.synthetic_ids:
        assert any(h.startswith(f"/wskaznik/{iid}") for h in hrefs)


def test_page_in_english(store):
    t = text(page.layout(lang="en"))
    assert "About the data" in t and "Demo mode: synthetic data" in t and "How to cite" in t
