"""EST meeting series and meetings: set-up, the next meetings, moving and cancelling."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, or_
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
from brott.services import holidays, notices, outbox
from brott.services.personal_data import check_text
from brott.services.recurrence import first_on_weekday, local_instant, occurrence_dates
from brott.services.users import active_members
from brott.services.versions import check_version, flush_or_conflict

STOCKHOLM = "Europe/Stockholm"
HORIZON = timedelta(weeks=26)  # meetings are materialised this far ahead
DST_CHECK_YEARS = 5  # a series' time is checked against every spring-forward in this span
MAX_REMINDER_MINUTES = 14 * 24 * 60
PAGE_SIZE = 20  # meetings per page of the meetings list
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
    check_series(data, tz, now)
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
        invitees=chosen_members(council_id, data.invitee_ids),
        partners=chosen_partners(council_id, data.partner_ids),
    )
    db.session.add(series)
    db.session.flush()
    extend_series(series, now)
    notices.invited_to_series(series, series.invitees, now)
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
    notices.meeting_moved(meeting, now)


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
    notices.meeting_cancelled(meeting, now)


def move_off_holiday(meeting: Meeting, now: datetime, *, seen_version: int | None = None) -> date:
    """Move a meeting that falls on a public holiday to the next working day, at the same
    time and place (as `move_meeting`, reminders included); returns the new day."""
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone))
    if holidays.holiday_name(local.date()) is None:
        raise DomainError(_("The meeting is no longer on a public holiday."))
    day = holidays.next_working_day(local.date())
    move_meeting(meeting, day, local.time(), now, meeting.location, seen_version=seen_version)
    return day


def holiday_of(meeting: Meeting) -> str | None:
    """The public holiday a coming meeting falls on (its local day), if any."""
    return holidays.holiday_name(
        meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone)).date()
    )


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


@dataclass
class MeetingPage:
    """One page of a list of meetings: its meetings, its number (from 1) and how many there
    are in all."""

    meetings: list[Meeting]
    number: int
    pages: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def upcoming_meetings(council_id: int, now: datetime, limit: int = PAGE_SIZE) -> list[Meeting]:
    """The council's next meetings, cancelled ones included so they can be seen as such."""
    return upcoming_page(council_id, now, 1, limit).meetings


def upcoming_page(
    council_id: int, now: datetime, page: int = 1, per_page: int = PAGE_SIZE
) -> MeetingPage:
    """A page of the council's coming meetings, soonest first; cancelled ones are included so
    they can be seen as such, but not those a series' end took away."""
    stmt = (
        db.select(Meeting)
        .join(Meeting.series)
        .where(Meeting.council_id == council_id, Meeting.ends_at > now, _within_its_series())
    )
    return _page(stmt, page, per_page, Meeting.starts_at, Meeting.id)


def past_meetings(council_id: int, now: datetime, limit: int = PAGE_SIZE) -> list[Meeting]:
    """The council's latest held meetings, newest first."""
    return past_page(council_id, now, 1, limit).meetings


def past_page(
    council_id: int, now: datetime, page: int = 1, per_page: int = PAGE_SIZE
) -> MeetingPage:
    """A page of the council's held meetings, newest first."""
    stmt = db.select(Meeting).where(
        Meeting.council_id == council_id,
        Meeting.ends_at <= now,
        Meeting.status == MeetingStatus.SCHEDULED,
    )
    return _page(stmt, page, per_page, Meeting.starts_at.desc(), Meeting.id.desc())


def _within_its_series() -> ColumnElement[bool]:
    """The meeting's slot lies within its series, not after the series' end (a series that
    ended keeps the cancelled meetings after its end, out of sight)."""
    return or_(
        MeetingSeries.until_date.is_(None), Meeting.occurrence_date <= MeetingSeries.until_date
    )


def _page(stmt: Select, page: int, per_page: int, *order: object) -> MeetingPage:
    """Page `page` of `stmt` (a page past the last shows the last); two queries and one for
    the series, however many meetings there are."""
    total = db.session.scalar(db.select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    rows = db.session.scalars(
        stmt.options(selectinload(Meeting.series))
        .order_by(*order)  # type: ignore[arg-type]
        .offset((number - 1) * per_page)
        .limit(per_page)
    )
    return MeetingPage(list(rows), number, pages, total)


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


def next_meetings(council_id: int, now: datetime) -> dict[int, Meeting]:
    """Each series' next coming meeting (not cancelled), by series id: where a change of the
    series starts from."""
    stmt = (
        db.select(Meeting)
        .join(Meeting.series)
        .where(
            Meeting.council_id == council_id,
            Meeting.starts_at > now,
            Meeting.status == MeetingStatus.SCHEDULED,
            _within_its_series(),
        )
        .order_by(Meeting.starts_at.desc())
    )
    return {meeting.series_id: meeting for meeting in db.session.scalars(stmt)}


def ever_held(series: MeetingSeries) -> bool:
    """Whether the series has a meeting at all: one changed before its first meeting has
    none (its end comes before its first slot)."""
    first = first_on_weekday(series.first_date, series.weekday)
    return series.until_date is None or series.until_date >= first


def member_candidates(council_id: int) -> list[User]:
    """Active users of the council: who may be invited or own an action."""
    return active_members(council_id)


def check_series(data: SeriesData, tz: ZoneInfo, now: datetime) -> None:
    """Refuse a series that cannot be planned as given (each message names its field)."""
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
    check_first_weekday(data.first_date, data.weekday)
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


def check_first_weekday(first_date: date, weekday: int) -> None:
    """The first date is the first meeting: refused when it is not on the series' weekday,
    rather than moved to the next such day without a word."""
    if first_date.weekday() == weekday:
        return
    raise DomainError(
        _(
            "%(date)s is a %(day)s, not a %(weekday)s. Choose a %(weekday)s as the first "
            "date, or %(day)s as the weekday.",
            date=format_date(first_date, "d MMMM yyyy"),
            day=format_date(first_date, "EEEE"),
            weekday=format_date(first_on_weekday(first_date, weekday), "EEEE"),
        ),
        field="first_date",
    )


def _check_seen(meeting: Meeting, seen_version: int | None) -> int:
    """The version a change is based on: the form's, checked, or the current one."""
    if seen_version is None:
        return meeting.version
    check_version(meeting, seen_version, str(CONFLICT_MESSAGE))
    return seen_version


def chosen_members(council_id: int, user_ids: list[int]) -> list[User]:
    """The invitees chosen on a form: active members of the council, or refused."""
    wanted = set(user_ids)
    found = [u for u in member_candidates(council_id) if u.id in wanted]
    if len(found) != len(wanted):
        raise DomainError(_("Invitees must be active members of the council."), field="invitee_ids")
    return found


def chosen_partners(council_id: int, partner_ids: list[int]) -> list[PartnerOrganisation]:
    """The partner organisations chosen on a form: the council's own, or refused."""
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
