"""Running it: request size limits, a database outage, failing shell commands, the log.

- A request body over MAX_CONTENT_LENGTH (a form text over MAX_FORM_MEMORY_SIZE) is refused
  with 413 and a short, translated page, before any view reads it.
- With the database out of reach every page that needs it answers 503 with a plain,
  translated page (no traceback), and the app serves again by itself as soon as the database
  is back. On PostgreSQL for real: a throw-away database whose connections are killed and
  refused, then allowed again; on SQLite a database file whose folder is missing.
- Each shell command fails with one line on stderr and a non-zero exit.
- A server error's traceback reaches the log with the request id that the error page shows.
"""

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context, request
from flask_babel import lazy_gettext as _l

from brott import create_app, observability
from brott.cli import OperatorCommand
from brott.errors import ERROR_TEXTS, ERROR_TITLES, DomainError
from brott.extensions import db
from brott.i18n import language
from brott.models import Council, Membership, Role, SituationNote, User

from .conftest import (
    PASSWORD,
    IsolatedClient,
    fresh_postgres_database,
    logged_in,
    login,
    postgres_url,
    test_config,
)
from .factories import _password_hash
from .security_figures import record_figure

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/brott"
ENGLISH = {"Accept-Language": "en"}
MB = 1024 * 1024


_TEXT_APP: list[Flask] = []


def translated(text, locale: str = "sv") -> str:
    """`text` as the app renders it in `locale`; the catalog needs an app to be read from,
    and the outage tests run outside any (their own app's database is gone)."""
    if has_app_context():
        with language(locale):
            return str(text)
    if not _TEXT_APP:
        _TEXT_APP.append(create_app(test_config("sqlite://")))
    with _TEXT_APP[0].app_context(), language(locale):
        return str(text)


def reference_on(page: str, locale: str = "sv") -> str | None:
    """The request id quoted on an error page ("Felkod: …" in Swedish)."""
    prefix = translated(_l("Error code: %(reference)s"), locale).split("%(reference)s")[0]
    match = re.search(re.escape(prefix) + r"([0-9A-Za-z._-]+)", page)
    return match.group(1) if match else None


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body built in memory (the test client would spool it to a file)."""
    boundary = "grans-1234567890"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


# --- request size ------------------------------------------------------------------------


@pytest.mark.security
def test_a_30_mb_login_is_refused_with_413_and_a_short_page(app, backend, client):
    email = "a" * (30 * MB)

    response = client.post("/logga-in", data={"email": email, "password": "x"})

    assert response.status_code == 413
    assert len(response.data) < 20_000, "the field must not be echoed back"
    assert translated(ERROR_TITLES[413]) in response.text
    assert translated(ERROR_TEXTS[413]) in response.text
    record_figure("operations", f"answer to a 30 MB login, bytes ({backend})", len(response.data))


def test_the_size_limit_comes_before_the_csrf_check(csrf_app):
    response = csrf_app.test_client().post("/logga-in", data={"email": "a" * (2 * MB)})

    assert response.status_code == 413


def test_the_413_page_speaks_the_readers_language(app, client):
    response = client.post("/logga-in", data={"email": "a" * (2 * MB)}, headers=ENGLISH)

    assert response.status_code == 413
    assert "Too much data" in response.text
    assert "larger than the service accepts" in response.text


@pytest.mark.parametrize(
    ("size", "encoding"),
    [(2 * MB, "urlencoded"), (2 * MB, "multipart"), (700 * 1024, "multipart")],
)
def test_a_too_long_text_field_is_refused_and_nothing_is_saved(app, coordinator, size, encoding):
    """2 MB is over MAX_CONTENT_LENGTH; 700 kB in one multipart field is under it, but over
    MAX_FORM_MEMORY_SIZE."""
    client = logged_in(app, coordinator)
    form = {"observed_from": "2026-01-19T08:00", "text": "x" * size}
    if encoding == "multipart":
        body, content_type = multipart(form)
        response = client.post("/r/borlange/lagesbild/ny", data=body, content_type=content_type)
    else:
        response = client.post("/r/borlange/lagesbild/ny", data=form)

    assert response.status_code == 413
    assert translated(ERROR_TITLES[413]) in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SituationNote)) == 0


def test_an_ordinary_form_is_well_within_the_limits(app, client, member):
    response = login(client, member)

    assert response.status_code == 302
    assert app.config["MAX_CONTENT_LENGTH"] == MB
    assert app.config["MAX_FORM_MEMORY_SIZE"] == 500 * 1024


def test_the_limit_is_configurable(app):
    strict = create_app(
        test_config(app.config["SQLALCHEMY_DATABASE_URI"], MAX_CONTENT_LENGTH=10_000)
    )
    strict.test_client_class = IsolatedClient
    try:
        client = strict.test_client()
        assert client.post("/logga-in", data={"email": "a" * 20_000}).status_code == 413
        assert client.post("/logga-in", data={"email": "a" * 100}).status_code == 200
    finally:
        with strict.app_context():
            db.engine.dispose()


# --- the database out of reach -----------------------------------------------------------


def populated_app(url: str) -> Flask:
    """An app of its own on `url`, with a council and a coordinator in it."""
    app = create_app(test_config(url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        council = Council(slug="borlange", name="BRÅ Borlänge", municipality="Borlänge")
        user = User(email="samordnare@exempel.se", name="Erik", password_hash=_password_hash())
        db.session.add_all(
            [council, user, Membership(user=user, council=council, role=Role.COORDINATOR)]
        )
        db.session.commit()
    return app


def coordinator_of(app: Flask) -> User:
    with app.app_context():
        return db.session.scalars(sa.select(User)).one()


def assert_unavailable(response, what: str, locale: str = "sv") -> None:
    assert response.status_code == 503, f"{what}: {response.status_code}"
    page = response.text
    assert translated(ERROR_TITLES[503], locale) in page, what
    assert translated(ERROR_TEXTS[503], locale) in page, what
    assert response.headers["Retry-After"].isdigit(), what
    assert reference_on(page, locale) == response.headers["X-Request-ID"], what
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "127.0.0.1"):
        assert leak not in page, f"{what}: {leak} shown"


class PostgresAdmin:
    """Switches a test database's connections off and on, from outside the app."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.engine = sa.create_engine(postgres_url(), isolation_level="AUTOCOMMIT")

    def kill_connections(self) -> int:
        with self.engine.connect() as connection:
            return len(
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self.database},
                ).all()
            )

    def allow_connections(self, allowed: bool) -> None:
        with self.engine.connect() as connection:
            connection.execute(
                sa.text(
                    f'ALTER DATABASE "{self.database}" '
                    f"ALLOW_CONNECTIONS {'true' if allowed else 'false'}"
                )
            )

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def outage_app():
    """An app on a throw-away PostgreSQL database, and the switch of that database."""
    with fresh_postgres_database("brott_outage") as url:
        app = populated_app(url)
        admin = PostgresAdmin(sa.engine.make_url(url).database)
        try:
            yield app, admin
        finally:
            admin.allow_connections(True)
            admin.close()
            with app.app_context():
                db.engine.dispose()


@pytest.mark.security
def test_postgresql_going_away_gives_503_and_the_app_recovers_by_itself(outage_app):
    app, admin = outage_app
    coordinator = coordinator_of(app)
    member_client = logged_in(app, coordinator)
    assert member_client.get("/r/borlange/").status_code == 200

    admin.allow_connections(False)
    killed = admin.kill_connections()
    assert killed >= 1, "the app held a pooled connection"

    answers = {
        "measures (logged in)": member_client.get("/r/borlange/"),
        "profile (logged in)": member_client.get("/konto"),
        "a form post (logged in)": member_client.post(
            "/konto/kalender", data={"operation": "enable"}
        ),
        "login (anonymous)": app.test_client().post(
            "/logga-in", data={"email": coordinator.email, "password": PASSWORD}
        ),
        "a council page (anonymous)": app.test_client().get("/r/borlange/"),
        "a calendar feed (anonymous)": app.test_client().get("/kalender/abc.ics"),
    }
    for what, response in answers.items():
        assert_unavailable(response, what)
    english = member_client.get("/r/borlange/", headers=ENGLISH)
    assert_unavailable(english, "in English", locale="en")
    assert "The service is unavailable" in english.text

    admin.allow_connections(True)
    after = member_client.get("/r/borlange/")

    assert after.status_code == 200, "the same app serves again, still logged in"
    assert coordinator.name in after.text
    record_figure(
        "operations", "503 answers while PostgreSQL refused connections", len(answers) + 1
    )
    record_figure("operations", "first answer after PostgreSQL came back", after.status_code)


def test_connections_killed_between_requests_are_replaced_without_an_error(outage_app):
    app, admin = outage_app
    client = logged_in(app, coordinator_of(app))
    assert client.get("/r/borlange/").status_code == 200

    assert admin.kill_connections() >= 1

    assert client.get("/r/borlange/").status_code == 200, "the pool's ping found a new one"


def test_a_connection_lost_within_a_request_gives_503_and_leaves_nothing_broken(outage_app):
    app, admin = outage_app

    @app.get("/_test/lose-connection")
    def lose_connection():
        own = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        with admin.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": own})
        db.session.scalar(sa.text("SELECT 1"))
        return "unreachable"

    client = logged_in(app, coordinator_of(app))

    assert_unavailable(client.get("/_test/lose-connection"), "connection lost mid-request")
    assert client.get("/r/borlange/").status_code == 200
    assert client.get("/konto").status_code == 200


def test_a_database_failure_after_the_view_also_gives_503(tmp_path):
    # as served: TESTING would let Flask re-raise what fails outside a view
    app = create_app(test_config(f"sqlite:///{tmp_path / 'after.sqlite'}", TESTING=False))
    app.test_client_class = IsolatedClient

    @app.after_request
    def touch_the_database(response):
        if request.path == "/logga-in":
            raise sa.exc.OperationalError("UPDATE …", {}, Exception("server closed the connection"))
        return response

    response = app.test_client().get("/logga-in")

    assert response.status_code == 503
    assert translated(ERROR_TEXTS[503]) in response.text
    assert "Traceback" not in response.text and "server closed" not in response.text


def test_postgresql_not_listening_at_all_gives_503(tmp_path):
    app = create_app(test_config(UNREACHABLE_POSTGRES))
    app.test_client_class = IsolatedClient
    client = app.test_client()
    try:
        assert_unavailable(
            client.post("/logga-in", data={"email": "a@b.se", "password": "x"}), "login"
        )
        assert_unavailable(client.get("/r/borlange/"), "council page")
        assert client.get("/logga-in").status_code == 200, "a page needing no database still works"
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_missing_sqlite_database_gives_503_until_it_is_there(tmp_path):
    folder = tmp_path / "not-yet"
    app = create_app(test_config(f"sqlite:///{folder / 'brott.sqlite'}"))
    app.test_client_class = IsolatedClient
    try:
        assert_unavailable(app.test_client().get("/r/borlange/"), "council page")
        answer = app.test_client().post("/logga-in", data={"email": "a@b.se", "password": "x"})
        assert_unavailable(answer, "login")

        folder.mkdir()
        with app.app_context():
            db.create_all()
            user = User(email="a@b.se", name="A", password_hash=_password_hash())
            council = Council(slug="borlange", name="BRÅ", municipality="Borlänge")
            db.session.add_all(
                [user, council, Membership(user=user, council=council, role=Role.MEMBER)]
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)

        assert logged_in(app, user).get("/r/borlange/").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


# --- shell commands ----------------------------------------------------------------------


def run_flask(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROTT_")}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_error(stderr: str, starts: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert lines[0].startswith(f"Error: {starts}"), lines[0]
    assert "Traceback" not in stderr


@pytest.mark.security
@pytest.mark.parametrize(
    ("kind", "database_url"),
    [("postgresql", UNREACHABLE_POSTGRES), ("sqlite", "sqlite:////nonexistent-folder/b.sqlite")],
)
def test_dispatch_without_a_database_says_so_in_one_line(kind, database_url):
    result = run_flask("dispatch", database_url=database_url)

    assert result.returncode == 1
    assert_one_line_error(result.stderr, "the database is unreachable")
    assert result.stdout == ""
    record_figure(
        "operations",
        f"stderr lines of `dispatch` without a database ({kind})",
        len(result.stderr.strip().splitlines()),
    )


@pytest.mark.parametrize(
    "args",
    [
        ["demo"],
        ["create-user", "--email", "a@b.se", "--name", "A", "--council", "x", "--password", "p"],
    ],
)
def test_the_other_commands_without_a_database_say_so_in_one_line(args):
    result = run_flask(*args, database_url=UNREACHABLE_POSTGRES)

    assert result.returncode == 1
    assert_one_line_error(result.stderr, "the database is unreachable")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dispatch", "--bogus"], "No such option '--bogus'"),
        (["create-user", "--email", "a@b.se"], "Missing option '--name'"),
        (["demo", "surplus"], "Got unexpected extra argument"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(app, args, message):
    result = app.test_cli_runner().invoke(args=args)

    assert result.exit_code == 2
    assert_one_line_error(result.stderr, message)
    assert "--help lists the options" in result.stderr


def test_a_broken_rule_is_one_line(app, council, member):
    db.session.rollback()
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            member.email,
            "--name",
            "X",
            "--council",
            council.slug,
            "--role",
            "member",
            "--password",
            "whatever-123456",
        ]
    )

    assert result.exit_code == 1
    assert_one_line_error(result.stderr, "")


@click.command("explode", cls=OperatorCommand)
@click.option("--kind")
def explode(kind: str) -> None:
    """A command failing as asked, for the tests."""
    if kind == "domain":
        raise DomainError("Regeln bröts.\nAndra raden.")
    if kind == "database":
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
    raise ValueError("something odd\nwith a second line")


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("domain", "Error: Regeln bröts."),
        ("database", "Error: the database "),
        ("other", "Error: unexpected ValueError: something odd (FLASK_DEBUG=1 shows"),
    ],
)
def test_any_failure_of_a_command_is_one_line(app, kind, line):
    result = app.test_cli_runner().invoke(explode, ["--kind", kind])

    assert result.exit_code == 1
    assert_one_line_error(result.stderr, line.removeprefix("Error: "))
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT 1")) == 1, "the session is usable afterwards"


def test_every_command_of_the_app_fails_in_one_line():
    """A new command must use OperatorCommand too."""
    from brott import cli

    commands = [value for value in vars(cli).values() if isinstance(value, click.Command)]
    assert len(commands) >= 4
    for command in commands:
        assert isinstance(command, OperatorCommand), command.name


# --- the log and the request id ----------------------------------------------------------


@pytest.fixture
def failing_app(tmp_path):
    app = create_app(test_config(f"sqlite:///{tmp_path / 'log.sqlite'}"))
    app.test_client_class = IsolatedClient

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("secret detail of the failure")

    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.security
def test_a_server_error_logs_its_traceback_with_the_id_the_page_shows(failing_app, caplog):
    caplog.handler.addFilter(observability.RequestIdFilter())
    caplog.set_level(logging.ERROR)

    response = failing_app.test_client().get("/_test/boom")

    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert reference_on(response.text) == request_id
    assert "secret detail" not in response.text and "Traceback" not in response.text
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[0] is RuntimeError
    assert record.request_id == request_id
    assert request_id in record.getMessage()
    assert "secret detail of the failure" in caplog.text
    record_figure("operations", "server error logged with its request id", True)


def test_a_safe_incoming_request_id_is_kept_and_anything_else_replaced(failing_app):
    client = failing_app.test_client()
    proxy_id = "3f2a9c1e-77b0-4c1d-9a55-0e6f3b2d1c4a"

    kept = client.get("/_test/boom", headers={"X-Request-ID": proxy_id})
    assert kept.headers["X-Request-ID"] == proxy_id
    assert reference_on(kept.text) == proxy_id

    for hostile in ("short", "a" * 65, "abc def<script>", "x\u00e5\u00e4\u00f6-12345678"):
        response = client.get("/logga-in", headers={"X-Request-ID": hostile})
        assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"]), hostile
    first, second = client.get("/logga-in"), client.get("/logga-in")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_logging_is_set_up_on_stderr_only_when_the_host_has_not(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)

    observability.configure_logging("INFO")
    (handler,) = root.handlers
    app = Flask(__name__)
    with app.test_request_context(headers={"X-Request-ID": "req-12345678"}):
        logging.getLogger("brott.test").warning("something to see")
    observability.configure_logging("INFO")  # a second app changes nothing

    assert root.handlers == [handler]
    assert re.search(r"WARNING \[req-12345678\] brott.test: something to see", stream.getvalue())


def test_the_host_logging_configuration_is_kept(monkeypatch):
    root = logging.getLogger()
    host = logging.NullHandler()
    monkeypatch.setattr(root, "handlers", [host])

    observability.configure_logging("INFO")

    assert root.handlers == [host]


SERVER_SCRIPT = """
from brott import create_app
app = create_app({"TESTING": False, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
app.add_url_rule("/boom", "boom", lambda: 1 / 0)
response = app.test_client().get("/boom")
print(response.status_code, response.headers["X-Request-ID"])
"""


def test_a_traceback_reaches_the_servers_stderr_with_the_request_id():
    """As a WSGI server runs it: no logging configured by anyone but the app."""
    result = subprocess.run(
        [sys.executable, "-c", SERVER_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    status, request_id = result.stdout.split()
    assert status == "500"
    assert re.search(rf"ERROR \[{request_id}\] brott.errors: unhandled error", result.stderr)
    assert "Traceback (most recent call last)" in result.stderr
    assert "ZeroDivisionError" in result.stderr


def test_every_request_writes_one_line_with_its_route_status_time_and_statements(
    failing_app, caplog
):
    caplog.set_level(logging.INFO, logger="brott.request")
    client = failing_app.test_client()
    client.get("/logga-in")
    client.get("/kalender/hemlig-token-123.ics")  # a token in the path: never logged
    client.get("/_test/boom")
    lines = [r.getMessage() for r in caplog.records if r.name == "brott.request"]
    assert len(lines) == 3, lines
    assert re.fullmatch(
        r"method=GET route=/logga-in status=200 duration_ms=\d+\.\d queries=\d+", lines[0]
    )
    assert "route=/kalender/<token>.ics status=404" in lines[1]
    assert "hemlig-token-123" not in caplog.text
    assert "route=/_test/boom status=500" in lines[2]


def test_the_request_line_counts_the_statements_of_the_request(app, client, member, caplog):
    from .conftest import login

    login(client, member)
    caplog.set_level(logging.INFO, logger="brott.request")
    client.get("/r/borlange/oversikt")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "brott.request"]
    assert "route=/r/<slug>/oversikt status=200" in line
    assert int(line.rsplit("queries=", 1)[1]) >= 3  # the viewer, the session, the parts
