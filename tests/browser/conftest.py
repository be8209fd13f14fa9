"""Browser test harness: the app on a live server thread, driven by Debian's Chromium.

Playwright never downloads a browser here: it launches /usr/bin/chromium (the `chromium`
Debian package, which .ci/run installs when it is missing).
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from brott import create_app
from brott.extensions import db
from brott.models import utcnow
from brott.services.demo import load_demo

from ..conftest import skip_or_fail, test_config

CHROMIUM = Path(os.environ.get("BROTT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    # no network beyond loopback here: keep Chromium from reaching out
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory) -> Iterator[Flask]:
    """The app as `make run` builds it: migrated SQLite, demo data, CSRF on."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite'}"
    app = create_app(test_config(url, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        upgrade()
        load_demo(utcnow())
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, server: LiveServer, email: str, password: str) -> None:
    page.goto(f"{server.url}/logga-in")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
