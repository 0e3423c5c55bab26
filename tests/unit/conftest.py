"""Unit-test wiring: callbacks render through portal/views.py, which the app factory binds; tests that call
callbacks without building an app get the same bindings here (portal.app.bind_views)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _bound_views() -> None:
    from portal.app import bind_views

    bind_views()
