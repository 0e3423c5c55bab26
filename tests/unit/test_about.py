"""About the data: counts from the release and the sections a reader needs."""

from __future__ import annotations

from layouts import about as page
from tests.unit._tree import by_id, links, text


def test_peer_group_counts_match_units(store):
    counts = {g["id"]: g["n"] for g in page.peer_group_counts()}
    assert set(counts) == set(store.meta["peer_groups"])
    assert sum(counts.values()) == len(store.units)
    assert counts["wojewodztwa"] == 16


def test_change_counts(store):
    counts = page.change_counts()
    assert sum(counts.values()) == len(store.changes)
    assert counts.get("split") == 2


def test_exam_coverage_table(store):
    year, rows = page.exam_coverage()
    assert year == max(store.meta["exam_matching"]["years"])
    by_kind = {r["kind"]: r for r in rows}
    assert set(by_kind) == {"miejska", "wiejska", "miejsko-wiejska"}
    assert by_kind["miejska"]["share"] == 1.0 and by_kind["wiejska"]["share"] < 1.0


def test_codes_phrase():
    assert page.codes_phrase(1, "pl") == "1 kod"
    assert page.codes_phrase(2, "pl") == "2 kody"
    assert page.codes_phrase(86, "pl") == "86 kodów"
    assert page.codes_phrase(2, "en") == "2 codes"


def test_page_sections(store):
    tree = page.layout()
    syn = by_id(tree, "syntetyczne")
    assert syn is not None
    hrefs = links(syn)
    for iid in store.synthetic_ids:
        assert f"/wskaznik/{iid}" in hrefs
    for iid in store.meta["real_indicators"]:
        assert f"/wskaznik/{iid}" in hrefs
    t = text(tree)
    for needle in ("Szczawa", "Grabówka", store.version, "MIT", "CC0", "Jak cytować", "stałego ziarna"):
        assert needle in t
    assert "/api" in links(tree) and "/pobierz/wydanie.csv" in links(tree)
    assert "wiejskie" in text(by_id(tree, "egzaminy"))
    assert "86 kodów" in text(by_id(tree, "teryt"))
    for source in store.meta["sources"]:
        assert source["name"] in t


def test_page_in_english(store):
    t = text(page.layout(lang="en"))
    assert "About the data" in t and "Synthetic data" in t and "How to cite" in t
