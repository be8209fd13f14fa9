"""The clock that drives the jobs: APScheduler 3 with an in-memory job store.

The jobs themselves are idempotent and their state lives in our own tables (the outbox), so
the job store needs no database table: nothing foreign appears beside our schema. Run it
inside the app for `make run` (SCHEDULER_ENABLED), or alone with `flask --app app scheduler`;
never inside web workers, which would each run every job.
"""

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from brott import clock, jobs
from brott.extensions import db

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
    """Add the jobs. Each catches up on start: the outbox, planning and retention run at once,
    and today's digest if its hour has passed (it is queued once per day whatever happens)."""
    hour, minute = (int(p) for p in app.config["DIGEST_LOCAL_TIME"].split(":"))
    now = clock.now()
    local = now.astimezone(clock.STOCKHOLM)
    digest_due = (local.hour, local.minute) >= (hour, minute)
    catch_up_digest = {"next_run_time": now} if digest_due else {}
    scheduler.add_job(
        _run,
        "interval",
        seconds=DISPATCH_SECONDS,
        args=[app, jobs.dispatch_due],
        id="dispatch",
        max_instances=1,
        coalesce=True,
        next_run_time=now,
    )
    scheduler.add_job(
        _run,
        "interval",
        hours=6,
        args=[app, jobs.plan_ahead],
        id="plan_ahead",
        max_instances=1,
        coalesce=True,
        next_run_time=now,
    )
    scheduler.add_job(
        _run,
        CronTrigger(hour=hour, minute=minute, timezone="Europe/Stockholm"),
        args=[app, jobs.queue_daily_digest],
        id="digest",
        max_instances=1,
        coalesce=True,
        **catch_up_digest,
    )
    scheduler.add_job(
        _run,
        CronTrigger(hour=3, minute=30, timezone="Europe/Stockholm"),
        args=[app, jobs.purge_expired_notes],
        id="retention",
        max_instances=1,
        coalesce=True,
        next_run_time=now,
    )
    return scheduler


def start_background(app: Flask) -> BackgroundScheduler:
    """Run the jobs in a thread of this process (the development server)."""
    scheduler = configure(BackgroundScheduler(timezone="UTC"), app)
    scheduler.start()
    return scheduler


def run_blocking(app: Flask) -> None:
    """Run the jobs in the foreground (the production scheduler process)."""
    configure(BlockingScheduler(timezone="UTC"), app).start()
