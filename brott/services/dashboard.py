"""A council's landing page: what a viewer has to act on, or should know, in parts.

Which parts a viewer gets is the policy's to say, never a role's name: the measures and
actions they own for those who may own measures; every measure by status, the stale ones,
the next EST meeting with what it follows up, new residents' reports, certificates about to
run out and failed e-mails for those who keep each of them; the next meeting, the recently
shared notes and the police's actions for the police (whose reads `policy.audits_reads`).
A viewer with several gets each part once.

Lists start from `policy.scoped` and load what they show eagerly; the council's lists show
their first rows and count the rest (the viewer's own are listed whole), so the page runs as
many statements for 200 measures, actions or reports as for 10. The
police's notes are listed by when, where and what kind, never by their text: opening one is
what the audit log records (services/notes).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import Select, func
from sqlalchemy.orm import joinedload, selectinload

from brott import policy
from brott.clock import STOCKHOLM
from brott.extensions import db
from brott.models import (
    STATUS_LABELS,
    Action,
    ActionStatus,
    Measure,
    MeasureStatus,
    Meeting,
    SituationNote,
    User,
    Visibility,
)
from brott.models.certification import Business, Certificate
from brott.models.outbox import OutboxStatus
from brott.models.reports import ReportStatus, ResidentReport
from brott.policy import Permission, Viewer
from brott.services import actions as action_service
from brott.services import meetings as meeting_service
from brott.services import notes as note_service
from brott.services import outbox
from brott.services.actions import ActionState
from brott.services.certification import REMINDER_DAYS
from brott.services.measures import MeasureFilters, list_measures, needs_update
from brott.services.report_queue import NEWEST_FIRST
from brott.services.users import active_members

T = TypeVar("T")

SHOWN = 8  # rows a part lists; its count covers the rest
RECENT_NOTES_DAYS = 14  # the shared notes the police see first: observed this recently
# what a list of actions shows of each (templates/actions/_status.html)
ACTION_ROWS = (joinedload(Action.owner), joinedload(Action.meeting), joinedload(Action.place))


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first rows of a list, and how many there are in all."""

    rows: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class StatusCount:
    """How many of the council's measures have a status."""

    status: MeasureStatus
    count: int

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class Mine:
    """What the viewer owns: their measures, those needing an update from them, and their
    open actions, soonest due first."""

    measures: list[Measure]
    stale_ids: frozenset[int]
    actions: list[Action]
    late: int  # of the actions, those past their due date


@dataclass(frozen=True)
class NextMeeting:
    """The council's next EST meeting (None: none is planned), and, for who manages the
    meetings, the open actions it follows up."""

    meeting: Meeting | None
    open_actions: Listing[Action] | None = None


@dataclass(frozen=True)
class Expiring:
    business: Business
    valid_until: date


@dataclass(frozen=True)
class MailProblems:
    """E-mails (reminders among them) that failed, or were missed while sending was stopped."""

    failed: int
    missed: int


@dataclass(frozen=True)
class Dashboard:
    """The parts of the page, in its order; a part the viewer may not see is None."""

    today: date
    stale_days: int
    certificate_days: int
    recent_notes_days: int
    by_status: list[StatusCount] | None = None
    stale: Listing[Measure] | None = None
    mine: Mine | None = None
    next_meeting: NextMeeting | None = None
    new_reports: Listing[ResidentReport] | None = None
    expiring: Listing[Expiring] | None = None
    mail_problems: MailProblems | None = None
    shared_notes: Listing[SituationNote] | None = None
    police_actions: Listing[Action] | None = None

    @property
    def measure_total(self) -> int:
        return sum(row.count for row in self.by_status or ())


def dashboard_for(viewer: Viewer, now: datetime) -> Dashboard:
    """Every part of the landing page the viewer may see, as of `now`."""
    today = now.astimezone(STOCKHOLM).date()

    def may(permission: Permission) -> bool:
        return policy.can(viewer, permission)

    keeps_measures = may(Permission.MANAGE_MEASURES)
    police = policy.audits_reads(viewer)
    sees_meeting = may(Permission.VIEW_MEETINGS) and (may(Permission.MANAGE_MEETINGS) or police)
    mine = _mine(viewer, now, today) if may(Permission.UPDATE_MEASURE) else None
    if mine is not None and keeps_measures and not (mine.measures or mine.actions):
        mine = None  # who keeps the council's work sees theirs only when they own some
    return Dashboard(
        today=today,
        stale_days=current_app.config["STALE_MEASURE_DAYS"],
        certificate_days=REMINDER_DAYS,
        recent_notes_days=RECENT_NOTES_DAYS,
        by_status=_by_status(viewer) if keeps_measures else None,
        stale=_stale(viewer, now) if keeps_measures else None,
        mine=mine,
        next_meeting=(
            _next_meeting(viewer, now, may(Permission.MANAGE_MEETINGS)) if sees_meeting else None
        ),
        new_reports=_new_reports(viewer) if may(Permission.HANDLE_REPORTS) else None,
        expiring=_expiring(viewer, today) if may(Permission.MANAGE_REGISTER) else None,
        mail_problems=_mail_problems(viewer) if may(Permission.VIEW_OUTBOX) else None,
        shared_notes=_shared_notes(viewer, now) if police else None,
        police_actions=_police_actions(viewer) if police else None,
    )


def _count(stmt: Select[Any]) -> int:
    counted = db.session.scalar(db.select(func.count()).select_from(stmt.order_by(None).subquery()))
    return counted or 0


def _listing(stmt: Select[Any], *options: Any) -> Listing[Any]:
    """The first SHOWN rows of `stmt` (with `options` to load what they show), and the count."""
    total = _count(stmt)
    rows = list(db.session.scalars(stmt.options(*options).limit(SHOWN))) if total else []
    return Listing(rows, total)


def _open_actions(viewer: Viewer, *conditions: Any) -> Select[tuple[Action]]:
    """The open actions the viewer may read that meet `conditions`, soonest due first."""
    return (
        policy.scoped(viewer, Action)
        .where(Action.status != ActionStatus.DONE, *conditions)
        .order_by(Action.due_date, Action.id)
    )


def _mine(viewer: Viewer, now: datetime, today: date) -> Mine:
    """The viewer's measures (those needing an update marked) and open actions."""
    user_id = viewer.user_id  # a member's (no other viewer may update measures)
    stale_ids = db.session.scalars(
        policy.scoped(viewer, Measure)
        .with_only_columns(Measure.id)
        .where(Measure.owners.any(User.id == user_id), needs_update(now))
    )
    actions = list(
        db.session.scalars(_open_actions(viewer, Action.owner_id == user_id).options(*ACTION_ROWS))
    )
    return Mine(
        measures=list_measures(viewer, MeasureFilters(owner_id=user_id)),
        stale_ids=frozenset(stale_ids),
        actions=actions,
        late=sum(action_service.state_of(a, today) is ActionState.LATE for a in actions),
    )


def _by_status(viewer: Viewer) -> list[StatusCount]:
    stmt = (
        policy.scoped(viewer, Measure)
        .with_only_columns(Measure.status, func.count())
        .group_by(Measure.status)
    )
    counted = {status: count for status, count in db.session.execute(stmt).tuples()}
    return [StatusCount(status, counted.get(status, 0)) for status in MeasureStatus]


def _stale(viewer: Viewer, now: datetime) -> Listing[Measure]:
    """The measures needing an update from their owners, those waiting longest first."""
    stmt = (
        policy.scoped(viewer, Measure)
        .where(needs_update(now))
        .order_by(Measure.updated_at, Measure.id)
    )
    return _listing(stmt, selectinload(Measure.owners))


def _next_meeting(viewer: Viewer, now: datetime, with_actions: bool) -> NextMeeting:
    coming = meeting_service.next_meetings(viewer.council_id, now).values()
    meeting = min(coming, key=lambda m: (m.starts_at, m.id), default=None)
    if meeting is None or not with_actions:
        return NextMeeting(meeting)
    still_open = [a for a in action_service.follow_up(meeting) if a.status != ActionStatus.DONE]
    return NextMeeting(meeting, Listing(still_open[:SHOWN], len(still_open)))


def _new_reports(viewer: Viewer) -> Listing[ResidentReport]:
    stmt = (
        policy.scoped(viewer, ResidentReport)
        .where(ResidentReport.status == ReportStatus.NEW)
        .order_by(*NEWEST_FIRST)
    )
    return _listing(stmt, joinedload(ResidentReport.category), joinedload(ResidentReport.place))


def _expiring(viewer: Viewer, today: date) -> Listing[Expiring]:
    """Businesses whose latest certificate runs out within the reminder window: the
    register's "expiring" (services/certification.status_of), soonest first."""
    latest = (
        policy.scoped(viewer, Certificate)
        .where(Certificate.issued_on <= today)
        .with_only_columns(
            Certificate.business_id, func.max(Certificate.valid_until).label("until")
        )
        .group_by(Certificate.business_id)
        .subquery()
    )
    stmt = (
        policy.scoped(viewer, Business)
        .join(latest, latest.c.business_id == Business.id)
        .where(latest.c.until >= today, latest.c.until <= today + timedelta(days=REMINDER_DAYS))
    )
    total = _count(stmt)
    rows = db.session.execute(
        stmt.add_columns(latest.c.until)
        .order_by(latest.c.until, Business.name, Business.id)
        .limit(SHOWN)
    ).tuples()
    return Listing([Expiring(business, until) for business, until in rows], total)


def _mail_problems(viewer: Viewer) -> MailProblems:
    counts = outbox.status_counts(viewer.council_id)
    return MailProblems(
        failed=counts.get(OutboxStatus.FAILED.value, 0),
        missed=counts.get(OutboxStatus.MISSED.value, 0),
    )


def _shared_notes(viewer: Viewer, now: datetime) -> Listing[SituationNote]:
    """The notes shared with the police, observed in the last RECENT_NOTES_DAYS, newest
    first; only shared ones, whoever asks."""
    filters = note_service.NoteFilters(
        start=now - timedelta(days=RECENT_NOTES_DAYS), visibility=Visibility.SHARED
    )
    total = sum(note_service.counts(viewer, filters).values())
    rows = note_service.list_notes(viewer, filters, limit=SHOWN) if total else []
    return Listing(rows, total)


def _police_actions(viewer: Viewer) -> Listing[Action]:
    """The open actions owned by the council's police (the members whose reads are audited)."""
    police_ids = [user.id for user in active_members(viewer.council_id, policy.AUDITED_ROLES)]
    return _listing(_open_actions(viewer, Action.owner_id.in_(police_ids)), *ACTION_ROWS)
