"""/healthz and /readyz: the answers probes get in each state, and nothing more told."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade

from brott import create_app
from brott.extensions import db
from brott.models import Role
from brott.services import heartbeat

from .conftest import IsolatedClient, empty_database, logged_in, test_config

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WORDS = {"ok", "unreachable", "behind", "unknown", "stale", "missing", "not expected"}


@pytest.fixture(scope="module")
def migrated(backend: str, tmp_path_factory) -> Iterator[Flask]:
    """An app on a database upgraded to head, as in production; its clock at NOW."""
    with empty_database(backend, tmp_path_factory.mktemp(f"ready-{backend}")) as url:
        app = create_app(test_config(url, NOW=lambda: NOW))
        app.test_client_class = IsolatedClient
        with app.app_context():
            upgrade()
            db.session.remove()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def expecting(migrated: Flask) -> Iterator[Flask]:
    """The migrated app with a scheduler expected and no heartbeat yet."""
    migrated.config["SCHEDULER_EXPECTED"] = True
    yield migrated
    migrated.config["SCHEDULER_EXPECTED"] = False
    with migrated.app_context():
        db.session.execute(db.delete(heartbeat.SchedulerHeartbeat))
        db.session.commit()


def _beat(app: Flask, at: datetime) -> None:
    with app.app_context():
        heartbeat.beat(at, "host-that-must-not-show", 4242)
        db.session.commit()


def _probe(app: Flask, path: str):
    response = app.test_client().get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.mimetype == "application/json"
    return response, response.get_json()


def _only_words(body: dict) -> None:
    """Nothing but the status and one word per check: no errors, versions, hosts or SQL."""
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == {"database", "migrations", "scheduler"}
    assert set(body["checks"].values()) <= WORDS


def test_alive_answers_without_the_database(tmp_path, backend):
    response, body = _probe(_unreachable(backend, tmp_path), "/healthz")
    assert (response.status_code, body) == (200, {"status": "ok"})


def test_ready_at_head_with_no_scheduler_expected(migrated):
    response, body = _probe(migrated, "/readyz")
    assert response.status_code == 200
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "scheduler": "not expected"},
    }


def test_not_ready_when_the_database_is_out_of_reach(tmp_path, backend):
    response, body = _probe(_unreachable(backend, tmp_path), "/readyz")
    assert response.status_code == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "unreachable"
    _only_words(body)
    text = response.get_data(as_text=True).lower()
    for secret in ("127.0.0.1", "psycopg", "sqlite", "error", "select", "refused"):
        assert secret not in text


def test_not_ready_while_migrations_are_behind(migrated):
    with migrated.app_context():
        downgrade(revision="0014")
    try:
        response, body = _probe(migrated, "/readyz")
        assert response.status_code == 503
        assert body["checks"] == {
            "database": "ok",
            "migrations": "behind",
            "scheduler": "not expected",
        }
    finally:
        with migrated.app_context():
            upgrade()


def test_an_expected_scheduler_must_have_a_fresh_heartbeat(expecting):
    response, body = _probe(expecting, "/readyz")
    assert (response.status_code, body["checks"]["scheduler"]) == (503, "missing")

    _beat(expecting, NOW - timedelta(minutes=4))
    response, body = _probe(expecting, "/readyz")
    assert (response.status_code, body["status"]) == (200, "ready")
    assert body["checks"]["scheduler"] == "ok"

    _beat(expecting, NOW - timedelta(minutes=6))
    response, body = _probe(expecting, "/readyz")
    assert (response.status_code, body["checks"]["scheduler"]) == (503, "stale")
    _only_words(body)
    assert "host-that-must-not-show" not in response.get_data(as_text=True)
    assert "4242" not in response.get_data(as_text=True)


def test_a_database_made_without_migrations_is_not_ready(app, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.data)["checks"]["migrations"] == "behind"


def test_the_probes_take_no_login_and_set_no_cookie(app, client, council, make_user):
    admin = make_user(Role.ADMIN, council)
    for who in (client, logged_in(app, admin)):
        response = who.get("/healthz")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


# --- the outbox page warns when the scheduler is silent ------------------------------------


@pytest.fixture
def outbox_page(app, council, make_user, frozen, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", True)

    def page(role: Role = Role.ADMIN) -> str:
        response = logged_in(app, make_user(role, council)).get("/r/borlange/admin/utskick")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return page


WARNING = 'class="conflict" role="alert"'


def test_admins_and_coordinators_are_warned_when_the_heartbeat_is_stale(app, outbox_page):
    _beat(app, NOW - timedelta(minutes=6))
    assert WARNING in outbox_page(Role.ADMIN)
    assert WARNING in outbox_page(Role.COORDINATOR)


def test_no_warning_while_the_heartbeat_is_fresh(app, outbox_page):
    _beat(app, NOW - timedelta(minutes=1))
    assert WARNING not in outbox_page()


def test_a_missing_heartbeat_warns_only_when_a_scheduler_is_expected(app, outbox_page, monkeypatch):
    assert WARNING in outbox_page()
    monkeypatch.setitem(app.config, "SCHEDULER_EXPECTED", False)
    assert WARNING not in outbox_page()


def _unreachable(backend: str, tmp_path) -> Flask:
    """An app whose database cannot be reached: a closed port, or a folder that is not."""
    if backend == "postgresql":
        url = "postgresql+psycopg://postgres@127.0.0.1:1/brott"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'brott.sqlite'}"
    app = create_app(test_config(url))
    app.test_client_class = IsolatedClient
    return app
