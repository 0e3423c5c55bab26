"""The page builders callbacks render (portal/views.py) are bound explicitly by the app factory."""

from __future__ import annotations

import pytest

from portal import views


def test_the_app_factory_binds_every_builder_to_its_layout():
    from layouts import area, budget, routes
    from portal.app import bind_views

    bind_views()
    assert views.unbound() == []
    assert views._BOUND["budget_view"] is budget.budget_view
    assert views._BOUND["page"] is routes.render
    assert views._BOUND["ranking_grid"] is area.ranking_grid


def test_a_builder_used_before_binding_says_which_and_who_binds_it(monkeypatch):
    monkeypatch.delitem(views._BOUND, "budget_view")
    assert views.unbound() == ["budget_view"]
    with pytest.raises(views.NotBound, match=r"portal\.views\.budget_view .*portal\.app\.bind_views"):
        views.budget_view(object())


def test_bind_accepts_known_functions_only():
    with pytest.raises(TypeError, match="no builder named budget_veiw"):
        views.bind(budget_veiw=lambda state: {})
    with pytest.raises(TypeError, match="must be bound to a function"):
        views.bind(budget_view="layouts.budget.budget_view")


def test_a_callback_renders_through_the_bound_builder(monkeypatch):
    """callbacks/ names no layout: what it renders is what the factory bound (here a stand-in)."""
    from callbacks.share import area_share

    calls = []
    monkeypatch.setitem(views._BOUND, "share_panel", lambda chart, **kw: calls.append((chart, kw)) or "panel")
    state = {"area": "edukacja", "indicator": "egzamin-8-matematyka", "year": 2023, "level": "gmina",
             "jst": None, "view": "ranking", "lang": "en", "peers": False}
    assert area_share(state) == "panel"
    chart, kw = calls[0]
    assert chart == "area" and kw["path"] == "/obszar/edukacja" and kw["embed"] == "ranking" and kw["lang"] == "en"
    assert [label for label, _ in kw["downloads"]] == ["CSV", "XLSX"]
