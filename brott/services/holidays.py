"""Swedish public holidays (allmänna helgdagar), for flagging meetings that fall on one.

The calendar comes from the `holidays` package. Swedish law counts every Sunday as a
holiday, and some versions of the package list each Sunday too ("Söndag"); a meeting is
flagged only for a named public holiday, so Sundays as such are left out. The eves that are
days off by custom (midsummer eve, Christmas eve, New Year's eve) are not public holidays
and are not flagged either.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays as calendar_data

from brott.i18n import current_locale

COUNTRY = "SE"
# the package's language for each of ours
LANGUAGES = {"sv": "sv", "en": "en_US"}
SUNDAY_NAMES = {"söndag", "sunday"}  # what the package calls a plain Sunday
WORKDAYS = range(5)  # Monday to Friday


@lru_cache(maxsize=64)
def _year(year: int, language: str) -> dict[date, str]:
    """The named public holidays of one year, in `language`."""
    found = calendar_data.country_holidays(
        COUNTRY, years=year, language=language, include_sundays=False
    )
    days: dict[date, str] = {}
    for day, names in found.items():
        named = [n for n in names.split("; ") if n.strip().lower() not in SUNDAY_NAMES]
        if named:
            days[day] = ", ".join(named)
    return days


def holiday_name(day: date, locale: str | None = None) -> str | None:
    """The name of the public holiday `day` is, in the page's language; None on other days."""
    return _year(day.year, LANGUAGES.get(locale or current_locale(), "sv")).get(day)


def holidays_between(start: date, end: date, locale: str | None = None) -> dict[date, str]:
    """The public holidays from `start` to `end` (both included), by date."""
    language = LANGUAGES.get(locale or current_locale(), "sv")
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in _year(year, language).items() if start <= d <= end})
    return found


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() in WORKDAYS and day not in _year(day.year, "sv")


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following
