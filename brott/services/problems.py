"""The problems of the council's situation analysis (law 2023:196) and the measures that
address them, so that the follow-up reads problem → measures → indicators → judgement; and
the quarterly EST analysis the steering group reads.

The evidence offered for a problem is counted from what the council already records: the
situation notes and residents' reports at its place, per category, over a chosen period —
each viewer's counts from what that viewer may read (the police count shared notes only).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from brott import clock, policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Action, Measure, Meeting, Place
from brott.models.follow_up import Problem, measure_problem
from brott.models.meeting import MeetingStatus
from brott.policy import Permission, Viewer
from brott.services import notes, situation
from brott.services.personal_data import check_text
from brott.services.scorecard import Period
from brott.services.versions import UNKNOWN, check_version, flush_or_conflict

MAX_TITLE = 200
MAX_TEXT = 10000
MAX_EVIDENCE_DAYS = 5 * 366
CONFLICT_MESSAGE = _l(
    "Someone else changed the problem after you opened the form. The form now shows what is "
    "saved; make your change again."
)


@dataclass
class ProblemData:
    title: str
    description: str = ""
    place_id: int | None = None
    evidence_from: date | None = None
    evidence_to: date | None = None
    evidence: str = ""
    measure_ids: list[int] = field(default_factory=list)


def list_problems(viewer: Viewer) -> list[Problem]:
    """The council's problems with their places and measures: three queries."""
    stmt = (
        policy.scoped(viewer, Problem)
        .options(joinedload(Problem.place), selectinload(Problem.measures))
        .order_by(Problem.title, Problem.id)
    )
    return list(db.session.scalars(stmt))


def of_measure(viewer: Viewer, measure_id: int) -> list[Problem]:
    """The problems a measure addresses."""
    stmt = (
        policy.scoped(viewer, Problem)
        .join(measure_problem, measure_problem.c.problem_id == Problem.id)
        .where(measure_problem.c.measure_id == measure_id)
        .options(joinedload(Problem.place))
        .order_by(Problem.title)
    )
    return list(db.session.scalars(stmt))


def save(
    viewer: Viewer, problem: Problem | None, data: ProblemData, seen_version: int | None = None
) -> Problem:
    """Create a problem (`problem` None) or change one; refused with every reason at once."""
    title = data.title.strip()
    errors: dict[str | None, list[str]] = {}
    if not title:
        errors["title"] = [_("Name the problem.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("At most %(limit)d characters.", limit=MAX_TITLE)]
    for name in ("description", "evidence"):
        if len(getattr(data, name)) > MAX_TEXT:
            errors[name] = [_("At most %(limit)d characters.", limit=MAX_TEXT)]
    if data.evidence_from and data.evidence_to:
        if data.evidence_to < data.evidence_from:
            errors["evidence_to"] = [_("The period must end on or after its first day.")]
        elif (data.evidence_to - data.evidence_from).days > MAX_EVIDENCE_DAYS:
            errors["evidence_to"] = [_("Choose a period of at most five years.")]
    elif data.evidence_from or data.evidence_to:
        errors["evidence_to" if data.evidence_from else "evidence_from"] = [
            _("Give both the first and the last day of the period, or neither.")
        ]
    place = None
    if data.place_id is not None:
        place = db.session.scalars(
            policy.scoped(viewer, Place).where(Place.id == data.place_id)
        ).one_or_none()
        if place is None:
            errors["place_id"] = [_("Choose one of the council's places.")]
    wanted = list(dict.fromkeys(data.measure_ids))
    measures = (
        list(db.session.scalars(policy.scoped(viewer, Measure).where(Measure.id.in_(wanted))))
        if wanted
        else []
    )
    if len(measures) != len(wanted):
        errors["measure_ids"] = [_("Choose among the council's measures.")]
    if errors:
        raise DomainError.from_errors(errors)
    check_text(data.description, field="description")
    check_text(data.evidence, field="evidence")
    seen = UNKNOWN if seen_version is None else seen_version
    if problem is None:
        problem = Problem(council_id=viewer.council_id, created_at=clock.now())
        db.session.add(problem)
    else:
        check_version(problem, seen, str(CONFLICT_MESSAGE))
    problem.title = title
    problem.description = data.description.strip()
    problem.place = place
    problem.evidence_from, problem.evidence_to = data.evidence_from, data.evidence_to
    problem.evidence = data.evidence.strip()
    problem.measures = sorted(measures, key=lambda m: (m.number is None, m.number or 0, m.id))
    # a change of the links alone updates no column of the problem's row: mark it changed, so
    # that every save takes the next version and a concurrent one is a conflict
    flag_modified(problem, "title")
    flush_or_conflict(seen, str(CONFLICT_MESSAGE))
    return problem


EVIDENCE_DAYS = 365  # without a period of its own, a problem's evidence is the last year's


def evidence_period(problem: Problem, start: date | None, end: date | None, today: date) -> Period:
    """The days whose records are counted for `problem`: those asked for, else the problem's
    own period, else the year up to today; refused when inverted or over five years."""
    start = start or problem.evidence_from or today - timedelta(days=EVIDENCE_DAYS)
    end = end or problem.evidence_to or today
    if end < start:
        raise DomainError(_("The period must end on or after its first day."), field="till")
    if (end - start).days > MAX_EVIDENCE_DAYS:
        raise DomainError(_("Choose a period of at most five years."), field="till")
    return Period(start, end)


@dataclass
class Evidence:
    """What the council's records count at a place over a period, per category."""

    start: date
    end: date
    notes: list[tuple[str, str, int]]  # (place, category, count)
    reports: list[tuple[str, str, int]]
    reports_counted: bool  # only those who read every body's reports see report counts

    @property
    def empty(self) -> bool:
        return not self.notes and not self.reports


def evidence(viewer: Viewer, place: Place | None, period: Period) -> Evidence:
    """Counts of notes and residents' reports at `place` (or anywhere) over `period`."""
    begin, finish = period.first_instant, period.after_instant
    note_counts = notes.counts(
        viewer,
        notes.NoteFilters(start=begin, end=finish, place_id=place.id if place else None),
    )
    reports_counted = policy.can(viewer, Permission.VIEW_ALL_REPORTS)
    report_counts: Counter | dict = {}
    if reports_counted:
        report_counts = situation.report_counts(viewer, begin, finish, place)
    return Evidence(
        period.start,
        period.end,
        sorted((p, c, n) for (p, c), n in note_counts.items()),
        sorted((p, c, n) for (p, c), n in report_counts.items()),
        reports_counted,
    )


# --- the quarterly EST analysis --------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = (
            date(self.year + 1, 1, 1)
            if self.number == 4
            else date(self.year, 3 * self.number + 1, 1)
        )
        return following - timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def label(self) -> str:
        return _("Quarter %(number)d %(year)d", number=self.number, year=self.year)

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def recent(cls, today: date, count: int = 8) -> list["Quarter"]:
        """The running quarter and the `count - 1` before it, newest first."""
        found = [cls.of(today)]
        while len(found) < count:
            found.append(found[-1].previous())
        return found

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """ "2026-3" → the third quarter of 2026; DomainError for anything else."""
        year, _sep, number = text.strip().partition("-")
        if not (year.isascii() and year.isdigit() and number in {"1", "2", "3", "4"}):
            raise DomainError(
                _("Choose a quarter as year and quarter, e.g. 2026-3."), field="kvartal"
            )
        value = int(year)
        if not 2000 <= value <= 2100:
            raise DomainError(_("Choose a quarter between 2000 and 2100."), field="kvartal")
        return cls(value, int(number))


@dataclass
class QuarterAnalysis:
    quarter: Quarter
    sections: list[situation.Section]
    decided: list[Action]  # actions decided at the quarter's meetings, with their outcome
    meetings_held: int


def quarter_analysis(viewer: Viewer, quarter: Quarter, now: datetime) -> QuarterAnalysis:
    """Trends per place and category over the quarter, compared with the quarter before, and
    the actions the quarter's EST meetings decided with how they turned out."""
    begin = Period(quarter.start, quarter.end).first_instant
    finish = min(Period(quarter.start, quarter.end).after_instant, now)
    sections = [
        situation.note_trends(viewer, begin, finish),
        situation.residents_reports(viewer, begin, finish),
        situation.perceived_safety(viewer, begin, finish),
    ]
    held = list(
        db.session.scalars(
            policy.scoped(viewer, Meeting)
            .with_only_columns(Meeting.id)
            .where(
                Meeting.starts_at >= begin,
                Meeting.starts_at < finish,
                Meeting.status != MeetingStatus.CANCELLED,
            )
        )
    )
    decided: list[Action] = []
    if held:
        stmt = (
            policy.scoped(viewer, Action)
            .where(Action.meeting_id.in_(held))
            .options(
                joinedload(Action.owner),
                joinedload(Action.meeting),
                joinedload(Action.place),
                joinedload(Action.measure),
            )
            .order_by(Action.due_date, Action.id)
        )
        decided = list(db.session.scalars(stmt))
    return QuarterAnalysis(quarter, sections, decided, len(held))
