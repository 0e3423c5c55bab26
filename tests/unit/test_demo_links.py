"""Links made in demo mode keep the demo (a shared demo view opens the demo for its reader, labelled); links
made in default mode never ask for it."""

from __future__ import annotations

from layouts.components.share import share_variants
from portal.state import keep_demo


def test_default_mode_links_stay_official(store):
    assert keep_demo("?wskaznik=ludnosc") == "?wskaznik=ludnosc"
    v = share_variants("/obszar/kontekst", {"wskaznik": "ludnosc"}, "mapa")
    assert "demo=1" not in v["link"]["current"] and "demo=1" not in v["iframe"]["current"]
    assert "syntetyczne" not in v["iframe"]["current"]


def test_demo_mode_links_keep_the_demo(store, demo_store, demo_mode):
    assert keep_demo("?wskaznik=x") == "?wskaznik=x&demo=1" and keep_demo("") == "?demo=1"
    assert keep_demo("?demo=1&rok=2020") == "?demo=1&rok=2020"
    ind = next(i for i in demo_store.catalogue.indicators if demo_store.is_synthetic(i.id) and "gmina" in i.levels)
    v = share_variants(f"/obszar/{ind.area}", {"wskaznik": ind.id}, "mapa")
    assert "demo=1" in v["link"]["current"] and "demo=1" in v["iframe"]["pinned"]
    # The frame's title, read out by screen readers, says the values are synthetic.
    assert 'title="' in v["iframe"]["pinned"] and "(dane syntetyczne, nie urzędowe)" in v["iframe"]["pinned"]
