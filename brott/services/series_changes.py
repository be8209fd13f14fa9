"""Changing a meeting series from one of its meetings on, and ending a series.

A series reaches calendars as one recurring event, whose every occurrence follows the
series' weekday, time and place. Changing those in place would rewrite the meetings already
held in every subscribed calendar. So a change is made as calendar programs make "this and
following events": the series as it was ends the day before the change (its past stays as
it was, in the app and in calendars) and a new series, with a calendar identity of its own,
starts there with the new schedule, place, invitees and reminders.

The meetings already planned from the change on are not thrown away: each moves to the new
series when one of the new series' meetings falls in the same week (it keeps its page,
agenda and links, and takes the new time and place; one moved by hand keeps its own time),
and is cancelled otherwise. Ending a series cancels its meetings after the last day. Either
way the reminders follow: those of changed and cancelled meetings are dropped and new ones
planned, and the new series' meetings get theirs.

The series has no version column: a form carries the series' fingerprint (`fingerprint`),
and every change ends the series it starts from with a conditional UPDATE of its end date,
so two changes made at the same moment cannot both pass.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from brott.errors import ConflictError, DomainError
from brott.extensions import db, rows_affected
from brott.models import Meeting, MeetingSeries, MeetingStatus, User
from brott.services import holidays, notices, outbox
from brott.services.meetings import (
    SeriesData,
    check_series,
    chosen_members,
    chosen_partners,
    extend_series,
)
from brott.services.recurrence import local_instant, occurrence_dates
from brott.services.versions import flush_or_conflict

SERIES_CONFLICT = _l(
    "The series has been changed by someone else since you opened it. Nothing was saved: "
    "compare with what is saved now and make your change again."
)


@dataclass
class SeriesChange:
    """What a change did: the new series, and how many planned meetings moved into it or
    were cancelled."""

    series: MeetingSeries
    carried: int
    cancelled: int


@dataclass
class HolidayMeeting:
    """A coming meeting of a series that falls on a public holiday."""

    day: date
    name: str
    meeting: Meeting


def fingerprint(series: MeetingSeries) -> str:
    """A short digest of everything a series form shows: a form carries it, and a change
    is refused when the series no longer matches it."""
    state = [
        series.id,
        series.title,
        series.weekday,
        series.local_time.isoformat(),
        series.duration_minutes,
        series.interval_weeks,
        series.first_date.isoformat(),
        series.until_date.isoformat() if series.until_date else None,
        series.location,
        series.video_url,
        sorted(series.reminder_minutes or []),
        sorted(u.id for u in series.invitees),
        sorted(p.id for p in series.partners),
    ]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


def change_series(meeting: Meeting, data: SeriesData, now: datetime, seen: str) -> SeriesChange:
    """Give the series a new schedule, place, invitees or reminders from `meeting` on (or
    from the new first date, when that comes earlier); see the module's docstring."""
    old = meeting.series
    _check_unchanged(old, seen)
    if meeting.starts_at <= now or meeting.cancelled:
        raise DomainError(_("A series can only be changed from a coming meeting."))
    tz = ZoneInfo(old.timezone)
    check_series(data, tz, now)
    cut = min(meeting.occurrence_date, data.first_date)
    moving = [m for m in old.meetings if m.occurrence_date >= cut]
    held = [m for m in moving if m.starts_at <= now]
    if held:
        raise DomainError(
            _(
                "The new schedule must start after the last meeting already held (%(date)s).",
                date=format_date(held[-1].starts_at.astimezone(tz).date(), "d MMMM yyyy"),
            ),
            field="first_date",
        )
    before = {u.id for u in old.invitees}
    _end(old, cut - timedelta(days=1))
    new = MeetingSeries(
        council_id=old.council_id,
        title=data.title.strip() or old.title,
        weekday=data.weekday,
        local_time=data.local_time,
        duration_minutes=data.duration_minutes,
        interval_weeks=data.interval_weeks,
        first_date=data.first_date,
        until_date=data.until_date,
        timezone=old.timezone,
        location=data.location.strip(),
        video_url=data.video_url.strip(),
        reminder_minutes=sorted(set(data.reminder_minutes), reverse=True),
        invitees=chosen_members(old.council_id, data.invitee_ids),
        partners=chosen_partners(old.council_id, data.partner_ids),
        created_at=now,
    )
    db.session.add(new)
    db.session.flush()
    carried, cancelled = _carry(moving, new, now)
    _flush()
    extend_series(new, now)
    for planned in moving:
        outbox.plan_meeting_reminders(planned, now)
    if not old.meetings:  # nothing was ever planned before the change: no past to keep
        db.session.delete(old)
        db.session.flush()
    # a notice of the changed schedule to those invited before is still to come: until
    # then their calendars follow through the feed, and their reminders are planned anew
    _tell_invited(new, [u for u in new.invitees if u.id not in before], now)
    return SeriesChange(new, carried, cancelled)


def end_series(series: MeetingSeries, last_day: date, now: datetime, seen: str) -> int:
    """End the series after `last_day`: its meetings after that day are cancelled and their
    reminders dropped. Returns how many were cancelled."""
    _check_unchanged(series, seen)
    tz = ZoneInfo(series.timezone)
    today = now.astimezone(tz).date()
    if last_day < today:
        raise DomainError(
            _("A series cannot end in the past: choose today or a later day."), "last_date"
        )
    if series.until_date is not None and last_day >= series.until_date:
        raise DomainError(
            _(
                "The series already ends on %(date)s. Change the series to make it longer.",
                date=format_date(series.until_date, "d MMMM yyyy"),
            ),
            field="last_date",
        )
    _end(series, last_day)
    ended = [
        m
        for m in series.meetings
        if m.occurrence_date > last_day and m.starts_at > now and not m.cancelled
    ]
    for meeting in ended:
        meeting.status = MeetingStatus.CANCELLED
        meeting.updated_at = now
    _flush()
    for meeting in ended:
        outbox.plan_meeting_reminders(meeting, now)
    return len(ended)


def coming_holidays(series: MeetingSeries, now: datetime) -> list[HolidayMeeting]:
    """The series' coming meetings (not cancelled) that fall on a public holiday."""
    tz = ZoneInfo(series.timezone)
    found = []
    for meeting in series.meetings:
        if meeting.starts_at <= now or meeting.cancelled:
            continue
        day = meeting.starts_at.astimezone(tz).date()
        name = holidays.holiday_name(day)
        if name:
            found.append(HolidayMeeting(day, name, meeting))
    return found


def _check_unchanged(series: MeetingSeries, seen: str) -> None:
    if seen != fingerprint(series):
        raise ConflictError(str(SERIES_CONFLICT), 0)


def _end(series: MeetingSeries, last_day: date) -> None:
    """Set the series' last day, only if its end is still what was read: a change that
    slipped in meanwhile (on any database, also between two workers) is a conflict."""
    same_end = (
        MeetingSeries.until_date.is_(None)
        if series.until_date is None
        else MeetingSeries.until_date == series.until_date
    )
    result = db.session.execute(
        update(MeetingSeries)
        .where(MeetingSeries.id == series.id, same_end)
        .values(until_date=last_day)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(result) != 1:
        raise ConflictError(str(SERIES_CONFLICT), 0)
    set_committed_value(series, "until_date", last_day)


def _carry(moving: list[Meeting], new: MeetingSeries, now: datetime) -> tuple[int, int]:
    """Move each planned meeting into the new series' slot of the same week, or cancel it."""
    if not moving:
        return 0, 0
    tz = ZoneInfo(new.timezone)
    last = max(m.occurrence_date for m in moving) + timedelta(days=7)
    slots = occurrence_dates(
        new.first_date, new.weekday, new.interval_weeks, new.until_date, new.first_date, last
    )
    by_week = {slot.isocalendar()[:2]: slot for slot in slots}
    carried = cancelled = 0
    for meeting in moving:
        slot = by_week.pop(meeting.occurrence_date.isocalendar()[:2], None)
        start = local_instant(slot, new.local_time, tz) if slot else None
        if slot is None or start is None:
            if not meeting.cancelled:
                meeting.status = MeetingStatus.CANCELLED
                meeting.updated_at = now
                cancelled += 1
            continue
        meeting.series = new
        meeting.occurrence_date = slot
        if not meeting.moved:  # one moved by hand keeps the time and place it was given
            meeting.starts_at = start.astimezone(UTC)
            meeting.ends_at = (start + timedelta(minutes=new.duration_minutes)).astimezone(UTC)
            meeting.location = new.location
        meeting.updated_at = now
        carried += 1
    return carried, cancelled


def _flush() -> None:
    """Flush; a meeting saved by someone else meanwhile makes the change a conflict."""
    flush_or_conflict(0, str(SERIES_CONFLICT))


def _tell_invited(series: MeetingSeries, people: list[User], now: datetime) -> None:
    """The people a change adds to the series are told they are invited (once per series
    and person); those invited before were told when they were added."""
    if people:
        notices.invited_to_series(series, people, now)
