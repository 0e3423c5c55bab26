"""Unit pickers' texts: the Polish/English labels of the searchable unit dropdowns (their options are built by
portal/pickers.py)."""

from __future__ import annotations

from portal.i18n import translator


def _dropdown_texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'search': _('Search'), 'clear_search': _('Clear search'), 'clear_selection': _('Clear selection'), 'no_options_found': _('Nothing found'), 'select_all': _('Select all'), 'deselect_all': _('Deselect all'), 'selected_count': _('{num_selected} selected')}


def dropdown_labels(lang: str) -> dict:
    return _dropdown_texts(lang)
