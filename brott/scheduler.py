"""The clock that drives the jobs: APScheduler 3 with an in-memory job store.

The jobs themselves are idempotent and their state lives in our own tables (the outbox), so
the job store needs no database table: nothing foreign appears beside our schema. Run it
inside the app for `make run` (SCHEDULER_ENABLED), or alone with `flask --app app scheduler`;
never inside web workers, which would each run every job.
"""

import logging
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from brott import clock, jobs
from brott.errors import roll_back_safely
from brott.extensions import db
from brott.services import report_followup

log = logging.getLogger(__name__)

DISPATCH_SECONDS = 30


def _run(app: Flask, job) -> None:
    with app.app_context():
        try:
            result = job(clock.now())
            log.debug("%s: %s", job.__name__, result)
        except Exception:  # the scheduler must keep running whatever one run does
            db.session.rollback()
            log.exception("job %s failed", job.__name__)


def configure(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    """Add the jobs. Those due at start run at once (`jobs.due_at`: planning, retention
    unless it ran today, today's digest if its time has passed and it is not queued yet,
    the reports' follow-ups likewise, the outbox); the others wait for their time."""
    with app.app_context():
        now = clock.now()
        hour, minute = jobs.digest_time()
        starting = _due_at_start(now)
    at_start = {job: {"next_run_time": now} for job in starting}
    scheduler.add_job(
        _run,
        "interval",
        seconds=DISPATCH_SECONDS,
        args=[app, jobs.dispatch_due],
        id="dispatch",
        max_instances=1,
        coalesce=True,
        **at_start.get(jobs.dispatch_due, {}),
    )
    scheduler.add_job(
        _run,
        "interval",
        hours=6,
        args=[app, jobs.plan_ahead],
        id="plan_ahead",
        max_instances=1,
        coalesce=True,
        **at_start.get(jobs.plan_ahead, {}),
    )
    scheduler.add_job(
        _run,
        "interval",
        hours=6,
        args=[app, jobs.plan_tool_reminders],
        id="tool_reminders",
        max_instances=1,
        coalesce=True,
        **at_start.get(jobs.plan_tool_reminders, {}),
    )
    scheduler.add_job(
        _run,
        CronTrigger(hour=hour, minute=minute, timezone="Europe/Stockholm"),
        args=[app, jobs.queue_daily_digest],
        id="digest",
        max_instances=1,
        coalesce=True,
        **at_start.get(jobs.queue_daily_digest, {}),
    )
    scheduler.add_job(
        _run,
        CronTrigger(hour=3, minute=30, timezone="Europe/Stockholm"),
        args=[app, jobs.purge_expired_notes],
        id="retention",
        max_instances=1,
        coalesce=True,
        **at_start.get(jobs.purge_expired_notes, {}),
    )
    follow_hour, follow_minute = report_followup.FOLLOW_UP_TIME
    scheduler.add_job(
        _run,
        CronTrigger(hour=follow_hour, minute=follow_minute, timezone="Europe/Stockholm"),
        args=[app, jobs.report_follow_ups],
        id="report_follow_ups",
        max_instances=1,
        coalesce=True,
        **at_start.get(jobs.report_follow_ups, {}),
    )
    return scheduler


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
    """Run the jobs in a thread of this process (the development server)."""
    scheduler = configure(BackgroundScheduler(timezone="UTC"), app)
    scheduler.start()
    return scheduler


def run_blocking(app: Flask) -> None:
    """Run the jobs in the foreground (the production scheduler process)."""
    configure(BlockingScheduler(timezone="UTC"), app).start()
