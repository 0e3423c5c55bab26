"""The partial plotly.js bundle served in place of Dash's full one: it must hold every trace type OMUP draws,
and it must be what the browser gets at the URL Dash's renderer loads plotly.js from."""

from __future__ import annotations

import re
from pathlib import Path

import brotli
import plotly.graph_objects as go
import pytest

from portal.bundles import PLOTLY_BUNDLE, PLOTLY_URL

ROOT = Path(__file__).resolve().parents[2]


def _all_trace_types() -> set[str]:
    """Every trace type plotly knows (from the Python package's figure schema)."""
    from plotly.basedatatypes import BaseTraceType

    classes = [getattr(go, name) for name in dir(go) if name[:1].isupper()]  # go imports lazily: no vars()
    return {cls().type for cls in classes
            if isinstance(cls, type) and issubclass(cls, BaseTraceType) and cls is not BaseTraceType}


def _used_trace_types() -> set[str]:
    """Trace types named anywhere in the code that builds figures ("type": "<trace>")."""
    known = _all_trace_types()
    used: set[str] = set()
    for folder in ("portal", "layouts", "callbacks"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= {t for t in re.findall(r'"type":\s*"(\w+)"', path.read_text(encoding="utf-8")) if t in known}
    return used


def _bundled_trace_types() -> set[str]:
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', PLOTLY_BUNDLE.read_text(encoding="utf-8")))


def test_bundle_holds_every_trace_type_the_portal_draws():
    used, bundled = _used_trace_types(), _bundled_trace_types()
    assert {"scatter", "bar", "box", "choroplethmap"} <= used  # the scan finds what it must
    assert used <= bundled, f"add {sorted(used - bundled)} to portal/static/plotly/entry.js and rebuild"


def test_bundle_is_partial():
    # The point of the bundle: far fewer trace types than Dash's full plotly.js (~45).
    assert len(_bundled_trace_types()) <= 6


@pytest.fixture(scope="module")
def client(settings):
    from portal.app import create_app

    return create_app(settings).server.test_client()


def test_plotly_url_serves_the_partial_bundle(client):
    raw = PLOTLY_BUNDLE.read_bytes()
    resp = client.get(PLOTLY_URL, headers={"Accept-Encoding": "br"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "br"
    assert brotli.decompress(resp.data) == raw
    plain = client.get(PLOTLY_URL)
    assert plain.status_code == 200 and plain.data == raw and "Content-Encoding" not in plain.headers
