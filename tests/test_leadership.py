"""The scheduler's election: one leader runs the jobs and writes the heartbeat; when it dies,
a standby takes over on its next try. Real separate connections (PostgreSQL) and separate
open files or processes (SQLite)."""

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from brott.extensions import db
from brott.leader import FileLock, Leadership, lock_file
from brott.scheduler import _run, configure, elect
from brott.services import heartbeat

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def leaderships(app) -> Iterator[list[Leadership]]:
    """Make Leadership objects for the app's database; each is released afterwards."""
    made: list[Leadership] = []
    yield made
    for leadership in made:
        leadership.release()


@pytest.fixture
def candidate(app, leaderships):
    def make() -> Leadership:
        leadership = Leadership.for_app(app)
        leaderships.append(leadership)
        return leadership

    return make


def test_one_leads_and_the_other_takes_over_when_its_lock_is_freed(candidate):
    first, second = candidate(), candidate()
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.try_acquire()  # a leader stays the leader
    first.lock.release()  # what a killed process's closed connection or file does
    assert second.try_acquire()
    assert not first.try_acquire()  # the old leader notices, and stands by


@pytest.mark.only_on("postgresql")  # a server-side session
def test_a_leader_whose_session_the_server_ended_steps_down(app, backend, candidate):
    first, second = candidate(), candidate()
    assert first.try_acquire()
    assert first.lock.connection is not None
    pid = first.lock.connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with db.engine.connect() as other:  # as when the leader's process was killed
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    assert second.try_acquire()
    assert not first.try_acquire()
    assert second.is_leader and not first.is_leader


@pytest.mark.only_on("sqlite")  # the file lock is SQLite's
def test_a_file_lock_held_by_another_process_is_taken_over_when_it_dies(app, backend):
    path = lock_file(app)
    holder_code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    leadership = Leadership(FileLock(path))
    with subprocess.Popen(
        [sys.executable, "-c", holder_code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            assert not leadership.try_acquire()
            holder.kill()  # the kernel frees a dead process's locks
            holder.wait()
            assert leadership.try_acquire()
        finally:
            leadership.release()
            holder.kill()


def test_only_the_leader_runs_the_wrapped_jobs(app, candidate):
    ran: list[datetime] = []

    def job(now: datetime) -> None:
        ran.append(now)

    leader, standby = candidate(), candidate()
    leader.try_acquire()
    standby.try_acquire()
    _run(app, job, standby)
    assert ran == []
    _run(app, job, leader)
    assert len(ran) == 1


@pytest.fixture
def schedulers(app, frozen) -> Iterator[list[BackgroundScheduler]]:
    made: list[BackgroundScheduler] = []
    yield made
    for scheduler in made:
        scheduler.shutdown(wait=False)


def _paused(app, leadership: Leadership, made: list[BackgroundScheduler]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    configure(scheduler, app, leadership)
    scheduler.start(paused=True)
    made.append(scheduler)
    return scheduler


def test_the_leader_alone_writes_the_heartbeat_and_a_successor_catches_up(
    app, frozen, candidate, schedulers
):
    leader, standby = candidate(), candidate()
    _paused(app, leader, schedulers)
    assert leader.is_leader
    assert heartbeat.last_beat() == NOW
    waiting = _paused(app, standby, schedulers)
    assert not standby.is_leader

    frozen.now = later = NOW + timedelta(seconds=20)
    assert not elect(app, waiting, standby)
    db.session.rollback()
    assert heartbeat.last_beat() == NOW  # the standby wrote nothing
    assert elect(app, waiting, leader)
    db.session.rollback()
    assert heartbeat.last_beat() == later

    leader.lock.release()  # the leader dies
    frozen.now = takeover = later + timedelta(seconds=20)
    assert elect(app, waiting, standby)
    db.session.rollback()
    assert heartbeat.last_beat() == takeover
    # the jobs due at once at a start are brought forward for the new leader
    assert waiting.get_job("dispatch").next_run_time == takeover
    assert waiting.get_job("plan_ahead").next_run_time == takeover
