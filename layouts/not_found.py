"""404: unknown paths, areas, indicators and units, with suggestions nearest to what the visitor typed."""

from __future__ import annotations

import difflib

from dash import dcc, html

from layouts.components.shell import page, with_lang
from portal.i18n import translator
from portal.pipeline.register import fold as fold_text
from portal.search import nearest_units
from portal.store import get_store


class NotFound(Exception):
    """Raised by a page layout when its id is unknown; the router renders this page instead."""

    def __init__(self, what: str, query: str) -> None:
        super().__init__(f"{what} '{query}' not found")
        self.what = what
        self.query = query


def _close(query: str, options: dict[str, str], limit: int) -> list[str]:
    """Keys of options nearest to the query: by id and by (folded) name."""
    q = fold_text(query or "").lower().strip("/")
    by_name = {fold_text(label).lower(): key for key, label in options.items()}
    keys = difflib.get_close_matches(q, list(options), n=limit, cutoff=0.4)
    keys += [by_name[n] for n in difflib.get_close_matches(q, list(by_name), n=limit, cutoff=0.4)]
    return list(dict.fromkeys(keys))[:limit]


def suggestions(what: str, query: str, lang: str, limit: int = 6) -> list[tuple[str, str]]:
    """(label, href) pairs nearest to what was asked for: units by code and name, areas and indicators by id
    and name, other paths by the page or unit they resemble."""
    store = get_store()
    _ = translator(lang)
    out: list[tuple[str, str]] = []
    if what == "unit":
        out = [(f"{store.units.at[c, 'display_name']} ({c})", f"/jst/{c}") for c in nearest_units(store, query, limit)]
    elif what == "area":
        names = {a.id: a.name.get(lang) for a in store.catalogue.areas}
        out = [(names[a], f"/obszar/{a}") for a in _close(query, names, limit)]
    elif what == "indicator":
        names = {i.id: i.name.get(lang) for i in store.full_catalogue.indicators}
        out = [(names[i], f"/wskaznik/{i}") for i in _close(query, names, limit)]
    else:
        pages = {"porownaj": _("Compare"), "o-danych": _("About the data"), "api": _("API and downloads"),
                 "deklaracja-dostepnosci": _("Accessibility statement")}
        pages.update({f"obszar/{a.id}": a.name.get(lang) for a in store.catalogue.areas})
        last = (query or "").strip("/").rsplit("/", 1)[-1]
        out = [(pages[p], f"/{p}") for p in _close(query, pages, limit) + _close(last, pages, limit)]
        out += [(f"{store.units.at[c, 'display_name']} ({c})", f"/jst/{c}")
                for c in nearest_units(store, query, limit)]
    seen, unique = set(), []
    for label, href in out:
        if href not in seen:
            seen.add(href)
            unique.append((label, href))
    return unique[:limit]


def layout(path: str = "/", lang: str = "pl", what: str = "path", query: str | None = None, **_params: str) -> list:
    lang = "en" if lang == "en" else "pl"
    _ = translator(lang)
    q = query if query is not None else path
    lead = {"unit": _("There is no unit with code “{q}”."), "area": _("There is no area “{q}”."),
            "indicator": _("There is no indicator “{q}”."), "path": _("Nothing lives at {q}.")}
    items = suggestions(what, q, lang)
    content = html.Div(
        [
            html.H1(_("Page not found"), className="h2"),
            html.P(lead.get(what, lead["path"]).format(q=q[:80]), className="lead"),
            html.Div(
                [html.P(_("Did you mean:")),
                 html.Ul([html.Li(dcc.Link(label, href=with_lang(href, lang))) for label, href in items])]
                if items else html.P(_("Search for a gmina, county or voivodeship on the home page.")),
                className="suggestions",
            ),
            dcc.Link(_("Home page"), href=with_lang("/", lang), className="btn btn-primary mt-2"),
        ],
        className="not-found py-4",
    )
    return page(lang, path, {}, content)
