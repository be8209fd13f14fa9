"""Indicators of measures: defining them, entering values, deriving values from the tools'
records period by period, and the measure progress an indicator may drive."""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from brott import clock, policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Measure, User
from brott.models.activity import ActivityKind
from brott.models.indicators import (
    Indicator,
    IndicatorDirection,
    IndicatorPeriod,
    IndicatorSource,
    IndicatorValue,
)
from brott.policy import Viewer
from brott.services import activity, charts, tool_shares
from brott.services import measures as measure_service
from brott.services.personal_data import check_text
from brott.services.versions import check_version, flush_or_conflict

MAX_COMMENT = 500
HISTORY = timedelta(days=2 * 365)  # how far back derived values go without a measure start
MAX_POINTS = 120
NUMBER_FORMAT = "#,##0.##"  # at most two decimals, grouped thousands
CONFLICT_MESSAGE = _l(
    "The indicator has been changed by someone else since you opened it. Nothing was "
    "saved: compare with what is saved now and make your change again."
)
ACTIVITY_SOURCES = (IndicatorSource.ACTIVITY_ENTRIES, IndicatorSource.ACTIVITY_PEOPLE)
SHARE_SOURCES = (IndicatorSource.CERTIFIED_SHARE, IndicatorSource.WALK_ACTIONS_CLOSED)
# months that end each kind of period
PERIOD_END_MONTHS = {
    IndicatorPeriod.MONTH: tuple(range(1, 13)),
    IndicatorPeriod.QUARTER: (3, 6, 9, 12),
    IndicatorPeriod.HALF_YEAR: (6, 12),
    IndicatorPeriod.YEAR: (12,),
}
MAX_NUMBER = 1e12  # larger values are typing mistakes, and no chart scale survives them
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
# the activity logs' daily totals by (measure id, kind id or None for every kind)
ActivityDays = Mapping[tuple[int, int | None], Sequence[tuple[date, int, int]]]


@dataclass
class IndicatorData:
    name: str
    target: float
    baseline: float = 0.0
    unit: str = ""
    direction: IndicatorDirection = IndicatorDirection.HIGHER
    period: IndicatorPeriod = IndicatorPeriod.NONE
    source: IndicatorSource = IndicatorSource.MANUAL
    activity_kind_id: int | None = None
    drives_progress: bool = False


@dataclass(frozen=True)
class Point:
    on_date: date
    value: float


def parse_number(text: str | None) -> float | None:
    """A number as people type it: "12,5" and "12.5" alike, spaces between thousands allowed
    ("1 250,5"); None for an empty field; ValueError for anything else."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text or "").replace("\u2212", "-")
    if not cleaned:
        return None
    if not _NUMBER.match(cleaned):
        raise ValueError(text)
    number = float(cleaned.replace(",", "."))
    if abs(number) > MAX_NUMBER:  # also what float() makes of 400 nines: infinity
        raise ValueError(text)
    return number


# --- reading ---------------------------------------------------------------------------------


def indicators_of(viewer: Viewer, measure_id: int) -> list[Indicator]:
    """The measure's indicators with their values, in the order they were defined."""
    stmt = (
        policy.scoped(viewer, Indicator)
        .where(Indicator.measure_id == measure_id)
        .options(selectinload(Indicator.values), selectinload(Indicator.activity_kind))
        .order_by(Indicator.id)
    )
    return list(db.session.scalars(stmt))


def names_by_measure(viewer: Viewer, measure_ids: list[int]) -> dict[int, list[str]]:
    """The names of the measures' indicators, by measure: one query."""
    if not measure_ids:
        return {}
    stmt = (
        policy.scoped(viewer, Indicator)
        .with_only_columns(Indicator.measure_id, Indicator.name)
        .where(Indicator.measure_id.in_(measure_ids))
        .order_by(Indicator.id)
    )
    names: dict[int, list[str]] = {}
    for measure_id, name in db.session.execute(stmt):
        names.setdefault(measure_id, []).append(name)
    return names


def driver_of(measure_id: int) -> Indicator | None:
    """The indicator that drives the measure's progress, if one does."""
    stmt = db.select(Indicator).where(
        Indicator.measure_id == measure_id, Indicator.drives_progress.is_(True)
    )
    return db.session.scalars(stmt).first()


def points(
    indicator: Indicator, today: date, activity_days: ActivityDays | None = None
) -> list[Point]:
    """The indicator's values over time: the entered ones, or one derived value per period
    end up to today (the running period's value dated today). `activity_days`: the activity
    logs' daily totals read beforehand for many measures (activity.daily_totals_of_measures),
    else they are read for this indicator."""
    if not indicator.derived:
        return [Point(v.on_date, v.value) for v in indicator.values]
    if indicator.source in SHARE_SOURCES:
        start, end = register_window(indicator.measure, today)
    else:
        start, end = window(indicator.measure, today)
    ends = period_ends(indicator.period, start, end)
    if indicator.source in ACTIVITY_SOURCES:
        return _activity_points(indicator, start, ends, activity_days)
    shares = _share_function(indicator.source)(indicator.council_id, ends)
    # the tools give percentages; a day with nothing registered has no point
    return [Point(day, round(value, 1)) for day in ends if (value := shares[day]) is not None]


def register_window(measure: Measure, today: date) -> tuple[date, date]:
    """The dates a share of a tool's register covers: the register outlives a promise
    period, so it runs up to today, over the last two years or since the measure began."""
    start = max(measure.start_date or today - HISTORY, today - HISTORY)
    return start, today


def window(measure: Measure, today: date) -> tuple[date, date]:
    """The dates derived values cover: the measure's period up to today, else two years."""
    end = min(measure.end_date or today, today)
    start = measure.start_date or (today - HISTORY)
    return min(start, end), end


def period_ends(period: IndicatorPeriod, start: date, end: date) -> list[date]:
    """The last day of every period from start's to end's; the running one ends at `end`."""
    months = PERIOD_END_MONTHS.get(period, PERIOD_END_MONTHS[IndicatorPeriod.MONTH])
    ends: list[date] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        if month in months:
            last = _month_end(year, month)
            ends.append(min(last, end))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not ends or ends[-1] < end:
        ends.append(end)
    return ends[-MAX_POINTS:]


def progress_for(indicator: Indicator, latest: float) -> int:
    """The measure's progress when the indicator stands at `latest`: the share of the way
    from baseline to target, 0–100 (for "lower is better" the target lies below)."""
    span = indicator.target - indicator.baseline
    if span == 0:
        return 100 if latest == indicator.target else 0
    share = 100 * (latest - indicator.baseline) / span
    return max(0, min(100, round(share)))


# --- defining --------------------------------------------------------------------------------


def create_indicator(measure: Measure, data: IndicatorData, now: datetime) -> Indicator:
    """Add an indicator to a measure."""
    _check(measure.council_id, data)
    indicator = Indicator(council_id=measure.council_id, measure_id=measure.id, created_at=now)
    indicator.measure = measure
    _apply(indicator, data)
    db.session.add(indicator)
    db.session.flush()
    _only_driver(indicator)
    return indicator


def update_indicator(
    indicator: Indicator, data: IndicatorData, seen_version: int, author: User, now: datetime
) -> None:
    """Change an indicator; refused if someone saved it after `seen_version`. A driving
    indicator sets the measure's progress at once."""
    check_version(indicator, seen_version, str(CONFLICT_MESSAGE))
    _check(indicator.council_id, data)
    _apply(indicator, data)
    flush_or_conflict(seen_version, str(CONFLICT_MESSAGE))
    _only_driver(indicator)
    apply_progress(indicator, author, now)


def delete_indicator(indicator: Indicator) -> None:
    """Remove an indicator with its values; the measure's progress stays as it is."""
    db.session.delete(indicator)
    db.session.flush()


def _check(council_id: int, data: IndicatorData) -> None:
    errors: dict[str | None, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Enter a name.")]
    if data.unit.strip() == "%":
        for name, value in (("baseline", data.baseline), ("target", data.target)):
            if not 0 <= value <= 100:
                errors[name] = [_("A percentage lies between 0 and 100.")]
    if data.drives_progress and data.target == data.baseline and "target" not in errors:
        errors["target"] = [_("To drive the progress, the target must differ from the baseline.")]
    if data.direction is IndicatorDirection.HIGHER and data.target < data.baseline:
        errors.setdefault("target", []).append(
            _("When higher is better, the target cannot lie below the baseline.")
        )
    if data.direction is IndicatorDirection.LOWER and data.target > data.baseline:
        errors.setdefault("target", []).append(
            _("When lower is better, the target cannot lie above the baseline.")
        )
    if data.source is not IndicatorSource.MANUAL and data.period is IndicatorPeriod.NONE:
        errors["period"] = [_("A derived indicator needs a period to count by.")]
    if data.activity_kind_id is not None:
        kind = db.session.get(ActivityKind, data.activity_kind_id)
        if kind is None or kind.council_id != council_id:
            errors["activity_kind_id"] = [_("Choose a kind from the council's list.")]
    if errors:
        raise DomainError.from_errors(errors)


def _apply(indicator: Indicator, data: IndicatorData) -> None:
    indicator.name = " ".join(data.name.split())
    indicator.unit = data.unit.strip()
    indicator.baseline = data.baseline
    indicator.target = data.target
    indicator.direction = data.direction
    indicator.period = data.period
    indicator.source = data.source
    indicator.activity_kind_id = data.activity_kind_id if data.source in ACTIVITY_SOURCES else None
    indicator.drives_progress = data.drives_progress


def _only_driver(indicator: Indicator) -> None:
    """At most one indicator drives a measure's progress: choosing one releases the other."""
    if not indicator.drives_progress:
        return
    others = db.session.scalars(
        db.select(Indicator).where(
            Indicator.measure_id == indicator.measure_id,
            Indicator.id != indicator.id,
            Indicator.drives_progress.is_(True),
        )
    )
    for other in others:
        other.drives_progress = False
    db.session.flush()


# --- values ----------------------------------------------------------------------------------


def add_value(
    indicator: Indicator,
    author: User,
    on_date: date,
    value: float,
    comment: str,
    now: datetime,
) -> IndicatorValue:
    """Enter the value on a date (replacing one entered for the same date); a driving
    indicator then sets the measure's progress."""
    errors: dict[str | None, list[str]] = {}
    if indicator.derived:
        errors[None] = [_("This indicator's values are counted from the records, not entered.")]
    if on_date > clock.today():
        errors["on_date"] = [_("The date cannot lie in the future.")]
    if indicator.is_percentage and not 0 <= value <= 100:
        errors["value"] = [_("A percentage lies between 0 and 100.")]
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [
            _("The comment may be at most %(limit)d characters.", limit=MAX_COMMENT)
        ]
    if errors:
        raise DomainError.from_errors(errors)
    check_text(comment, field="comment")
    # Two people entering a value for the same date at once: the second waits for the
    # first's commit, then sees its value and replaces it instead of breaking the
    # indicator-and-date unique constraint (PostgreSQL; SQLite serialises writers anyway).
    db.session.execute(
        db.select(Indicator.id).where(Indicator.id == indicator.id).with_for_update()
    )
    db.session.expire(indicator, ["values"])
    found = next((v for v in indicator.values if v.on_date == on_date), None)
    if found is None:
        found = IndicatorValue(council_id=indicator.council_id, on_date=on_date)
        indicator.values.append(found)
    found.value = value
    found.comment = comment
    found.entered_by_id = author.id
    found.entered_at = now
    db.session.flush()
    indicator.values.sort(key=lambda v: v.on_date)
    apply_progress(indicator, author, now)
    return found


def delete_value(value: IndicatorValue, author: User, now: datetime) -> None:
    """Remove an entered value; a driving indicator sets the progress from what is left."""
    indicator = value.indicator
    indicator.values.remove(value)
    db.session.flush()
    apply_progress(indicator, author, now)


# --- progress --------------------------------------------------------------------------------


def apply_progress(indicator: Indicator, author: User | None, now: datetime) -> bool:
    """Set the measure's progress from a driving indicator's latest value, journalled with a
    comment naming the indicator; False when nothing changed."""
    if not indicator.drives_progress:
        return False
    found = points(indicator, now.astimezone(clock.STOCKHOLM).date())
    if not found:
        return False
    latest = found[-1].value
    progress = progress_for(indicator, latest)
    comment = _(
        "Progress derived from the indicator %(name)s: %(value)s of target %(target)s.",
        name=indicator.name,
        value=format_decimal(latest, format=NUMBER_FORMAT),
        target=format_decimal(indicator.target, format=NUMBER_FORMAT),
    )
    entry = measure_service.set_derived_progress(indicator.measure, progress, comment, now, author)
    return entry is not None


def refresh_derived_progress(now: datetime) -> int:
    """Recount the derived indicators that drive a measure's progress and journal the
    measures whose progress changed; returns how many. Commits nothing."""
    stmt = (
        db.select(Indicator)
        .where(
            Indicator.drives_progress.is_(True),
            Indicator.source != IndicatorSource.MANUAL,
        )
        .options(selectinload(Indicator.measure))
        .order_by(Indicator.id)
    )
    return sum(apply_progress(i, None, now) for i in db.session.scalars(stmt).all())


def _activity_points(
    indicator: Indicator, start: date, ends: list[date], read: ActivityDays | None
) -> list[Point]:
    if not ends:
        return []
    if read is None:
        days = activity.daily_totals(
            indicator.measure_id, indicator.activity_kind_id, start, ends[-1]
        )
    else:
        days = [
            day
            for day in read.get((indicator.measure_id, indicator.activity_kind_id), ())
            if start <= day[0] <= ends[-1]
        ]
    people = indicator.source is IndicatorSource.ACTIVITY_PEOPLE
    found = []
    i = 0
    for end in ends:
        total = 0
        while i < len(days) and days[i][0] <= end:
            total += days[i][2] if people else days[i][1]
            i += 1
        found.append(Point(end, float(total)))
    return found


def _share_function(
    source: IndicatorSource,
) -> Callable[[int, Sequence[date]], dict[date, float | None]]:
    """The tool's share over many days, read from its register at once (services/tool_shares)."""
    if source is IndicatorSource.CERTIFIED_SHARE:
        return tool_shares.certified_shares
    return tool_shares.walk_closed_shares


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def chart_of(
    indicator: Indicator, today: date, activity_days: ActivityDays | None = None
) -> charts.Chart:
    """The indicator's chart and table of values (see `points` for `activity_days`)."""
    return charts.indicator_chart(
        f"indicator-{indicator.id}",
        indicator.name,
        indicator.unit,
        [(p.on_date, p.value) for p in points(indicator, today, activity_days)],
        indicator.baseline,
        indicator.target,
    )


def activity_days_of(found: list[Indicator], today: date) -> ActivityDays:
    """The activity logs' daily totals that the indicators count, read at once for all of
    them (for `points` and `chart_of`), so that many charts cost one query."""
    counted = [i for i in found if i.source in ACTIVITY_SOURCES]
    if not counted:
        return {}
    windows = [window(i.measure, today) for i in counted]
    return activity.daily_totals_of_measures(
        {i.measure_id for i in counted},
        min(start for start, _end in windows),
        max(end for _start, end in windows),
    )


def charts_of(viewer: Viewer, measure_id: int, today: date) -> list[tuple[Indicator, charts.Chart]]:
    """Each of the measure's indicators with its chart, for the measure's page."""
    return [(i, chart_of(i, today)) for i in indicators_of(viewer, measure_id)]
