"""The application factory: Flask server, Dash pages, API blueprint, geometry files, headers, cache, limits."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import dash
import flask
from flask_caching import Cache

from portal.config import REPO_ROOT, Settings

log = logging.getLogger(__name__)

cache = Cache()

GEO_NAME = re.compile(r"^[a-z]+\.[0-9a-f]{12}\.geojson$")
IMMUTABLE = "public, max-age=31536000, immutable"


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build the whole portal. Callbacks are declared at import time with `@callback` and attach to this app."""
    settings = settings or Settings.from_env()
    server = flask.Flask("omup", static_folder=None)
    server.config["OMUP_SETTINGS"] = settings
    server.config["JSON_AS_ASCII"] = False
    _init_cache(server, settings)

    from portal.store import get_store

    store = get_store(settings)  # load once per process (gunicorn --preload shares it between workers)
    server.config["OMUP_STORE_VERSION"] = store.version

    app = dash.Dash(
        "omup",
        server=server,
        assets_folder=str(REPO_ROOT / "assets"),
        title="OMUP – Otwarty Monitor Usług Publicznych",
        update_title=None,
        serve_locally=True,
        compress=False,
        suppress_callback_exceptions=False,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
            {"name": "description", "content": "Jak gminy, powiaty i województwa realizują usługi publiczne – "
                                                "porównania z podobnymi jednostkami."},
        ],
    )
    app.index_string = _INDEX
    from portal import fastjson

    fastjson.install()  # responses serialised by orjson without plotly's second walk over the tree
    # Callbacks render components through portal/views.py: bind the page builders before any callback runs.
    bind_views()
    # Imports register layouts and callbacks with Dash's global @callback registry.
    import callbacks  # noqa: F401
    from layouts.components import shell

    app.layout = shell.app_layout
    # The renderer checks callback ids against this layout; pages skip costly content while it is built.
    app.validation_layout = shell.validation_layout()
    _attach_callbacks(app)

    _register_geometry(server, settings)
    from portal.api import register_api

    register_api(server, settings)
    from portal.web import register_web

    register_web(server, app, settings)
    return app


def bind_views() -> None:
    """Give the callbacks the page builders they render (portal/views.py): the one place where callbacks/ and
    layouts/ meet. Scripts and tests that call callbacks without building the app call this first."""
    from layouts import area, budget, compare, goals, profile, report, routes, start
    from layouts.components import indicator_charts, share, shell, similar
    from portal import views

    views.bind(
        page=routes.render,
        search_results=start.search_results,
        share_panel=share.share_panel,
        synthetic_banner=shell.synthetic_banner,
        report_body=report.report_body,
        goal_list=goals.goal_list,
        budget_view=budget.budget_view,
        profile_parts=profile.profile_parts,
        similar_list=similar.similar_list,
        compare_notes=compare.notes_view,
        compare_units=compare.units_view,
        compare_body=compare.body_view,
        compare_year_options=compare.year_options,
        indicator_body=indicator_charts.body_view,
        indicator_funnel=indicator_charts.funnel_view,
        indicator_group_options=indicator_charts.group_options,
        indicator_year_options=indicator_charts.year_options,
        funnel_axes=indicator_charts.funnel_axes,
        area_level_options=area.level_options,
        area_year_options=area.year_options,
        area_peer_options=area.peer_options,
        area_downloads=area.download_links,
        ranking_grid=area.ranking_grid,
    )
    missing = views.unbound()
    if missing:
        raise RuntimeError(f"portal.app.bind_views left builders unbound: {', '.join(missing)}")


_RECORDED: tuple[dict, list, list] | None = None


def _attach_callbacks(app: dash.Dash) -> None:
    """Give this app every @callback declared at import time.

    Dash hands the global registry to the first app that serves a request and empties it, so a second app in the
    same process (tests, the benchmark) would have no callbacks. Record the registry once and give each app its
    own copy, attached now rather than at its first request.
    """
    from dash import _callback

    global _RECORDED
    if _RECORDED is None:
        _RECORDED = (dict(_callback.GLOBAL_CALLBACK_MAP), list(_callback.GLOBAL_CALLBACK_LIST),
                     list(_callback.GLOBAL_INLINE_SCRIPTS))
    callback_map, callback_list, scripts = _RECORDED
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_MAP.update(callback_map)
    _callback.GLOBAL_CALLBACK_LIST[:] = callback_list
    _callback.GLOBAL_INLINE_SCRIPTS[:] = scripts
    app._setup_server()


def _init_cache(server: flask.Flask, settings: Settings) -> None:
    if settings.cache_url.startswith(("redis://", "rediss://", "unix://")):
        config = {"CACHE_TYPE": "portal.cache.FallbackRedisCache", "CACHE_REDIS_URL": settings.cache_url}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    config["CACHE_DEFAULT_TIMEOUT"] = int(settings.cache_timeout)
    cache.init_app(server, config=config)


def _register_geometry(server: flask.Flask, settings: Settings) -> None:
    """Hashed geometry files: served once, cached for a year, precompressed siblings chosen by Accept-Encoding."""

    @server.route("/geo/<path:name>")
    def geometry(name: str) -> flask.Response:
        from portal.store import get_store

        if not GEO_NAME.match(name):
            flask.abort(404)
        # Any kept release may hold the file (pinned links); the current one first.
        store = get_store(settings)
        candidates = [store.path / "geo" / name]
        candidates += sorted((settings.release_path / "releases").glob(f"*/geo/{name}"))
        path = next((p for p in candidates if p.exists()), None)
        if path is None:
            flask.abort(404)
        accept = flask.request.headers.get("Accept-Encoding", "")
        encoding = None
        for enc, suffix in (("br", ".br"), ("gzip", ".gz")):
            if enc in accept and Path(str(path) + suffix).exists():
                path, encoding = Path(str(path) + suffix), enc
                break
        resp = flask.send_file(path, mimetype="application/geo+json", max_age=31536000, conditional=True, etag=True)
        if encoding:
            resp.headers["Content-Encoding"] = encoding
        resp.headers["Vary"] = "Accept-Encoding"
        resp.headers["Cache-Control"] = IMMUTABLE
        resp.headers["Access-Control-Allow-Origin"] = "*"
        return resp


_INDEX = """<!DOCTYPE html>
<html lang="pl">
<head>
{%metas%}
<title>{%title%}</title>
{%favicon%}
{%css%}
</head>
<body>
<a class="skip-link" href="#main">Przejdź do treści</a>
{%app_entry%}
<footer>
{%config%}
{%scripts%}
{%renderer%}
</footer>
</body>
</html>"""
