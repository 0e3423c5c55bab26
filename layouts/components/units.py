"""Unit pickers: the options of the searchable unit dropdowns and their Polish/English labels.

Dash 4's dropdown filters the options it holds by the typed text itself (label and ``search``, lower-cased but
not folded), and focuses its search box on opening only when it holds options. So every unit option carries a
folded ``search`` text ('lodz' keeps Łódź), and a picker never opens empty: before anything is typed it lists
suggestions, otherwise the first keys typed after opening land on the closed button and are lost.
"""

from __future__ import annotations

import functools

from portal.i18n import translator
from portal.pipeline.register import fold
from portal.store import get_store


def _dropdown_texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'search': _('Search'), 'clear_search': _('Clear search'), 'clear_selection': _('Clear selection'), 'no_options_found': _('Nothing found'), 'select_all': _('Select all'), 'deselect_all': _('Deselect all'), 'selected_count': _('{num_selected} selected')}


def dropdown_labels(lang: str) -> dict:
    return _dropdown_texts(lang)


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
