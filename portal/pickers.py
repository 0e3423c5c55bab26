"""Unit pickers: the options of the searchable unit dropdowns (explorer, compare), found as people type.

Dash 4's dropdown filters the options it holds by the typed text itself (label and ``search``, lower-cased but
not folded), and focuses its search box on opening only when it holds options. So every unit option carries a
folded ``search`` text ('lodz' keeps Łódź), and a picker never opens empty: before anything is typed it lists
suggestions, otherwise the first keys typed after opening land on the closed button and are lost. The
dropdowns' own texts are in layouts/components/units.py.
"""

from __future__ import annotations

import functools

from portal.pipeline.register import fold
from portal.store import get_store


def unit_option(teryt: str, lang: str) -> dict:
    """{label, value, search} for one unit: its name and the line that tells same-named units apart."""
    store = get_store()
    label = f"{store.units.at[teryt, 'name']} ({store.context_line(teryt, lang)})"
    return {"label": label, "value": teryt, "search": f"{fold(label)} {label.lower()}"}


def search_options(query: str, lang: str, *, exclude=(), limit: int = 12) -> list[dict]:
    """Options for a typed name or TERYT code, best match first."""
    return [unit_option(h["teryt"], lang) for h in get_store().search(query[:80], limit=limit + len(exclude))
            if h["teryt"] not in exclude][:limit]


@functools.lru_cache(maxsize=64)
def _by_population(version: str, level: str, n: int) -> tuple[str, ...]:
    units = get_store().units
    return tuple(units[units["level"] == level].sort_values("population", ascending=False).index[:n])


def largest_units(level: str, n: int, exclude=()) -> list[str]:
    """The n most populous units of a level (the fallback suggestion: where most people live). The order is
    computed once per data version: the explorer's sync callback asks on every control change."""
    top = _by_population(get_store().version, level, 20)
    return [t for t in top if t not in exclude][:n]


def level_choices(teryt: str | None, lang: str, level: str = "gmina") -> list[dict]:
    """The explorer's unit picker before anything is typed: the selected unit, then the largest units of the
    level shown (never empty)."""
    store = get_store()
    chosen = [teryt] if teryt and teryt in store.units.index else []
    return [unit_option(t, lang) for t in chosen + largest_units(level, 8, exclude=chosen)]


def suggested_options(units: list[str] | tuple[str, ...], lang: str, k: int = 8) -> list[dict]:
    """What the compare page's add control lists before anything is typed: the units most similar to the first
    one compared (k nearest on the context variables), else the largest cities. Never empty."""
    from portal.similar import similar_units

    codes: list[str] = []
    if units:
        try:
            codes = [u["teryt"] for u in similar_units(get_store(), units[0], k=k + len(units))["units"]]
        except (ValueError, KeyError):
            codes = []
    codes = [t for t in codes if t not in units][:k] or largest_units("gmina", k, exclude=units)
    return [unit_option(t, lang) for t in codes]


def typed_options(search_value: str | None, exclude: list[str] | tuple[str, ...],
                  lang: str) -> list[dict] | None:
    """Options for the compare page's add control from a typed name or code; None (keep the list) while the
    text is empty or one character long (a cleared search follows a selection; the sync callback then sends the new
    suggestions)."""
    if not search_value or len(search_value.strip()) < 2:
        return None
    return search_options(search_value, lang, exclude=exclude)
