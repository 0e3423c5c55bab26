"""oEmbed 1.0 (/oembed?url=…): a portal link pasted into a publishing system becomes the matching embed.

/obszar/<area>?… → map (or ranking when widok=ranking) with the same parameters; /wskaznik/<id> → its map;
/jst/<teryt> and /budzet/<teryt> → the unit's trend of the first area headline it has; /porownaj?jst=… →
trend of those units; /embed/… → itself. Foreign hosts and other paths → 404; format=xml → 501.
A `v=<data version>` in the given URL pins the embed to that kept release (the iframe src carries it); a
version no longer kept → 404.

The answer never depends on the request's Host header (it is cacheable by anyone): a URL is the portal's when
its host is one of the allowed hosts (`OMUP_ALLOWED_HOSTS`, by default the host of `OMUP_BASE_URL`), and the
iframe's address is always built from `OMUP_BASE_URL`.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode, urlsplit

import flask

from portal.api.versions import VersionError, store_for
from portal.state import parse_search
from portal.store import LEVEL_OF_LEN, Store

blueprint = flask.Blueprint("oembed", __name__)

DEFAULT_SIZE = {"mapa": (640, 560), "ranking": (640, 520), "trend": (640, 440)}
MIN_SIZE = (200, 200)


class OEmbedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def embed_target(store: Store, path: str, query: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    """(embed kind, embed query) for a portal path, or None when the path has no embed."""
    path = path.rstrip("/") or "/"
    keep = {k: v for k, v in query.items()
            if k in ("wskaznik", "rok", "poziom", "jst", "podobne", "lang", "n", "v")}
    m = re.fullmatch(r"/embed/(mapa|ranking|trend)", path)
    if m:
        return m.group(1), keep
    m = re.fullmatch(r"/obszar/([a-z0-9-]+)", path)
    if m and m.group(1) in store.catalogue.area_by_id:
        kind = "ranking" if query.get("widok") == "ranking" else "mapa"
        if "wskaznik" not in keep and store.catalogue.area_by_id[m.group(1)].headline:
            keep["wskaznik"] = store.catalogue.area_by_id[m.group(1)].headline
        return kind, keep
    m = re.fullmatch(r"/wskaznik/([a-z0-9-]+)", path)
    if m and m.group(1) in store.catalogue.by_id:
        return "mapa", {**keep, "wskaznik": m.group(1)}
    m = re.fullmatch(r"/(?:jst|budzet)/(\d{2,7})", path)
    if m:
        teryt, _ = store.resolve(m.group(1))
        if teryt is None:
            return None
        from portal.api.embed import default_trend_indicator

        out = {"wskaznik": default_trend_indicator(store, LEVEL_OF_LEN[len(teryt)]).id, "jst": teryt}
        if query.get("lang") == "en":
            out["lang"] = "en"
        if query.get("v"):
            out["v"] = query["v"]
        return "trend", out
    if path == "/porownaj" and query.get("jst"):
        out = {"jst": query["jst"], **({"v": query["v"]} if query.get("v") else {})}
        area = store.catalogue.area_by_id.get(query.get("obszar", ""))
        if query.get("wskaznik"):
            out["wskaznik"] = query["wskaznik"]
        elif area and area.headline:
            out["wskaznik"] = area.headline
        return "trend", out
    return None


def _size(name: str) -> int | None:
    raw = flask.request.args.get(name)
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"\d{1,6}", raw.strip()):
        raise OEmbedError(400, f"'{name}' must be a positive integer")
    return int(raw)


def is_portal_host(netloc: str, allowed_hosts: list[str]) -> bool:
    """Whether a URL's host (port ignored) is one the portal answers to; ".example.org" admits subdomains."""
    try:
        host = (urlsplit("//" + netloc).hostname or "").lower()
    except ValueError:  # a malformed address (an unclosed IPv6 bracket)
        return False
    return bool(host) and any(host == h or (h.startswith(".") and (host.endswith(h) or host == h[1:]))
                              for h in allowed_hosts)


def oembed_response(url: str, allowed_hosts: list[str], base_url: str, maxwidth: int | None,
                    maxheight: int | None) -> dict:
    """The oEmbed JSON for a portal URL (raises OEmbedError 404 for a foreign or unknown one)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise OEmbedError(404, "not a link to this portal") from None
    if parts.scheme not in ("http", "https") or not is_portal_host(parts.netloc, allowed_hosts):
        raise OEmbedError(404, "not a link to this portal")
    params = parse_search(parts.query)
    try:
        store = store_for(params.get("v"))
    except VersionError as exc:
        raise OEmbedError(404, f"data version not kept (kept: {', '.join(exc.kept)})") from None
    target = embed_target(store, parts.path, params)
    if target is None:
        raise OEmbedError(404, "this portal page has no embeddable chart")
    kind, query = target
    from portal.api.embed import build_view

    if store.demo:
        query = {**query, "demo": "1"}  # the iframe answers from the demo only when its own URL asks
    view = build_view(kind, query, store)
    width, height = DEFAULT_SIZE[kind]
    if maxwidth is not None:
        width = max(MIN_SIZE[0], min(width, maxwidth))
    if maxheight is not None:
        height = max(MIN_SIZE[1], min(height, maxheight))
    origin = base_url.rstrip("/")  # never the request's Host, nor the pasted URL's
    src = f"{origin}/embed/{kind}" + ("?" + urlencode(query) if query else "")
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" style="border:0;max-width:100%" '
            f'title="{escape(view.title)}" loading="lazy"></iframe>')
    return {"version": "1.0", "type": "rich", "provider_name": "OMUP", "provider_url": origin + "/",
            "title": view.title, "html": html, "width": width, "height": height, "cache_age": 300}


@blueprint.get("/oembed")
def oembed() -> flask.Response:
    import orjson

    try:
        fmt = flask.request.args.get("format", "json")
        if fmt == "xml":
            raise OEmbedError(501, "only format=json is supported")
        if fmt != "json":
            raise OEmbedError(400, "format must be json")
        url = flask.request.args.get("url", "")
        if not url or len(url) > 2000:
            raise OEmbedError(400, "'url' is required (a link to a portal page)")
        settings = flask.current_app.config["OMUP_SETTINGS"]
        body = oembed_response(url, settings.host_list, settings.base_url, _size("maxwidth"), _size("maxheight"))
    except OEmbedError as exc:
        resp = flask.Response(orjson.dumps({"error": exc.message}), status=exc.status, mimetype="application/json")
        resp.headers["Access-Control-Allow-Origin"] = "*"
        return resp
    resp = flask.Response(orjson.dumps(body), mimetype="application/json")
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp
