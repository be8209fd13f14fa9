"""The promise scorecard: at each follow-up the coordinator judges every measure (kept,
partly kept, not kept, too early) with a justification and the indicators it rests on.

Follow-up periods are calendar-aligned runs of the council's `follow_up_months` (6: January–
June and July–December; 12: the calendar year). A measure has one judgement per period; a
later one for the same period replaces it (with the usual version check), and the earlier
periods stay as its history.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from brott import policy
from brott.clock import STOCKHOLM
from brott.errors import ConflictError, DomainError
from brott.extensions import db
from brott.models import Council, Measure, User
from brott.models.follow_up import Assessment, Judgement
from brott.models.indicators import Indicator
from brott.policy import Viewer
from brott.services.personal_data import check_text
from brott.services.versions import UNKNOWN, check_version, flush_or_conflict

FOLLOW_UP_MONTHS = (6, 12)
MAX_JUSTIFICATION = 4000
CONFLICT_MESSAGE = _l(
    "Someone else saved a judgement of this measure for this period after you opened the "
    "form. Read it below; save again to replace it."
)

SETTINGS_CONFLICT = _l(
    "Someone else changed the council's settings after you opened the form. The form now "
    "shows their values; make your change again."
)


@dataclass(frozen=True)
class Period:
    """A span of days, the first and the last included, in Stockholm: a follow-up period, or
    the period a report or a count covers."""

    start: date
    end: date

    @property
    def first_instant(self) -> datetime:
        return datetime.combine(self.start, time(), STOCKHOLM)

    @property
    def after_instant(self) -> datetime:
        """The first instant after the period: midnight after its last day."""
        return datetime.combine(self.end + timedelta(days=1), time(), STOCKHOLM)

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.end.month == 12:
            return str(self.start.year)
        if self.start.month == 1:
            return _("First half of %(year)d", year=self.start.year)
        return _("Second half of %(year)d", year=self.start.year)

    @property
    def key(self) -> str:
        return self.start.isoformat()


def period_of(council: Council, day: date) -> Period:
    """The follow-up period of `council` that `day` falls in."""
    months = council.follow_up_months if council.follow_up_months in FOLLOW_UP_MONTHS else 6
    first_month = 1 + ((day.month - 1) // months) * months
    start = date(day.year, first_month, 1)
    last_month = first_month + months - 1
    following = date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)
    return Period(start, following - timedelta(days=1))


def recent_periods(council: Council, today: date, count: int = 4) -> list[Period]:
    """The current period and the `count - 1` before it, newest first."""
    periods = [period_of(council, today)]
    while len(periods) < count:
        periods.append(period_of(council, periods[-1].start - timedelta(days=1)))
    return periods


@dataclass
class JudgementData:
    period_start: date
    judgement: Judgement
    justification: str
    indicator_ids: list[int] = field(default_factory=list)


def judge(
    viewer: Viewer,
    measure: Measure,
    author: User,
    data: JudgementData,
    today: date,
    now: datetime,
    seen_version: int | None = None,
) -> Assessment:
    """Record the judgement of `measure` for the period starting `data.period_start`.

    Refused without a justification, for a period that is not one of the council's or has not
    begun, or with indicators of another measure. Replacing the period's earlier judgement
    needs the version the form was loaded with (`seen_version`)."""
    council = measure.council
    period = period_of(council, data.period_start)
    errors: dict[str | None, list[str]] = {}
    if period.start != data.period_start or period.start > today:
        errors["period"] = [_("Choose one of the council's follow-up periods that has begun.")]
    text = data.justification.strip()
    if not text:
        errors["justification"] = [
            _("Write why the measure is judged so: a judgement needs its justification.")
        ]
    elif len(text) > MAX_JUSTIFICATION:
        errors["justification"] = [
            _("The justification may be at most %(count)d characters.", count=MAX_JUSTIFICATION)
        ]
    own = {
        i.id: i
        for i in db.session.scalars(
            policy.scoped(viewer, Indicator).where(Indicator.measure_id == measure.id)
        )
    }
    if any(i not in own for i in data.indicator_ids):
        errors["indicator_ids"] = [_("Choose among the measure's own indicators.")]
    if errors:
        raise DomainError.from_errors(errors)
    check_text(text, field="justification")
    assessment = db.session.scalars(
        db.select(Assessment).where(
            Assessment.measure_id == measure.id, Assessment.period_start == period.start
        )
    ).one_or_none()
    seen = UNKNOWN if seen_version is None else seen_version
    if assessment is None:
        assessment = Assessment(
            council_id=measure.council_id, measure_id=measure.id, period_start=period.start
        )
        db.session.add(assessment)
    else:  # the period is judged already: replace it only knowingly
        check_version(assessment, seen, str(CONFLICT_MESSAGE))
    assessment.period_end = period.end
    assessment.judgement = data.judgement
    assessment.justification = text
    assessment.indicators = [own[i] for i in dict.fromkeys(data.indicator_ids)]
    assessment.author_id = author.id
    assessment.created_at = now
    try:
        flush_or_conflict(seen, str(CONFLICT_MESSAGE))
    except IntegrityError as error:  # a first judgement of the period saved meanwhile
        raise ConflictError(str(CONFLICT_MESSAGE), seen) from error
    return assessment


def history(viewer: Viewer, measure_id: int) -> list[Assessment]:
    """A measure's judgements, newest period first."""
    stmt = (
        policy.scoped(viewer, Assessment)
        .where(Assessment.measure_id == measure_id)
        .options(selectinload(Assessment.indicators), selectinload(Assessment.author))
        .order_by(Assessment.period_start.desc())
    )
    return list(db.session.scalars(stmt))


def latest(viewer: Viewer, until: date | None = None) -> dict[int, Assessment]:
    """Each measure's latest judgement (of a period begun by `until`, when given): the one
    whose period ends last, and of two ending together (the council changed its follow-up
    period between them) the one made last. One query, and one for the indicators."""
    newest = db.select(Assessment.measure_id, func.max(Assessment.period_end).label("end")).where(
        Assessment.council_id == viewer.council_id
    )
    if until is not None:
        newest = newest.where(Assessment.period_start <= until)
    newest_sub = newest.group_by(Assessment.measure_id).subquery()
    stmt = (
        policy.scoped(viewer, Assessment)
        .join(
            newest_sub,
            (newest_sub.c.measure_id == Assessment.measure_id)
            & (newest_sub.c.end == Assessment.period_end),
        )
        .options(selectinload(Assessment.indicators))
        .order_by(Assessment.created_at, Assessment.id)
    )
    if until is not None:
        stmt = stmt.where(Assessment.period_start <= until)
    return {a.measure_id: a for a in db.session.scalars(stmt)}  # the last made wins


def of_period(viewer: Viewer, period: Period) -> dict[int, Assessment]:
    """The judgements made for one period, by measure."""
    stmt = (
        policy.scoped(viewer, Assessment)
        .where(Assessment.period_start == period.start)
        .options(selectinload(Assessment.indicators))
    )
    return {a.measure_id: a for a in db.session.scalars(stmt)}


@dataclass(frozen=True)
class Summary:
    """How many of the promise's measures are judged kept, partly kept, … ."""

    total: int
    counts: dict[Judgement, int]

    @property
    def unjudged(self) -> int:
        return self.total - sum(self.counts.values())

    def text(self) -> str:
        """E.g. "9 of 13 kept, 3 partly, 1 not"."""
        parts = [
            ngettext(
                "%(num)d of %(total)d kept",
                "%(num)d of %(total)d kept",
                self.counts.get(Judgement.KEPT, 0),
                total=self.total,
            )
        ]
        wordings = {
            Judgement.PARTLY: _l("%(num)d partly"),
            Judgement.NOT_KEPT: _l("%(num)d not"),
            Judgement.TOO_EARLY: _l("%(num)d too early to say"),
        }
        for judgement, wording in wordings.items():
            if self.counts.get(judgement):
                parts.append(str(wording) % {"num": self.counts[judgement]})
        if self.unjudged:
            parts.append(_("%(num)d not judged", num=self.unjudged))
        return ", ".join(parts)


def summarise(measure_ids: list[int], judged: dict[int, Assessment]) -> Summary:
    counts = Counter(judged[i].judgement for i in measure_ids if i in judged)
    return Summary(total=len(measure_ids), counts={j: counts[j] for j in Judgement if counts[j]})


def set_follow_up(council: Council, months: int, contact: str, seen_version: int) -> None:
    """The council's follow-up period and its contact on the public progress page."""
    check_version(council, seen_version, str(SETTINGS_CONFLICT))
    if months not in FOLLOW_UP_MONTHS:
        raise DomainError(_("Follow up every 6 or every 12 months."), field="follow_up_months")
    council.follow_up_months = months
    council.public_contact = contact.strip()
    flush_or_conflict(seen_version, str(SETTINGS_CONFLICT))
