"""The pages of the route table: each route name of portal/routing.py (paths, outcomes, titles) → its layout.

The router callback renders through `render`, bound in the app factory (portal/app.py, portal/views.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dash import html

from portal import routing
from portal.state import parse_query


@dataclass(frozen=True)
class Route:
    name: str
    pattern: re.Pattern
    layout: Callable[..., object]


def _routes() -> list[Route]:
    from layouts import about, accessibility, area, budget, compare, goals, indicator, profile, report, start

    layouts = {
        "start": start.layout, "area": area.layout, "profile": profile.layout, "compare": compare.layout,
        "indicator": indicator.layout, "about": about.layout, "accessibility": accessibility.layout,
        "budget": budget.layout, "report": report.layout, "goals": goals.layout,
    }
    return [Route(name, pattern, layouts[name]) for name, pattern in routing.PATTERNS]


_ROUTES: dict[str, Route] | None = None


def _table() -> dict[str, Route]:
    global _ROUTES
    if _ROUTES is None:
        _ROUTES = {r.name: r for r in _routes()}
    return _ROUTES


def routes() -> list[Route]:
    return list(_table().values())


def render(path: str, search: str | None) -> object:
    """The page for a URL; unknown paths and ids render the 404 page with suggestions."""
    from layouts import not_found

    query = parse_query(search)
    name, params = routing.match(path)
    if name is None:
        return not_found.layout(path=path, lang=routing.lang_of(query))
    layout = _table()[name].layout
    try:
        return layout(**params, **{k: v for k, v in query.items() if k not in params})
    except not_found.NotFound as exc:
        return not_found.layout(path=path, lang=routing.lang_of(query), what=exc.what, query=exc.query)


def placeholder(text: str) -> html.Div:
    return html.Div(text, className="text-muted p-3")
