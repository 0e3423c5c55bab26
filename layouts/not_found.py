"""404: unknown paths, areas, indicators and units, with suggestions for what the visitor probably meant."""

from __future__ import annotations

import difflib

from dash import dcc, html

from layouts.components.shell import page, with_lang
from portal.pipeline.register import fold as fold_text
from portal.store import get_store


class NotFound(Exception):
    """Raised by a page layout when its id is unknown; the router renders this page instead."""

    def __init__(self, what: str, query: str) -> None:
        super().__init__(f"{what} '{query}' not found")
        self.what = what
        self.query = query


TEXT = {
    "pl": {"title": "Nie znaleziono strony", "unit": "Nie ma jednostki o kodzie „{q}”.",
           "area": "Nie ma obszaru „{q}”.", "indicator": "Nie ma wskaźnika „{q}”.",
           "path": "Pod adresem {q} nic nie ma.", "suggest": "Może chodziło o:", "home": "Strona główna",
           "search_hint": "Wyszukaj gminę, powiat lub województwo na stronie głównej."},
    "en": {"title": "Page not found", "unit": "There is no unit with code “{q}”.",
           "area": "There is no area “{q}”.", "indicator": "There is no indicator “{q}”.",
           "path": "Nothing lives at {q}.", "suggest": "Did you mean:", "home": "Home page",
           "search_hint": "Search for a gmina, county or voivodeship on the home page."},
}


def suggestions(what: str, query: str, lang: str, limit: int = 6) -> list[tuple[str, str]]:
    """(label, href) pairs close to what was asked for."""
    store = get_store()
    q = fold_text(query or "")
    out: list[tuple[str, str]] = []
    if what == "unit":
        digits = "".join(c for c in query if c.isdigit())
        if digits:
            for code in store.units.index:
                if code.startswith(digits[:4]) and len(out) < limit:
                    out.append((store.units.at[code, "display_name"], f"/jst/{code}"))
        for hit in store.search(query, limit=limit):
            out.append((hit["display_name"], f"/jst/{hit['teryt']}"))
    elif what == "area":
        names = {a.id: a.name.get(lang) for a in store.catalogue.areas}
        close = difflib.get_close_matches(q, list(names), n=limit, cutoff=0.3)
        out = [(names[a], f"/obszar/{a}") for a in close] or [(n, f"/obszar/{a}") for a, n in names.items()][:limit]
    elif what == "indicator":
        by_id = store.catalogue.by_id
        close = difflib.get_close_matches(q, list(by_id), n=limit, cutoff=0.3)
        out = [(by_id[i].name.get(lang), f"/wskaznik/{i}") for i in close]
    else:
        pages = [("/", TEXT[lang]["home"]), ("/porownaj", "porownaj"), ("/o-danych", "o-danych")]
        pages += [(f"/obszar/{a.id}", a.name.get(lang)) for a in store.catalogue.areas]
        close = difflib.get_close_matches(q.strip("/"), [p.strip("/") for p, _ in pages], n=limit, cutoff=0.3)
        out = [(label, path) for path, label in pages if path.strip("/") in close]
    seen, unique = set(), []
    for label, href in out:
        if href not in seen:
            seen.add(href)
            unique.append((label, href))
    return unique[:limit]


def layout(path: str = "/", lang: str = "pl", what: str = "path", query: str | None = None, **_: str) -> list:
    lang = "en" if lang == "en" else "pl"
    tx = TEXT[lang]
    q = query if query is not None else path
    items = suggestions(what, q, lang)
    content = html.Div(
        [
            html.H1(tx["title"], className="h2"),
            html.P(tx[what].format(q=q[:80]), className="lead"),
            html.Div(
                [html.P(tx["suggest"]),
                 html.Ul([html.Li(dcc.Link(label, href=with_lang(href, lang))) for label, href in items])]
                if items else html.P(tx["search_hint"]),
                className="suggestions",
            ),
            dcc.Link(tx["home"], href=with_lang("/", lang), className="btn btn-primary mt-2"),
        ],
        className="not-found py-4",
    )
    return page(lang, path, {}, content)
