"""The frame of every page: navigation, language switch, synthetic-data banner, footer."""

from __future__ import annotations

import contextvars

import dash_bootstrap_components as dbc
from dash import dcc, html

from portal import ids
from portal.i18n import translator
from portal.state import with_lang
from portal.store import get_store


def navbar(lang: str, path: str, search: dict[str, str] | None = None) -> html.Header:
    """The site header. On phones the links fold behind a menu button (assets/omup-shell.js opens it)."""
    store = get_store()
    _ = translator(lang)
    other = "pl" if lang == "en" else "en"
    query = dict(search or {})
    query.pop("lang", None)
    switch_href = with_lang(path, other, **query)
    area_links = [
        dbc.DropdownMenuItem(a.name.get(lang), href=with_lang(f"/obszar/{a.id}", lang))
        for a in store.catalogue.areas
        if a.id != "kontekst"
    ]
    menu = html.Button(
        [html.Span("☰ ", **{"aria-hidden": "true"}), _("Menu")], type="button", className="nav-toggle d-lg-none",
        **{"aria-expanded": "false", "aria-controls": "main-nav"},
    )
    return html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    dcc.Link(
                        [html.Span("OMUP", className="brand-mark"),
                         html.Span(_("Open Public Services Monitor (Poland)"), className="brand-tag")],
                        href=with_lang("/", lang), className="navbar-brand d-flex align-items-baseline gap-2",
                    ),
                    menu,
                    html.Nav(
                        [
                            dbc.DropdownMenu(area_links, label=_("Areas"), nav=True, in_navbar=True,
                                             id="nav-areas", toggle_class_name="nav-link"),
                            dcc.Link(_("Compare"), href=with_lang("/porownaj", lang), className="nav-link"),
                            dcc.Link(_("About the data"), href=with_lang("/o-danych", lang), className="nav-link"),
                            html.A(_("API and downloads"), href=with_lang("/api", lang), className="nav-link"),
                            # A real link (full load): the language changes every text on the page.
                            html.A(_("Polski"), href=switch_href, className="nav-link lang-switch",
                                   lang=other, title=_("Przełącz na polski"),
                                   **{"aria-label": _("Przełącz na polski")}),
                            demo_switch(lang, path, query),
                        ],
                        id="main-nav",
                        className="d-flex flex-wrap align-items-center gap-1 main-nav",
                        **{"aria-label": _("Navigation")},
                    ),
                ],
                fluid="lg",
                className="flex-wrap",
            ),
            color="white",
            className="border-bottom py-1 site-nav",
        )
    )


def demo_switch(lang: str, path: str, query: dict[str, str]) -> html.A:
    """The one visible switch of demo mode: a real link (full load) that sets or clears the demo cookie."""
    store = get_store()
    _ = translator(lang)
    rest = {k: v for k, v in (query or {}).items() if k not in ("demo", "lang")}
    on = store.demo
    href = with_lang(path, lang, **rest, demo="0" if on else "1")
    title = (_("Turn demo mode off (official data only)") if on
             else _("Also show synthetic values (a demonstration), clearly labelled"))
    return html.A(_("Demo mode: on") if on else _("Demo mode"), href=href, title=title,
                  className="nav-link demo-switch" + (" demo-on" if on else ""), role="switch",
                  **{"aria-checked": "true" if on else "false"})


def official_numbers(lang: str) -> str:
    """In numbers: the official indicators by level and years, and what the demo adds."""
    from portal.release_facts import official_facts

    _ = translator(lang)
    facts = official_facts(get_store())
    levels = [(_("gminas"), facts.by_level.get("gmina", 0)), (_("counties"), facts.by_level.get("powiat", 0)),
              (_("voivodeships"), facts.by_level.get("wojewodztwo", 0))]
    per_level = ", ".join(f"{name}: {n}" for name, n in levels if n)
    text = _("Official in this release: {n} indicators ({levels}), years {first}–{last}, from {datasets} "
             "datasets of {publishers}; {areas} of {areas_total} service areas have official indicators.").format(
        n=facts.indicators, levels=per_level, first=facts.year_from or "?", last=facts.year_to or "?",
        datasets=facts.datasets, publishers=", ".join(facts.publishers), areas=facts.areas_with_official,
        areas_total=facts.areas_total)
    if facts.demo_adds:
        text += " " + _.ngettext("The demo mode adds {n} indicator with synthetic (made-up, labelled) values.",
                                 "The demo mode adds {n} indicators with synthetic (made-up, labelled) values.",
                                 facts.demo_adds).format(n=facts.demo_adds)
    return text


def official_note(lang: str) -> html.Div:
    """Default mode: one line saying the page shows official values only; the numbers fold behind «more»."""
    from portal.release_facts import official_facts

    _ = translator(lang)
    facts = official_facts(get_store())
    headline = _.ngettext("Official data only: {n} indicator, {first}–{last}.",
                          "Official data only: {n} indicators, {first}–{last}.", facts.indicators).format(
        n=facts.indicators, first=facts.year_from or "?", last=facts.year_to or "?")
    body = [official_numbers(lang), " ",
            dcc.Link(_("What is missing and where it comes from"), href=with_lang("/o-danych", lang) + "#braki")]
    short = _.ngettext("Official data only: {n} indicator", "Official data only: {n} indicators",
                       facts.indicators).format(n=facts.indicators)
    return html.Div(dbc.Container(_folded(headline, body, lang, short), fluid="lg"), className="official-note",
                    role="note", **{"aria-label": _("Official data")})


def _folded(headline: object, body: list, lang: str, short: object | None = None) -> html.Details:
    """One line (the headline and a «more» toggle); the rest opens under it. ``short``: the line on phones."""
    _ = translator(lang)
    line = headline if short is None else [html.Span(headline, className="d-none d-sm-inline"),
                                           html.Span(short, className="d-sm-none")]
    return html.Details(
        [html.Summary([html.Span(line, className="banner-line"),
                       html.Span(_("more"), className="banner-more")]),
         html.Div(body, className="banner-body")],
        className="banner-fold",
    )


def synthetic_banner(lang: str, indicator_ids: list[str] | None = None) -> html.Div | None:
    """Demo mode: visible on every page, names the synthetic indicators (all, or the page's). Default mode: a
    one-line note that only official values are shown."""
    store = get_store()
    synthetic = sorted(store.synthetic_ids)
    if not store.demo or not synthetic:
        return official_note(lang)
    _ = translator(lang)
    headline = html.Strong(_("Demo mode: {n} of {total} indicators are synthetic values, not official "
                             "statistics.").format(n=len(synthetic), total=len(store.catalogue.indicators)))
    body: list = [_("They show what the portal will look like once BDL and SMUP data are fetched; every "
                    "synthetic value is labelled."), " ", official_numbers(lang), " ",
                  dcc.Link(_("What does this mean?"), href=with_lang("/o-danych", lang) + "#syntetyczne"),
                  " · ", html.A(_("Turn demo mode off"), href="?demo=0" if lang != "en" else "?demo=0&lang=en")]
    if indicator_ids is not None:
        names = [store.catalogue.by_id[i].name.get(lang) for i in indicator_ids if i in store.synthetic_ids]
        if names:
            body.append(html.P(_("Synthetic on this page ({n}): {names}.").format(n=len(names), names="; ".join(names)),
                               className="banner-names mb-0 mt-1"))
    short = html.Strong(_("Demo: synthetic data"))
    return html.Div(dbc.Container(_folded(headline, body, lang, short), fluid="lg"), className="synthetic-banner",
                    role="note", **{"aria-label": _("Synthetic data")})


def footer(lang: str) -> html.Footer:
    from portal.release_facts import licence

    store = get_store()
    _ = translator(lang)
    lic = licence(store, lang)
    return html.Footer(
        dbc.Container(
            [
                html.P(_("Data: Statistics Poland (BDL), Ministry of Finance, CKE, PKW, KG PSP, Nursery Register; PRG boundaries (GUGiK). Open code and method (MIT)."), className="mb-1"),
                html.P(lic["data"], className="mb-1 small"),
                html.P([_("Data version") + ": ", html.Code(store.version), f" ({store.meta['built_at'][:10]})"],
                       className="mb-1 small"),
                html.Nav(
                    [dcc.Link(_("Accessibility statement"), href=with_lang("/deklaracja-dostepnosci", lang),
                              className="me-3"),
                     dcc.Link(_("About the data"), href=with_lang("/o-danych", lang), className="me-3"),
                     html.A(_("API and downloads"), href=with_lang("/api", lang))],
                    className="small footer-links", **{"aria-label": _("Footer")},
                ),
            ],
            fluid="lg",
        ),
        className="site-footer mt-5 py-3 border-top",
    )


def pinned_notice(lang: str, path: str, query: dict[str, str]) -> html.Div | None:
    """On a link pinned to an older data version: say so, and link to the same view on current data."""
    from portal.store import current_version, get_store, pinned_version

    pinned = pinned_version()
    if not pinned or pinned == current_version():
        return None
    store = get_store()
    _ = translator(lang)
    rest = {k: v for k, v in (query or {}).items() if k not in ("v", "lang")}
    text = _("You are seeing data version {v} of {date}, pinned in a shared link.").format(
        v=pinned, date=store.meta["built_at"][:10]) + " "
    link = dcc.Link(_("Newer data are available"), href=with_lang(path, lang, **rest))
    return html.Div(dbc.Container([text, link], fluid="lg"), className="pinned-notice", role="note")


def page(lang: str, path: str, query: dict[str, str], content: object, indicator_ids: list[str] | None = None) -> list:
    """Wrap a page's content in the shell."""
    return [
        navbar(lang, path, query),
        pinned_notice(lang, path, query),
        # A box with an id, so a page whose indicators change in place (compare: the area) can refresh it.
        html.Div(synthetic_banner(lang, indicator_ids), id=ids.SYNTHETIC_BANNER),
        html.Main(dbc.Container(content, fluid="lg", className="py-3"), id="main", tabIndex="-1",
                  lang="en" if lang == "en" else "pl"),
        footer(lang),
    ]


app_layout = html.Div(
    [
        dcc.Location(id="url", refresh="callback-nav"),
        html.Div(id="page", children=[]),
        html.Div(id="title-sink", hidden=True),
    ]
)


# True while the validation layout is built: pages may then skip costly content that holds no callback ids.
VALIDATING: contextvars.ContextVar[bool] = contextvars.ContextVar("omup_validating", default=False)


def validation_layout() -> html.Div:
    """Every component id of every page's default layout, so Dash can check callback ids without suppressing
    errors. Dash sends this layout to the browser with every page load, so it keeps only the ids: each
    component is copied bare (its type and id), not with its content (~300 KB of JSON otherwise)."""
    from layouts import routes
    from layouts.components.fast import fast

    token = VALIDATING.set(True)
    try:
        pages = [r.layout() for r in routes.routes()]
    finally:
        VALIDATING.reset(token)
    bare: list = []
    seen: set[str] = set()

    def walk(node) -> None:
        if node is None or isinstance(node, (str, int, float)):
            return
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        cid = getattr(node, "id", None)
        if cid is not None:
            key = repr(cid)
            if key not in seen:
                seen.add(key)
                bare.append(fast(type(node), id=cid))
        walk(getattr(node, "children", None))

    walk(pages)
    return html.Div([app_layout, *bare])
