"""How many reports (and safety marks, and Open311 posts) one client address may send per
window: counted where every worker process sees them, like login failures (services/throttle:
Redis when configured, else rows in the database), with the time given by the caller."""

from datetime import datetime, timedelta

from flask import current_app

from brott.services import throttle


def report_key(address: str | None) -> str:
    return f"report-ip:{address or 'unknown'}"[: throttle.KEY_LENGTH]


def take_report_slot(address: str | None, now: datetime) -> datetime | None:
    """Count one report from `address` if it is within its limit (None), else say when it
    may send again (nothing is counted then)."""
    return _take(report_key(address), int(current_app.config["REPORTS_PER_ADDRESS"]), now)


def take_key_slot(key_id: int, now: datetime) -> datetime | None:
    """The same for an Open311 client posting with a valid key: its own, larger limit."""
    return _take(f"report-key:{key_id}", int(current_app.config["REPORTS_PER_KEY"]), now)


def _take(key: str, limit: int, now: datetime) -> datetime | None:
    window = timedelta(minutes=int(current_app.config["REPORT_WINDOW_MINUTES"]))
    return throttle.counter().take(key, limit, now, window)
