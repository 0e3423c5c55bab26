"""Shared fixtures: the built release (built once if missing) and the store over it."""

from __future__ import annotations

import pytest

from portal.config import Settings
from portal.release import NoReleaseError, current_release_path


def _ensure_release() -> Settings:
    """Build the default release once if none exists (a fresh clone): ~40 s."""
    s = Settings.from_env()
    try:
        current_release_path(s)
    except NoReleaseError:
        from portal.pipeline.build import build_release

        build_release(s)
    return s


def pytest_sessionstart(session) -> None:
    # Before collection: some test modules build the app (and so load the release) at import time.
    _ensure_release()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return _ensure_release()


@pytest.fixture(scope="session")
def store(settings):
    from portal.store import get_store

    return get_store(settings)


# Tests make many requests from one client address: the per-client rate limits of production would answer 429.
# The rate-limit test builds its own app with low limits.
import os  # noqa: E402

os.environ.setdefault("OMUP_RATE_LIMIT", "1000000 per minute")


@pytest.fixture
def demo_mode(monkeypatch):
    """Serve the demo edition (official plus synthetic values) as a request with `demo=1` would."""
    import sys

    import portal.changelog  # noqa: F401  (modules that import demo_requested by name: patch them all)
    import portal.store

    original = portal.store.demo_requested
    for module in list(sys.modules.values()):
        if getattr(module, "demo_requested", None) is original:
            monkeypatch.setattr(module, "demo_requested", lambda: True)
    return True


@pytest.fixture(scope="session")
def demo_store(settings):
    from portal.store import get_store

    return get_store(settings, demo=True)
