"""The "Udostępnij" (share) dialog on every chart: link, iframe code, downloads (CSV, XLSX, PNG, SVG) and citation.

The dialog is rendered with the page (no round trip to open it); clientside callbacks in callbacks/share.py
open it, make the link and the iframe code absolute (the page knows its own address) and copy texts.

Pinning to the data version (`v=`): the iframe code is pinned by default (an embed published in an article
should keep showing the numbers it was published with; it offers a quiet link to newer data), the link is not
(a reader following a shared link usually wants today's data; tick the box to pin it). The citation always
carries the version, in its text and in its URL. Both variants of every text are rendered with the page into
a dcc.Store, so ticking a box swaps texts in the browser without a round trip.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from portal import ids
from portal.api.citation import citation
from portal.api.versions import app_settings, with_version
from portal.i18n import translator
from portal.store import get_store

EMBED_KEYS = ("wskaznik", "rok", "poziom", "jst", "podobne", "lang", "n")
IFRAME_HEIGHT = {"mapa": 560, "ranking": 520, "trend": 440}

def _texts(lang: str) -> dict:
    """The texts of this module in the page's language (gettext messages: portal/locale)."""
    _ = translator(lang)
    return {'share': _('Share'), 'title': _('Share this chart'), 'link': _('Link to this view'), 'copy': _('Copy'), 'embed': _('Embed on your site'), 'embed_note': _("Paste this code into your page's HTML: the chart with its title, source and a link back. Systems that support oEmbed also accept the plain link."), 'download': _('Download'), 'data': _('data:'), 'image': _('image (with title and source):'), 'cite': _('How to cite'), 'bibtex': _('BibTeX'), 'close': _('Close'), 'png_title': _('PNG image'), 'svg_title': _('SVG vector graphic'), 'label_link': _('Link'), 'label_iframe': _('Iframe code'), 'label_cite': _('Citation sentence'), 'label_bibtex': _('BibTeX entry'), 'pin': _('pin to data version {v}'), 'pin_note': _('A pinned chart always shows the numbers of this version; when newer data exist it shows a quiet link to them.')}


def _tx(lang: str) -> dict:
    return _texts(lang)


def embed_src(embed: str, path: str, query: dict[str, str]) -> str:
    """The /embed/<kind> URL showing the same view as the page at path + query."""
    from portal.api.oembed import embed_target

    store = get_store(app_settings())
    target = embed_target(store, path, dict(query))
    q = target[1] if target else {k: v for k, v in query.items() if k in EMBED_KEYS}
    if store.demo:
        q = {**q, "demo": "1"}  # embeds answer from the demo only when their own URL asks (labelled there)
    return f"/embed/{embed}" + ("?" + urlencode(q) if q else "")


def synthetic_mark(lang: str) -> str:
    """The suffix of a title whose values are synthetic (demo mode)."""
    return " (synthetic data, not official statistics)" if lang == "en" else " (dane syntetyczne, nie urzędowe)"


def iframe_code(src: str, title: str, height: int) -> str:
    return (f'<iframe src="{src}" width="100%" height="{height}" style="border:0" loading="lazy" '
            f'title="{title.replace(chr(34), "&quot;")}"></iframe>')


def view_title(path: str, query: dict[str, str], lang: str) -> tuple[str, bool]:
    """A short title of the view for the citation, and whether it shows synthetic values."""
    store = get_store(app_settings())
    ind = store.indicator(query.get("wskaznik", "")) or (
        store.indicator(path.rsplit("/", 1)[-1]) if path.startswith("/wskaznik/") else None)
    parts = []
    synthetic = False
    if ind is not None:
        parts.append(ind.name.get(lang))
        synthetic = store.is_synthetic(ind.id)
    teryt = query.get("jst") or (path.rsplit("/", 1)[-1] if path.startswith(("/jst/", "/budzet/")) else None)
    if teryt:
        names = [store.units.at[t, "name"] for t in teryt.split(",")[:5] if t in store.units.index]
        if names:
            parts.append(", ".join(names))
    if query.get("rok"):
        parts.append(query["rok"])
    if not parts:
        if path.startswith("/obszar/"):
            area = store.catalogue.area_by_id.get(path.rsplit("/", 1)[-1])
            parts.append(area.name.get(lang) if area else "OMUP")
        else:
            parts.append("OMUP")
    if ind is None:
        synthetic = bool(store.synthetic_ids)
    return " – ".join(parts), synthetic


def _copy_row(chart: str, what: str, value: str, label: str, lang: str, rows: int = 0) -> html.Div:
    tx = _tx(lang)
    text_id = ids.share_text(chart, what)
    if rows:
        field = dcc.Textarea(id=text_id, value=value, readOnly=True, rows=rows, className="form-control share-text",
                             spellCheck="false")
    else:
        field = dcc.Input(id=text_id, value=value, readOnly=True, type="text", className="form-control share-text",
                          spellCheck=False)
    # Dash writes a dict id into the DOM as JSON with sorted keys: the label points at that string.
    dom_id = json.dumps(text_id, sort_keys=True, separators=(",", ":"))
    return html.Div([html.Label(label, htmlFor=dom_id, className="visually-hidden"), field, html.Button(tx["copy"], id=ids.share_copy(chart, what), n_clicks=0, type="button",
                                        className="btn btn-outline-primary share-copy")],
                    className="share-row")


def share_variants(path: str, query: dict[str, str], embed: str | None, lang: str = "pl") -> dict:
    """Every text of the dialog, unpinned ("current") and pinned to the current data version ("pinned").

    {"version", "link": {...}, "iframe": {...}, "cite": {...}, "bibtex": {...}}; paths are relative (the
    browser makes them absolute). The citation is pinned in both variants: a citation names one version.
    """
    store = get_store(app_settings())
    version = store.version
    query = {k: v for k, v in query.items() if k != "v"}
    if store.demo:
        query["demo"] = "1"  # a link shared from the demo opens the demo (labelled) for its reader too
    link = path + ("?" + urlencode(query) if query else "")
    pinned_link = with_version(link, version)
    title, synthetic = view_title(path, query, lang)
    cite = citation(title, pinned_link, version, date.today(), lang, synthetic)
    out: dict = {"version": version, "link": {"current": link, "pinned": pinned_link},
                 "cite": {"current": cite["text"], "pinned": cite["text"]},
                 "bibtex": {"current": cite["bibtex"], "pinned": cite["bibtex"]},
                 "iframe": {"current": "", "pinned": ""}}
    src = embed_src(embed, path, query) if embed else None
    if src:
        height = IFRAME_HEIGHT.get(embed or "", 520)
        # The frame's title is what a screen reader announces: it carries the synthetic mark too.
        frame_title = title + (synthetic_mark(lang) if synthetic else "")
        out["iframe"] = {"current": iframe_code(src, frame_title, height),
                         "pinned": iframe_code(with_version(src, version), frame_title, height)}
    return out


def _pin(chart: str, what: str, version: str, value: bool, lang: str, hidden: bool = False) -> dbc.Checkbox:
    return dbc.Checkbox(id=ids.share_pin(chart, what), value=value, label=_tx(lang)["pin"].format(v=version),
                        className="small share-pin" + (" d-none" if hidden else ""))


def share_panel(chart: str, *, path: str, query: dict[str, str], lang: str = "pl",
                embed: str | None = None, downloads: list[tuple[str, str]] | None = None) -> html.Div:
    """A share button for one chart and its dialog.

    chart: a page-unique name ("area-map", "profile-trend", …) used in the pattern-matching ids;
    path + query: the full view's URL (the link to share); embed: "mapa" | "ranking" | "trend" or None;
    downloads: (label, href) pairs, e.g. [("CSV", "/pobierz/ranking.csv?…"), ("XLSX", …)].
    """
    tx = _tx(lang)
    variants = share_variants(path, query, embed, lang)
    version = variants["version"]
    src = embed_src(embed, path, {k: v for k, v in query.items() if k != "v"}) if embed else None
    body: list = [
        dcc.Store(id=ids.share_variants(chart), data=variants),
        html.H3(tx["link"], className="h6"),
        _copy_row(chart, "link", variants["link"]["current"], tx["label_link"], lang),
        _pin(chart, "link", version, False, lang),
    ]
    if src:
        body += [html.H3(tx["embed"], className="h6 mt-3"),
                 _copy_row(chart, "iframe", variants["iframe"]["pinned"], tx["label_iframe"], lang, rows=3),
                 _pin(chart, "iframe", version, True, lang),
                 html.P([tx["embed_note"], " ", tx["pin_note"]], className="small text-muted mb-0")]
    else:  # the open callback writes every text, so the iframe field and box exist (hidden) on every dialog
        body += [dcc.Input(id=ids.share_text(chart, "iframe"), value="", type="hidden"),
                 _pin(chart, "iframe", version, True, lang, hidden=True)]
    data_links = [html.A(label, href=href, download="", className="btn btn-sm btn-outline-secondary")
                  for label, href in (downloads or [])]
    image_links = []
    if src:
        sep = "&" if "?" in src else "?"
        image_links = [html.A(fmt.upper(), href=f"{src}{sep}obraz={fmt}", target="_blank", rel="noopener",
                              title=tx[f"{fmt}_title"], className="btn btn-sm btn-outline-secondary")
                       for fmt in ("png", "svg")]
    if data_links or image_links:
        row = []
        if data_links:
            row += [html.Span(tx["data"], className="small"), *data_links]
        if image_links:
            row += [html.Span(tx["image"], className="small ms-sm-2"), *image_links]
        body += [html.H3(tx["download"], className="h6 mt-3"),
                 html.Div(row, className="share-downloads d-flex flex-wrap align-items-center gap-2")]
    body += [
        html.H3(tx["cite"], className="h6 mt-3"),
        _copy_row(chart, "cite", variants["cite"]["pinned"], tx["label_cite"], lang, rows=3),
        html.Details([html.Summary(tx["bibtex"], className="small"),
                      _copy_row(chart, "bibtex", variants["bibtex"]["pinned"], tx["label_bibtex"], lang,
                                rows=9)],
                     className="mt-2"),
    ]
    modal = dbc.Modal(
        [dbc.ModalHeader(dbc.ModalTitle(tx["title"], className="h5")),
         dbc.ModalBody(body),
         ],
        id=ids.share_modal(chart), is_open=False, size="lg", scrollable=True, className="share-modal",
    )
    button = html.Button([html.Span("⤴ ", **{"aria-hidden": "true"}), tx["share"]], id=ids.share_button(chart),
                         n_clicks=0, type="button", className="btn btn-sm btn-outline-primary share-open",
                         **{"aria-haspopup": "dialog"})
    return html.Div([button, modal], className="share-panel")
