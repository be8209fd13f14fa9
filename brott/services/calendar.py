"""Calendar exports (RFC 5545): one meeting as .ics, and each user's private subscription feed.

A series is published as one recurring event, not as its materialised rows: the RRULE keeps
09:00 at 09:00 Stockholm time across daylight saving (DTSTART carries TZID), a cancelled
meeting becomes an EXDATE and a moved one an override with RECURRENCE-ID at its original slot.
UIDs are derived from ids, so a calendar that re-reads the feed updates events in place. A
meeting has one identity everywhere: the series' UID with its original slot as RECURRENCE-ID,
in the feed and in the single download alike, so a user who has both sees it once. SEQUENCE
rises with every saved change of a meeting (its row's version), and the series' SEQUENCE
with every change of any of its meetings, so a moved or cancelled meeting replaces the copy a
calendar holds (RFC 5545 3.8.7.4).

The feed is readable by anyone who has its URL, so it carries times, places and links only —
never an agenda or a situation picture.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vText
from icalendar.enums import STATUS, TRANSP
from sqlalchemy.orm import selectinload

from brott import policy
from brott.extensions import db
from brott.links import external_url
from brott.models import (
    Action,
    ActionStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Membership,
    User,
)
from brott.policy import Permission
from brott.services.recurrence import first_on_weekday, local_instant

PRODID = "-//Brott//EST-kalender//SV"
STOCKHOLM = "Europe/Stockholm"
UID_DOMAIN = "brott"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # Python's Monday = 0
DEFAULT_ALARM_MINUTES = 2 * 60
FEED_REFRESH = timedelta(hours=1)
TIMEZONE_YEARS_AHEAD = 15  # VTIMEZONE rules are spelled out this far; series may run on


def meeting_ics(meeting: Meeting, now: datetime) -> bytes:
    """One meeting as a calendar file with a single event, for download."""
    series = meeting.series
    tz = ZoneInfo(series.timezone)
    calendar = _calendar(series.title, f"est-meeting-{meeting.id}")
    event = Event.new(
        uid=_series_uid(series),
        recurrence_id=_slot(meeting.occurrence_date, series.local_time, tz),
        sequence=_meeting_sequence(meeting),
        start=meeting.starts_at.astimezone(tz),
        end=meeting.ends_at.astimezone(tz),
        stamp=now,
        last_modified=meeting.updated_at,
        status=STATUS.CANCELLED if meeting.cancelled else STATUS.CONFIRMED,
        **_meeting_texts(meeting),
    )
    if not meeting.cancelled:
        event.add_component(_alarm(meeting.series))
    calendar.add_component(event)
    return _finish(calendar, meeting.starts_at.date(), now)


def user_feed(user: User, now: datetime) -> bytes:
    """The user's private feed: the EST series of each council they belong to, and their open
    actions as all-day events on the due date."""
    council_ids = _council_ids(user)
    calendar = _calendar(_("Brott – EST meetings and my actions"), f"feed-{user.id}")
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's older name for the same hint
    earliest = now.date()
    for series in _series(council_ids):
        for event in _series_events(series, now):
            calendar.add_component(event)
            start = event.start
            earliest = min(earliest, start.date() if isinstance(start, datetime) else start)
    for action in _open_actions(user.id, council_ids):
        calendar.add_component(_action_event(action, now))
        earliest = min(earliest, action.due_date)
    return _finish(calendar, earliest, now)


def enable_feed(user: User) -> str:
    """Give the user a new secret feed token; any previous feed URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def disable_feed(user: User) -> None:
    """Switch the user's feed off; its URL stops working."""
    user.calendar_token = None
    db.session.flush()


def feed_owner(token: str) -> User | None:
    """The active user whose feed `token` opens, or None."""
    if not token:
        return None
    return db.session.scalars(
        db.select(User).where(User.calendar_token == token, User.active.is_(True))
    ).one_or_none()


def feed_url(user: User) -> str | None:
    """The absolute URL of the user's feed, or None when it is switched off."""
    if not user.calendar_token:
        return None
    return external_url("calendar.feed", token=user.calendar_token)


# --- series ------------------------------------------------------------------------------


def _series_events(series: MeetingSeries, now: datetime) -> list[Event]:
    """The master event with its RRULE and EXDATEs, then one override per moved meeting."""
    tz = ZoneInfo(series.timezone)
    first_day = first_on_weekday(series.first_date, series.weekday)
    if series.until_date is not None and series.until_date < first_day:
        return []  # changed or ended before its first meeting: it has none to publish
    start = _slot(first_day, series.local_time, tz)
    uid = _series_uid(series)
    index_url = external_url("meetings.index", slug=series.council.slug)
    master = Event.new(
        uid=uid,
        sequence=sum(_meeting_sequence(m) for m in series.meetings),
        start=start,
        end=start + timedelta(minutes=series.duration_minutes),
        stamp=now,
        # the master changes when one of its meetings is cancelled or moved
        last_modified=max(
            [series.created_at, *(m.updated_at for m in series.meetings if m.moved or m.cancelled)]
        ),
        summary=series.title,
        location=series.location or None,
        description=_description(series, None, index_url),
        url=index_url,
    )
    rule: dict = {
        "freq": "weekly",
        "interval": series.interval_weeks,
        "byday": WEEKDAYS[series.weekday],
    }
    if series.until_date:
        # with a TZID'd DTSTART, RFC 5545 wants UNTIL in UTC; the whole last day is included
        rule["until"] = datetime.combine(series.until_date, time(23, 59, 59), tz).astimezone(UTC)
    master.add("rrule", rule)
    cancelled = [m for m in series.meetings if m.status is MeetingStatus.CANCELLED]
    if cancelled:
        master.add("exdate", [_slot(m.occurrence_date, series.local_time, tz) for m in cancelled])
    master.add_component(_alarm(series))
    overrides = [
        _override(m, uid, tz, now)
        for m in series.meetings
        if m.moved and m.status is MeetingStatus.SCHEDULED
    ]
    return [master, *overrides]


def _override(meeting: Meeting, uid: str, tz: ZoneInfo, now: datetime) -> Event:
    """A moved meeting: replaces the series' occurrence at its original slot."""
    series = meeting.series
    event = Event.new(
        uid=uid,
        recurrence_id=_slot(meeting.occurrence_date, series.local_time, tz),
        sequence=_meeting_sequence(meeting),
        start=meeting.starts_at.astimezone(tz),
        end=meeting.ends_at.astimezone(tz),
        stamp=now,
        last_modified=meeting.updated_at,
        **_meeting_texts(meeting),
    )
    event.add_component(_alarm(series))
    return event


def _series_uid(series: MeetingSeries) -> str:
    return f"est-series-{series.id}@{UID_DOMAIN}"


def _meeting_sequence(meeting: Meeting) -> int:
    """0 for a meeting never changed; one more with every save (moving, cancelling, …)."""
    return max((meeting.version or 1) - 1, 0)


def _slot(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The series' start on `day`; a slot in the spring-forward gap (never created, refused
    when a series is set up) falls back to the normalised instant so the feed still builds."""
    instant = local_instant(day, at, tz)
    if instant is None:
        instant = datetime.combine(day, at, tz).astimezone(UTC).astimezone(tz)
    return instant


def _meeting_texts(meeting: Meeting) -> dict:
    council = meeting.series.council
    url = external_url("meetings.show", slug=council.slug, meeting_id=meeting.id)
    summary = meeting.series.title
    if meeting.cancelled:
        summary = _("CANCELLED: %(title)s", title=summary)
    return {
        "summary": summary,
        "location": (meeting.location or meeting.series.location) or None,
        "description": _description(meeting.series, meeting, url),
        "url": url,
    }


def _description(series: MeetingSeries, meeting: Meeting | None, url: str) -> str:
    lines = [_("EST meeting in %(council)s.", council=series.council.name)]
    if meeting is not None and meeting.moved:
        lines.append(_("The meeting has been moved from its regular time."))
    if meeting is not None and meeting.cancelled:
        lines.append(_("The meeting is cancelled."))
    if series.video_url:
        lines.append(_("Video link: %(url)s", url=series.video_url))
    if meeting is not None:
        lines.append(_("The meeting page with agenda and decisions: %(url)s", url=url))
    else:
        lines.append(_("The meetings with agenda and decisions: %(url)s", url=url))
    return "\n".join(lines)


def _alarm(series: MeetingSeries) -> Alarm:
    """A pop-up at the series' last e-mail reminder (the one closest to the start)."""
    minutes = min(series.reminder_minutes or [DEFAULT_ALARM_MINUTES])
    alarm = Alarm.new(description=_("%(title)s starts soon", title=series.title))
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


# --- actions -----------------------------------------------------------------------------


def _action_event(action: Action, now: datetime) -> Event:
    """An open action as an all-day, free (non-blocking) event on its due date."""
    if action.meeting_id is not None:
        url = external_url("meetings.show", slug=action.council.slug, meeting_id=action.meeting_id)
        lines = [
            _("Action decided at the EST meeting in %(council)s.", council=action.council.name)
        ]
    else:
        url = external_url("actions.index", slug=action.council.slug)
        lines = [_("Action of %(council)s.", council=action.council.name)]
    lines.append(_("Status: %(status)s", status=action.status_label))
    if action.place:
        lines.append(_("Place: %(place)s", place=action.place.name))
    if action.meeting_id is not None:
        lines.append(_("The meeting where the action was decided: %(url)s", url=url))
    else:
        lines.append(_("Your actions: %(url)s", url=url))
    return Event.new(
        uid=f"action-{action.id}@{UID_DOMAIN}",
        start=action.due_date,
        end=action.due_date + timedelta(days=1),
        stamp=now,
        last_modified=action.updated_at,
        summary=_("Action due: %(title)s", title=action.title),
        location=action.place.name if action.place else None,
        description="\n".join(lines),
        url=url,
        transparency=TRANSP.TRANSPARENT,
    )


# --- queries -----------------------------------------------------------------------------


def _council_ids(user: User) -> list[int]:
    """Councils whose meetings the user may see (EST is for the whole council)."""
    memberships = db.session.scalars(
        db.select(Membership).where(Membership.user_id == user.id, Membership.active.is_(True))
    )
    return [
        m.council_id
        for m in memberships
        if Permission.VIEW_MEETINGS in policy.role_permissions(m.role)
    ]


def _series(council_ids: Iterable[int]) -> list[MeetingSeries]:
    stmt = (
        db.select(MeetingSeries)
        .where(MeetingSeries.council_id.in_(list(council_ids)))
        .options(
            selectinload(MeetingSeries.council),
            selectinload(MeetingSeries.meetings),
        )
        .order_by(MeetingSeries.id)
    )
    return list(db.session.scalars(stmt))


def _open_actions(user_id: int, council_ids: Iterable[int]) -> list[Action]:
    stmt = (
        db.select(Action)
        .where(
            Action.owner_id == user_id,
            Action.council_id.in_(list(council_ids)),
            Action.status != ActionStatus.DONE,
        )
        .options(selectinload(Action.council), selectinload(Action.place))
        .order_by(Action.due_date, Action.id)
    )
    return list(db.session.scalars(stmt))


# --- the calendar object -----------------------------------------------------------------


def _calendar(name: str, uid: str) -> Calendar:
    calendar = Calendar.new(prodid=PRODID, name=name, uid=f"{uid}@{UID_DOMAIN}")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _finish(calendar: Calendar, earliest: date, now: datetime) -> bytes:
    """Add the VTIMEZONE definitions the events refer to, and serialise.

    A feed without events still gets Stockholm's, since a calendar needs one component.
    """
    first_date = earliest - timedelta(days=366)
    last_date = date(now.year + TIMEZONE_YEARS_AHEAD, 1, 1)
    calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    if not calendar.subcomponents:
        calendar.add_component(
            Timezone.from_tzid(STOCKHOLM, first_date=first_date, last_date=last_date)
        )
    _clean_texts(calendar)
    return calendar.to_ical()


SINGLE_LINE_TEXTS = ("NAME", "X-WR-CALNAME", "SUMMARY", "LOCATION")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_BUT_TAB_AND_LF = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean_texts(calendar: Calendar) -> None:
    """Titles and places stored before forms refused line breaks may hold them, or other
    control characters: a line break in the calendar's name makes the file unwritable, and
    RFC 5545 allows none of them in a text. Single-line texts become one line; descriptions
    keep their line breaks."""
    for component in calendar.walk():
        for name in SINGLE_LINE_TEXTS:
            if name in component:
                text = " ".join(CONTROL.sub(" ", str(component[name])).split())
                component[name] = vText(text)
        if "DESCRIPTION" in component:
            text = str(component["DESCRIPTION"]).replace("\r\n", "\n")
            component["DESCRIPTION"] = vText(CONTROL_BUT_TAB_AND_LF.sub(" ", text))
