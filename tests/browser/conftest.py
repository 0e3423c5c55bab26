"""Browser journeys: a real portal server (gunicorn-free `omup serve`) and headless Chromium via Playwright.

Pages must not log console errors: each test fails at teardown if the browser reported one.
Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
CHROMIUM = os.environ.get("OMUP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--disable-quic", "--disable-component-update", "--disable-sync"]
IGNORED_CONSOLE = ("GL Driver Message", "GPU stall", "WebGL", "Automatic fallback to software WebGL")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(settings):
    port = _free_port()
    env = dict(os.environ, OMUP_CACHE_URL="", PYTHONUNBUFFERED="1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_path = SCREENSHOTS / "live_server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.time() + 90
            while True:
                try:
                    with urllib.request.urlopen(base + "/_dash-layout", timeout=2):
                        pass
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(f"portal server exited:\n{log_path.read_text()[-3000:]}") from None
                    if time.time() > deadline:
                        raise RuntimeError("portal server did not start in 90 s") from None
                    time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _new_page(browser, width: int, errors: list[str]):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="pl-PL")
    page = context.new_page()
    page.set_default_timeout(20_000)

    def on_console(msg):
        if msg.type == "error" and not any(s in msg.text for s in IGNORED_CONSOLE):
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return context, page


@pytest.fixture
def page(browser):
    """A desktop-sized page (1366 px); fails the test if the browser logged console errors."""
    errors: list[str] = []
    context, pg = _new_page(browser, 1366, errors)
    yield pg
    context.close()
    assert not errors, f"browser console errors: {errors[:5]}"


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (360 px)."""
    errors: list[str] = []
    context, pg = _new_page(browser, 360, errors)
    yield pg
    context.close()
    assert not errors, f"browser console errors: {errors[:5]}"


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Screenshots are for people to look at, not assertions. A full-page shot makes Chromium redraw every WebGL
    # map at the page's whole height (software GL): on a loaded machine that took over 20 s once, so wait
    # longer and fall back to the visible part rather than fail the journey it illustrates.
    try:
        page.screenshot(path=str(path), full_page=True, timeout=60_000)
    except PlaywrightTimeoutError:
        page.screenshot(path=str(path), timeout=60_000)
    return path
