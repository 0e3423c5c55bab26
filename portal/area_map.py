"""The area explorer's map figure for a view state: built by the page's layout (so the first map draws without
a callback round trip) and by the explorer's map callback on every later change."""

from __future__ import annotations

import functools

from portal.figures import color_range, map_figure
from portal.state import ViewState
from portal.store import get_store


@functools.lru_cache(maxsize=4096)
def _color_range(version: str, indicator: str, year: int, level: str) -> tuple[float, float]:
    """The map's colour range per indicator-year-level (a percentile: a sixth of the map callback's time)."""
    sl = get_store().slice(indicator, year, level)
    return color_range(sl.value) if sl is not None else (0.0, 1.0)


def map_view(state: ViewState) -> dict:
    store = get_store()
    sl = store.slice(state.indicator, state.year, state.level)
    geo = store.geometry_file(state.level)
    if sl is None or geo is None:
        return {"data": [], "layout": {"height": 560}}
    fig = map_figure(codes=sl.codes, values=sl.value, indicator=sl.indicator,
                     geojson_url=f"/geo/{geo.split('/')[-1]}", lang=state.lang,
                     synthetic=bool(sl.synthetic.any()), selected=state.selected_at_level, height=560,
                     zrange=_color_range(store.cache_key, state.indicator, state.year, state.level))
    # What the arrays hold: plotly.js redraws the map (MapLibre re-tiles every polygon, seconds with software
    # GL) only when it changes, not when the same figure comes back after a tab switch or a peer filter.
    fig["layout"]["datarevision"] = "|".join(str(x) for x in (store.cache_key, state.indicator, state.year,
                                                               state.level, state.selected_at_level))
    return fig
