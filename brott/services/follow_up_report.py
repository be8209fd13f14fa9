"""The follow-up report for the council or the municipal board over a chosen period.

For each measure the viewer may read: its status at the period's start and end with the
journal of the period, its indicators with their values up to the period's end, the EST
decisions and other actions of the period that serve it with their outcome, the situation
notes filed under it in the period (counted as the viewer may read them: the police count
the shared ones), and the scorecard's judgements of follow-up periods that overlap the
report's. Before that: the summary line of the whole promise from each measure's latest of
those judgements (services/scorecard), and the situation analysis's problems, each with the
measures that address it and their latest judgement.

Every query starts from `policy.scoped`; the report reads a fixed number of statements,
however many measures, entries, values and actions it holds. The PDF is drawn from the same
report (services/follow_up_pdf).
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_
from sqlalchemy.orm import joinedload, selectinload

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    Action,
    ActionOrigin,
    Council,
    Measure,
    MeasureStatus,
    MeasureUpdate,
    Meeting,
    SituationNote,
)
from brott.models.follow_up import Assessment, Problem
from brott.models.indicators import Indicator
from brott.policy import Viewer
from brott.services import charts, scorecard
from brott.services import indicators as indicator_service
from brott.services.actions import ActionState, state_of

MAX_YEARS = 5  # a report covers at most five years: longer is a typing mistake
MAX_DAYS = MAX_YEARS * 366
MeasureIds = Select[tuple[int]]  # the ids of the measures the viewer may read, as a subquery


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts or is longer than a report may cover."""
    if end < start:
        raise DomainError(_("The last day cannot be before the first day."), field="end")
    if (end - start).days >= MAX_DAYS:
        raise DomainError(
            _("A report covers at most %(years)d years: choose a shorter period.", years=MAX_YEARS),
            field="end",
        )


Period = scorecard.Period  # the days a report covers


def default_period(council: Council, today: date) -> Period:
    """The council's follow-up period (half-year or year, calendar-aligned) holding today."""
    return scorecard.period_of(council, today)


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A measure's status and progress at an instant."""

    status: MeasureStatus
    progress: int


@dataclass
class IndicatorSection:
    indicator: Indicator
    points: list[indicator_service.Point]  # up to the period's end
    chart: charts.Chart


@dataclass(frozen=True)
class ActionOutcome:
    """An action of the period and the state it is in today."""

    action: Action
    state: ActionState


@dataclass
class MeasureSection:
    measure: Measure
    at_start: Standing | None  # None: the measure did not exist yet
    at_end: Standing | None
    journal: list[MeasureUpdate] = field(default_factory=list)  # oldest first
    indicators: list[IndicatorSection] = field(default_factory=list)
    decisions: list[ActionOutcome] = field(default_factory=list)  # EST decisions
    other_actions: list[ActionOutcome] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)  # oldest period first
    notes_filed: int = 0

    @property
    def latest_assessment(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None


@dataclass
class ProblemSection:
    problem: Problem
    measures: list[MeasureSection]


@dataclass
class FollowUpReport:
    council: Council
    period: Period
    as_of: date  # the period's end, or today while the period runs
    summary: scorecard.Summary
    problems: list[ProblemSection]
    measures: list[MeasureSection]


def build_report(viewer: Viewer, period: Period, today: date) -> FollowUpReport:
    """The follow-up report of the measures the viewer may read over `period`."""
    check_period(period.start, period.end)
    as_of = min(period.end, today)
    measures = list(
        db.session.scalars(
            policy.scoped(viewer, Measure)
            .options(selectinload(Measure.owners))
            .order_by(Measure.number.is_(None), Measure.number, Measure.title)
        )
    )
    readable = policy.scoped(viewer, Measure).with_only_columns(Measure.id)
    journal = _journal(readable, period)
    after = _first_entries_after(readable, period)
    sections = {
        m.id: MeasureSection(
            m,
            _standing_at_start(m, period, journal.get(m.id, []), after.get(m.id)),
            _standing_at_end(m, period, journal.get(m.id, []), after.get(m.id)),
            journal=[u for u in journal.get(m.id, []) if _tells_status(u)],
        )
        for m in measures
    }
    for indicator in _indicators(viewer, measures, as_of):
        sections[indicator.indicator.measure_id].indicators.append(indicator)
    for outcome in _actions(viewer, readable, period, today):
        measure_id = outcome.action.measure_id
        if measure_id is None:  # not so: the query asks for the measures' actions only
            continue
        section = sections[measure_id]
        is_decision = outcome.action.origin is ActionOrigin.MEETING
        (section.decisions if is_decision else section.other_actions).append(outcome)
    for assessment in _assessments(viewer, period):
        if assessment.measure_id in sections:
            sections[assessment.measure_id].assessments.append(assessment)
    for measure_id, count in _notes_filed(viewer, readable, period).items():
        sections[measure_id].notes_filed = count
    ordered = list(sections.values())
    latest = {s.measure.id: s.latest_assessment for s in ordered if s.latest_assessment}
    summary = scorecard.summarise([s.measure.id for s in ordered], latest)
    return FollowUpReport(
        viewer.council, period, as_of, summary, _problems(viewer, sections), ordered
    )


def _tells_status(entry: MeasureUpdate) -> bool:
    """Whether a journal entry belongs to the status history: it changed the status or the
    progress, or it is an update that only comments on them (not an edit of other fields)."""
    only_comment = not entry.changes and bool(entry.comment)
    return entry.status_changed or entry.progress_changed or only_comment


def _journal(readable: MeasureIds, period: Period) -> dict[int, list[MeasureUpdate]]:
    """The measures' journal entries of the period, oldest first, by measure."""
    stmt = (
        db.select(MeasureUpdate)
        .where(
            MeasureUpdate.measure_id.in_(readable),
            MeasureUpdate.created_at >= period.first_instant,
            MeasureUpdate.created_at < period.after_instant,
        )
        .options(joinedload(MeasureUpdate.author))
        .order_by(MeasureUpdate.created_at, MeasureUpdate.id)
    )
    found: dict[int, list[MeasureUpdate]] = {}
    for entry in db.session.scalars(stmt):
        found.setdefault(entry.measure_id, []).append(entry)
    return found


def _first_entries_after(readable: MeasureIds, period: Period) -> dict[int, Standing]:
    """For each measure changed after the period: what it stood at before the first of
    those changes, which is where the period left it. One query."""
    ranked = (
        db.select(
            MeasureUpdate.measure_id,
            MeasureUpdate.old_status,
            MeasureUpdate.old_progress,
            func.row_number()
            .over(
                partition_by=MeasureUpdate.measure_id,
                order_by=(MeasureUpdate.created_at, MeasureUpdate.id),
            )
            .label("rank"),
        )
        .where(
            MeasureUpdate.measure_id.in_(readable),
            MeasureUpdate.created_at >= period.after_instant,
        )
        .subquery()
    )
    rows = db.session.execute(
        db.select(ranked.c.measure_id, ranked.c.old_status, ranked.c.old_progress).where(
            ranked.c.rank == 1
        )
    )
    return {
        measure_id: Standing(status, progress)
        for measure_id, status, progress in rows
        if status is not None and progress is not None
    }


def _standing_at_start(
    measure: Measure, period: Period, journal: list[MeasureUpdate], after: Standing | None
) -> Standing | None:
    """Where the measure stood when the period began: before the period's first change,
    else where it stood through the whole period."""
    if measure.created_at >= period.first_instant:
        return None
    if journal and journal[0].old_status is not None and journal[0].old_progress is not None:
        return Standing(journal[0].old_status, journal[0].old_progress)
    return after or Standing(measure.status, measure.progress)


def _standing_at_end(
    measure: Measure, period: Period, journal: list[MeasureUpdate], after: Standing | None
) -> Standing | None:
    """Where the measure stood when the period ended: after the period's last change, else
    before the first change after it, else where it stands now."""
    if measure.created_at >= period.after_instant:
        return None
    if journal and journal[-1].new_status is not None and journal[-1].new_progress is not None:
        return Standing(journal[-1].new_status, journal[-1].new_progress)
    return after or Standing(measure.status, measure.progress)


def _indicators(viewer: Viewer, measures: list[Measure], as_of: date) -> list[IndicatorSection]:
    """The measures' indicators with their values up to `as_of` and their charts; the
    activity logs they count are read once for all of them."""
    found = list(
        db.session.scalars(
            policy.scoped(viewer, Indicator)
            .where(Indicator.measure_id.in_([m.id for m in measures]))
            .options(selectinload(Indicator.values), selectinload(Indicator.measure))
            .order_by(Indicator.measure_id, Indicator.id)
        )
    )
    days = indicator_service.activity_days_of(found, as_of)
    sections = []
    for indicator in found:
        points = [p for p in indicator_service.points(indicator, as_of, days) if p.on_date <= as_of]
        chart = charts.indicator_chart(
            f"indicator-{indicator.id}",
            indicator.name,
            indicator.unit,
            [(p.on_date, p.value) for p in points],
            indicator.baseline,
            indicator.target,
        )
        sections.append(IndicatorSection(indicator, points, chart))
    return sections


def _actions(
    viewer: Viewer, readable: MeasureIds, period: Period, today: date
) -> list[ActionOutcome]:
    """The actions that serve a measure and belong to the period: decided at a meeting of
    the period, entered outside meetings in it, or closed in it."""
    meetings_of_period = (
        policy.scoped(viewer, Meeting)
        .with_only_columns(Meeting.id)
        .where(Meeting.starts_at >= period.first_instant, Meeting.starts_at < period.after_instant)
    )
    stmt = (
        policy.scoped(viewer, Action)
        .where(
            Action.measure_id.in_(readable),
            or_(
                Action.meeting_id.in_(meetings_of_period),
                and_(
                    Action.meeting_id.is_(None),
                    Action.created_at >= period.first_instant,
                    Action.created_at < period.after_instant,
                ),
                and_(
                    Action.closed_at >= period.first_instant,
                    Action.closed_at < period.after_instant,
                ),
            ),
        )
        .options(joinedload(Action.owner), joinedload(Action.meeting), joinedload(Action.place))
        .order_by(Action.due_date, Action.id)
    )
    return [ActionOutcome(a, state_of(a, today)) for a in db.session.scalars(stmt)]


def _assessments(viewer: Viewer, period: Period) -> list[Assessment]:
    """The judgements of follow-up periods that overlap the report's, oldest period first."""
    stmt = (
        policy.scoped(viewer, Assessment)
        .where(Assessment.period_start <= period.end, Assessment.period_end >= period.start)
        .options(selectinload(Assessment.indicators), joinedload(Assessment.author))
        .order_by(Assessment.period_start, Assessment.id)
    )
    return list(db.session.scalars(stmt))


def _notes_filed(viewer: Viewer, readable: MeasureIds, period: Period) -> dict[int, int]:
    """How many situation notes the viewer may read were observed in the period and filed
    under each measure."""
    stmt = (
        policy.scoped(viewer, SituationNote)
        .with_only_columns(SituationNote.measure_id, func.count())
        .where(
            SituationNote.measure_id.in_(readable),
            SituationNote.observed_from >= period.first_instant,
            SituationNote.observed_from < period.after_instant,
        )
        .group_by(SituationNote.measure_id)
    )
    return {measure_id: count for measure_id, count in db.session.execute(stmt)}


def _problems(viewer: Viewer, sections: dict[int, MeasureSection]) -> list[ProblemSection]:
    """The situation analysis's problems, each with the report's measures that address it."""
    stmt = (
        policy.scoped(viewer, Problem)
        .options(selectinload(Problem.measures), joinedload(Problem.place))
        .order_by(Problem.title, Problem.id)
    )
    return [
        ProblemSection(p, [sections[m.id] for m in p.measures if m.id in sections])
        for p in db.session.scalars(stmt)
    ]
