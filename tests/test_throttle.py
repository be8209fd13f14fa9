"""Throttled logins: per account and per client address, in the database or in Redis, shared
by every worker process; and the same answer, at the same cost, whatever was wrong."""

import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask_babel import force_locale

from brott import create_app
from brott.extensions import db
from brott.models import AuditEntry, Council, LoginFailure, Membership, Role, User
from brott.services import auth as auth_service
from brott.services import throttle
from brott.services.audit import ACTION_LABELS

from .conftest import (
    PASSWORD,
    IsolatedClient,
    fresh_postgres_database,
    logged_in,
    skip_or_fail,
    test_config,
)
from .security_figures import record_figure

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm
ROOT = Path(__file__).resolve().parent.parent
WRONG = "Fel e-postadress eller lösenord."
START_TIMEOUT = 60


def attempt(client, email: str, password: str = "fel-lösenord", address: str = "10.0.0.9"):
    return client.post(
        "/logga-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def errors_of(html: str) -> list[str]:
    """The error texts a login page shows."""
    return re.findall(
        r'<p class="error">([^<]*)</p>|<div class="form-errors"[^>]*>\s*<p>([^<]*)', html
    )


def is_logged_in(client) -> bool:
    return client.get("/konto").status_code == 200


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis at {url} is not reachable: {error}")
    finally:
        client.close()
    return url


@pytest.fixture
def redis_app(app):
    """The app on the same database, counting failures in Redis under a prefix of its own."""
    prefix = f"brott-test-{uuid.uuid4().hex[:8]}:"
    other = create_app(
        test_config(
            app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url(), REDIS_KEY_PREFIX=prefix
        )
    )
    other.test_client_class = IsolatedClient
    other.config["NOW"] = app.config.get("NOW")
    yield other
    client = redis.Redis.from_url(other.config["REDIS_URL"])
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()
    with other.app_context():
        if "brott.redis" in other.extensions:
            other.extensions["brott.redis"].close()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["database", "redis"])
def counting_app(request, app, frozen):
    """The app with failures counted in the database, or in Redis."""
    if request.param == "database":
        return app
    return request.getfixturevalue("redis_app")


# --- per account --------------------------------------------------------------------------


@pytest.mark.security
def test_an_account_is_throttled_after_five_failures_with_the_time_to_try_again(
    counting_app, member
):
    client = counting_app.test_client()
    answers = [attempt(client, member.email).status_code for _ in range(7)]
    refused_before = answers.index(429)

    assert answers == [200] * 5 + [429] * 2
    response = attempt(client, member.email, PASSWORD)
    assert response.status_code == 429
    assert "Försök igen om 15 minuter, kl. 10:15." in response.text
    assert not is_logged_in(client)
    record_figure("logins", "attempts until throttled (account)", refused_before)


def test_the_throttle_passes_with_the_window(counting_app, member, frozen):
    client = counting_app.test_client()
    for minute in range(5):
        frozen.now = NOW + timedelta(minutes=minute)
        attempt(client, member.email)
    frozen.now = NOW + timedelta(minutes=14)
    response = attempt(client, member.email, PASSWORD)
    assert response.status_code == 429
    assert "Försök igen om 1 minut, kl. 10:15." in response.text

    frozen.now = NOW + timedelta(minutes=15, seconds=1)
    assert attempt(client, member.email, PASSWORD).status_code == 302


def test_a_successful_login_forgives_the_accounts_failures(counting_app, member):
    client = counting_app.test_client()
    for _ in range(4):
        attempt(client, member.email)
    assert attempt(client, member.email, PASSWORD).status_code == 302
    client.post("/logga-ut")
    answers = [attempt(client, member.email).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_an_unknown_account_is_throttled_with_the_same_answer_as_a_known_one(counting_app, member):
    client = counting_app.test_client()
    for _ in range(5):
        attempt(client, member.email, address="10.0.0.1")
        attempt(client, "ingen@exempel.se", address="10.0.0.2")
    known = attempt(client, member.email, address="10.0.0.1")
    unknown = attempt(client, "ingen@exempel.se", address="10.0.0.2")
    assert known.status_code == unknown.status_code == 429
    assert errors_of(known.text) == errors_of(unknown.text)


def test_the_account_key_ignores_case_and_spaces(counting_app, member):
    client = counting_app.test_client()
    for typed in ("  " + member.email.upper(), member.email.title(), *[member.email] * 3):
        attempt(client, typed)
    assert attempt(client, member.email, PASSWORD).status_code == 429


def test_limits_are_configurable(app, member, frozen):
    strict = create_app(
        test_config(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_FAILURES_PER_ACCOUNT=2)
    )
    strict.test_client_class = IsolatedClient
    strict.config["NOW"] = app.config["NOW"]
    client = strict.test_client()
    assert [attempt(client, member.email).status_code for _ in range(3)] == [200, 200, 429]
    with strict.app_context():
        db.session.remove()
        db.engine.dispose()


# --- per address --------------------------------------------------------------------------


@pytest.mark.security
def test_an_address_is_throttled_after_thirty_failures_on_any_accounts(app, member, frozen):
    client = app.test_client()
    answers = [attempt(client, f"gissning{n}@exempel.se").status_code for n in range(31)]
    assert answers == [200] * 30 + [429]
    # the right password of a real account waits too, from that address only
    assert attempt(client, member.email, PASSWORD).status_code == 429
    assert attempt(client, member.email, PASSWORD, address="10.0.0.10").status_code == 302
    record_figure("logins", "attempts until throttled (address)", answers.index(429))


# --- what is stored -----------------------------------------------------------------------


def test_failures_are_rows_that_are_pruned_when_old(app, member, frozen):
    client = app.test_client()
    attempt(client, member.email)
    keys = sorted(db.session.scalars(sa.select(LoginFailure.key)))
    assert keys == [f"account:{member.email}", "ip:10.0.0.9"]
    db.session.rollback()

    # another key's old rows stay a day (other kinds of key count over longer windows,
    # services/rate_limit); the same key's rows leave with its window
    frozen.now = NOW + timedelta(minutes=20)
    attempt(client, "annan@exempel.se", address="10.0.0.10")
    assert len(list(db.session.scalars(sa.select(LoginFailure)))) == 4
    attempt(client, member.email)  # from 10.0.0.9 again: its old rows are pruned
    rows = {(row.key, row.at) for row in db.session.scalars(sa.select(LoginFailure))}
    assert {at for _key, at in rows} == {frozen.now}
    assert len(rows) == 4

    frozen.now = NOW + timedelta(days=1, minutes=21)
    attempt(client, "tredje@exempel.se", address="10.0.0.11")
    assert {row.at for row in db.session.scalars(sa.select(LoginFailure))} == {frozen.now}


def test_redis_counts_expire_and_no_rows_are_written(redis_app, member, frozen):
    client = redis_app.test_client()
    for _ in range(5):
        attempt(client, member.email)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 0
    store = redis.Redis.from_url(redis_app.config["REDIS_URL"])
    prefix = redis_app.config["REDIS_KEY_PREFIX"] + "login-failures:"
    count_key = f"{prefix}account:{member.email}"
    assert int(store.get(count_key)) == 5
    assert 0 < store.ttl(count_key) <= 15 * 60  # Redis forgets it by itself, too
    store.close()


def test_a_throttled_attempt_is_in_the_audit_log(app, council, member, make_user, frozen):
    client = app.test_client()
    for _ in range(6):
        attempt(client, member.email)
    [entry] = db.session.scalars(sa.select(AuditEntry).filter_by(action="login_throttled"))
    assert (entry.actor_id, entry.summary) == (member.id, member.email)
    db.session.rollback()

    admin = logged_in(app, make_user(Role.ADMIN, council))
    page = admin.get("/r/borlange/admin/logg?handelse=login_throttled").text
    assert page.count(member.email) >= 1
    with force_locale("sv"):
        assert str(ACTION_LABELS["login_throttled"]) == "Inloggning nekad: för många försök"


# --- the same answer and cost -------------------------------------------------------------


@pytest.fixture
def hash_checks(monkeypatch):
    """Counts the password-hash checks of the login service."""
    calls = []
    real = auth_service.check_password_hash

    def counted(pwhash: str, password: str) -> bool:
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(auth_service, "check_password_hash", counted)
    return calls


def test_unknown_wrong_inactive_and_throttled_get_one_hash_check_each(
    app, make_user, hash_checks, frozen
):
    user, inactive = make_user(), make_user(active=False)
    client = app.test_client()
    texts = {}
    for path, email, password, address in [
        ("unknown", "ingen@exempel.se", PASSWORD, "10.0.1.1"),
        ("wrong password", user.email, "fel-lösenord", "10.0.1.2"),
        ("inactive", inactive.email, PASSWORD, "10.0.1.3"),
    ]:
        hash_checks.clear()
        response = attempt(client, email, password, address)
        assert response.status_code == 200
        assert len(hash_checks) == 1, path
        texts[path] = errors_of(response.text)
    assert texts["unknown"] == texts["wrong password"] == texts["inactive"]
    assert WRONG in str(texts["unknown"])

    for _ in range(5):
        attempt(client, user.email, address="10.0.1.4")
    hash_checks.clear()
    assert attempt(client, user.email, PASSWORD, "10.0.1.4").status_code == 429
    assert len(hash_checks) == 1  # a dummy: the real password is not looked at
    assert hash_checks[0] != user.password_hash

    hash_checks.clear()
    assert attempt(client, user.email, PASSWORD, "10.0.1.5").status_code == 429
    frozen.now = NOW + timedelta(minutes=16)
    hash_checks.clear()
    assert attempt(client, user.email, PASSWORD, "10.0.1.5").status_code == 302
    assert hash_checks == [user.password_hash]


# --- several worker processes -------------------------------------------------------------


class Worker:
    """A web worker subprocess (tests/login_worker.py) answering login commands."""

    def __init__(self, database_url: str, redis_at: str, prefix: str, stderr: Path) -> None:
        self.stderr_path = stderr
        self._stderr = stderr.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.login_worker", database_url, redis_at, prefix],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def read(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"worker ended:\n{self.stderr_path.read_text()}")
        return line.strip()

    def login(self, email: str, password: str, address: str) -> int:
        self.process.stdin.write(f"login {email} {password} {address}\n")
        self.process.stdin.flush()
        return int(self.read())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self._stderr):
            stream.close()


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def shared_store(request, tmp_path):
    """(database URL, Redis URL or "-") that two workers share."""
    if request.param == "postgresql":
        with fresh_postgres_database("brott_throttle") as url:
            yield url, "-"
        return
    url = f"sqlite:///{tmp_path / 'logins.sqlite'}"
    yield url, (redis_url() if request.param == "redis" else "-")


@pytest.mark.security
def test_throttling_across_two_worker_processes(shared_store, tmp_path):
    database_url, redis_at = shared_store
    app = create_app(test_config(database_url))
    with app.app_context():
        db.create_all()
        council = Council(slug="rad", name="Rådet", municipality="K")
        user = User(email="delad@exempel.se", name="Delad")
        user.set_password(PASSWORD)
        db.session.add_all(
            [council, user, Membership(user=user, council=council, role=Role.MEMBER)]
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    prefix = f"brott-test-{uuid.uuid4().hex[:8]}:"
    a, b = (Worker(database_url, redis_at, prefix, tmp_path / f"{n}.err") for n in "ab")
    try:
        assert a.read() == "ready" and b.read() == "ready"
        answers = [a.login("delad@exempel.se", "fel", "10.0.0.1") for _ in range(3)]
        answers += [b.login("delad@exempel.se", "fel", "10.0.0.2") for _ in range(2)]
        assert answers == [200] * 5
        # the fifth failure was B's; A now refuses too, even the right password
        assert a.login("delad@exempel.se", PASSWORD, "10.0.0.1") == 429
        assert b.login("delad@exempel.se", PASSWORD, "10.0.0.3") == 429
        # the address limit is shared as well (the workers allow 6 failures per address)
        others = [
            (a if n % 2 else b).login(f"gissning{n}@exempel.se", "fel", "10.0.0.7")
            for n in range(7)
        ]
        assert others == [200] * 6 + [429]
    finally:
        a.close()
        b.close()
        if redis_at != "-":
            store = redis.Redis.from_url(redis_at)
            for key in store.scan_iter(match=prefix + "*"):
                store.delete(key)
            store.close()
    record_figure("logins", "attempts until throttled across two processes (account)", len(answers))


def test_the_throttle_reads_the_client_address_and_the_normalised_email(app):
    assert throttle.account_key("  Sara@Exempel.SE ") == "account:sara@exempel.se"
    assert throttle.address_key("192.0.2.1") == "ip:192.0.2.1"
    assert throttle.address_key(None) == "ip:unknown"
    assert len(throttle.account_key("x" * 400 + "@exempel.se")) <= throttle.KEY_LENGTH


def _forwarded(client, forwarded_for: str):
    """A failed login that came through a proxy at 10.0.0.1 for `forwarded_for`."""
    return client.post(
        "/logga-in",
        data={"email": "ingen@exempel.se", "password": "fel"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_configured_proxy_the_forwarded_client_address_is_counted(app, frozen):
    behind = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], PROXY_HOPS=1))
    behind.test_client_class = IsolatedClient
    behind.config["NOW"] = app.config["NOW"]
    for client_app, expected in ((behind, "ip:192.0.2.44"), (app, "ip:10.0.0.1")):
        with client_app.app_context():
            _forwarded(client_app.test_client(), "192.0.2.44")
            keys = set(db.session.scalars(sa.select(LoginFailure.key)))
            assert expected in keys
            db.session.execute(sa.delete(LoginFailure))
            db.session.commit()
    # without PROXY_HOPS the header is anyone's to forge: it is not read
    with app.app_context():
        keys = set(db.session.scalars(sa.select(LoginFailure.key)))
        assert "ip:192.0.2.44" not in keys
    with behind.app_context():
        db.session.remove()
        db.engine.dispose()
