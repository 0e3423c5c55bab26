"""Rendered unit profiles, kept as compressed JSON: a repeat visit of a profile is a lookup.

A profile (/jst/<teryt>) is a function of the release, its edition, the path and the query string only
(the page reads nothing else of the request), yet building it costs ~40 ms of Python: ~84 card verdicts,
sparklines, similar units, ~1,200 components. The router's output for such a path is serialised once per
process and kept zlib-compressed (≈25–30 KB a page); later requests hand Dash the same bytes as an
``orjson.Fragment`` (see portal/fastjson.py), so the response is byte-identical to a fresh render.

The cache keys on ``store.cache_key`` (version and edition), the path, the query and – for a link pinned to a
version – the pin and the current version, so a new release, the demo edition or a pinned link never serves
another's page; it holds at most ``MAX_PAGES`` pages per process, least recently used dropped first.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable

import orjson

MAX_PAGES = 256  # ≈ 7 MB of compressed pages per worker at most
CACHED_PATHS = re.compile(r"^/jst/[^/]+/?$")

_lock = threading.Lock()
_pages: OrderedDict[tuple, bytes] = OrderedDict()
stats = {"hits": 0, "misses": 0}


class Prerendered:
    """Already serialised JSON standing in for a component tree in a Dash response."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def to_plotly_json(self) -> orjson.Fragment:
        return orjson.Fragment(self.raw)


def _serialise(tree: object) -> bytes:
    from portal.fastjson import _OPTIONS, _default

    # Raw orjson output: the escaping of <, >, / that portal.fastjson.to_json applies to the whole response
    # is applied to these bytes too when the response is written, so the result is the same.
    return orjson.dumps(tree, default=_default, option=_OPTIONS)


def cached_page(path: str, search: str | None, render: Callable[[str, str | None], object]) -> object:
    """The router's page for a path: from the cache for a unit profile, else ``render(path, search)``."""
    if not CACHED_PATHS.match(path or ""):
        return render(path, search)
    from portal.store import current_version, get_store, pinned_version

    # A link pinned to a version (`v=`) says "newer data are available" once that version is no longer current
    # (layouts/components/shell.py): the key holds the pin and what is current then.
    pinned = pinned_version()
    key = (get_store().cache_key, path, search or "", (pinned, current_version()) if pinned else None)
    with _lock:
        packed = _pages.get(key)
        if packed is not None:
            _pages.move_to_end(key)
            stats["hits"] += 1
    if packed is not None:
        return Prerendered(zlib.decompress(packed))
    raw = _serialise(render(path, search))
    with _lock:
        stats["misses"] += 1
        _pages[key] = zlib.compress(raw, 1)
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)
    return Prerendered(raw)


def warm(server) -> list[str]:
    """Render a gmina's and a powiat's profile in both languages in this process (gunicorn's master, before
    the workers fork; see portal/wsgi.py): what a first render builds and keeps (translations, locale data,
    peer tables, the rate fits of the latest years) is then made once and shared by every worker instead of
    once in each (measured: a worker's PSS after a profile 84 → 73 MB). Returns the paths rendered."""
    from portal import views
    from portal.store import get_store

    paths = []
    with server.test_request_context("/"):
        store = get_store()
        gmina = str(store.level_codes("gmina")[0])
        for path in (f"/jst/{gmina}", f"/jst/{gmina[:4]}"):
            for search in ("", "?lang=en"):
                cached_page(path, search, views.page)
                paths.append(path + search)
    return paths


def clear() -> None:
    with _lock:
        _pages.clear()
        stats.update(hits=0, misses=0)


__all__ = ["MAX_PAGES", "Prerendered", "cached_page", "clear", "warm"]
