"""Exactly once across processes: two dispatchers race for the same due reminders.

Each worker (dispatch_worker.py) is a separate Python process with its own app, engine and
SMTP connections, against one database: an SQLite file or a fresh PostgreSQL database. They
are released at the same moment and each runs `jobs.dispatch_due(now)` a few times in small
batches. The SMTP server must have received every reminder exactly once.
"""

import json
import queue
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa

from brott import create_app
from brott.extensions import db
from brott.models import (
    Council,
    Membership,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
)
from brott.services import meetings
from brott.services.meetings import SeriesData

from .conftest import fresh_postgres_database, test_config
from .smtp_server import running_smtp

ROOT = Path(__file__).resolve().parent.parent
SET_UP = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
MEETING_DAY = date(2025, 10, 13)  # three one-off meetings: 13:00, 14:00 and 15:00 that day
OFFSETS = [48 * 60, 4 * 60]
DISPATCH_AT = datetime(2025, 10, 13, 9, 30, tzinfo=UTC)  # 11:30: all due, none begun
WORKERS = 2
BATCH = 4  # small batches, so the two workers' claims interleave
ROUNDS = 3
START_TIMEOUT = 60  # seconds for a worker to import, build its app and connect
RUN_TIMEOUT = 120  # seconds for a worker to dispatch everything

# the reminders and digests are counted here; the notices have their own tests
pytestmark = pytest.mark.usefixtures("without_notices")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dispatch.sqlite'}"
    else:
        with fresh_postgres_database("brott_dispatch") as url:
            yield url


def prepare(database_url: str) -> dict[int, str]:
    """3 meetings x 2 reminders x 5 recipients, all due at DISPATCH_AT; {row id: Message-ID}."""
    app = create_app(test_config(database_url))
    with app.app_context():
        db.create_all()
        council = Council(slug="dispatch", name="Brottsförebyggande rådet", municipality="K")
        other = Council(slug="annat", name="Ett annat råd", municipality="K")

        def person(n: int, role: Role, where: Council = council) -> User:
            user = User(email=f"person{n}@exempel.se", name=f"Person {n}", password_hash="-")
            db.session.add_all([user, Membership(user=user, council=where, role=role)])
            return user

        coordinators = [person(1, Role.COORDINATOR), person(2, Role.COORDINATOR)]
        invited = [person(3, Role.MEMBER), person(4, Role.MEMBER), person(5, Role.POLICE)]
        person(6, Role.POLICE)  # not invited: gets nothing
        person(7, Role.COORDINATOR, other)  # another council's coordinator: gets nothing
        db.session.flush()
        for hour in (13, 14, 15):
            meetings.create_series(
                council.id,
                SeriesData(
                    weekday=MEETING_DAY.weekday(),
                    local_time=time(hour, 0),
                    first_date=MEETING_DAY,
                    until_date=MEETING_DAY,
                    title=f"EST kl. {hour}",
                    reminder_minutes=OFFSETS,
                    invitee_ids=[u.id for u in invited],
                ),
                SET_UP,
            )
        db.session.commit()
        rows = db.session.scalars(sa.select(OutboxMessage)).all()
        assert len(rows) == 3 * len(OFFSETS) * (len(coordinators) + len(invited))
        assert all(row.due_at <= DISPATCH_AT < row.useful_until for row in rows)
        assert {row.recipient_id for row in rows} == {u.id for u in coordinators + invited}
        expected = {row.id: row.message_id for row in rows}
        db.session.remove()
        db.engine.dispose()
    return expected


class Worker:
    """A dispatcher subprocess; its stdout lines arrive on a queue, stderr goes to a file."""

    def __init__(self, args: list[str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.dispatch_worker", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"worker silent for {timeout} s\n{self.errors()}") from None
        if line is None:
            raise AssertionError(f"worker ended early ({self.process.wait()}):\n{self.errors()}")
        return line

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def errors(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()

    def close(self) -> None:
        """Kill the process if it still runs, reap it and close every pipe."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)
        for stream in (self.process.stdin, self.process.stdout, self._stderr):
            stream.close()


def test_two_dispatcher_processes_send_every_reminder_exactly_once(database_url, tmp_path):
    expected = prepare(database_url)

    with running_smtp() as smtp:
        args = [database_url, str(smtp.port), DISPATCH_AT.isoformat(), str(BATCH), str(ROUNDS)]
        workers = [Worker(args, tmp_path / f"worker{n}.err") for n in range(WORKERS)]
        try:
            for worker in workers:
                assert worker.line(START_TIMEOUT) == "ready"
            for worker in workers:
                worker.go()
            reports = [json.loads(worker.line(RUN_TIMEOUT)) for worker in workers]
            for worker in workers:
                code = worker.process.wait(timeout=RUN_TIMEOUT)
                assert code == 0, worker.errors()
                assert "database is locked" not in worker.errors()
        finally:
            for worker in workers:
                worker.close()
        received = smtp.inbox.message_ids()

    assert sum(report["sent"] for report in reports) == len(expected)
    assert sum(report["retried"] + report["missed"] for report in reports) == 0
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    assert not duplicates, f"sent more than once: {duplicates}"
    assert set(received) == set(expected.values())

    app = create_app(test_config(database_url))
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage)).all()
        assert {row.id: row.status for row in rows} == dict.fromkeys(expected, OutboxStatus.SENT)
        assert all(row.attempts == 1 and row.sent_at == DISPATCH_AT for row in rows)
        notices = db.session.scalars(sa.select(Notification)).all()
        assert sorted(n.outbox_id for n in notices) == sorted(expected)
        owners = {row.id: row.recipient_id for row in rows}
        assert all(n.user_id == owners[n.outbox_id] for n in notices)
        db.session.remove()
        db.engine.dispose()
