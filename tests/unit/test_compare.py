"""Compare page: the jst list, add/remove, the sync logic, table rows and the rendered page."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import parse_qs

from callbacks import compare as cb
from layouts import compare as page
from portal import ids, pickers
from tests.unit._tree import by_id, links, text, with_class

WADOWICE, KALWARIA, ANDRYCHOW, POWIAT_WADOWICKI = "1218093", "1218033", "1218013", "1218"


def test_parse_units_dedupes_drops_invalid_and_keeps_order(store):
    units, notes = page.parse_units(f"{WADOWICE},{KALWARIA}, {WADOWICE};xyz 99 {POWIAT_WADOWICKI}")
    assert units == [WADOWICE, KALWARIA, POWIAT_WADOWICKI]
    assert notes == [{"kind": "invalid", "codes": ["xyz", "99"]}]


def test_parse_units_resolves_old_and_short_codes(store):
    old, new = store.changes.loc[store.changes["change"] == "type", ["old_teryt", "new_teryt"]].iloc[0]
    units, notes = page.parse_units(f"{old},121809")
    assert units == [new, WADOWICE]
    assert {"kind": "changed", "old": old, "new": new} in notes
    assert {"kind": "changed", "old": "121809", "new": WADOWICE} in notes
    # A resolved code equal to one already listed is not repeated.
    assert page.parse_units(f"{WADOWICE},121809")[0] == [WADOWICE]


def test_parse_units_caps_at_five_with_a_note(store):
    codes = list(store.level_codes("gmina")[:7])
    units, notes = page.parse_units(",".join(codes))
    assert units == codes[:5]
    assert notes == [{"kind": "too_many", "codes": codes[5:]}]


def test_parse_units_empty():
    assert page.parse_units(None) == ([], [])
    assert page.parse_units(" , ") == ([], [])


def test_state_round_trips_through_the_url(store):
    params = {"jst": f"{WADOWICE},{KALWARIA}", "obszar": "finanse-jst", "rok": "2022", "lang": "en"}
    s = page.parse_state(params)
    assert s.units == (WADOWICE, KALWARIA) and s.area == "finanse-jst" and s.year == 2022 and s.lang == "en"
    assert s.search() == f"?jst={WADOWICE},{KALWARIA}&obszar=finanse-jst&rok=2022&lang=en"
    q = {k: v[0] for k, v in parse_qs(s.search()[1:]).items()}
    assert page.parse_state(q) == s
    assert page.CompareState.from_dict(s.as_dict()) == s


def test_state_falls_back_on_bad_area_and_year(store):
    s = page.parse_state({"jst": WADOWICE, "obszar": "nie-ma", "rok": "1900"})
    assert s.area == page.DEFAULT_AREA and s.year is None
    assert page.parse_state({"rok": "abc"}).year is None


def test_add_and_remove(store):
    assert cb.add_unit((WADOWICE,), KALWARIA) == (WADOWICE, KALWARIA)
    assert cb.add_unit((WADOWICE,), WADOWICE) == (WADOWICE,)
    assert cb.add_unit((WADOWICE,), "0000000") == (WADOWICE,)
    assert cb.add_unit((WADOWICE,), None) == (WADOWICE,)
    full = tuple(store.level_codes("gmina")[:5])
    assert cb.add_unit(full, WADOWICE) == full
    assert cb.remove_unit((WADOWICE, KALWARIA), WADOWICE) == (KALWARIA,)
    assert cb.remove_unit((WADOWICE,), KALWARIA) == (WADOWICE,)


def test_next_state_from_controls(store):
    current = page.parse_state({"jst": WADOWICE}).as_dict()
    s, write = cb.next_state(ids.COMPARE_ADD, "?jst=" + WADOWICE, current, added=KALWARIA)
    assert s.units == (WADOWICE, KALWARIA) and write
    assert "jst=1218093,1218033" in s.search()
    s2, write = cb.next_state(ids.compare_remove(WADOWICE), s.search(), s.as_dict())
    assert s2.units == (KALWARIA,) and write
    s3, write = cb.next_state(ids.COMPARE_AREA, s.search(), s.as_dict(), area="kontekst")
    assert s3.area == "kontekst" and s3.units == s.units and write
    s4, write = cb.next_state(ids.COMPARE_YEAR, s.search(), s.as_dict(), year="2021")
    assert s4.year == 2021 and write
    s5, write = cb.next_state(ids.COMPARE_YEAR, s4.search(), s4.as_dict(), year="latest")
    assert s5.year is None
    # The URL (back/forward, pasted link) wins and is not written back.
    s6, write = cb.next_state(ids.COMPARE_URL, f"?jst={ANDRYCHOW}&obszar=finanse-jst", s.as_dict())
    assert s6.units == (ANDRYCHOW,) and s6.area == "finanse-jst" and not write
    # Nothing changed → no URL write.
    _, write = cb.next_state(ids.COMPARE_AREA, s.search(), s.as_dict(), area=s.area)
    assert not write


def test_table_rows_for_units(store):
    rows = page.table_rows((WADOWICE, KALWARIA), "edukacja", None)
    assert [r["indicator"] for r in rows] == [i.id for i in store.catalogue.in_area("edukacja")]
    exam = next(r for r in rows if r["indicator"] == "egzamin-8-matematyka")
    assert exam["year"] == store.latest_year("egzamin-8-matematyka", "gmina")
    assert [c["teryt"] for c in exam["cells"]] == [WADOWICE, KALWARIA]
    point = store.point("egzamin-8-matematyka", WADOWICE, exam["year"])
    assert exam["cells"][0]["value"] == point["value"]
    assert exam["cells"][0]["text"].endswith("%") and not exam["cells"][0]["synthetic"]
    # The best value (higher = better) is marked once.
    values = [c["value"] for c in exam["cells"]]
    assert [c["best"] for c in exam["cells"]] == [v == max(values) for v in values]
    assert exam["medians"]["gmina"]
    # Default mode: official values only.
    assert not any(r["synthetic"] or any(c["synthetic"] for c in r["cells"]) for r in rows)


def test_table_rows_in_demo_mode_mark_synthetic_values(store, demo_store, demo_mode):
    rows = page.table_rows((WADOWICE, KALWARIA), "edukacja", None)
    assert [r["indicator"] for r in rows] == [i.id for i in demo_store.catalogue.in_area("edukacja")]
    synthetic = [r for r in rows if r["synthetic"]]
    assert synthetic and all(c["synthetic"] for r in synthetic for c in r["cells"] if c["value"] is not None)


def test_table_rows_chosen_year(store):
    rows = page.table_rows((WADOWICE, KALWARIA), "edukacja", 2022)
    assert next(r for r in rows if r["indicator"] == "egzamin-8-matematyka")["year"] == 2022


def test_mixed_levels_show_dash_where_the_indicator_is_missing(store):
    powiat_only = [i for i in store.catalogue.indicators if "gmina" not in i.levels]
    assert powiat_only
    ind = powiat_only[0]
    rows = page.table_rows((WADOWICE, POWIAT_WADOWICKI), ind.area, None)
    row = next(r for r in rows if r["indicator"] == ind.id)
    gmina_cell, powiat_cell = row["cells"]
    assert not gmina_cell["applicable"] and gmina_cell["text"] == "–"
    assert powiat_cell["applicable"]
    assert set(row["medians"]) == {"gmina", "powiat"}


def test_unit_options_exclude_chosen(store):
    options = pickers.typed_options("Wadowice", (WADOWICE,), "pl")
    assert options is not None and WADOWICE not in [o["value"] for o in options]
    # One typed character or a cleared search keeps the list as it is.
    assert pickers.typed_options("W", (), "pl") is None
    assert pickers.typed_options("", (WADOWICE,), "pl") is None


def test_unit_options_carry_folded_search_text(store):
    # The browser filters options by label/search without folding diacritics: 'lodz' must still keep Łódź.
    options = pickers.typed_options("lodz", (), "pl")
    lodz = next(o for o in options if o["value"] == "1061011")
    assert "łódź" in lodz["search"] and "lodz" in lodz["search"]


def test_suggestions_are_the_units_most_similar_to_the_first(store):
    from portal.similar import similar_units

    suggested = [o["value"] for o in pickers.suggested_options((WADOWICE, KALWARIA), "pl")]
    nearest = [u["teryt"] for u in similar_units(store, WADOWICE, k=10)["units"]]
    assert len(suggested) == 8 and KALWARIA not in suggested and WADOWICE not in suggested
    assert suggested == [t for t in nearest if t != KALWARIA][:8]
    # Nothing compared yet: the largest cities, never an empty list.
    first = pickers.suggested_options((), "pl")
    assert first[0]["value"] == "1465011"  # Warszawa


@contextmanager
def _triggered(prop_id: str, value):
    """Run a callback as Dash would after ``prop_id`` changed (ctx.triggered_id reads this context)."""
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": value}]))
    try:
        yield
    finally:
        context_value.reset(token)


def test_suggestions_follow_the_units_compared(store, demo_mode):
    current = page.parse_state({"jst": WADOWICE}).as_dict()
    with _triggered(f"{ids.COMPARE_ADD}.value", KALWARIA):
        out = cb.sync_compare(f"?jst={WADOWICE}", KALWARIA, [], page.DEFAULT_AREA, "latest", current, "/porownaj")
    search, options, banner = out[0], out[-2], out[-1]
    assert parse_qs(search.lstrip("?"))["jst"] == [f"{WADOWICE},{KALWARIA}"]
    assert options == pickers.suggested_options((WADOWICE, KALWARIA), "pl")
    assert banner is cb.no_update  # same area: the banner stays
    # Changing the area leaves the units, and so the suggestions, alone.
    state = out[1]
    with _triggered(f"{ids.COMPARE_AREA}.value", "kultura-i-rekreacja"):
        out = cb.sync_compare(search, None, [], "kultura-i-rekreacja", "latest", state, "/porownaj")
    assert out[-2] is cb.no_update
    # …but the synthetic-data banner now names the culture indicators, not the education ones.
    banner = text(out[-1])
    assert "na kulturę" in banner and "przedszkolnym" not in banner


def test_layout_three_units(store):
    tree = page.layout(jst=f"{WADOWICE},{KALWARIA},{ANDRYCHOW}")
    body = by_id(tree, ids.COMPARE_BODY)
    heads = [text(th) for th in with_class(body, "col-unit") if th.__class__.__name__ == "Th"]
    assert heads == [store.units.at[t, "display_name"] for t in (WADOWICE, KALWARIA, ANDRYCHOW)]
    assert "Wynik egzaminu ósmoklasisty z matematyki" in text(body)
    assert not with_class(body, "synthetic-badge") and "syntetyczn" not in text(body)
    assert with_class(body, "compare-bar") or with_class(body, "compare-figure")
    assert f"/pobierz/porownanie.csv?jst={WADOWICE},{KALWARIA},{ANDRYCHOW}" in links(body)
    assert f"/pobierz/porownanie.xlsx?jst={WADOWICE},{KALWARIA},{ANDRYCHOW}" in links(body)
    chips = by_id(tree, ids.COMPARE_UNITS)
    for t in (WADOWICE, KALWARIA, ANDRYCHOW):
        assert by_id(chips, ids.compare_remove(t)) is not None
    assert by_id(tree, ids.COMPARE_URL) is not None and by_id(tree, ids.COMPARE_STATE).data["units"]


def test_layout_notes_and_prompts(store):
    tree = page.layout(jst="1218093,zzz")
    assert "zzz" in text(by_id(tree, ids.COMPARE_NOTES))
    assert "Dodaj jeszcze" in text(by_id(tree, ids.COMPARE_UNITS))
    empty = page.layout()
    assert "co najmniej dwie" in text(by_id(empty, ids.COMPARE_UNITS))
    assert not by_id(empty, ids.COMPARE_BODY).children
    many = page.layout(jst=",".join(store.level_codes("gmina")[:6]))
    assert "najwyżej 5" in text(by_id(many, ids.COMPARE_NOTES))
    assert by_id(many, ids.COMPARE_ADD).disabled


def test_bars_carry_names_above_them_for_phones(store):
    tree = page.layout(jst=f"{WADOWICE},{KALWARIA},{ANDRYCHOW}")
    graphs = with_class(by_id(tree, ids.COMPARE_BODY), "compare-bar")
    assert graphs
    for g in graphs:
        layout = g.figure["layout"]
        assert layout["yaxis"]["showticklabels"] is False  # no names beside the bars to cut on a phone
        names = [a["text"] for a in layout["annotations"] if a.get("yref") == "y"]
        assert names and names == [str(y).rstrip("\u200b") for y in g.figure["data"][0]["y"]]
        assert set(names) <= {store.units.at[t, "display_name"] for t in (WADOWICE, KALWARIA, ANDRYCHOW)}


def test_area_without_official_indicators_says_so(store):
    tree = page.layout(jst=f"{WADOWICE},{KALWARIA}", obszar="ochrona-srodowiska")
    body = text(by_id(tree, ids.COMPARE_BODY))
    assert "urzędowych wskaźników" in body and "omup data fetch" in body
    assert any("demo=1" in h for h in links(by_id(tree, ids.COMPARE_BODY)))


def test_layout_in_english(store):
    tree = page.layout(jst=f"{WADOWICE},{KALWARIA}", obszar="kontekst", lang="en")
    t = text(tree)
    assert "Compare units" in t and "Median – Poland" in t

