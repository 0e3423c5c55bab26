"""'Pakiet na debatę': the indicator picker and the PDF link, on the profile and on the budget view."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from portal.api.debate import pack_href
from portal.i18n import translator
from portal.profile import pack_choice
from portal.store import Store


def pack_section(store: Store, unit: dict, lang: str, checklist_id: str, link_id: str) -> html.Section:
    """The debate-pack picker and the PDF link (callbacks keep the href in step with the checklist)."""
    _ = translator(lang)
    options, default = pack_choice(store, unit["level"], lang)
    return html.Section(
        [
            html.H2(_("Debate pack"), className="h4"),
            html.P(_("One PDF (A4) with the chosen indicators: the value against similar units, the trend, a "
                     "plain-language sentence, the budget table, sources and the data version."),
                   className="small text-muted"),
            html.Details(
                [html.Summary(_("Choose indicators (by default the headline of each area)")),
                 dbc.Checklist(id=checklist_id, options=[{"label": label, "value": v} for v, label in options],
                               value=default, className="pack-checklist mt-2")],
                className="mb-2",
            ),
            html.A(_("Debate pack (PDF)"), id=link_id, href=pack_href(unit["teryt"], default, lang, demo=store.demo),
                   className="btn btn-primary btn-sm", download=""),
        ],
        id="pakiet",
        className="debate-pack no-print mt-4",
    )


__all__ = ["pack_section"]
