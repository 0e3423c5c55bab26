"""HTTP concerns around the Dash pages: real status codes for page URLs, redirects of old TERYT codes,
security headers, framing rules (precompressed static bundles: portal/bundles.py), and the guards in front of everything: the
allowed Host names, the proxies trusted for the client's address, the request body limit, the checked shape of
callback bodies and the one rate-limit budget per client."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import re
from urllib.parse import urlencode

import dash
import flask
import orjson
from flask.json.provider import DefaultJSONProvider

from portal.bundles import register_bundles
from portal.config import REPO_ROOT, Settings

EMBED_PREFIXES = ("/embed/", "/oembed")

# Scripts: this origin only, plus the hashes of the few inline scripts the server itself writes (Dash's renderer
# bootstrap and clientside callbacks, computed once per app; an embed page's script, per response): an injected
# inline script runs nowhere. No 'unsafe-eval': measured in headless Chromium with this policy (bench/csp_check.py,
# bench/RESULTS.md), neither Dash's renderer, its clientside callbacks, AG Grid's function strings (they are
# names in dashAgGridFunctions, not code) nor the partial plotly.js bundle (scatter, bar, box, choroplethmap
# with MapLibre) evaluates code. Styles keep 'unsafe-inline': plotly.js and MapLibre set style attributes and
# insert <style> elements at run time. MapLibre starts its workers from blob: URLs.
CSP_DIRECTIVES = (
    "default-src 'self'; "
    "script-src 'self'{hashes}; "
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
CSP = CSP_DIRECTIVES.format(hashes="")


def script_hash(script: str) -> str:
    """The CSP source expression that lets exactly this inline script run."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def allow_inline_script(script: str) -> None:
    """Let this response run one inline script the server wrote (an embed page's): its hash joins script-src.
    Outside a request (a page rendered in a test) there is no response to allow it on: nothing to do."""
    if flask.has_request_context():
        flask.g.setdefault("omup_script_hashes", []).append(script_hash(script))


BAD_INPUT = (ValueError, TypeError, KeyError, IndexError, AttributeError)
CALLBACK_PATH = "/_dash-update-component"
# Paths served by routes of their own: one that reaches Dash's catch-all page route is a 404, not a page shell.
RESERVED = re.compile(r"/(api|pobierz|embed|static|oembed|feeds|geo|assets|_[^/]*)(/|\Z)")
DASH_PAGE_ENDPOINTS = ("/<path:path>", "/")


def init_limiter(server: flask.Flask, settings: Settings):
    """One rate-limit budget per client (`OMUP_RATE_LIMIT`), shared by every route; each request spends what its
    route costs (portal/limits.py). Counted in Redis when OMUP_CACHE_URL names one (every process and machine
    shares the count), else per process (N processes let a client through N times the budget).

    429 answers carry Retry-After and the X-RateLimit-* headers. When Redis is unreachable the limiter counts in
    memory per process (in_memory_fallback) rather than failing requests.
    """
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    from portal.limits import cost_of

    def cost() -> int:
        return cost_of(flask.request.path, flask.request.args)

    storage = settings.cache_url if settings.cache_url.startswith(("redis://", "rediss://")) else "memory://"
    limiter = Limiter(
        key_func=get_remote_address,  # the client's address: ProxyFix (register_web) takes it from trusted proxies
        app=server,
        storage_uri=storage,
        storage_options={"socket_connect_timeout": 0.2, "socket_timeout": 0.3} if storage != "memory://" else {},
        application_limits=[settings.rate_limit],
        application_limits_cost=cost,
        application_limits_exempt_when=lambda: cost() == 0,
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        swallow_errors=True,
        # A request the budget cannot cover is refused without spending it (a fixed window would count the
        # refused cost too), and the window slides: no double burst at a window's edge.
        strategy="sliding-window-counter",
    )

    @server.errorhandler(429)
    def too_many(exc):
        retry = getattr(exc, "retry_after", None)
        message = (f"Too many requests: {exc.description} per client (each route costs part of it; see /api). "
                   "Slow down and retry after the Retry-After seconds.")
        if flask.request.path.startswith(("/api/", "/_dash", "/oembed")):
            resp = flask.jsonify({"error": {"code": "rate_limited", "message": message}})
        else:
            resp = flask.Response("Zbyt wiele zapytań – spróbuj ponownie za chwilę.\n" + message + "\n",
                                  mimetype="text/plain")
        resp.status_code = 429
        resp.headers["Retry-After"] = str(int(retry) if retry else 60)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    return limiter


def _json_error(status: int, code: str, message: str) -> flask.Response:
    resp = flask.jsonify({"error": {"code": code, "message": message}})
    resp.status_code = status
    return resp


def _reject_callback(reason: str) -> flask.Response:
    """400 for a callback body the portal cannot use, logged as one line (no traceback: it is the client's)."""
    flask.current_app.logger.warning("rejected callback body from %s: %s", flask.request.remote_addr, reason)
    return _json_error(400, "invalid_callback_body", "The callback request is malformed or does not match the "
                                                     "callback it names.")


def callback_body_problem(body: object, callback_map: dict) -> str | None:
    """Why a /_dash-update-component body cannot be dispatched (None when it can): its shape and its counts
    against the callback it names, checked before Dash walks it."""
    if not isinstance(body, dict):
        return "not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown output"
    spec = callback_map[output]
    inputs, state = body.get("inputs"), body.get("state", [])
    if not isinstance(inputs, list) or not isinstance(state, list):
        return "inputs or state not a list"
    if len(inputs) != len(spec["inputs"]) or len(state) != len(spec["state"]):
        return f"{len(inputs)} inputs and {len(state)} states for a callback of {len(spec['inputs'])} and " \
               f"{len(spec['state'])}"
    for given, wanted in zip(inputs + state, spec["inputs"] + spec["state"], strict=True):
        if isinstance(given, dict):
            if given.get("id") != wanted["id"] or given.get("property") != wanted["property"]:
                return "an input that is not the callback's"
        elif not isinstance(given, list) or not all(isinstance(x, dict) for x in given):
            return "an input that is neither an object nor a list of objects"
    if not spec.get("no_output") and not isinstance(body.get("outputs"), (list, dict)):
        return "outputs missing"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds not a list of strings"
    return None


def register_errors(server: flask.Flask, app: dash.Dash | None = None) -> None:
    """Bad input never becomes a 500, and no stack trace ever reaches a client."""
    from dash.exceptions import CallbackException, DependencyException
    from werkzeug.exceptions import HTTPException, SecurityError

    if app is not None:

        @server.before_request
        def check_callback_body():
            if flask.request.path != CALLBACK_PATH or flask.request.method != "POST":
                return None
            # Parsed with orjson (OrjsonRequests below): nesting deeper than 1,024 is a parse error, not a
            # RecursionError; a body over OMUP_MAX_REQUEST_BODY is 413 before it is read.
            body = flask.request.get_json(silent=True)
            problem = "not JSON" if body is None else callback_body_problem(body, app.callback_map)
            return _reject_callback(problem) if problem else None

    @server.errorhandler(Exception)
    def on_error(exc: Exception):
        if isinstance(exc, SecurityError):  # a Host not allowed: say so without repeating what the client sent
            message = "Nieznany host (Host nie jest adresem portalu). Unknown host."
            if flask.request.path.startswith(("/api/", "/_dash")):
                return _json_error(400, "unknown_host", message)
            return flask.Response(message + "\n", status=400, mimetype="text/plain")
        if isinstance(exc, HTTPException):
            if flask.request.path.startswith(("/api/", "/_dash")):
                return _json_error(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description or "")
            return exc
        path = flask.request.path
        if isinstance(exc, DependencyException):  # a component-suite file that does not exist
            return flask.make_response("Not found", 404)
        if path.startswith(CALLBACK_PATH):
            # Dash's own request checks raise the base CallbackException (a body that does not match the
            # callback); a RecursionError is a body too deep to walk. Both are the client's: 400, one line.
            if type(exc) is CallbackException or isinstance(exc, RecursionError):
                return _reject_callback(f"{type(exc).__name__}: {str(exc)[:200]}")
            if isinstance(exc, BAD_INPUT):
                server.logger.info("rejected callback input: %r", exc)
                return _json_error(400, "invalid_callback_input", "The callback received input it cannot use.")
        server.logger.exception("unhandled error on %s", path)
        if path.startswith(("/api/", "/_dash")):
            return _json_error(500, "internal_error", "Internal error.")
        return flask.make_response("<h1>Błąd serwera / Server error</h1>", 500)


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


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON with request bodies parsed by orjson: fast, and a body nested deeper than 1,024 levels is a
    parse error (400) where the standard library would raise RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        return orjson.loads(s)


def register_guards(server: flask.Flask, settings: Settings) -> None:
    """Host names, trusted proxies and the body limit: what a request must satisfy before any route sees it."""
    trusted = int(settings.trusted_proxies or 0)
    if trusted > 0:
        # The client's address and scheme from the last `trusted` proxies' X-Forwarded-For/-Proto: rate limits and
        # logs count clients, not the proxy; HTTPS is known for HSTS and secure cookies. Never more than configured
        # (a client can write any X-Forwarded-For it likes).
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]
    # Flask answers 400 to any other Host header before a route runs, so no URL the portal writes from the Host
    # (the /api examples, feeds) can name a host an attacker chose.
    server.config["TRUSTED_HOSTS"] = settings.host_list
    limit = int(settings.max_request_body)
    server.config["MAX_CONTENT_LENGTH"] = limit  # a declared Content-Length over it: 413 before a byte is read
    server.json = OrjsonProvider(server)

    @server.before_request
    def bounded_body():
        """A chunked body declares no length, and werkzeug cuts it at the limit without a word (the JSON then
        fails as a 400): read at most limit + 1 bytes here and answer 413 when there is more."""
        env = flask.request.environ
        if flask.request.content_length is not None or not env.get("wsgi.input_terminated"):
            return None
        data = env["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            flask.abort(413)
        env["wsgi.input"] = io.BytesIO(data)
        env["CONTENT_LENGTH"] = str(len(data))
        return None


def register_web(server: flask.Flask, app: dash.Dash, settings: Settings) -> None:
    register_guards(server, settings)
    server.config["OMUP_LIMITER"] = init_limiter(server, settings)
    register_errors(server, app)
    register_pinning(server, app, settings)

    icon = (REPO_ROOT / "assets" / "favicon.ico").read_bytes()

    @server.get("/favicon.ico")
    def favicon():
        """Browsers ask for /favicon.ico on pages outside Dash (/api, embeds); Dash's pages link the asset."""
        resp = flask.Response(icon, mimetype="image/vnd.microsoft.icon")
        resp.headers["Cache-Control"] = "public, max-age=86400"
        return resp

    @server.before_request
    def reserved_paths():
        """A path under a prefix the portal's routes own (/api, /pobierz, /embed, …) that no route matched falls
        through to Dash's catch-all page route: answer 404 there, not a 200 page shell."""
        path = flask.request.path
        if flask.request.endpoint not in DASH_PAGE_ENDPOINTS or not RESERVED.match(path):
            return None
        if path.startswith(("/api/", "/_")):
            return _json_error(404, "not_found", "Nie ma takiego zasobu (not found). Zobacz /api.")
        resp = flask.Response("Nie ma takiego adresu (not found). Zobacz /api.\n", status=404, mimetype="text/plain")
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @server.before_request
    def page_status():
        path = flask.request.path
        if flask.request.method != "GET" or path.startswith(("/_", "/api", "/assets", "/geo", "/embed",
                                                               "/oembed", "/pobierz", "/static", "/favicon.ico")):
            return None
        from portal import routing

        outcome = routing.http_outcome(path, flask.request.args)
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

    register_bundles(server, app)  # after the page checks above, as when it was registered here

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

    # Dash's renderer bootstrap and clientside callbacks are inline scripts: allowed by their hashes (the renderer
    # is set by register_pinning above; the clientside callbacks were attached by create_app).
    page_hashes = "".join(" " + h for h in app.csp_hashes())
    hsts_max_age = int(settings.hsts_max_age or 0)

    @server.after_request
    def headers(resp: flask.Response) -> flask.Response:
        path = flask.request.path
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        extra = "".join(" " + h for h in flask.g.get("omup_script_hashes", ()))
        if path.startswith(EMBED_PREFIXES):
            resp.headers["Content-Security-Policy"] = CSP_DIRECTIVES.format(hashes=extra) + "; frame-ancestors *"
            resp.headers.pop("X-Frame-Options", None)
        else:
            resp.headers.setdefault("Content-Security-Policy",
                                    CSP_DIRECTIVES.format(hashes=page_hashes + extra) + "; frame-ancestors 'self'")
            resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if hsts_max_age > 0 and flask.request.is_secure:
            # Only over HTTPS (a browser ignores it on http:); behind a proxy, X-Forwarded-Proto says so
            # (OMUP_TRUSTED_PROXIES).
            resp.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_max_age}")
        return resp
