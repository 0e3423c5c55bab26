"""The page builders callbacks render, bound by the app factory (explicit dependency injection).

`callbacks/` parses a callback's inputs and calls `portal/`; where the answer is made of components (a page,
the re-rendered budget view, the ranking grid), it calls the builder of that name here. `layouts/` builds
those components. The two never import each other: the app factory (`portal/app.py`, `bind_views`) binds
each builder to its layout function with `bind(...)` before any callback runs, and a builder called before
it is bound raises `NotBound` naming it and who binds it.

Each builder below is a plain function that forwards its arguments to the bound one, so a reader sees
`views.budget_view(state)` in a callback and finds here what it is and in `portal/app.py` where it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Name → what the bound function builds (and the layout that builds it today, bound in portal/app.py).
BUILDERS: dict[str, str] = {
    "page": "the page for a path and query string (layouts/routes.py render)",
    "search_results": "the start page's result links for a typed query (layouts/start.py)",
    "share_panel": "the share dialog of a chart or view (layouts/components/share.py)",
    "synthetic_banner": "the banner naming synthetic indicators shown (layouts/components/shell.py)",
    "report_body": "the report's chapters for a built report (layouts/report.py)",
    "goal_list": "the goals page's list of goals and targets (layouts/goals.py)",
    "budget_view": "the budget page's parts for a state: lead, similar, summary, view, downloads (layouts/budget.py)",
    "profile_parts": "the profile's year-dependent (body, areas) for a state (layouts/profile.py)",
    "similar_list": "the profile's list of similar units (layouts/components/similar.py)",
    "compare_notes": "the compare page's notes on units left out (layouts/compare.py notes_view)",
    "compare_units": "the compare page's chosen units with remove buttons (layouts/compare.py units_view)",
    "compare_body": "the compare page's table, bars, downloads and share (layouts/compare.py body_view)",
    "compare_year_options": "the compare page's year options (layouts/compare.py year_options)",
    "indicator_body": "the indicator page's charts (layouts/components/indicator_charts.py body_view)",
    "indicator_funnel": "the indicator page's funnel section (layouts/components/indicator_charts.py funnel_view)",
    "indicator_group_options": "the indicator page's reference-group options (indicator_charts.py group_options)",
    "indicator_year_options": "the indicator page's year options (indicator_charts.py year_options)",
    "funnel_axes": "the caption naming a funnel's axes (layouts/components/indicator_charts.py)",
    "area_level_options": "the area explorer's level options (layouts/area.py level_options)",
    "area_year_options": "the area explorer's year options (layouts/area.py year_options)",
    "area_peer_options": "the area explorer's peer filter options (layouts/area.py peer_options)",
    "area_downloads": "the area explorer's ranking download links (layouts/area.py download_links)",
    "ranking_grid": "the area explorer's ranking grid (layouts/area.py)",
}

_BOUND: dict[str, Callable[..., Any]] = {}


class NotBound(LookupError):
    """A callback asked for a builder the app factory has not bound."""


def bind(**builders: Callable[..., Any]) -> None:
    """Bind builders by name (the app factory binds them all; a test may bind its own)."""
    unknown = sorted(set(builders) - set(BUILDERS))
    if unknown:
        raise TypeError(f"portal.views has no builder named {', '.join(unknown)} (known: {', '.join(BUILDERS)})")
    for name, fn in builders.items():
        if not callable(fn):
            raise TypeError(f"portal.views.{name} must be bound to a function, not {type(fn).__name__}")
    _BOUND.update(builders)


def unbound() -> list[str]:
    """Builders not bound yet (empty once the app factory has run)."""
    return [name for name in BUILDERS if name not in _BOUND]


def _builder(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            fn = _BOUND[name]
        except KeyError:
            raise NotBound(
                f"portal.views.{name} ({BUILDERS[name]}) is not bound: portal.app.create_app binds the page "
                "builders (portal.app.bind_views in a script or test) before callbacks run"
            ) from None
        return fn(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Build {BUILDERS[name]}; forwards to the bound function."
    return call


page = _builder("page")
search_results = _builder("search_results")
share_panel = _builder("share_panel")
synthetic_banner = _builder("synthetic_banner")
report_body = _builder("report_body")
goal_list = _builder("goal_list")
budget_view = _builder("budget_view")
profile_parts = _builder("profile_parts")
similar_list = _builder("similar_list")
compare_notes = _builder("compare_notes")
compare_units = _builder("compare_units")
compare_body = _builder("compare_body")
compare_year_options = _builder("compare_year_options")
indicator_body = _builder("indicator_body")
indicator_funnel = _builder("indicator_funnel")
indicator_group_options = _builder("indicator_group_options")
indicator_year_options = _builder("indicator_year_options")
funnel_axes = _builder("funnel_axes")
area_level_options = _builder("area_level_options")
area_year_options = _builder("area_year_options")
area_peer_options = _builder("area_peer_options")
area_downloads = _builder("area_downloads")
ranking_grid = _builder("ranking_grid")
