"""Area explorer: URL state, sync logic and the views, called as plain functions."""

from __future__ import annotations

import json

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks import area as cb
from layouts import area as page
from portal import ids, pickers
from portal.state import ViewState, parse_search, resolve_state


def _text(node) -> str:
    """All text in a Dash component tree."""
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return " ".join(_text(n) for n in node)
    return _text(getattr(node, "children", None))


def test_state_from_url_is_complete_and_valid(store):
    s = resolve_state(store, "edukacja", parse_search("?wskaznik=egzamin-8-matematyka&rok=2023&poziom=powiaty&jst=1218093"))
    assert (s.indicator, s.year, s.level, s.jst) == ("egzamin-8-matematyka", 2023, "powiat", "1218093")
    assert s.selected_at_level == "1218"
    # Round trip: the URL written back reproduces the state.
    assert resolve_state(store, "edukacja", parse_search(s.search())) == s


def test_state_falls_back_on_bad_values(store):
    s = resolve_state(store, "edukacja", {"wskaznik": "nope", "rok": "1900", "poziom": "x", "jst": "zzz", "widok": "?"})
    assert s.indicator == store.catalogue.area_by_id["edukacja"].headline
    assert s.year == store.latest_year(s.indicator, "gmina")
    assert s.jst is None and s.view == "mapa"
    # An indicator from another area falls back to this area's headline.
    other = resolve_state(store, "edukacja", {"wskaznik": "kanalizacja-odsetek"})
    assert other.indicator == store.catalogue.area_by_id["edukacja"].headline
    # Old TERYT codes resolve to today's unit.
    assert resolve_state(store, "edukacja", {"jst": "121809"}).jst == "1218093"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["wskaznik", "rok", "poziom", "jst", "widok", "podobne", "lang", "x"]),
                       st.text(max_size=60), max_size=8),
       st.sampled_from(["edukacja", "finanse-jst", "nie-ma", None]))
def test_state_parser_never_fails(params, area):
    from portal.store import get_store

    store = get_store()
    s = resolve_state(store, area, params)
    ind = store.catalogue.by_id[s.indicator]
    assert s.level in ind.levels
    assert s.year in store.years(s.indicator, s.level)
    assert s.view in ("mapa", "ranking", "rozklad")
    assert resolve_state(store, s.area, parse_search(s.search())) == s


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_query_string_parser_never_fails(raw):
    out = parse_search(raw)
    assert all(len(k) <= 40 and len(v) <= 200 for k, v in out.items())


def test_sync_from_url_does_not_write_url(store):
    state, write = cb.sync(None, "?wskaznik=egzamin-8-polski&rok=2022", {}, None, "/obszar/edukacja")
    assert state.indicator == "egzamin-8-polski" and state.year == 2022
    assert write is False


def test_sync_from_controls_writes_url_and_revalidates(store, demo_store, demo_mode):
    store = demo_store
    current = resolve_state(store, "edukacja", {"wskaznik": "egzamin-8-matematyka", "rok": "2025"}).as_dict()
    # Switching to an indicator that ends in 2024 moves the year to its latest.
    other = next(i for i in store.catalogue.in_area("edukacja") if i.is_synthetic)
    state, write = cb.sync(ids.AREA_INDICATOR, "", {"indicator": other.id}, current, "/obszar/edukacja")
    assert write and state.indicator == other.id and state.year == store.latest_year(other.id, "gmina")
    # Clicking a unit on the map selects it.
    click = {"points": [{"location": "1218093", "z": 50}]}
    state, write = cb.sync(ids.AREA_MAP, "", {"click": click}, state.as_dict(), "/obszar/edukacja")
    assert write and state.jst == "1218093"
    # A click outside any unit changes nothing.
    same, write = cb.sync(ids.AREA_MAP, "", {"click": {"points": []}}, state.as_dict(), "/obszar/edukacja")
    assert same == state and not write


def test_map_view_carries_ids_and_values_never_geometry(store, demo_store, demo_mode):
    """Demo mode (the area has only synthetic indicators): the map carries the synthetic label."""
    store = demo_store
    s = resolve_state(store, "ochrona-srodowiska", {"jst": "1218093"})
    fig = cb.map_view(s)
    payload = orjson.dumps(fig)
    assert b'"coordinates"' not in payload and b"Polygon" not in payload
    values = next(t for t in fig["data"] if t["name"] == "values")
    assert values["geojson"].startswith("/geo/gmina.") and values["geojson"].endswith(".geojson")
    assert len(values["locations"]) == len(values["z"]) > 2000
    selected = next(t for t in fig["data"] if t["name"] == "selected")
    assert selected["locations"] == ["1218093"]
    # The synthetic label is drawn on the chart.
    assert "SYNTETYCZNE" in json.dumps(fig["layout"]["annotations"], ensure_ascii=False)
    # Small enough for the hot path (raw JSON; gzip brings it to ~a third).
    assert len(payload) < 80_000


def test_colour_scale_follows_direction(store):
    from portal.figures import colorscale

    higher = next(i for i in store.catalogue.indicators if i.direction == "higher_better")
    lower = next(i for i in store.catalogue.indicators if i.direction == "lower_better")
    assert colorscale(higher)[-1][1] == colorscale(lower)[0][1]  # darkest = best in both


def test_ranking_highlights_and_scrolls_to_the_selected_unit(store):
    s = resolve_state(store, "edukacja", {"jst": "1218093"})
    view = cb.ranking_view(s)
    teryts = [r["teryt"] for r in view["rows"]]
    assert "1218093" in teryts and len(teryts) == 2479
    assert view["scroll"] == {"rowId": "1218093", "rowPosition": "middle"}
    assert "1218093" in json.dumps(view["row_style"])
    ranks = [r["rank"] for r in view["rows"] if r["rank"] is not None]
    assert ranks == sorted(ranks)
    peers_only = cb.ranking_rows(ViewState(**{**s.as_dict(), "peers": True}))
    group = store.units.at["1218093", "peer_group"]
    assert {store.units.at[r["teryt"], "peer_group"] for r in peers_only} == {group}
    assert len(peers_only) < len(teryts)


def test_ranking_sort_by_value(store):
    s = resolve_state(store, "edukacja", {})
    rows = cb.ranking_rows(s, [{"column_id": "value_text", "direction": "desc"}])
    vals = [r["value"] for r in rows if r["value"] is not None]
    assert vals == sorted(vals, reverse=True)
    assert rows[-1]["value"] is None or len(vals) == len(rows)


def test_distribution_marks_the_unit_among_peers(store):
    s = resolve_state(store, "edukacja", {"jst": "1218093"})
    fig = cb.distribution_view(s)
    names = [t.get("name") for t in fig["data"]]
    assert "selected" in names
    assert len([t for t in fig["data"] if t["type"] == "box"]) == 2


def test_heading_has_sentence_legend_and_downloads(store):
    s = resolve_state(store, "edukacja", {"jst": "1218093", "wskaznik": "egzamin-8-matematyka", "rok": "2024"})
    text = _text(cb.heading_view(s))
    assert "Wadowice" in text and "W 2024 r." in text
    assert "więcej = lepiej" in text
    en = _text(cb.heading_view(ViewState(**{**s.as_dict(), "lang": "en"})))
    assert "In 2024" in en and "more = better" in en


def test_area_layout_groups_indicators_by_dimension(store):
    opts = page.indicator_options("kontekst", "pl")
    headers = [o for o in opts if o.get("disabled")]
    assert len(headers) >= 1
    inds = [o for o in opts if not o.get("disabled")]
    assert len(inds) == len(store.catalogue.in_area("kontekst")) and not any(o["label"].endswith("*") for o in inds)
    assert all(o["value"].startswith("__") for o in headers)
    layout = page.layout(area="edukacja", wskaznik="egzamin-8-matematyka", rok="2023", jst="1218093")
    assert "Edukacja" in _text(layout)


def test_unit_picker_never_opens_empty_and_folds_diacritics(store):
    # Nothing selected: the largest units of the level shown, so the opened list focuses its search box.
    gminy = pickers.level_choices(None, "pl", "gmina")
    assert [o["value"] for o in gminy][:1] == ["1465011"] and len(gminy) == 8
    powiaty = pickers.level_choices(None, "pl", "powiat")
    assert all(len(o["value"]) == 4 for o in powiaty)
    # Selected unit first; every option carries folded text for the browser's own filter.
    chosen = pickers.level_choices("2479011", "pl", "gmina")
    assert chosen[0]["value"] == "2479011" and "zory" in chosen[0]["search"]


def test_unit_search_keeps_the_selected_unit_among_the_options(store):
    options = cb.unit_search_options("zory", "pl", "1218093")
    values = [o["value"] for o in options]
    assert values[0] in ("2479011", "2479") and values[-1] == "1218093"
    # Same-named gmina and powiat are told apart.
    labels = [o["label"] for o in options if o["value"] in ("2479011", "2479")]
    assert len(labels) == 2 and len(set(labels)) == 2
    assert cb.unit_search_options("", "pl", "1218093") is cb.no_update
    assert cb.unit_search_options("z", "pl", "1218093") is cb.no_update


def test_map_colour_range_is_the_2nd_to_98th_percentile(store):
    import numpy as np

    state = resolve_state(store, "edukacja", {"jst": "1218093"})
    sl = store.slice(state.indicator, state.year, state.level)
    trace = next(t for t in cb.map_view(state)["data"] if t["name"] == "values")
    lo, hi = np.percentile(sl.value[np.isfinite(sl.value)], [2, 98])
    assert (trace["zmin"], trace["zmax"]) == (float(lo), float(hi))
    # A constant slice still gets a usable range.
    from portal.figures import color_range

    assert color_range(np.array([5.0, 5.0, np.nan])) == (4.0, 6.0)
    assert color_range(np.array([np.nan])) == (0.0, 1.0)


def test_peer_switches_need_a_selected_unit(store):
    from tests.unit._tree import by_id

    without = by_id(page.layout("edukacja"), ids.AREA_PEERS_ONLY).options
    assert all(o["disabled"] for o in without) and all("wybierz jednostkę" in o["label"] for o in without)
    with_unit = by_id(page.layout("edukacja", jst="1218093"), ids.AREA_PEERS_ONLY).options
    assert not any(o["disabled"] for o in with_unit) and not any("wybierz" in o["label"] for o in with_unit)
    assert "choose a unit first" in page.peer_options("en", enabled=False)[0]["label"]
