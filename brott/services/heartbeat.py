"""The scheduler's heartbeat: the elected scheduler writes it at each tick; admins, and the
readiness check, learn from it whether the jobs are running."""

from datetime import datetime, timedelta

from flask import current_app

from brott.extensions import db
from brott.models import SchedulerHeartbeat

HEARTBEAT_ID = 1  # the one row


def beat(now: datetime, host: str, pid: int) -> None:
    """Record that the leading scheduler (on `host`, process `pid`) ticked at `now`."""
    row = db.session.get(SchedulerHeartbeat, HEARTBEAT_ID)
    if row is None:
        db.session.add(SchedulerHeartbeat(id=HEARTBEAT_ID, host=host, pid=pid, beat_at=now))
    else:
        row.host, row.pid, row.beat_at = host, pid, now
    db.session.flush()


def last_beat() -> datetime | None:
    """When the scheduler last ticked; None if it never did."""
    return db.session.scalar(
        db.select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == HEARTBEAT_ID)
    )


def expected() -> bool:
    """Whether a scheduler should be running: declared (SCHEDULER_EXPECTED), or started
    inside this process (SCHEDULER_ENABLED)."""
    config = current_app.config
    return bool(config["SCHEDULER_EXPECTED"] or config["SCHEDULER_ENABLED"])


def max_silence() -> timedelta:
    """How long the heartbeat may be silent before the scheduler counts as stopped."""
    return timedelta(minutes=float(current_app.config["SCHEDULER_HEARTBEAT_MAX_MINUTES"]))


def is_fresh(beat_at: datetime | None, now: datetime) -> bool:
    return beat_at is not None and now - beat_at <= max_silence()


def silent_since(now: datetime) -> tuple[bool, datetime | None]:
    """Whether an expected scheduler has gone silent, and when it last ticked."""
    if not expected():
        return False, None
    beat_at = last_beat()
    return not is_fresh(beat_at, now), beat_at
