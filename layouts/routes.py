"""The route table: URL paths (a public contract) → page layouts, HTTP outcomes and titles.

Dash's own pages router re-renders the whole page whenever the query string changes; OMUP keeps the view's
state in the query string and updates it on every control change, so it routes on the path alone and lets
each page keep its controls in sync with the query (back/forward work, copied links reproduce the view).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from dash import html

from portal.store import get_store


@dataclass(frozen=True)
class Route:
    name: str
    pattern: re.Pattern
    layout: Callable[..., object]


def _routes() -> list[Route]:
    from layouts import about, accessibility, area, budget, compare, goals, indicator, profile, report, start

    table = [
        ("start", r"/", start.layout),
        ("area", r"/obszar/(?P<area>[^/]+)", area.layout),
        ("profile", r"/jst/(?P<teryt>[^/]+)", profile.layout),
        ("compare", r"/porownaj", compare.layout),
        ("indicator", r"/wskaznik/(?P<indicator>[^/]+)", indicator.layout),
        ("about", r"/o-danych", about.layout),
        ("accessibility", accessibility.PATH, accessibility.layout),
        ("budget", r"/budzet/(?P<teryt>[^/]+)", budget.layout),
        ("report", r"/raport/(?P<teryt>[^/.]+)", report.layout),
        ("goals", r"/cele/(?P<teryt>[^/.]+)", goals.layout),
    ]
    return [Route(n, re.compile(p + r"/?\Z"), f) for n, p, f in table]


_ROUTES: list[Route] | None = None


def routes() -> list[Route]:
    global _ROUTES
    if _ROUTES is None:
        _ROUTES = _routes()
    return _ROUTES


# Parameters that may be longer: goals (portal/goals.py, deflated into one value) and indicator lists.
LONG_PARAMS = {"cele": 3000, "wskazniki": 2000, "bez": 2000}


def parse_query(search: str | None) -> dict[str, str]:
    """First value of each query parameter; long or odd input is cut, never trusted."""
    if not search:
        return {}
    qs = parse_qs(search.lstrip("?")[:8000], keep_blank_values=False)
    return {k[:40]: v[0][:LONG_PARAMS.get(k, 400)] for k, v in qs.items() if v}


# Files served by Flask blueprints under page-like paths (portal/api/report.py, portal/api/feeds.py).
SERVER_PATHS = re.compile(r"/raport/[^/]+(\.docx|/wykres/[^/]+\.svg)\Z|/feeds/")


def match(path: str) -> tuple[Route | None, dict[str, str]]:
    path = path or "/"
    for route in routes():
        m = route.pattern.match(path)
        if m:
            return route, m.groupdict()
    return None, {}


def lang_of(query: Mapping[str, str]) -> str:
    return "en" if query.get("lang") == "en" else "pl"


def render(path: str, search: str | None) -> object:
    """The page for a URL; unknown paths and ids render the 404 page with suggestions."""
    from layouts import not_found

    query = parse_query(search)
    route, params = match(path)
    if route is None:
        return not_found.layout(path=path, lang=lang_of(query))
    try:
        return route.layout(**params, **{k: v for k, v in query.items() if k not in params})
    except not_found.NotFound as exc:
        return not_found.layout(path=path, lang=lang_of(query), what=exc.what, query=exc.query)


def http_outcome(path: str, args: Mapping[str, str]) -> tuple[str, str | None] | None:
    """What the server answers before Dash renders: a 301 to today's unit, a 404, or None (200)."""
    if SERVER_PATHS.match(path or ""):
        return None
    route, params = match(path)
    if route is None:
        return ("not_found", None)
    store = get_store()
    if "teryt" in params:
        code = params["teryt"]
        if code in store.units.index:
            return None
        new, changed = store.resolve(code)
        if new is not None and changed:
            return ("redirect", path.replace(code, new, 1))
        return ("not_found", None)
    if "area" in params and params["area"] not in store.catalogue.area_by_id:
        return ("not_found", None)
    if "indicator" in params and params["indicator"] not in store.full_catalogue.by_id:
        return ("not_found", None)  # one the edition lacks renders its definition and the demo link
    return None


def title_of(path: str, lang: str = "pl") -> str:
    """The browser tab's title for a path, in the page's language."""
    en = lang == "en"
    route, params = match(path)
    base = "OMUP"
    if route is None:
        return f"{'Not found' if en else 'Nie znaleziono'} – {base}"
    store = get_store()
    if route.name in ("profile", "budget", "report", "goals"):
        unit = store.unit(params.get("teryt", ""))
        if unit:
            prefix = {"budget": ("Budżet: ", "Budget: "), "report": ("Raport: ", "Report: "),
                      "goals": ("Cele: ", "Goals: ")}.get(route.name, ("", ""))[en]
            return f"{prefix}{unit['display_name']} – {base}"
    if route.name == "area":
        area = store.catalogue.area_by_id.get(params.get("area", ""))
        if area:
            return f"{area.name.get(lang)} – {base}"
    if route.name == "indicator":
        ind = store.full_catalogue.by_id.get(params.get("indicator", ""))
        if ind:
            return f"{ind.name.get(lang)} – {base}"
    fixed = {"compare": ("Porównanie", "Comparison"), "about": ("O danych", "About the data"),
             "accessibility": ("Deklaracja dostępności", "Accessibility statement")}
    if route.name in fixed:
        return f"{fixed[route.name][en]} – {base}"
    return "OMUP – Open Public Services Monitor" if en else "OMUP – Otwarty Monitor Usług Publicznych"


def placeholder(text: str) -> html.Div:
    return html.Div(text, className="text-muted p-3")
