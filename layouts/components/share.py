"""The "Udostępnij" (share) dialog on every chart: link, iframe code, downloads and citation.

Placeholder signature; the open-data work fills in the dialog, embeds and downloads behind it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import html


def share_panel(chart: str, *, path: str, query: dict[str, str], lang: str = "pl",
                embed: str | None = None, downloads: list[tuple[str, str]] | None = None) -> html.Div:
    """A share button for one chart.

    chart: a page-unique name ("area-map", "profile-trend", …) used in the pattern-matching ids;
    path + query: the full view's URL (the link to share); embed: "mapa" | "ranking" | "trend" or None;
    downloads: (label, href) pairs, e.g. [("CSV", "/pobierz/ranking.csv?…"), ("XLSX", …)].
    """
    link = path + ("?" + urlencode(query) if query else "")
    return html.Div([html.A("Udostępnij" if lang != "en" else "Share", href=link, className="btn btn-sm btn-outline-primary")],
                    className="share-panel")
