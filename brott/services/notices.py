"""Telling people of what concerns them: an action assigned to them, an invitation to a
meeting series, a meeting of theirs moved or cancelled.

Each notice is an e-mail in the recipient's language, queued in the outbox under a key that
names the event and the person, so a service called twice (or two dispatchers) tell them
once. The in-app notice is left when the e-mail is sent (`outbox.mark_sent`), or instead of
it when the person has switched that e-mail off (`outbox.drop_if_unwanted`; which e-mails may
be switched off is decided in services/mail_preferences). A moved or cancelled meeting's
e-mail carries the meeting's calendar entry (its series' UID and RECURRENCE-ID, a higher
SEQUENCE) as a request or a cancellation, so a calendar that holds the meeting updates it.

Nobody is told of what they did to themself: assigning an action to yourself sends nothing.
Moving and cancelling name no person, so everyone who gets the meeting's reminders is told,
the coordinator who made the change included: the e-mail brings the new entry to their
calendar as well.
"""

from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr
from functools import partial
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, vCalAddress
from sqlalchemy import update

from brott import clock, i18n
from brott.extensions import db
from brott.links import external_url
from brott.models import (
    Action,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    OutboxMessage,
    OutboxStatus,
    User,
)
from brott.services import calendar, outbox
from brott.services.emails import Email, compose
from brott.services.mail_preferences import (
    ACTION_ASSIGNED,
    MEETING_CANCELLED,
    MEETING_MOVED,
    SERIES_INVITATION,
)

TITLE_IN_SUBJECT = 120  # characters of a title in a subject (and so in an in-app notice)
INVITED = _l("Invitation: %(title)s")
MOVED = _l("Moved: %(title)s, now %(when)s")
CANCELLED = _l("Cancelled: %(title)s %(when)s")


def action_assigned(action: Action, by: User | None, now: datetime) -> bool:
    """Tell the action's owner that it is theirs: once per action and owner, so giving the
    action to someone else tells the new owner. Not when they assigned it to themself."""
    owner = action.owner
    key = f"assigned:{action.id}:{owner.id}"
    if (by is not None and by.id == owner.id) or _queued(key):
        return False
    now = now or clock.now()  # a caller may leave the time to the clock, as the action does
    link = external_url("actions.index", slug=action.council.slug)
    email = compose(
        "action_assigned",
        owner.locale,
        lambda: _("New action for you: %(title)s", title=_short(action.title)),
        action=action,
        by=by,
        link=link,
    )
    return _queue(key, ACTION_ASSIGNED, owner, action.council_id, link, email, now)


def invited_to_series(series: MeetingSeries, people: Iterable[User], now: datetime) -> int:
    """Tell each of `people` that they are invited to the series' meetings, once per series
    and person: for a series being set up, and for anyone added to one later."""
    link = external_url("meetings.index", slug=series.council.slug)
    following = db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.series_id == series.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    told = 0
    for user in people:
        key = f"invited:{series.id}:{user.id}"
        if _queued(key):
            continue
        email = compose(
            "series_invitation",
            user.locale,
            partial(_subject, INVITED, series.title),
            series=series,
            following=following,
            when=_when,
            link=link,
            calendar_link=external_url("calendar.account"),
            settings_link=external_url("auth.profile"),
        )
        told += _queue(key, SERIES_INVITATION, user, series.council_id, link, email, now)
    return told


def meeting_moved(meeting: Meeting, now: datetime) -> int:
    """Tell everyone who gets the meeting's reminders its new time and place, with the new
    calendar entry. A notice of an earlier move not yet sent is dropped; a move that leaves
    a person's notice as it was (the same time and place again) tells them nothing new."""
    link = _meeting_link(meeting)
    earlier = _moved_rows(meeting)
    told = 0
    for user in outbox.meeting_recipients(meeting):
        key = f"moved:{meeting.id}:{meeting.version}:{user.id}"
        email = compose(
            "meeting_moved",
            user.locale,
            partial(_subject, MOVED, meeting.series.title, meeting),
            meeting=meeting,
            when=partial(_when, meeting),
            place=meeting.location or meeting.series.location,
            link=link,
        )
        theirs = [row for row in earlier if row.recipient_id == user.id]
        if _queued(key) or (theirs and theirs[-1].body == email.text):
            continue
        _drop_pending(theirs, "superseded by a later move")
        ics = _calendar_entry(meeting, user, "REQUEST", now)
        told += _queue(
            key, MEETING_MOVED, user, meeting.council_id, link, email, now, meeting.starts_at, ics
        )
    return told


def meeting_cancelled(meeting: Meeting, now: datetime) -> int:
    """Tell everyone who gets the meeting's reminders that it is cancelled, once, with the
    cancellation for their calendar; a notice of a move not yet sent is dropped."""
    link = _meeting_link(meeting)
    _drop_pending(_moved_rows(meeting), "the meeting is cancelled")
    told = 0
    for user in outbox.meeting_recipients(meeting):
        key = f"cancelled:{meeting.id}:{user.id}"
        if _queued(key):
            continue
        email = compose(
            "meeting_cancelled",
            user.locale,
            partial(_subject, CANCELLED, meeting.series.title, meeting),
            meeting=meeting,
            when=partial(_when, meeting),
            link=link,
        )
        ics = _calendar_entry(meeting, user, "CANCEL", now)
        told += _queue(
            key,
            MEETING_CANCELLED,
            user,
            meeting.council_id,
            link,
            email,
            now,
            meeting.starts_at,
            ics,
        )
    return told


def _queued(key: str) -> bool:
    return (
        db.session.scalar(db.select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None
    )


def _queue(
    key: str,
    kind: str,
    user: User,
    council_id: int,
    link: str,
    email: Email,
    now: datetime,
    useful_until: datetime | None = None,
    ics: str | None = None,
) -> bool:
    """Queue one notice, due now, unless its key is queued already; True when queued."""
    row = outbox.enqueue(
        key,
        kind,
        user,
        email,
        due_at=now,
        now=now,
        council_id=council_id,
        link=link,
        useful_until=useful_until,
    )
    if row is None:
        return False
    row.ics = ics
    db.session.flush()
    return True


def _moved_rows(meeting: Meeting) -> list[OutboxMessage]:
    """The meeting's notices of a move that are not dropped, oldest first."""
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(
                OutboxMessage.kind == MEETING_MOVED,
                OutboxMessage.key.like(f"moved:{meeting.id}:%"),
                OutboxMessage.status != OutboxStatus.DROPPED,
            )
            .order_by(OutboxMessage.id)
        )
    )


def _drop_pending(rows: list[OutboxMessage], reason: str) -> None:
    """Drop those of `rows` still waiting; one a dispatcher has claimed goes its way."""
    ids = [row.id for row in rows]
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.DROPPED, last_error=reason)
            .execution_options(synchronize_session="fetch")
        )


def _calendar_entry(meeting: Meeting, user: User, method: str, now: datetime) -> str:
    """The meeting's calendar entry for `user`, in their language, as an iTIP message
    (RFC 5546): METHOD REQUEST updates the event, CANCEL removes it. The organiser is the
    app's sender address; no reply is asked for."""
    with i18n.language(user.locale):
        entry = Calendar.from_ical(calendar.meeting_ics(meeting, now))
    entry.add("method", method)
    sender = parseaddr(current_app.config["MAIL_SENDER"])[1]
    for event in entry.walk("VEVENT"):
        organizer = vCalAddress(f"mailto:{sender}")
        organizer.params["CN"] = meeting.council.name
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params.update(
            {"CN": user.name, "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"}
        )
        attendee.params["RSVP"] = "FALSE"
        event.add("organizer", organizer)
        event.add("attendee", attendee)
    return entry.to_ical().decode()


def _meeting_link(meeting: Meeting) -> str:
    return external_url("meetings.show", slug=meeting.council.slug, meeting_id=meeting.id)


def _when(meeting: Meeting) -> str:
    """The meeting's start, in its series' time zone; called in the recipient's language."""
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone))
    return _("%(day)s at %(time)s", day=f"{local:%Y-%m-%d}", time=f"{local:%H:%M}")


def _subject(text: LazyString, title: str, meeting: Meeting | None = None) -> str:
    """A subject naming `title` (shortened) and, given one, the meeting's time; called in
    the recipient's language."""
    values = {"title": _short(title)}
    if meeting is not None:
        values["when"] = _when(meeting)
    return str(text) % values


def _short(title: str) -> str:
    """A title short enough for a subject line; the whole title is in the message."""
    title = " ".join(title.split())
    if len(title) <= TITLE_IN_SUBJECT:
        return title
    return title[: TITLE_IN_SUBJECT - 1].rstrip() + "…"
