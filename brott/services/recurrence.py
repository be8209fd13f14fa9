"""Wall-clock recurrences in a named timezone: 09:00 stays 09:00 across daylight saving."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The aware instant of `at` on `day` in `tz`; None when that wall-clock time does not exist.

    In the spring-forward hour (02:00–03:00 on the last Sunday of March in Stockholm) a local
    time names no instant. In the autumn the repeated hour takes its first occurrence.
    """
    local = datetime.combine(day, at, tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def first_on_weekday(start: date, weekday: int) -> date:
    """The first date on or after `start` that falls on `weekday` (Monday = 0)."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def occurrence_dates(
    first_date: date,
    weekday: int,
    interval_weeks: int,
    until: date | None,
    window_start: date,
    window_end: date,
) -> list[date]:
    """Dates of the recurrence that fall within [window_start, window_end]."""
    day = first_on_weekday(first_date, weekday)
    step = timedelta(weeks=interval_weeks)
    if day < window_start:
        skipped = (window_start - day).days // step.days
        day += step * skipped
        while day < window_start:
            day += step
    last = min(window_end, until) if until else window_end
    dates = []
    while day <= last:
        dates.append(day)
        day += step
    return dates
