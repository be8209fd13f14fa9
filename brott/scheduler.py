"""The clock that drives the jobs: APScheduler 3 with an in-memory job store.

The jobs themselves are idempotent and their state lives in our own tables (the outbox), so
the job store needs no database table: nothing foreign appears beside our schema. Run it
inside the app for `make run` (SCHEDULER_ENABLED), or alone with `flask --app app scheduler`
in as many processes as you like: they elect one leader that runs the jobs (brott/leader.py).
Never inside web workers, which would each ask the database for the lock.
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from brott import clock, jobs
from brott.errors import roll_back_safely
from brott.extensions import db
from brott.leader import Leadership
from brott.services import heartbeat, report_followup

log = logging.getLogger(__name__)
runs_log = logging.getLogger("brott.job")

DISPATCH_SECONDS = 30
# how often each process asks to lead (a standby takes over within this and the lock's
# release) and the leader writes its heartbeat
ELECTION_SECONDS = 20
ELECTION_JOB = "election"


def _run(app: Flask, job: Callable[[datetime], Any], leadership: Leadership | None = None) -> None:
    """Run one job, unless an election is held and this process is not its leader."""
    if leadership is not None and not leadership.is_leader:
        log.debug("%s skipped: another process leads", job.__name__)
        return
    started = time.perf_counter()
    status = "ok"
    with app.app_context():
        try:
            result = job(clock.now())
            log.debug("%s: %s", job.__name__, result)
        except Exception:  # the scheduler must keep running whatever one run does
            db.session.rollback()
            status = "failed"
            log.exception("job %s failed", job.__name__)
    # one line per run, as the web requests have theirs (brott/observability)
    runs_log.info(
        "job=%s status=%s duration_ms=%.1f",
        job.__name__,
        status,
        (time.perf_counter() - started) * 1000,
    )


def _schedule(app: Flask) -> dict[str, tuple[jobs.Job, dict[str, Any]]]:
    """Each job's id, function and trigger."""
    hour, minute = jobs.digest_time()
    follow_hour, follow_minute = report_followup.FOLLOW_UP_TIME

    def daily(hour: int, minute: int) -> dict[str, Any]:
        return {"trigger": CronTrigger(hour=hour, minute=minute, timezone="Europe/Stockholm")}

    return {
        "dispatch": (jobs.dispatch_due, {"trigger": "interval", "seconds": DISPATCH_SECONDS}),
        "plan_ahead": (jobs.plan_ahead, {"trigger": "interval", "hours": 6}),
        "tool_reminders": (jobs.plan_tool_reminders, {"trigger": "interval", "hours": 6}),
        "digest": (jobs.queue_daily_digest, daily(hour, minute)),
        "retention": (jobs.purge_expired_notes, daily(3, 30)),
        "report_follow_ups": (jobs.report_follow_ups, daily(follow_hour, follow_minute)),
    }


def configure(
    scheduler: BaseScheduler, app: Flask, leadership: Leadership | None = None
) -> BaseScheduler:
    """Add the jobs. Those due at start run at once (`jobs.due_at`: planning, retention
    unless it ran today, today's digest if its time has passed and it is not queued yet,
    the reports' follow-ups likewise, the outbox); the others wait for their time.

    With `leadership`, the process first asks to lead, and asks again every
    ELECTION_SECONDS; only the leader runs the jobs and writes the heartbeat. A standby
    that takes over runs at once the jobs due then, as at a start."""
    with app.app_context():
        now = clock.now()
        schedule = _schedule(app)
        starting = _due_at_start(now)
    for job_id, (job, trigger) in schedule.items():
        at_start = {"next_run_time": now} if job in starting else {}
        scheduler.add_job(
            _run,
            args=[app, job, leadership],
            id=job_id,
            max_instances=1,
            coalesce=True,
            **trigger,
            **at_start,
        )
    if leadership is not None:
        elect(app, scheduler, leadership, taking_over=False)
        scheduler.add_job(
            elect,
            "interval",
            seconds=ELECTION_SECONDS,
            args=[app, scheduler, leadership],
            id=ELECTION_JOB,
            max_instances=1,
            coalesce=True,
        )
    return scheduler


def elect(
    app: Flask, scheduler: BaseScheduler, leadership: Leadership, taking_over: bool = True
) -> bool:
    """Ask to lead (or keep leading); the leader writes the heartbeat. A process that has
    just taken over brings the jobs due now forward, as a start would."""
    was_leader = leadership.is_leader
    if not leadership.try_acquire():
        return False
    with app.app_context():
        now = clock.now()
        try:
            heartbeat.beat(now, socket.gethostname(), os.getpid())
            db.session.commit()
        except Exception:  # no heartbeat this time; the jobs cope with the outage themselves
            roll_back_safely()
            log.exception("the scheduler's heartbeat could not be written")
        if taking_over and not was_leader:
            starting = _due_at_start(now)
            for job_id, (job, _trigger) in _schedule(app).items():
                if job in starting:
                    scheduler.modify_job(job_id, next_run_time=now)
    return True


def _due_at_start(now: datetime) -> list[jobs.Job]:
    """The jobs due now. If the database cannot tell, planning, retention and the outbox run
    at once and cope with the outage as on any other run; the digest and the reports'
    follow-ups wait for their time."""
    try:
        return jobs.due_at(now)
    except Exception:
        roll_back_safely()
        log.exception("could not tell which jobs are due; running each at once")
        return [
            jobs.plan_ahead,
            jobs.plan_tool_reminders,
            jobs.purge_expired_notes,
            jobs.dispatch_due,
        ]


def start_background(app: Flask) -> BackgroundScheduler:
    """Run the jobs in a thread of this process (the development server), when elected."""
    scheduler = BackgroundScheduler(timezone="UTC")
    configure(scheduler, app, Leadership.for_app(app))
    scheduler.start()
    return scheduler


def run_blocking(app: Flask) -> None:
    """Run the jobs in the foreground (a production scheduler process), when elected."""
    leadership = Leadership.for_app(app)
    try:
        configure(BlockingScheduler(timezone="UTC"), app, leadership).start()
    finally:
        leadership.release()
