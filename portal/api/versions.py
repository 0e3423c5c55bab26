"""Version-pinned requests: the `v=<data version>` parameter shared by the API, embeds, oEmbed and downloads.

A version is the name of a kept release folder (releases/<version>/). `store_for(v)` returns that release's
store, the current one when v is empty; a malformed v raises `VersionError(400)`, a version that is not (or
no longer) kept raises `VersionError(404)` carrying the list of kept versions so every surface can say which
ones it could use instead.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from portal.config import Settings
from portal.release import NoReleaseError, list_releases, releases_root
from portal.store import Store, get_store

PARAM = "v"
VERSION_PATTERN = r"^[0-9A-Za-z]{1,40}$"
_VERSION = re.compile(VERSION_PATTERN)


class VersionError(Exception):
    """A `v` that cannot be served: 400 when malformed, 404 when not kept (with the kept versions)."""

    def __init__(self, status: int, version: str, kept: list[str]) -> None:
        self.status, self.version, self.kept = status, version, kept
        if status == 400:
            message = (f"Błędna wersja danych '{version[:40]}': litery i cyfry, najwyżej 40 znaków. "
                       f"Malformed data version.")
        else:
            message = (f"Wersja danych '{version[:40]}' nie jest przechowywana; przechowywane: "
                       f"{', '.join(kept) or 'brak'}. Data version not kept.")
        super().__init__(message)
        self.message = message


def app_settings() -> Settings:
    """The settings of the app serving this request (create_app(settings)); the environment's outside one."""
    import flask

    if flask.has_app_context() and "OMUP_SETTINGS" in flask.current_app.config:
        return flask.current_app.config["OMUP_SETTINGS"]
    from portal.store import _default_settings

    return _default_settings()


def kept_versions(settings: Settings | None = None) -> list[str]:
    """Kept release versions, newest first."""
    return [r["version"] for r in list_releases(settings or app_settings())]


def current_version(settings: Settings | None = None) -> str:
    return get_store(settings or app_settings()).version


def parse_version(raw: str | None, settings: Settings | None = None) -> str | None:
    """None for an absent or empty v; the version when it is kept; VersionError otherwise."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    settings = settings or app_settings()
    if not _VERSION.fullmatch(raw):
        raise VersionError(400, raw, kept_versions(settings))
    # One stat, not a listing: a release folder exists exactly while it is kept (pruning removes it).
    if not (releases_root(settings) / raw / "metadata.json").exists():
        raise VersionError(404, raw, kept_versions(settings))
    return raw


def store_for(raw: str | None, settings: Settings | None = None) -> Store:
    """The store for a request's v (current when absent); VersionError when it cannot be served."""
    settings = settings or app_settings()
    version = parse_version(raw, settings)
    try:
        return get_store(settings, version)
    except NoReleaseError as exc:  # pruned between the listing and the load
        raise VersionError(404, raw or "", kept_versions(settings)) from exc


def with_version(url: str, version: str | None) -> str:
    """url with v=<version> appended (replacing any v already there); url unchanged when version is None."""
    if not version:
        return url
    path, _, query = url.partition("?")
    parts = [p for p in query.split("&") if p and not p.startswith(f"{PARAM}=")]
    parts.append(urlencode({PARAM: version}))
    return f"{path}?{'&'.join(parts)}"


def without_version(url: str) -> str:
    path, _, query = url.partition("?")
    parts = [p for p in query.split("&") if p and not p.startswith(f"{PARAM}=")]
    return path + ("?" + "&".join(parts) if parts else "")


__all__ = ["PARAM", "VERSION_PATTERN", "VersionError", "app_settings", "current_version", "kept_versions",
           "parse_version", "store_for", "with_version", "without_version"]
