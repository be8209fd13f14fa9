"""Fixtures: the app on SQLite and PostgreSQL, isolated requests; factories in factories.py.

Every test that uses `app` runs once per database backend. PostgreSQL runs when
TEST_DATABASE_URL points at a reachable server; with BROTT_TEST_STRICT=1 (set by CI) a
missing server or browser fails the run instead of skipping.
"""

import contextvars
import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from brott import create_app
from brott.extensions import db
from brott.models import (
    Role,
    User,
)

pytest_plugins = ["tests.factories"]  # one factory per model, as fixtures

PASSWORD = "rätt-lösenord-123"
STRICT = os.environ.get("BROTT_TEST_STRICT") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI, where nothing may pass by being skipped."""
    if STRICT:
        pytest.fail(f"{reason} (BROTT_TEST_STRICT=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def postgres_url() -> str:
    """The PostgreSQL URL for tests, checked to be reachable; skips or fails otherwise."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        skip_or_fail("PostgreSQL run skipped: TEST_DATABASE_URL is not set")
    from brott.config import normalise_database_url

    url = normalise_database_url(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        skip_or_fail(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}")
    finally:
        engine.dispose()
    return url


@contextmanager
def fresh_postgres_database(prefix: str = "brott_test") -> Iterator[str]:
    """A brand-new database on the test server, dropped afterwards.

    Each test session gets its own, so two runs on one server never block each other.
    """
    server = postgres_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


PHOTO_DIR = tempfile.mkdtemp(prefix="brott-test-photos-")
IMPORT_DIR = tempfile.mkdtemp(prefix="brott-test-imports-")


def test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        # uploaded photos and register imports of a test run go to temporary folders, never
        # the instance folder
        "PHOTO_DIR": PHOTO_DIR,
        "REGISTER_IMPORT_DIR": IMPORT_DIR,
    }
    if database_url.startswith("postgresql"):
        # a test database need not survive a power cut: commits return before the disk
        # flush (the same answers, a fraction of the wait)
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    config.update(overrides)
    return config


test_config.__test__ = False  # a helper, not a test, wherever it is imported


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, so it gets its own app context and session.

    Without this, a request would reuse the test's app context: its SQLAlchemy session and
    Flask-Login's cached user in `g`, hiding bugs that a real deployment would show.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def pytest_collection_modifyitems(config, items) -> None:
    """A test marked `only_on("postgresql")` (a server session, pg_dump) or
    `only_on("sqlite")` (its file lock) is not collected for the other database: deselected,
    not skipped, so that a skip in CI always means something is missing."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("only_on")
        params = getattr(getattr(item, "callspec", None), "params", {})
        if marker and params.get("backend", marker.args[0]) != marker.args[0]:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@contextmanager
def empty_database(backend: str, directory) -> Iterator[str]:
    """The URL of a new, empty database on `backend`."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'test.sqlite'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory) -> Iterator[Flask]:
    with empty_database(backend, tmp_path_factory.mktemp(backend)) as url:
        app = create_app(test_config(url))
        app.test_client_class = IsolatedClient
        with app.app_context():
            if backend == "sqlite":  # as for PostgreSQL above: no disk flush per commit
                sa.event.listen(db.engine, "connect", _no_disk_flush)
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _no_disk_flush(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(autouse=True)
def _app_context(request) -> Iterator[None]:
    """For tests using `app`: an app context for factories, and empty tables afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # one round trip finds the tables a test wrote to; truncating only those is
            # several times faster than truncating every table after every test
            written = " UNION ALL ".join(
                f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
            )
            names = ", ".join(
                f'"{name}"' for name in connection.execute(sa.text(written)).scalars()
            )
            if names:
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """The same database, with CSRF protection switched on as in production."""
    protected = create_app(
        test_config(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    )
    protected.test_client_class = IsolatedClient
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def frozen(app, request):
    """The app's clock stands still at the test module's NOW; tests move it via `.now`."""

    class Clock:
        now = request.module.NOW

    app.config["NOW"] = lambda: Clock.now
    yield Clock
    app.config.pop("NOW", None)


# --- a council with one person per role (modules may override any of these) -------------


@pytest.fixture
def council(make_council):
    return make_council(slug="borlange")


@pytest.fixture
def coordinator(make_user, council):
    return make_user(Role.COORDINATOR, council, name="Erik Sandberg")


@pytest.fixture
def member(make_user, council):
    return make_user(Role.MEMBER, council, name="Sara Holm")


@pytest.fixture
def police(make_user, council):
    return make_user(Role.POLICE, council, name="Johan Berg")


def login(client: FlaskClient, user: User, password: str = PASSWORD):
    """Log in through the real form."""
    return client.post("/logga-in", data={"email": user.email, "password": password})


def logged_in(app: Flask, user: User, password: str = PASSWORD) -> FlaskClient:
    """A new client of `app`, logged in as `user`."""
    client = app.test_client()
    assert login(client, user, password=password).status_code == 302, "login failed"
    return client


def hidden_value(html: str, name: str) -> str:
    """The value of a hidden input in a rendered form."""
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden field {name!r} in the page"
    return match.group(1)


@pytest.fixture
def without_notices(monkeypatch):
    """For tests that count the reminder and digest traffic: the notices of being assigned,
    invited, or of a moved or cancelled meeting (tested in test_notices.py) are not queued."""
    from brott.services import notices

    for name in ("action_assigned", "invited_to_series", "meeting_moved", "meeting_cancelled"):
        monkeypatch.setattr(notices, name, lambda *args, **kwargs: 0)


@pytest.fixture
def smtp():
    """A real SMTP server on loopback that keeps what it receives (tests/smtp_server.py)."""
    from .smtp_server import running_smtp

    with running_smtp() as server:
        yield server


@pytest.fixture
def mailer(smtp):
    """A mailer that hands messages to the loopback server over SMTP."""
    from brott.mail import SmtpMailer

    return SmtpMailer(smtp.host, smtp.port, timeout=10)
