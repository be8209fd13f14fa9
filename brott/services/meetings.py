"""EST meeting series and meetings: set-up, the next meetings, moving and cancelling."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    PartnerOrganisation,
    User,
)
from brott.services import outbox
from brott.services.personal_data import check_text
from brott.services.recurrence import local_instant, occurrence_dates
from brott.services.users import active_members
from brott.services.versions import check_version, flush_or_conflict

STOCKHOLM = "Europe/Stockholm"
HORIZON = timedelta(weeks=26)  # meetings are materialised this far ahead
DST_CHECK_YEARS = 5  # a series' time is checked against every spring-forward in this span
MAX_REMINDER_MINUTES = 14 * 24 * 60
CONFLICT_MESSAGE = _l(
    "The meeting has been changed by someone else since you opened it. Nothing was saved: "
    "compare with what is saved now and make your change again."
)
# the method's Swedish name, stored as the series' title: data, not translated
DEFAULT_TITLE = "EST – effektiv samordning för trygghet"


@dataclass
class SeriesData:
    """A meeting series as a coordinator sets it up."""

    weekday: int
    local_time: time
    first_date: date
    title: str = DEFAULT_TITLE
    duration_minutes: int = 90
    interval_weeks: int = 2
    until_date: date | None = None
    location: str = ""
    video_url: str = ""
    reminder_minutes: list[int] = field(default_factory=lambda: [48 * 60, 2 * 60])
    invitee_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)


def create_series(council_id: int, data: SeriesData, now: datetime) -> MeetingSeries:
    """Set up a recurring series; its meetings and their reminders are created at once."""
    tz = ZoneInfo(STOCKHOLM)
    _check_series(data, tz, now)
    series = MeetingSeries(
        council_id=council_id,
        title=data.title.strip() or DEFAULT_TITLE,
        weekday=data.weekday,
        local_time=data.local_time,
        duration_minutes=data.duration_minutes,
        interval_weeks=data.interval_weeks,
        first_date=data.first_date,
        until_date=data.until_date,
        timezone=STOCKHOLM,
        location=data.location.strip(),
        video_url=data.video_url.strip(),
        reminder_minutes=sorted(set(data.reminder_minutes), reverse=True),
        invitees=_members(council_id, data.invitee_ids),
        partners=_partners(council_id, data.partner_ids),
    )
    db.session.add(series)
    db.session.flush()
    extend_series(series, now)
    return series


def extend_series(series: MeetingSeries, now: datetime) -> list[Meeting]:
    """Create the series' meetings up to the horizon and plan their reminders (idempotent)."""
    tz = ZoneInfo(series.timezone)
    today = now.astimezone(tz).date()
    existing = set(
        db.session.scalars(db.select(Meeting.occurrence_date).where(Meeting.series_id == series.id))
    )
    created = []
    for day in occurrence_dates(
        series.first_date,
        series.weekday,
        series.interval_weeks,
        series.until_date,
        today,
        today + HORIZON,
    ):
        start = local_instant(day, series.local_time, tz)
        if day in existing or start is None or start <= now:
            continue
        meeting = Meeting(
            council_id=series.council_id,
            series=series,
            occurrence_date=day,
            starts_at=start.astimezone(UTC),
            ends_at=(start + timedelta(minutes=series.duration_minutes)).astimezone(UTC),
            location=series.location,
        )
        db.session.add(meeting)
        created.append(meeting)
    db.session.flush()
    for meeting in created:
        outbox.plan_meeting_reminders(meeting, now)
    return created


def extend_all_series(now: datetime) -> int:
    """Keep every series materialised up to the horizon; returns the meetings created."""
    series_list = db.session.scalars(db.select(MeetingSeries)).all()
    return sum(len(extend_series(series, now)) for series in series_list)


def move_meeting(
    meeting: Meeting,
    day: date,
    at: time,
    now: datetime,
    location: str,
    *,
    seen_version: int | None = None,
) -> None:
    """Give one meeting a new time; the series is untouched and the reminders follow.

    A move from a form names the version it was made from (`seen_version`) and is refused
    if someone saved the meeting after it; without one (a script) it applies to the meeting
    as it is now.
    """
    seen = _check_seen(meeting, seen_version)
    tz = ZoneInfo(meeting.series.timezone)
    start = local_instant(day, at, tz)
    if start is None:
        raise DomainError(
            _("That time does not exist in Stockholm (the clocks go forward one hour that night)."),
            field="time",
        )
    if start <= now:
        raise DomainError(
            _("The meeting cannot be moved to a time that has already passed."), "day"
        )
    if meeting.cancelled:
        raise DomainError(_("A cancelled meeting cannot be moved."))
    duration = meeting.ends_at - meeting.starts_at
    meeting.starts_at = start.astimezone(UTC)
    meeting.ends_at = meeting.starts_at + duration
    meeting.location = location.strip()
    meeting.moved = True
    meeting.updated_at = now
    flush_or_conflict(seen, str(CONFLICT_MESSAGE))
    outbox.plan_meeting_reminders(meeting, now)


def cancel_meeting(meeting: Meeting, now: datetime, *, seen_version: int | None = None) -> None:
    """Cancel one meeting of a series; its pending reminders are dropped. Refused if someone
    saved the meeting after `seen_version` (when given, as by a form)."""
    seen = _check_seen(meeting, seen_version)
    if meeting.starts_at <= now:
        raise DomainError(_("A meeting that has already started cannot be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.updated_at = now
    flush_or_conflict(seen, str(CONFLICT_MESSAGE))
    outbox.plan_meeting_reminders(meeting, now)


def update_agenda(
    meeting: Meeting,
    agenda: str,
    summary: str,
    now: datetime,
    *,
    seen_version: int | None = None,
) -> None:
    """Save the meeting's agenda and the agreed situation picture in words; refused if
    someone saved the meeting after `seen_version` (when given, as by a form)."""
    seen = _check_seen(meeting, seen_version)
    check_text(agenda, field="agenda")
    check_text(summary, field="situation_summary")
    meeting.agenda = agenda.strip()
    meeting.situation_summary = summary.strip()
    meeting.updated_at = now
    flush_or_conflict(seen, str(CONFLICT_MESSAGE))


def upcoming_meetings(council_id: int, now: datetime, limit: int = 6) -> list[Meeting]:
    """The council's next meetings, cancelled ones included so they can be seen as such."""
    stmt = (
        db.select(Meeting)
        .where(Meeting.council_id == council_id, Meeting.ends_at > now)
        .options(selectinload(Meeting.series))
        .order_by(Meeting.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def past_meetings(council_id: int, now: datetime, limit: int = 10) -> list[Meeting]:
    """The council's latest held meetings, newest first."""
    stmt = (
        db.select(Meeting)
        .where(
            Meeting.council_id == council_id,
            Meeting.ends_at <= now,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The series' last held (not cancelled) meeting before this one."""
    stmt = (
        db.select(Meeting)
        .where(
            Meeting.series_id == meeting.series_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def series_of(council_id: int) -> list[MeetingSeries]:
    """The council's meeting series."""
    stmt = (
        db.select(MeetingSeries)
        .where(MeetingSeries.council_id == council_id)
        .options(selectinload(MeetingSeries.invitees), selectinload(MeetingSeries.partners))
        .order_by(MeetingSeries.id)
    )
    return list(db.session.scalars(stmt))


def member_candidates(council_id: int) -> list[User]:
    """Active users of the council: who may be invited or own an action."""
    return active_members(council_id)


def _check_series(data: SeriesData, tz: ZoneInfo, now: datetime) -> None:
    if not 0 <= data.weekday <= 6:
        raise DomainError(_("Choose a weekday."), field="weekday")
    if not 1 <= data.interval_weeks <= 8:
        raise DomainError(_("The meeting must recur every 1 to 8 weeks."), "interval_weeks")
    if not 15 <= data.duration_minutes <= 8 * 60:
        raise DomainError(
            _("The meeting must last between 15 minutes and 8 hours."), "duration_minutes"
        )
    if any(not 0 < m <= MAX_REMINDER_MINUTES for m in data.reminder_minutes):
        raise DomainError(
            _("Reminders are given in minutes before the meeting, at most 14 days."),
            "reminder_minutes",
        )
    if data.until_date and data.until_date < data.first_date:
        raise DomainError(_("The end date cannot be before the first date."), field="until_date")
    today = now.astimezone(tz).date()
    horizon = today + HORIZON
    dates = occurrence_dates(
        data.first_date, data.weekday, data.interval_weeks, data.until_date, today, horizon
    )
    if not dates:
        raise DomainError(
            _(
                "The recurrence gives no upcoming meetings – "
                "check the dates, the weekday and the end date."
            ),
            field="first_date",
        )
    long_run = occurrence_dates(
        data.first_date,
        data.weekday,
        data.interval_weeks,
        data.until_date,
        data.first_date,
        data.first_date + timedelta(days=365 * DST_CHECK_YEARS),
    )
    gap = next((d for d in long_run if local_instant(d, data.local_time, tz) is None), None)
    if gap is not None:
        raise DomainError(
            _(
                "The time %(time)s does not exist in Stockholm on %(date)s "
                "(the clocks go forward one hour). Choose another time.",
                time=data.local_time.strftime("%H:%M"),
                date=gap.isoformat(),
            ),
            field="local_time",
        )
    first_start = local_instant(long_run[0], data.local_time, tz) if long_run else None
    if first_start is not None and first_start <= now:
        raise DomainError(_("The first meeting is in the past. Choose a later date."), "first_date")


def _check_seen(meeting: Meeting, seen_version: int | None) -> int:
    """The version a change is based on: the form's, checked, or the current one."""
    if seen_version is None:
        return meeting.version
    check_version(meeting, seen_version, str(CONFLICT_MESSAGE))
    return seen_version


def _members(council_id: int, user_ids: list[int]) -> list[User]:
    wanted = set(user_ids)
    found = [u for u in member_candidates(council_id) if u.id in wanted]
    if len(found) != len(wanted):
        raise DomainError(_("Invitees must be active members of the council."), field="invitee_ids")
    return found


def _partners(council_id: int, partner_ids: list[int]) -> list[PartnerOrganisation]:
    wanted = set(partner_ids)
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            db.select(PartnerOrganisation).where(
                PartnerOrganisation.council_id == council_id,
                PartnerOrganisation.id.in_(wanted),
            )
        )
    )
    if len(found) != len(wanted):
        raise DomainError(_("Unknown partner organisation."), field="partner_ids")
    return found
