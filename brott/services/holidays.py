"""Swedish public holidays (allmänna helgdagar), for flagging meetings that fall on one.

The calendar comes from the `holidays` package. Swedish law counts every Sunday as a
holiday, and some versions of the package list each Sunday too ("Söndag"); a meeting is
flagged only for a named public holiday, so Sundays as such are left out. The eves that are
days off by custom (midsummer eve, Christmas eve, New Year's eve) are not public holidays
and are not flagged either.
"""

from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

import holidays as calendar_data

from brott.i18n import current_locale

COUNTRY = "SE"
# the package's language for each of ours
LANGUAGES = {"sv": "sv", "en": "en_US"}
WORKDAYS = range(5)  # Monday to Friday
SUNDAY = 6
MOST_NAMED_SUNDAYS = 3  # Easter Day, Whit Sunday and All Saints' Day can fall on a Sunday


@lru_cache(maxsize=64)
def _year(year: int, language: str) -> dict[date, str]:
    """The named public holidays of one year, in `language`."""
    found = calendar_data.country_holidays(
        COUNTRY, years=year, language=language, include_sundays=False
    )
    # a version that lists every Sunday gives them one name, whatever the language: a name
    # that more than a few Sundays bear is that of a plain Sunday, not of a holiday
    on_sundays = Counter(
        name for day, names in found.items() if day.weekday() == SUNDAY for name in _names(names)
    )
    plain = {name for name, count in on_sundays.items() if count > MOST_NAMED_SUNDAYS}
    days: dict[date, str] = {}
    for day, names in found.items():
        named = [name for name in _names(names) if name not in plain]
        if named:
            days[day] = ", ".join(named)
    return days


def _names(joined: str) -> list[str]:
    """The package joins the names of a day's holidays with '; '."""
    return [name.strip() for name in joined.split(";") if name.strip()]


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
