"""The open-data API (/api/v1), downloads and oEmbed: a Flask blueprint over the release store."""

from __future__ import annotations

import flask

from portal.config import Settings


def register_api(server: flask.Flask, settings: Settings) -> None:
    """Attach the API blueprint (filled in by portal/api/v1.py)."""
    try:
        from portal.api.v1 import blueprint
    except ImportError:  # pragma: no cover - during bootstrap
        return
    server.register_blueprint(blueprint)
