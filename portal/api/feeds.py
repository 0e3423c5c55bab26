"""/feeds/wydania.atom (every kept data release, with what changed) and /feeds/jst/<teryt>.atom (what changed
for one unit between releases): Atom 1.0 built by portal/feeds.py. Importing this module also registers the
Dash index hook that puts the feeds' ``<link rel="alternate">`` tags into every page's HTML head.

``?lang=en`` gives English entries; ``?demo=1`` the demo edition (labelled), as for every URL-only surface.
"""

from __future__ import annotations

import dash
import flask

from portal.api.versions import app_settings
from portal.feeds import RELEASES_PATH, add_links_to_index, atom, release_entries, unit_entries
from portal.store import demo_requested, get_store

blueprint = flask.Blueprint("feeds", __name__)
ATOM = "application/atom+xml"

# Feed readers find the feeds in the page head: a Dash index hook (applies to every page Dash serves).
dash.hooks.index()(add_links_to_index)


def _feed(body: str) -> flask.Response:
    resp = flask.Response(body, mimetype=ATOM)
    resp.headers["Cache-Control"] = "public, max-age=600"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def _base() -> str:
    return flask.request.host_url.rstrip("/")


def _suffix(lang: str, demo: bool) -> str:
    parts = (["lang=en"] if lang == "en" else []) + (["demo=1"] if demo else [])
    return ("?" + "&".join(parts)) if parts else ""


@blueprint.get(RELEASES_PATH)
def releases_feed() -> flask.Response:
    lang = "en" if flask.request.args.get("lang") == "en" else "pl"
    demo = demo_requested()
    settings = app_settings()
    entries = release_entries(settings, lang, demo)
    base = _base()
    title = "OMUP – new data releases" if lang == "en" else "OMUP – nowe wydania danych"
    body = atom(
        "urn:omup:feed:releases" + (":demo" if demo else ""),
        title,
        base + RELEASES_PATH + _suffix(lang, demo),
        base + "/o-danych" + _suffix(lang, demo),
        entries,
        lambda e: f"{base}/api/v1/releases",
        lang,
    )
    return _feed(body)


@blueprint.get("/feeds/jst/<code>.atom")
def unit_feed(code: str) -> flask.Response:
    store = get_store()
    teryt, _ = store.resolve(code[:12])
    if teryt is None:
        resp = flask.Response(
            f"Nie ma jednostki {code[:12]} (unknown unit).\n", status=404, mimetype="text/plain"
        )
        resp.headers["Cache-Control"] = "no-store"
        return resp
    teryt = str(teryt)
    lang = "en" if flask.request.args.get("lang") == "en" else "pl"
    demo = demo_requested()
    name = str(store.units.at[teryt, "display_name"])
    entries = unit_entries(app_settings(), teryt, name, lang, demo)
    base = _base()
    title = f"OMUP – data changes: {name}" if lang == "en" else f"OMUP – zmiany w danych: {name}"
    body = atom(
        f"urn:omup:feed:jst:{teryt}" + (":demo" if demo else ""),
        title,
        f"{base}/feeds/jst/{teryt}.atom" + _suffix(lang, demo),
        f"{base}/jst/{teryt}" + _suffix(lang, demo),
        entries,
        lambda e: f"{base}/jst/{teryt}?v={e['version']}",
        lang,
    )
    return _feed(body)
