"""Issue 15 (speed a person feels): the area explorer's first map needs no callback round trip, the same
figure coming back never makes plotly.js redraw the map, and hidden tabs draw nothing while the map draws."""

from __future__ import annotations

from dash import dcc

from callbacks import area as cb
from layouts import area as page
from portal import ids
from portal.state import keep_demo, resolve_state


def _find(node, component_id):
    """The component with this id in a Dash tree (None if absent)."""
    if isinstance(node, (list, tuple)):
        return next((f for f in (_find(n, component_id) for n in node) if f is not None), None)
    if getattr(node, "id", None) == component_id:
        return node
    return _find(getattr(node, "children", None), component_id) if hasattr(node, "children") else None


def test_the_first_map_comes_with_the_page(store):
    params = {"wskaznik": "egzamin-8-matematyka", "rok": "2023", "jst": "1218093"}
    tree = page.layout("edukacja", **params)
    state = resolve_state(store, "edukacja", {**params, "lang": "pl"})
    figure = _find(tree, ids.AREA_MAP_FIGURE)
    assert figure.data == cb.map_view(state)
    values = next(t for t in figure.data["data"] if t["name"] == "values")
    assert len(values["locations"]) > 2000 and values["geojson"].startswith("/geo/gmina.")
    # The map callback only follows changes: its first call would send the same figure again.
    # Read the callbacks an app is given (Dash empties its global list once an app has served a request).
    from portal.app import create_app

    app = create_app()
    entry = next(c for c in app._callback_list if c["output"] == f"{ids.AREA_MAP_FIGURE}.data")
    assert entry["prevent_initial_call"] is True


def test_the_location_knows_the_address_so_nothing_resolves_the_state_twice(store):
    """dcc.Location reports pathname and search on mount only when they are missing; given, the URL sync
    callback is not called before the map's callbacks (a round trip that resolved the same state again)."""
    params = {"wskaznik": "egzamin-8-matematyka", "rok": "2023"}
    tree = page.layout("edukacja", **params)
    location = _find(tree, ids.AREA_URL)
    assert isinstance(location, dcc.Location)
    state = resolve_state(store, "edukacja", {**params, "lang": "pl"})
    assert location.pathname == "/obszar/edukacja"
    assert location.search == keep_demo(state.search())
    # What the sync callback would resolve from that address is the page's own state: nothing is lost.
    again, write = cb.sync(ids.AREA_URL, location.search, {}, None, location.pathname)
    assert again == state and not write


def test_datarevision_changes_with_the_data_only(store):
    query = {"wskaznik": "egzamin-8-matematyka", "rok": "2023", "jst": "1218093"}
    base = resolve_state(store, "edukacja", query)
    rev = cb.map_view(base)["layout"]["datarevision"]
    same_data = [resolve_state(store, "edukacja", {**base.to_query(), "widok": v})
                 for v in ("ranking", "lejek")]
    assert all(cb.map_view(s)["layout"]["datarevision"] == rev for s in same_data)
    other = [resolve_state(store, "edukacja", {**base.to_query(), "rok": "2022"}),
             resolve_state(store, "edukacja", {**base.to_query(), "jst": "0201011"}),
             resolve_state(store, "edukacja", {**base.to_query(), "poziom": "powiaty"})]
    assert len({rev} | {cb.map_view(s)["layout"]["datarevision"] for s in other}) == 4


def test_hidden_tabs_draw_nothing_and_shown_ones_draw(store):
    state = resolve_state(store, "edukacja", {"wskaznik": "egzamin-8-matematyka", "jst": "1218093"})
    assert cb.update_distribution(state.as_dict()) == {"data": [], "layout": {"height": 300}}
    assert cb.update_funnel(state.as_dict()) == ({"data": [], "layout": {"height": 420}}, None)
    shown = resolve_state(store, "edukacja", {**state.to_query(), "widok": "rozklad"})
    assert cb.update_distribution(shown.as_dict()) == cb.distribution_view(shown)
    assert cb.update_distribution(shown.as_dict())["data"]
    funnel_tab = resolve_state(store, "edukacja", {**state.to_query(), "widok": "lejek"})
    figure, note = cb.update_funnel(funnel_tab.as_dict())
    assert note and figure == cb.funnel_view(funnel_tab)[0]
