"""The outbox: reminders written ahead as rows, claimed atomically, sent once.

Delivery policy (documented in the README): a row is claimed by one dispatcher run with a
conditional UPDATE just before it is sent, stamped with the time of the claim, sent outside
any transaction, then marked sent by a conditional UPDATE that only succeeds while that run
still holds the claim. If the process dies after the mail server accepted the message but
before the mark, the claim's lease runs out and the row is sent again: at-least-once, never
silently lost. Such a resend carries the same deterministic Message-ID, so mail clients and
servers can recognise the duplicate. A council's mail goes only to people who are still
active members of it: a row whose recipient left is dropped when it comes up for sending.
An e-mail its recipient has switched off (services/mail_preferences) is dropped then too,
and its in-app notice is left instead.
Rows of no council (account mail such as an invitation to accept or a password link) are
not checked, nor a council's rows to an outside address (a business's contact, written by
`enqueue_to_address`); the service that writes them decides who gets one.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, or_, update

from brott import clock, policy
from brott.extensions import db, rows_affected
from brott.links import external_url
from brott.models import (
    Meeting,
    MeetingStatus,
    Membership,
    Notification,
    OutboxMessage,
    OutboxStatus,
    User,
)
from brott.policy import Permission
from brott.services import mail_preferences
from brott.services.emails import Email, compose
from brott.services.users import active_members

CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 6
MEETING_REMINDER = "meeting_reminder"


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 1, 2, 4, 8, 16 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def reminder_key(meeting: Meeting, minutes: int, user_id: int) -> str:
    return f"est:{meeting.id}:{meeting.starts_at:%Y%m%dT%H%MZ}:{minutes}:{user_id}"


def meeting_recipients(meeting: Meeting) -> list[User]:
    """The council's active coordinators and those of the series' invitees who are still
    active members of the council (an invitee whose membership ended gets nothing)."""
    council_id = meeting.council_id
    roles = policy.roles_with(Permission.RECEIVE_MEETING_REMINDERS)
    people = {u.id: u for u in active_members(council_id, roles)}
    invited = {u.id for u in meeting.series.invitees}
    people.update({u.id: u for u in active_members(council_id) if u.id in invited})
    return sorted(people.values(), key=lambda u: u.id)


def plan_meeting_reminders(meeting: Meeting, now: datetime) -> int:
    """Write the meeting's reminder rows (idempotent) and drop those it no longer needs.

    A moved meeting gets new keys (its start time is part of the key); the pending rows of
    the old time are dropped. A cancelled meeting keeps no pending reminders.
    """
    pending = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.meeting_id == meeting.id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    wanted: dict[str, tuple[int, User]] = {}
    if meeting.status is MeetingStatus.SCHEDULED:
        for minutes in meeting.series.reminder_minutes:
            for user in meeting_recipients(meeting):
                wanted[reminder_key(meeting, minutes, user.id)] = (minutes, user)
    for row in pending:
        if row.key not in wanted:
            row.status = OutboxStatus.DROPPED
    existing = {
        row.key: row
        for row in db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.key.in_(list(wanted) or [""]))
        )
    }
    created = 0
    for key, (minutes, user) in wanted.items():
        row = existing.get(key)
        if row is not None:
            if row.status is OutboxStatus.DROPPED:
                # moved back to a time it had before: that time's dropped reminder is due again
                email, row.link = _reminder_text(meeting, user)
                row.subject, row.body, row.html_body = email.subject, email.text, email.html
                row.recipient_email = user.email
                row.due_at = meeting.starts_at - timedelta(minutes=minutes)
                row.status, row.attempts, row.last_error = OutboxStatus.PENDING, 0, ""
                created += 1
            continue
        email, link = _reminder_text(meeting, user)
        db.session.add(
            OutboxMessage(
                key=key,
                kind=MEETING_REMINDER,
                council_id=meeting.council_id,
                recipient_id=user.id,
                recipient_email=user.email,
                subject=email.subject,
                body=email.text,
                html_body=email.html,
                link=link,
                meeting_id=meeting.id,
                useful_until=meeting.starts_at,
                due_at=meeting.starts_at - timedelta(minutes=minutes),
                created_at=now,
            )
        )
        created += 1
    db.session.flush()
    return created


def _reminder_text(meeting: Meeting, user: User) -> tuple[Email, str]:
    """The reminder to `user` in their language, and the meeting page's link. Times are
    absolute: a reminder sent late (after downtime, or for a meeting moved close) must not
    say "in 48 hours"."""
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone))
    link = external_url("meetings.show", slug=meeting.council.slug, meeting_id=meeting.id)

    def when() -> str:
        return _("%(day)s at %(time)s", day=f"{local:%Y-%m-%d}", time=f"{local:%H:%M}")

    email = compose(
        "meeting_reminder",
        user.locale,
        lambda: _("Reminder: %(title)s %(when)s", title=meeting.series.title, when=when()),
        meeting=meeting,
        when=when,
        place=meeting.location or meeting.series.location,
        link=link,
    )
    return email, link


def enqueue(
    key: str,
    kind: str,
    user: User,
    email: Email,
    due_at: datetime,
    now: datetime,
    council_id: int | None = None,
    link: str = "",
    useful_until: datetime | None = None,
) -> OutboxMessage | None:
    """Add one message unless a message with the same key exists; returns the new row."""
    return _enqueue(
        key, kind, user.id, user.email, email, due_at, now, council_id, link, useful_until
    )


def enqueue_to_address(
    key: str,
    kind: str,
    address: str,
    email: Email,
    due_at: datetime,
    now: datetime,
    council_id: int | None = None,
    link: str = "",
    useful_until: datetime | None = None,
    report_id: int | None = None,
) -> OutboxMessage | None:
    """Like `enqueue`, for a recipient outside the council's users (e.g. a business's contact
    address): the row has no recipient, so no membership decides whether it is sent and no
    in-app notice is left. Returns the new row, or None when the key exists. A mail about a
    resident's report names it (`report_id`), so it goes when the report's addresses go."""
    return _enqueue(
        key, kind, None, address, email, due_at, now, council_id, link, useful_until, report_id
    )


def _enqueue(
    key: str,
    kind: str,
    recipient_id: int | None,
    address: str,
    email: Email,
    due_at: datetime,
    now: datetime,
    council_id: int | None,
    link: str,
    useful_until: datetime | None,
    report_id: int | None = None,
) -> OutboxMessage | None:
    if db.session.scalar(db.select(OutboxMessage.id).where(OutboxMessage.key == key)):
        return None
    row = OutboxMessage(
        key=key,
        kind=kind,
        council_id=council_id,
        recipient_id=recipient_id,
        recipient_email=address,
        subject=email.subject,
        body=email.text,
        html_body=email.html,
        link=link,
        useful_until=useful_until,
        report_id=report_id,
        due_at=due_at,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def release_stale_claims(now: datetime) -> int:
    """Return rows whose dispatcher died mid-send to the queue (see the module's policy)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - CLAIM_LEASE,
        )
        .values(status=OutboxStatus.PENDING, claimed_by=None)
    )
    return rows_affected(result)


def mark_missed(now: datetime) -> int:
    """Reminders that fell due while nothing ran and whose meeting has begun: missed."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.due_at <= now,
            OutboxMessage.useful_until.is_not(None),
            OutboxMessage.useful_until <= now,
        )
        .values(status=OutboxStatus.MISSED, last_error="fell due while no dispatcher ran")
    )
    return rows_affected(result)


def due_ids(now: datetime, limit: int, skip: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Ids of rows due now, oldest first, leaving out `skip`; on PostgreSQL skipping rows
    another claim holds."""
    stmt = (
        db.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    if skip:
        stmt = stmt.where(OutboxMessage.id.not_in(skip))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def _sent_to_an_active_member() -> ColumnElement[bool]:
    """True for a row of no council (account mail: an invitation to accept, a password
    link), for a council's row to an outside address (no recipient user, see
    `enqueue_to_address`), and for a council's row whose recipient has an active account and
    an active membership of that council (a condition correlated with OutboxMessage)."""
    active_member = (
        db.select(Membership.id)
        .join(Membership.user)
        .where(
            Membership.user_id == OutboxMessage.recipient_id,
            Membership.council_id == OutboxMessage.council_id,
            Membership.active.is_(True),
            User.active.is_(True),
        )
        .exists()
    )
    return or_(
        OutboxMessage.council_id.is_(None), OutboxMessage.recipient_id.is_(None), active_member
    )


def drop_if_recipient_left(row_id: int) -> bool:
    """Drop a pending row of a council whose recipient is no longer an active member of it
    (membership or account switched off), or whose e-mail the recipient has switched off
    (`drop_if_unwanted`); True when it was dropped."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            ~_sent_to_an_active_member(),
        )
        .values(
            status=OutboxStatus.DROPPED,
            last_error="the recipient is no longer an active member of the council",
        )
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result) == 1 or drop_if_unwanted(row_id)


def drop_if_unwanted(row_id: int) -> bool:
    """Drop a pending row whose kind of e-mail its recipient has switched off, and leave its
    in-app notice instead (see services/mail_preferences); True when it was dropped. The
    choice is read now, at sending time, so it holds for rows written weeks ago."""
    found = db.session.execute(
        db.select(OutboxMessage.kind, User.email_preferences)
        .join(User, User.id == OutboxMessage.recipient_id)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
    ).one_or_none()
    if found is None or mail_preferences.wants_email(found.email_preferences, found.kind):
        return False
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.DROPPED, last_error="the recipient switched this e-mail off")
        .execution_options(synchronize_session=False)
    )
    if rows_affected(result) != 1:  # another dispatcher got there first
        return False
    row = db.session.get(OutboxMessage, row_id)
    if row is not None and row.recipient_id is not None:
        db.session.add(
            Notification(
                user_id=row.recipient_id,
                council_id=row.council_id,
                outbox_id=row.id,
                text=row.subject,
                link=row.link,
                created_at=clock.now(),
            )
        )
        db.session.flush()
    return True


def claim(row_id: int, worker: str, now: datetime) -> bool:
    """Take one row for sending, stamped with `now` (the time of the claim, which the lease
    counts from); True for exactly one of any number of competing workers."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
    )
    return rows_affected(result) == 1


def _held_by(row_id: int, worker: str) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxMessage.id == row_id,
        OutboxMessage.status == OutboxStatus.SENDING,
        OutboxMessage.claimed_by == worker,
    )


def mark_sent(row: OutboxMessage, worker: str, now: datetime, notice: bool = True) -> bool:
    """Record the delivery, and leave the in-app notice of it (unless `notice` is False);
    only while `worker` still holds the row's claim. False, and nothing changed, when
    another dispatcher has taken the row over."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(*_held_by(row.id, worker))
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=OutboxMessage.attempts + 1,
            last_error="",
        )
        .execution_options(synchronize_session="fetch")
    )
    if rows_affected(result) != 1:
        return False
    if notice and row.recipient_id is not None:
        db.session.add(
            Notification(
                user_id=row.recipient_id,
                council_id=row.council_id,
                outbox_id=row.id,
                text=row.subject,
                link=row.link,
                created_at=now,
            )
        )
    db.session.flush()
    return True


def mark_failed_attempt(row: OutboxMessage, worker: str, error: str, now: datetime) -> bool:
    """Put the row back for a later retry, or give up after MAX_ATTEMPTS; only while
    `worker` still holds the row's claim (False, and nothing changed, otherwise)."""
    attempts = row.attempts + 1  # nobody else writes a row while this claim holds it
    values: dict = {"attempts": attempts, "last_error": error[:2000], "claimed_by": None}
    if attempts >= MAX_ATTEMPTS:
        values["status"] = OutboxStatus.FAILED
    elif row.useful_until is not None and now + backoff(attempts) >= row.useful_until:
        values["status"] = OutboxStatus.MISSED
    else:
        values["status"] = OutboxStatus.PENDING
        values["due_at"] = now + backoff(attempts)
    result = db.session.execute(
        update(OutboxMessage)
        .where(*_held_by(row.id, worker))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return rows_affected(result) == 1


def problems(council_id: int, limit: int = 100) -> list[OutboxMessage]:
    """Missed and failed messages of a council, newest first, for its admins."""
    stmt = (
        db.select(OutboxMessage)
        .where(
            OutboxMessage.council_id == council_id,
            OutboxMessage.status.in_([OutboxStatus.MISSED, OutboxStatus.FAILED]),
        )
        .order_by(OutboxMessage.due_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def status_counts(council_id: int) -> dict[str, int]:
    """How many of a council's messages are in each status, keyed by the status value."""
    stmt = (
        db.select(OutboxMessage.status, func.count())
        .where(OutboxMessage.council_id == council_id)
        .group_by(OutboxMessage.status)
    )
    return {status.value: count for status, count in db.session.execute(stmt)}


def local_day(moment: datetime, tz: str = "Europe/Stockholm") -> str:
    return moment.astimezone(ZoneInfo(tz)).date().isoformat()
