"""Indicator page: URL state, coverage, top/bottom by direction, sync logic and the rendered page."""

from __future__ import annotations

import math

import numpy as np
import pytest

from callbacks import indicator as cb
from layouts import indicator as page
from layouts.not_found import NotFound
from portal import ids
from portal.indicator_stats import bar_labels, coverage, top_bottom
from tests.unit._tree import by_id, find, links, text, with_class

EXAM = "egzamin-8-matematyka"


def _first(store, direction: str, synthetic: bool | None = None):
    for ind in store.catalogue.indicators:
        if ind.direction == direction and (synthetic is None or store.is_synthetic(ind.id) == synthetic) \
                and "gmina" in ind.levels and len(store.level_codes("gmina")) and store.years(ind.id, "gmina"):
            return ind
    pytest.skip(f"no {direction} indicator")


def test_state_from_url(store):
    s = page.parse_state(EXAM, {"rok": "2023", "poziom": "powiaty", "lang": "en"})
    assert (s.level, s.year, s.lang) == ("powiat", 2023, "en")
    assert s.search() == "?rok=2023&poziom=powiaty&lang=en"
    bad = page.parse_state(EXAM, {"rok": "1990", "poziom": "xyz"})
    assert bad.level == "gmina" and bad.year == store.latest_year(EXAM, "gmina")


def test_state_for_an_indicator_without_gminy(store):
    ind = next(i for i in store.catalogue.indicators if "gmina" not in i.levels)
    s = page.parse_state(ind.id, {"poziom": "gminy"})
    assert s.level == ind.levels[0]


def test_coverage_per_level(store):
    cov = coverage(store, EXAM)
    assert [c["level"] for c in cov] == store.catalogue.by_id[EXAM].levels
    gmina = cov[0]
    sl = store.slice(EXAM, gmina["year"], "gmina")
    assert gmina["n"] == int(np.isfinite(sl.value).sum()) and gmina["total"] == len(sl.codes)
    assert 0.95 < gmina["share"] < 1.0  # CKE's keyed files: only gminy without a school have no value
    assert cov[-1]["share"] == 1.0


def test_top_bottom_follow_direction(store):
    for direction in ("higher_better", "lower_better", "neutral"):
        ind = _first(store, direction)
        year = store.latest_year(ind.id, "gmina")
        top, bottom = top_bottom(store, ind.id, year, "gmina", k=10)
        assert len(top) == 10 and len(bottom) == 10
        tv, bv = [d["value"] for d in top], [d["value"] for d in bottom]
        assert all(math.isfinite(v) for v in tv + bv)
        if direction == "lower_better":
            assert tv == sorted(tv) and bv == sorted(bv, reverse=True)
            assert max(tv) <= min(bv)
        else:  # higher is better, or neutral: highest and lowest
            assert tv == sorted(tv, reverse=True) and bv == sorted(bv)
            assert min(tv) >= max(bv)


def test_bar_labels_tell_same_named_units_apart(store):
    top, _ = top_bottom(store, EXAM, store.latest_year(EXAM, "gmina"), "gmina", k=10)
    labels = bar_labels(top + top)
    assert len(set(labels)) == len(labels)
    assert all(len(label.rstrip("\u200b")) <= 60 for label in labels)
    # Display names: the rural Bolesławiec is never just "Bolesławiec".
    items = [{"name": store.units.at[c, "display_name"]} for c in ("0201011", "0201022", "1018013")]
    assert len(set(bar_labels(items))) == 3 and all("(" in label for label in bar_labels(items))


def test_next_state(store):
    current = page.parse_state(EXAM, {}).as_dict()
    s, write = cb.next_state(ids.INDICATOR_LEVEL, "", current, EXAM, level="powiat")
    assert s.level == "powiat" and write and "poziom=powiaty" in s.search()
    s2, write = cb.next_state(ids.INDICATOR_YEAR, s.search(), s.as_dict(), EXAM, year="2022")
    assert (s2.level, s2.year) == ("powiat", 2022) and write
    s3, write = cb.next_state(ids.INDICATOR_URL, "?rok=2021", s2.as_dict(), EXAM)
    assert (s3.level, s3.year) == ("gmina", 2021) and not write
    assert cb.indicator_of(f"/wskaznik/{EXAM}") == EXAM
    assert cb.indicator_of("/wskaznik/nope") is None and cb.indicator_of("/porownaj") is None


def test_unknown_indicator_raises_not_found():
    with pytest.raises(NotFound) as err:
        page.layout("nie-ma-takiego")
    assert (err.value.what, err.value.query) == ("indicator", "nie-ma-takiego")


def test_real_indicator_page(store):
    tree = page.layout(EXAM)
    t = text(tree)
    assert "DANE URZĘDOWE" in t and "DANE SYNTETYCZNE" not in text(with_class(tree, "origin"))
    # Developer notes stay in the API: no English notes and no evidence grading on the public page.
    assert "Uwagi techniczne" not in t and "Pewność identyfikatora" not in t and "data_in_hand" not in t
    # The exact source: CKE's files of the datasets the values come from.
    assert "E8_gminy_2025.csv" in t
    assert "więcej = lepiej" in t and "liczba zdających" in t
    assert "CKE" in t and "Źródło: Źródło" not in t and "Źródło: CKE" not in t  # one label, not two
    body = by_id(tree, ids.INDICATOR_BODY)
    assert "Najlepsze 10" in text(body) and "Najsłabsze 10" in text(body)
    graphs = find(body, lambda c: c.__class__.__name__ == "Graph")
    assert len(graphs) == 4  # map, top, bottom, distribution
    # The map's figure goes through a store (the browser fits it to the screen); the graph starts empty.
    assert graphs[0].id == ids.INDICATOR_MAP and not hasattr(graphs[0], "figure")
    map_fig = by_id(body, ids.INDICATOR_MAP_FIGURE).data
    assert map_fig["data"][-1]["geojson"].startswith("/geo/gmina.")
    assert by_id(tree, ids.INDICATOR_URL) is not None


def test_indicator_without_official_values_says_so(store):
    """Default mode: a catalogue indicator the official edition lacks shows its definition and the demo link,
    no charts and no synthetic value."""
    ind = next(i for i in store.full_catalogue.indicators if i.id not in store.catalogue.by_id)
    tree = page.layout(ind.id)
    t = text(tree)
    assert "nie ma jeszcze urzędowych wartości" in t and "omup data fetch" in t
    assert f"/wskaznik/{ind.id}?demo=1" in links(tree)
    assert by_id(tree, ids.INDICATOR_BODY) is None and "DANE SYNTETYCZNE" not in t


def test_synthetic_indicator_page(store, demo_store, demo_mode):
    ind = next(i for i in demo_store.catalogue.indicators if demo_store.is_synthetic(i.id) and i.source.bdl_variable)
    tree = page.layout(ind.id, lang="pl")
    origin = text(with_class(tree, "origin"))
    assert "DANE SYNTETYCZNE" in origin and "generator" in origin
    assert "/o-danych#syntetyczne" in links(tree)
    assert f"https://bdl.stat.gov.pl/bdl/metadane/cechy/{ind.source.bdl_variable}" in links(tree)
    graphs = find(by_id(tree, ids.INDICATOR_BODY), lambda c: c.__class__.__name__ == "Graph")
    figures = [by_id(tree, ids.INDICATOR_MAP_FIGURE).data] + [g.figure for g in graphs[1:]]
    assert all(f["layout"]["annotations"] for f in figures)  # each carries the synthetic label


def test_neutral_indicator_says_highest_lowest(store):
    ind = _first(store, "neutral")
    body = text(by_id(page.layout(ind.id), ids.INDICATOR_BODY))
    assert "Najwyższe 10" in body and "Najniższe 10" in body and "Najlepsze" not in body


def test_voivodeships_show_one_list_and_english(store):
    tree = page.layout(EXAM, poziom="wojewodztwa", lang="en")
    body = text(by_id(tree, ids.INDICATOR_BODY))
    assert "All" in body and "Best 10" not in body
    assert "OFFICIAL DATA" in text(tree)


def test_default_layout_works():
    assert page.layout()
