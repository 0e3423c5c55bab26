"""WSGI entry point for gunicorn (see Procfile): the release is loaded once, before workers fork (--preload)."""

from portal.app import create_app

app = create_app()
server = app.server
