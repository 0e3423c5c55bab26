"""HTTP concerns around the Dash pages: real status codes for page URLs, redirects of old TERYT codes,
security headers, framing rules and precompressed static bundles."""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from pathlib import Path
from urllib.parse import urlencode

import brotli
import dash
import flask

from portal.config import REPO_ROOT, Settings

EMBED_PREFIXES = ("/embed/", "/oembed")
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
PRECOMPRESS_DIR = REPO_ROOT / "build" / "precompressed"
# Dash's renderer loads plotly.js from this fixed URL (the full bundle, all trace types). OMUP serves its partial
# bundle there instead: the traces it draws only (portal/static/plotly/, built from plotly.js's own sources).
PLOTLY_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
PLOTLY_BUNDLE = Path(__file__).resolve().parent / "static" / "plotly" / "plotly-omup.min.js"
_lock = threading.Lock()

# Dash needs 'unsafe-eval' (its renderer compiles callbacks' clientside code) and inline styles (plotly.js);
# maplibre in plotly.js uses blob: workers. Everything else comes from this origin.
CSP = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self' blob:; "
    "child-src 'self' blob:; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'"
)


BAD_INPUT = (ValueError, TypeError, KeyError, IndexError, AttributeError)
LIMITED = ("/api/", "/pobierz/", "/_dash-update-component", "/embed/", "/oembed")


def init_limiter(server: flask.Flask, settings: Settings):
    """Per-client rate limits (API and downloads; the Dash callback endpoint), in Redis when scaled out.

    Limits come from settings; 429 answers carry Retry-After. When Redis is unreachable the limiter counts in
    memory per process (in_memory_fallback) rather than failing requests.
    """
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    def limit_for_path() -> str:
        path = flask.request.path
        return settings.rate_limit_callbacks if path.startswith("/_dash") else settings.rate_limit_api

    storage = settings.cache_url if settings.cache_url.startswith(("redis://", "rediss://")) else "memory://"
    limiter = Limiter(
        key_func=get_remote_address,
        app=server,
        storage_uri=storage,
        storage_options={"socket_connect_timeout": 0.2, "socket_timeout": 0.3} if storage != "memory://" else {},
        default_limits=[limit_for_path],
        default_limits_exempt_when=lambda: not flask.request.path.startswith(LIMITED),
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        swallow_errors=True,
        strategy="fixed-window",
    )

    @server.errorhandler(429)
    def too_many(exc):
        body = {"error": {"code": "rate_limited", "message": f"Too many requests: {exc.description}. "
                                                             "Slow down and retry after the Retry-After seconds."}}
        resp = flask.jsonify(body)
        resp.status_code = 429
        retry = getattr(exc, "retry_after", None)
        resp.headers["Retry-After"] = str(int(retry) if retry else 60)
        return resp

    return limiter


def register_errors(server: flask.Flask) -> None:
    """Bad input never becomes a 500, and no stack trace ever reaches a client."""
    from werkzeug.exceptions import HTTPException

    @server.errorhandler(Exception)
    def on_error(exc: Exception):
        if isinstance(exc, HTTPException):
            if flask.request.path.startswith(("/api/", "/_dash")):
                resp = flask.jsonify({"error": {"code": exc.name.lower().replace(" ", "_"),
                                                "message": exc.description}})
                resp.status_code = exc.code or 500
                return resp
            return exc
        path = flask.request.path
        from dash.exceptions import DependencyException

        if isinstance(exc, DependencyException):  # a component-suite file that does not exist
            return flask.make_response("Not found", 404)
        if path.startswith("/_dash-update-component") and isinstance(exc, BAD_INPUT):
            server.logger.info("rejected callback input: %r", exc)
            resp = flask.jsonify({"error": {"code": "invalid_callback_input",
                                            "message": "The callback received input it cannot use."}})
            resp.status_code = 400
            return resp
        server.logger.exception("unhandled error on %s", path)
        if path.startswith(("/api/", "/_dash")):
            resp = flask.jsonify({"error": {"code": "internal_error", "message": "Internal error."}})
        else:
            resp = flask.make_response("<h1>Błąd serwera / Server error</h1>", 500)
        resp.status_code = 500
        return resp


VERSION_RE = re.compile(r"^[0-9a-f]{6,40}$")
DEMO_COOKIE = "omup_demo"
# Surfaces whose response must depend on the URL alone (cacheable by anyone): demo only with `demo=1`.
URL_ONLY = ("/api/", "/embed/", "/pobierz/", "/oembed", "/feeds/", "/raport/")


def register_pinning(server: flask.Flask, app: dash.Dash, settings: Settings) -> None:
    """Shared links pinned to a data version (`?v=<version>`) render from that kept release, and the demo
    edition (synthetic values, labelled) is served only when asked for.

    Page loads carry v and demo in the query string; the browser adds them to every callback request (the
    renderer's request_pre hook below), so callbacks read the same release and edition. Unknown versions fall
    back to current data with a notice on the page (an old link keeps working).

    Demo mode: `demo=1` on a page sets a cookie so the whole visit stays in the demo (`demo=0` ends it); the
    API, embeds, downloads, oEmbed, feeds and reports answer from the demo only when their own URL says
    `demo=1`, so what they return depends on the URL alone."""
    from portal.release import NoReleaseError, release_path

    def kept(version: str) -> bool:
        try:
            release_path(settings, version)
            return True
        except NoReleaseError:
            return False

    @server.before_request
    def pin():
        version = None
        demo = False
        path = flask.request.path
        if path.startswith("/_dash-update-component") and flask.request.method == "POST":
            body = flask.request.get_json(silent=True)
            asked = None
            if isinstance(body, dict):
                version = body.get("omup_v")
                asked = body.get("omup_demo")
            demo = asked == "1" or (asked != "0" and flask.request.cookies.get(DEMO_COOKIE) == "1")
        elif flask.request.method in ("GET", "HEAD"):
            arg = flask.request.args.get("demo")
            if path.startswith(URL_ONLY):
                demo = arg == "1"
            else:
                version = flask.request.args.get("v")
                demo = arg == "1" or (arg != "0" and flask.request.cookies.get(DEMO_COOKIE) == "1")
                flask.g.omup_demo_arg = arg
        if isinstance(version, str) and VERSION_RE.match(version) and kept(version):
            flask.g.omup_version = version
        flask.g.omup_demo = demo

    @server.after_request
    def remember_demo(resp: flask.Response) -> flask.Response:
        arg = flask.g.get("omup_demo_arg")
        if arg == "1":
            resp.set_cookie(DEMO_COOKIE, "1", max_age=86400, samesite="Lax", httponly=True,
                            secure=flask.request.is_secure)
        elif arg == "0":
            resp.delete_cookie(DEMO_COOKIE, samesite="Lax", httponly=True, secure=flask.request.is_secure)
        return resp

    app.renderer = (
        "var renderer = new DashRenderer({request_pre: function (payload) {"
        " var q = new URLSearchParams(window.location.search);"
        " var v = q.get('v'); if (v) { payload.omup_v = v; }"
        " var d = q.get('demo'); if (d) { payload.omup_demo = d; } }});"
    )


def register_web(server: flask.Flask, app: dash.Dash, settings: Settings) -> None:
    register_errors(server)
    register_pinning(server, app, settings)
    server.config["OMUP_LIMITER"] = init_limiter(server, settings)

    icon = (REPO_ROOT / "assets" / "favicon.ico").read_bytes()

    @server.get("/favicon.ico")
    def favicon():
        """Browsers ask for /favicon.ico on pages outside Dash (/api, embeds); Dash's pages link the asset."""
        resp = flask.Response(icon, mimetype="image/vnd.microsoft.icon")
        resp.headers["Cache-Control"] = "public, max-age=86400"
        return resp

    @server.before_request
    def page_status():
        path = flask.request.path
        if flask.request.method != "GET" or path.startswith(("/_", "/api", "/assets", "/geo", "/embed",
                                                               "/oembed", "/pobierz", "/static", "/favicon.ico")):
            return None
        from layouts import routes

        outcome = routes.http_outcome(path, flask.request.args)
        if outcome is None:
            return None
        kind, target = outcome
        if kind == "redirect":
            query = flask.request.args.to_dict()
            url = target + (("?" + urlencode(query)) if query else "")
            return flask.redirect(url, code=301)
        if kind == "not_found":
            # The Dash page renders the 404 with suggestions; the status tells crawlers and scripts.
            return flask.make_response(app.index(), 404)
        return None

    @server.before_request
    def precompressed():
        path = flask.request.path
        if flask.request.method != "GET" or not path.startswith(STATIC_PREFIXES):
            return None
        if not (path.endswith(".js") or path.endswith(".css")):
            return None
        accept = flask.request.headers.get("Accept-Encoding", "")
        encoding = "br" if "br" in accept else "gzip" if "gzip" in accept else None
        if encoding is None and path != PLOTLY_URL:
            return None
        source = _static_source(app, path)
        if source is None:
            return None
        data = _compressed(source, encoding) if encoding else source.read_bytes()
        resp = flask.Response(data, mimetype="application/javascript" if path.endswith(".js") else "text/css")
        if encoding:
            resp.headers["Content-Encoding"] = encoding
        resp.headers["Vary"] = "Accept-Encoding"
        # Dash fingerprints component-suite URLs (…v4_4_1m1234.js): those never change under their name.
        fingerprinted = path.startswith("/_dash-component-suites/") and re.search(r"\.v[\d_]+m\d+\.", path)
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable" if fingerprinted else "public, max-age=3600"
        resp.set_etag(hashlib.sha1(data).hexdigest())
        return resp.make_conditional(flask.request)

    @server.after_request
    def compress_dynamic(resp: flask.Response) -> flask.Response:
        """Gzip dynamic JSON and HTML (callback responses, API, pages); static bundles are precompressed."""
        if (
            resp.direct_passthrough
            or resp.status_code < 200
            or resp.status_code >= 300
            or "Content-Encoding" in resp.headers
            or resp.mimetype not in ("application/json", "text/html", "text/csv", "image/svg+xml")
            or "gzip" not in flask.request.headers.get("Accept-Encoding", "")
        ):
            return resp
        data = resp.get_data()
        if len(data) < 1024:
            return resp
        # Callback responses are small and frequent: the fastest level (a third of level 5's CPU, ~10 % larger).
        level = 1 if flask.request.path.startswith("/_dash-update-component") else 5
        resp.set_data(gzip.compress(data, compresslevel=level))
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
        return resp

    @server.after_request
    def headers(resp: flask.Response) -> flask.Response:
        path = flask.request.path
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if path.startswith(EMBED_PREFIXES):
            resp.headers["Content-Security-Policy"] = CSP + "; frame-ancestors *"
            resp.headers.pop("X-Frame-Options", None)
        else:
            resp.headers.setdefault("Content-Security-Policy", CSP + "; frame-ancestors 'self'")
            resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return resp


def _static_source(app: dash.Dash, path: str) -> Path | None:
    """The file behind a Dash static URL (component suites resolve through Dash's registry)."""
    if path.startswith("/assets/"):
        rel = path[len("/assets/"):]
        candidate = (REPO_ROOT / "assets" / rel).resolve()
        if REPO_ROOT / "assets" in candidate.parents and candidate.is_file():
            return candidate
        return None
    if path == PLOTLY_URL and PLOTLY_BUNDLE.is_file():
        return PLOTLY_BUNDLE
    parts = path[len("/_dash-component-suites/"):].split("/", 1)
    if len(parts) != 2:
        return None
    package, rel = parts
    rel = re.sub(r"\.v[\d_]+m\d+\.", ".", rel)  # strip Dash's fingerprint
    from dash.fingerprint import check_fingerprint

    rel, _ = check_fingerprint(rel)
    if package not in dash.development.base_component.ComponentRegistry.registry and package not in (
        "dash", "plotly", "dash_bootstrap_components"
    ):
        return None
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    base = Path(spec.origin).parent
    candidate = (base / rel).resolve()
    if base in candidate.parents and candidate.is_file():
        return candidate
    return None


def _cache_key(source: Path) -> str:
    stat = source.stat()
    return hashlib.sha1(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def _compressed(source: Path, encoding: str, best: bool = False) -> bytes:
    """Compress a static file once and keep it on disk (keyed by path, size and mtime).

    Large bundles compressed on demand use brotli 9 (0.5 s for plotly.js); `best` (the start-up warm-up of
    production servers, `warm_static`) uses brotli 11 with a 16 MB window: 10 % smaller, 10 s once per machine.
    """
    target = PRECOMPRESS_DIR / f"{_cache_key(source)}.{encoding}"
    if target.exists():
        return target.read_bytes()
    with _lock:
        if target.exists():
            return target.read_bytes()
        raw = source.read_bytes()
        if encoding == "br":
            big = len(raw) >= 500_000 and not best
            data = brotli.compress(raw, quality=9 if big else 11, lgwin=22 if big else 24)
        else:
            data = gzip.compress(raw, 9)
        PRECOMPRESS_DIR.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{threading.get_ident()}")
        tmp.write_bytes(data)
        tmp.replace(target)
        return data


def warm_static(app: dash.Dash) -> int:
    """Compress, best quality, every script and stylesheet the pages load (assets and component suites).

    Called once before gunicorn forks (portal/wsgi.py); the results stay on disk for later starts."""
    from dash.development.base_component import ComponentRegistry

    files: list[Path] = [p for p in (REPO_ROOT / "assets").rglob("*") if p.suffix in {".js", ".css"}]
    import importlib.util

    for package in {*ComponentRegistry.registry, "dash", "plotly", "dash_ag_grid", "dash_bootstrap_components"}:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        base = Path(spec.origin).parent
        for rel in app.registered_paths.get(package, ()):
            if rel.endswith((".js", ".css")):
                source = _static_source(app, f"/_dash-component-suites/{package}/{rel}")
                files.append(source or base / rel)
    count = 0
    for path in files:
        if not path.is_file():
            continue
        key, size = _cache_key(path), path.stat().st_size
        marker = PRECOMPRESS_DIR / f"{key}.best"
        if size >= 500_000 and not marker.exists():
            (PRECOMPRESS_DIR / f"{key}.br").unlink(missing_ok=True)  # an on-demand brotli-9 copy
        for enc in ("br", "gzip"):
            _compressed(path, enc, best=True)
        if size >= 500_000:
            marker.touch()
        count += 1
    return count
