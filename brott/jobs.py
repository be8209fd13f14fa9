"""Periodic jobs: the same services, driven by the clock. Each job commits its own work."""

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from brott.extensions import db
from brott.mail import Mailer, build_message, mailer_for
from brott.models import OutboxMessage
from brott.services import digest, meetings, outbox, retention

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    missed: int = 0
    released: int = 0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dispatch_due(now: datetime, mailer: Mailer | None = None, batch: int = 50) -> DispatchReport:
    """Send every outbox message that is due, each exactly once across dispatchers."""
    mailer = mailer or mailer_for(current_app)
    sender = current_app.config["MAIL_SENDER"]
    worker = worker_name()
    report = DispatchReport()
    report.released = outbox.release_stale_claims(now)
    report.missed = outbox.mark_missed(now)
    db.session.commit()
    while True:
        ids = outbox.due_ids(now, batch)
        claimed = [row_id for row_id in ids if outbox.claim(row_id, worker, now)]
        db.session.commit()
        for row_id in claimed:
            row = db.session.get(OutboxMessage, row_id)
            if row is not None:  # claimed a moment ago; only a deletion could remove it
                _send_one(row, mailer, sender, now, report)
        if len(ids) < batch:
            return report


def _send_one(row: OutboxMessage, mailer: Mailer, sender: str, now, report) -> None:
    try:
        message = build_message(row, sender)
        db.session.commit()  # no transaction stays open during the network call
        mailer.send(message)
    except Exception as error:  # one bad row must not stall the rest of the queue
        db.session.rollback()
        log.warning("sending outbox %s failed: %s", row.id, error)
        outbox.mark_failed_attempt(row, f"{type(error).__name__}: {error}", now)
        db.session.commit()
        report.retried += 1
        return
    outbox.mark_sent(row, now)
    db.session.commit()
    report.sent += 1


def plan_ahead(now: datetime) -> int:
    """Materialise meetings up to the horizon, with their reminders."""
    created = meetings.extend_all_series(now)
    db.session.commit()
    return created


def queue_daily_digest(now: datetime) -> int:
    """Queue today's digests (idempotent: one per owner, council and day)."""
    queued = digest.plan_daily_digest(now)
    db.session.commit()
    return queued


def purge_expired_notes(now: datetime) -> dict[int, int]:
    """Delete situation notes past each council's retention period."""
    deleted = retention.purge_expired(now)
    db.session.commit()
    return deleted
