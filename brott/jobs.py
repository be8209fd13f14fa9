"""Periodic jobs: the same services, driven by the clock. Each job commits its own work."""

import enum
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask import current_app

from brott import clock
from brott.errors import database_unavailable, roll_back_safely
from brott.extensions import db
from brott.mail import Mailer, build_message, mailer_for
from brott.models import OutboxMessage
from brott.services import audit, digest, meetings, outbox, report_followup, retention

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: int = 0  # accepted by the mail server and recorded
    retried: int = 0  # refused or failed: put back for a retry, or given up
    missed: int = 0
    released: int = 0  # claims of a dead or stalled dispatcher returned to the queue
    dropped: int = 0  # the recipient is no longer an active member of the council
    discarded: int = 0  # another dispatcher had taken the row over: this run's result unused
    errors: int = 0  # a database error while claiming or marking; the lease settles the row


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dispatch_due(now: datetime, mailer: Mailer | None = None, batch: int = 50) -> DispatchReport:
    """Send every outbox message that is due, each exactly once across dispatchers.

    Each row is claimed just before it is sent, stamped with the time of the claim (see
    `_Run.moment`), so however long a run takes, no claim it still means to use is older
    than one send. A row's failure, including a database error while marking it, is logged
    and counted, and the run goes on with the next row.
    """
    mailer = mailer or mailer_for(current_app)
    run = _Run(mailer, current_app.config["MAIL_SENDER"], now)
    run.report.released = outbox.release_stale_claims(now)
    run.report.missed = outbox.mark_missed(now)
    db.session.commit()
    while True:
        ids = outbox.due_ids(now, batch, skip=run.skip)
        for row_id in ids:
            run.dispatch(row_id)
        if len(ids) < batch:
            db.session.commit()
            return run.report


class _Run:
    """One dispatcher run. Its name is unique to the run (not only to the process), so its
    conditional marks never mistake another run's claim, even one in the same process."""

    def __init__(self, mailer: Mailer, sender: str, now: datetime) -> None:
        self.mailer, self.sender, self.now = mailer, sender, now
        self.started = clock.now()
        self.name = f"{worker_name()}:{secrets.token_hex(4)}"
        self.report = DispatchReport()
        self.skip: set[int] = set()  # rows left pending by an error: not again in this run

    def moment(self) -> datetime:
        """The time now, read from the clock: the run's `now` advanced by the clock's time
        since the run began. A run is started with `clock.now()`, so this is `clock.now()`;
        a run given another `now` (a test, a catch-up) keeps its claims on that timeline."""
        return self.now + (clock.now() - self.started)

    def dispatch(self, row_id: int) -> None:
        """Claim one row and send it, unless another run has it or its recipient left."""
        try:
            if outbox.drop_if_recipient_left(row_id):
                db.session.commit()
                self.report.dropped += 1
                return
            claimed = outbox.claim(row_id, self.name, self.moment())
            db.session.commit()
            row = db.session.get(OutboxMessage, row_id) if claimed else None
        except Exception:  # one row's trouble must not stop the run
            db.session.rollback()
            log.exception("claiming outbox %s failed", row_id)
            self.report.errors += 1
            self.skip.add(row_id)
            return
        if row is not None:  # claimed a moment ago; only a deletion could remove it
            self._send(row_id, row)

    def _send(self, row_id: int, row: OutboxMessage) -> None:
        try:
            message = build_message(row, self.sender, self.moment())
            db.session.commit()  # no transaction stays open during the network call
            self.mailer.send(message)
        except Exception as error:  # one bad row must not stall the rest of the queue
            db.session.rollback()
            log.warning("sending outbox %s failed: %s", row_id, error)
            text = f"{type(error).__name__}: {error}"
            outcome = self._mark(
                row_id, lambda: outbox.mark_failed_attempt(row, self.name, text, self.now)
            )
            if outcome is _Mark.DONE:
                self.report.retried += 1
            elif outcome is _Mark.ERROR:
                self.report.errors += 1
            return
        outcome = self._mark(row_id, lambda: outbox.mark_sent(row, self.name, self.now))
        if outcome is _Mark.ERROR:
            # e.g. the notice could not be written: record the delivery without it, so the
            # row is not sent again for the notice's sake
            self.report.errors += 1
            outcome = self._mark(
                row_id, lambda: outbox.mark_sent(row, self.name, self.now, notice=False)
            )
        if outcome is _Mark.DONE:
            self.report.sent += 1

    def _mark(self, row_id: int, mark: Callable[[], bool]) -> "_Mark":
        """Run one conditional mark and commit it. A row another run has taken over keeps
        that run's result (ours is discarded); after a database error the row stays
        claimed and its lease decides (see outbox)."""
        try:
            held = mark()
            db.session.commit()
        except Exception:  # a database error, or any other: the run goes on
            db.session.rollback()
            log.exception("marking outbox %s failed; its claim will expire", row_id)
            return _Mark.ERROR
        if not held:
            log.warning("outbox %s was taken over by another dispatcher; result discarded", row_id)
            self.report.discarded += 1
            return _Mark.DISCARDED
        return _Mark.DONE


class _Mark(enum.Enum):
    DONE = "done"
    DISCARDED = "discarded"
    ERROR = "error"


def plan_ahead(now: datetime) -> int:
    """Materialise meetings up to the horizon, with their reminders."""
    created = meetings.extend_all_series(now)
    db.session.commit()
    return created


def plan_tool_reminders(now: datetime) -> dict[str, int]:
    """The measure tools' scheduled work: certificate expiry and camera review reminders
    (idempotent: each reminder's key is unique) and progress derived from indicators."""
    from brott.services import camera_register, certification_reminders, indicators

    done = {
        "certificates": certification_reminders.plan_certificate_reminders(now),
        "camera_reviews": camera_register.plan_camera_reviews(now),
        "derived_progress": indicators.refresh_derived_progress(now),
    }
    db.session.commit()
    return done


def queue_daily_digest(now: datetime) -> int:
    """Queue today's digests (idempotent: one per owner, council and day)."""
    queued = digest.plan_daily_digest(now)
    db.session.commit()
    return queued


RETENTION_RUN = "retention_run"  # a system entry, in no council's log (see audit)


def purge_expired_notes(now: datetime) -> dict[int, int]:
    """Delete situation notes past each council's retention period; the run is recorded, so
    a one-shot run knows whether today's has happened."""
    deleted = retention.purge_expired(now)
    audit.record(RETENTION_RUN, at=now, session=db.session)
    db.session.commit()
    return deleted


REPORT_FOLLOW_UP_RUN = "report_follow_up_run"  # a system entry, like the retention run


def report_follow_ups(now: datetime) -> dict[str, int]:
    """Residents' reports, once a day: ask whether fixed reports stayed fixed, and delete
    the residents' addresses past their council's retention; the run is recorded, so a
    one-shot run knows whether today's has happened."""
    done = {
        "asked": report_followup.ask_follow_ups(now),
        "forgotten": report_followup.forget_emails(now),
    }
    audit.record(REPORT_FOLLOW_UP_RUN, at=now, session=db.session)
    db.session.commit()
    return done


# --- what is due: the scheduler's start and the one-shot `dispatch` share this ------------

Job = Callable[[datetime], Any]


def digest_time() -> tuple[int, int]:
    """The local (Stockholm) hour and minute of the daily digest."""
    hour, minute = (int(part) for part in current_app.config["DIGEST_LOCAL_TIME"].split(":"))
    return hour, minute


def due_at(now: datetime) -> list[Job]:
    """The jobs to run at once at `now`, in order: planning ahead (meetings, then the measure
    tools' reminders); retention unless it ran today; today's digest once its time has
    passed, unless it is queued already; the reports' follow-ups once their time has passed,
    unless they ran today; then the outbox. The scheduler starts with these (the rest wait
    for their time); `run_due` runs them once."""
    local = now.astimezone(clock.STOCKHOLM)
    due: list[Job] = [plan_ahead, plan_tool_reminders]
    if not audit.system_entry_since(RETENTION_RUN, _midnight(local.date())):
        due.append(purge_expired_notes)
    if (local.hour, local.minute) >= digest_time() and not digest.planned_on(local.date()):
        due.append(queue_daily_digest)
    if (local.hour, local.minute) >= report_followup.FOLLOW_UP_TIME and not (
        audit.system_entry_since(REPORT_FOLLOW_UP_RUN, _midnight(local.date()))
    ):
        due.append(report_follow_ups)
    due.append(dispatch_due)
    return due


@dataclass
class DueRun:
    results: dict[str, Any] = field(default_factory=dict)  # job name → what it returned
    failures: dict[str, str] = field(default_factory=dict)  # job name → the error, one line


def run_due(now: datetime) -> DueRun:
    """Run every job due at `now` once (see `due_at`): cron's alternative to the scheduler,
    idempotent like each job. As in the scheduler, one job's failure does not stop the
    others; an unreachable database stops the run."""
    run = DueRun()
    for job in due_at(now):
        try:
            run.results[job.__name__] = job(now)
        except Exception as error:
            roll_back_safely()
            if database_unavailable(error):
                raise
            log.debug("job %s failed", job.__name__, exc_info=True)
            run.failures[job.__name__] = f"{type(error).__name__}: {error}".splitlines()[0]
    return run


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.STOCKHOLM)
