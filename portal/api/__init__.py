"""The open-data API (/api/v1), downloads and oEmbed: a Flask blueprint over the release store."""

from __future__ import annotations

import flask

from portal.config import Settings


def register_api(server: flask.Flask, settings: Settings) -> None:
    """Attach the API blueprint (portal/api/v1.py) and the downloads, embeds and oEmbed blueprints."""
    try:
        from portal.api.v1 import blueprint
    except ImportError:  # pragma: no cover - during bootstrap
        return
    server.register_blueprint(blueprint)
    from portal.api import downloads, embed, oembed

    server.register_blueprint(downloads.blueprint)
    server.register_blueprint(embed.blueprint)
    server.register_blueprint(oembed.blueprint)
    from portal.api import debate, similar  # issue 8: debate pack PDF, similar units

    server.register_blueprint(debate.blueprint)
    server.register_blueprint(similar.blueprint)
    from portal.api import feeds, report  # issue 16: report DOCX, goals file, decomposition; Atom feeds

    server.register_blueprint(report.blueprint)
    server.register_blueprint(feeds.blueprint)
