"""The scheduler's jobs, and how they catch up after the process was down."""

import logging
import re
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from brott import jobs
from brott.clock import STOCKHOLM
from brott.scheduler import configure


@pytest.fixture
def started(app):
    """Configure the jobs at a controlled instant; start paused so nothing runs."""
    schedulers = []

    def start(now: datetime) -> dict:
        app.config["NOW"] = lambda: now
        scheduler = configure(BackgroundScheduler(timezone="UTC"), app)
        scheduler.start(paused=True)
        schedulers.append(scheduler)
        return {job.id: job for job in scheduler.get_jobs()}

    yield start
    app.config.pop("NOW", None)
    for scheduler in schedulers:
        scheduler.shutdown(wait=False)


def test_every_job_is_scheduled_and_the_queue_catches_up_at_once(started):
    now = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
    scheduled = started(now)
    assert {job.args[1] for job in scheduled.values()} == {
        jobs.dispatch_due,
        jobs.plan_ahead,
        jobs.plan_tool_reminders,
        jobs.queue_daily_digest,
        jobs.purge_expired_notes,
        jobs.report_follow_ups,
    }
    # 11:00 in Stockholm: past the follow-up hour (09:00) too
    for job_id in ("dispatch", "plan_ahead", "tool_reminders", "retention", "report_follow_ups"):
        assert scheduled[job_id].next_run_time == now


def test_a_start_after_the_digest_hour_sends_todays_digest_at_once(started):
    now = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm, past 07:00
    assert started(now)["digest"].next_run_time == now


def test_a_start_before_the_digest_hour_waits_for_it(started):
    now = datetime(2026, 1, 12, 4, 0, tzinfo=UTC)  # 05:00 in Stockholm
    digest = started(now)["digest"].next_run_time
    # the cron trigger counts from the real clock; what matters is that it waits for 07:00
    assert digest != now
    assert (digest.astimezone(STOCKHOLM).hour, digest.astimezone(STOCKHOLM).minute) == (7, 0)


def test_each_job_run_writes_one_line_with_its_outcome(app, caplog):
    from brott.scheduler import _run

    def quiet(now: datetime) -> int:
        return 0

    def broken(now: datetime) -> int:
        raise RuntimeError("the mail server said no")

    caplog.set_level(logging.INFO, logger="brott.job")
    _run(app, quiet)
    _run(app, broken)
    lines = [r.getMessage() for r in caplog.records if r.name == "brott.job"]
    assert re.fullmatch(r"job=quiet status=ok duration_ms=\d+\.\d", lines[0]), lines
    assert lines[1].startswith("job=broken status=failed duration_ms=")
