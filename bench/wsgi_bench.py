"""The portal as served in production, plus two reference points for the benchmark:
a no-op Dash callback (the floor of Dash's own dispatch cost) and a Flask route returning precomputed gzip
bytes (the ceiling of what gunicorn can serve on this machine)."""

from __future__ import annotations

import gzip

import flask
from dash import Input, Output, callback

NOOP_OUT = "bench-noop-out"
NOOP_IN = "bench-noop-in"


@callback(Output(NOOP_OUT, "children"), Input(NOOP_IN, "value"))
def noop(value):  # registered before the app is built, so it attaches to it
    return value


from portal.wsgi import app, server  # noqa: E402,F401 - after the bench callback is declared

_CEILING = gzip.compress(b'{"ok": true, "data": "' + b"x" * 2000 + b'"}')


@server.route("/_bench/ceiling")  # added after freeze: a few objects, irrelevant to memory
def ceiling() -> flask.Response:
    resp = flask.Response(_CEILING, mimetype="application/json")
    resp.headers["Content-Encoding"] = "gzip"
    return resp
