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
    config = current_app.config
    limit = int(config["REPORTS_PER_ADDRESS"])
    window = timedelta(minutes=int(config["REPORT_WINDOW_MINUTES"]))
    store, key = throttle.counter(), report_key(address)
    wait = store.retry_at(key, limit, now, window)
    if wait is not None:
        return wait
    store.add([key], now, window)
    return None
