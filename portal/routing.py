"""The route table's paths (a public contract): which page a URL names, what the server answers before the
page renders (a 301 to today's unit, a 404) and the browser tab's title.

The pages themselves are layouts (layouts/routes.py maps each route name to its layout); this module knows the
paths only, so the web server (portal/web.py) and the router callback can ask without importing any page.

Dash's own pages router re-renders the whole page whenever the query string changes; OMUP keeps the view's
state in the query string and updates it on every control change, so it routes on the path alone and lets
each page keep its controls in sync with the query (back/forward work, copied links reproduce the view).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from portal.store import get_store

ACCESSIBILITY_PATH = "/deklaracja-dostepnosci"

# (route name, path pattern) in matching order; the names are the keys of layouts/routes.py's page table.
PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(pattern + r"/?\Z"))
    for name, pattern in (
        ("start", r"/"),
        ("area", r"/obszar/(?P<area>[^/]+)"),
        ("profile", r"/jst/(?P<teryt>[^/]+)"),
        ("compare", r"/porownaj"),
        ("indicator", r"/wskaznik/(?P<indicator>[^/]+)"),
        ("about", r"/o-danych"),
        ("accessibility", ACCESSIBILITY_PATH),
        ("budget", r"/budzet/(?P<teryt>[^/]+)"),
        ("report", r"/raport/(?P<teryt>[^/.]+)"),
        ("goals", r"/cele/(?P<teryt>[^/.]+)"),
    )
)

# Files served by Flask blueprints under page-like paths (portal/api/report.py, portal/api/feeds.py).
SERVER_PATHS = re.compile(r"/raport/[^/]+(\.docx|/wykres/[^/]+\.svg)\Z|/feeds/")


def match(path: str) -> tuple[str | None, dict[str, str]]:
    """(route name, path parameters) of a path; (None, {}) when no route matches."""
    path = path or "/"
    for name, pattern in PATTERNS:
        m = pattern.match(path)
        if m:
            return name, m.groupdict()
    return None, {}


def lang_of(query: Mapping[str, str]) -> str:
    return "en" if query.get("lang") == "en" else "pl"


def http_outcome(path: str, args: Mapping[str, str]) -> tuple[str, str | None] | None:
    """What the server answers before Dash renders: a 301 to today's unit, a 404, or None (200)."""
    if SERVER_PATHS.match(path or ""):
        return None
    name, params = match(path)
    if name is None:
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
    name, params = match(path)
    base = "OMUP"
    if name is None:
        return f"{'Not found' if en else 'Nie znaleziono'} – {base}"
    store = get_store()
    if name in ("profile", "budget", "report", "goals"):
        unit = store.unit(params.get("teryt", ""))
        if unit:
            prefix = {"budget": ("Budżet: ", "Budget: "), "report": ("Raport: ", "Report: "),
                      "goals": ("Cele: ", "Goals: ")}.get(name, ("", ""))[en]
            return f"{prefix}{unit['display_name']} – {base}"
    if name == "area":
        area = store.catalogue.area_by_id.get(params.get("area", ""))
        if area:
            return f"{area.name.get(lang)} – {base}"
    if name == "indicator":
        ind = store.full_catalogue.by_id.get(params.get("indicator", ""))
        if ind:
            return f"{ind.name.get(lang)} – {base}"
    fixed = {"compare": ("Porównanie", "Comparison"), "about": ("O danych", "About the data"),
             "accessibility": ("Deklaracja dostępności", "Accessibility statement")}
    if name in fixed:
        return f"{fixed[name][en]} – {base}"
    return "OMUP – Open Public Services Monitor" if en else "OMUP – Otwarty Monitor Usług Publicznych"
