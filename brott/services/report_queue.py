"""Residents' reports as staff read them: a body's queue (filters, counts per status, pages),
a report's page with everything it shows, the safety marks in figures, and a report turned
into a situation note or an action.

Every list starts from `policy.scoped`, so a body's staff only ever see their body's reports;
the queue runs on the index (council, body, status, created_at), newest first, and a page's
number of statements does not grow with the number of reports or events.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, union_all
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.exceptions import NotFound

from brott import policy
from brott.clock import STOCKHOLM
from brott.errors import DomainError
from brott.extensions import db
from brott.input_guard import is_id
from brott.models import Action, NoteCategory, Place, SituationNote, User
from brott.models.reports import (
    OPEN_STATUSES,
    Feeling,
    FeelingReason,
    ReportCategory,
    ReportEvent,
    ReportStatus,
    ResidentReport,
    ResponsibleBody,
    SafetyMark,
    TimeOfDay,
)
from brott.policy import Permission, Viewer
from brott.services import actions, notes, reports
from brott.services.versions import flush_or_conflict

PAGE_SIZE = 50
SEARCH_MAX = 100  # characters of the text search
DUPLICATES_SHOWN = 200  # duplicates listed on an original's page
MARKS_DAYS = 90  # the safety marks' default period
MARKS_LATEST = 50  # the latest marks listed (no paging: the counts cover the rest)

OPEN = "open"  # the status filter: new, received and in progress (the default)
ALL = "all"
WITHOUT_BODY = "none"  # the body filter: reports no body has (the coordinators route them)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows: `status` is OPEN, ALL or a ReportStatus value; `body_id` a body,
    or None with `without_body` for the reports without one; dates are Stockholm days."""

    status: str = OPEN
    body_id: int | None = None
    without_body: bool = False
    category_id: int | None = None
    place_id: int | None = None
    text: str = ""
    start: date | None = None
    end: date | None = None


@dataclass
class QueuePage:
    reports: list[ResidentReport]
    page: int
    pages: int
    count: int  # reports matching every filter, on every page
    by_status: dict[ReportStatus, int] = field(default_factory=dict)  # under the other filters

    @property
    def open_count(self) -> int:
        return sum(self.by_status.get(status, 0) for status in OPEN_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def _statuses(status: str) -> tuple[ReportStatus, ...] | None:
    """The statuses a status filter stands for; None: all of them."""
    if status == ALL:
        return None
    if status in {s.value for s in ReportStatus}:
        return (ReportStatus(status),)
    return OPEN_STATUSES


def _reports_of(viewer: Viewer):
    """The reports the viewer may read (a body's staff: their body's only; staff of no body
    none, not the unrouted ones): the policy's scope, in one place."""
    return policy.scoped(viewer, ResidentReport)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), STOCKHOLM)


def _filtered(stmt, filters: QueueFilters):
    """`stmt` narrowed by every filter but the status."""
    if filters.without_body:
        stmt = stmt.where(ResidentReport.body_id.is_(None))
    elif filters.body_id is not None:
        stmt = stmt.where(ResidentReport.body_id == filters.body_id)
    if filters.category_id is not None:
        stmt = stmt.where(ResidentReport.category_id == filters.category_id)
    if filters.place_id is not None:
        stmt = stmt.where(ResidentReport.place_id == filters.place_id)
    text = " ".join(filters.text.split())[:SEARCH_MAX]
    if text:
        stmt = stmt.where(
            ResidentReport.address.icontains(text, autoescape=True)
            | ResidentReport.description.icontains(text, autoescape=True)
        )
    if filters.start is not None:
        stmt = stmt.where(ResidentReport.created_at >= _day_start(filters.start))
    if filters.end is not None:
        stmt = stmt.where(ResidentReport.created_at < _day_start(filters.end + timedelta(days=1)))
    return stmt


NEWEST_FIRST = (ResidentReport.created_at.desc(), ResidentReport.id.desc())


def _one_body(viewer: Viewer, filters: QueueFilters) -> bool:
    """Whether the queue is one body's (or the unrouted reports): each of its statuses is
    then one range of the index (council, body, status, created_at)."""
    return (
        filters.without_body
        or filters.body_id is not None
        or not policy.can(viewer, Permission.VIEW_ALL_REPORTS)
    )


def _page_statement(viewer: Viewer, filters: QueueFilters, page: int):
    """The statement of one page of the queue, newest first.

    One body's queue reads, for each status asked for, its range of the index newest first
    and only as far as the page reaches, and merges them: no scan of the council's reports,
    whatever the statistics say. Every body's queue (the coordinators' view) reads the
    council's reports newest first until the page is full."""
    base = _filtered(_reports_of(viewer), filters)
    statuses = _statuses(filters.status) or tuple(ReportStatus)
    offset = (page - 1) * PAGE_SIZE
    if _one_body(viewer, filters):
        arms = [
            db.select(
                base.where(ResidentReport.status == status)
                .with_only_columns(ResidentReport.id, ResidentReport.created_at)
                .order_by(*NEWEST_FIRST)
                .limit(offset + PAGE_SIZE)
                .subquery()
            )
            for status in statuses
        ]
        picked = (arms[0] if len(arms) == 1 else union_all(*arms)).subquery("picked")
        stmt = (
            db.select(ResidentReport)
            .join(picked, picked.c.id == ResidentReport.id)
            .order_by(picked.c.created_at.desc(), picked.c.id.desc())
        )
    else:
        stmt = base.where(ResidentReport.status.in_(statuses)).order_by(*NEWEST_FIRST)
    return stmt.limit(PAGE_SIZE).offset(offset)


def status_counts(viewer: Viewer, filters: QueueFilters) -> dict[ReportStatus, int]:
    """How many reports have each status under the filters other than the status: one query."""
    base = _filtered(_reports_of(viewer), filters).subquery()
    rows = db.session.execute(
        db.select(base.c.status, func.count()).select_from(base).group_by(base.c.status)
    ).all()
    return {ReportStatus(status): int(n) for status, n in rows}


def queue_page(viewer: Viewer, filters: QueueFilters, page: int = 1) -> QueuePage:
    """One page of the queue; a page past the last shows the last."""
    by_status = status_counts(viewer, filters)
    statuses = _statuses(filters.status) or tuple(ReportStatus)
    count = sum(by_status.get(status, 0) for status in statuses)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        _page_statement(viewer, filters, page).options(
            joinedload(ResidentReport.category),
            joinedload(ResidentReport.body),
            joinedload(ResidentReport.place),
        )
    ).all()
    return QueuePage(list(rows), page, pages, count, by_status)


def bodies(council_id: int, active_only: bool = False) -> list[ResponsibleBody]:
    """The council's bodies by name (the filter lists the inactive too: reports keep theirs)."""
    stmt = db.select(ResponsibleBody).where(ResponsibleBody.council_id == council_id)
    if active_only:
        stmt = stmt.where(ResponsibleBody.active.is_(True))
    return list(db.session.scalars(stmt.order_by(ResponsibleBody.name_key)))


def all_categories(council_id: int) -> list[ReportCategory]:
    """The council's report categories, the inactive ones too (old reports keep theirs)."""
    return list(
        db.session.scalars(
            db.select(ReportCategory)
            .where(ReportCategory.council_id == council_id)
            .order_by(ReportCategory.position, ReportCategory.name)
        )
    )


# --- a report's page -------------------------------------------------------------------------


@dataclass
class ReportPage:
    report: ResidentReport
    events: list[ReportEvent]  # what the viewer may read of the history, oldest first
    duplicates: list[ResidentReport]  # reports merged into this one
    shows_internal: bool  # internal comments and reassignments are in `events`
    shows_email: bool  # the reporter's address may be shown
    original_readable: bool = False  # the report this one duplicates is one the viewer reads


def load_report(viewer: Viewer, report_id: int, *options: ORMOption) -> ResidentReport:
    """A report the viewer may read, or 404 (another body's, another council's, none)."""
    found = db.session.scalars(
        _reports_of(viewer).where(ResidentReport.id == report_id).options(*options)
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def load_report_page(viewer: Viewer, report_id: int) -> ReportPage:
    """A report with everything its page shows (a fixed number of statements), or 404.

    Internal events reach those who read internal notes and the report's handlers; the
    reporter's address only its handlers (the body's staff, coordinators, admins)."""
    report = load_report(
        viewer,
        report_id,
        joinedload(ResidentReport.category),
        joinedload(ResidentReport.body),
        joinedload(ResidentReport.place),
        joinedload(ResidentReport.duplicate_of),
        joinedload(ResidentReport.note),
        joinedload(ResidentReport.action).joinedload(Action.owner),
        selectinload(ResidentReport.events).options(
            joinedload(ReportEvent.author), joinedload(ReportEvent.body)
        ),
    )
    handles = policy.can(viewer, Permission.HANDLE_REPORTS, report)
    internal = handles or policy.can(viewer, Permission.VIEW_INTERNAL_NOTES)
    # the duplicates the viewer may read (another body's are not named to a body's staff)
    duplicates = db.session.scalars(
        _reports_of(viewer)
        .where(ResidentReport.duplicate_of_id == report.id)
        .order_by(ResidentReport.id)
        .limit(DUPLICATES_SHOWN)
    ).all()
    events = [event for event in report.events if internal or event.public]
    original = report.duplicate_of
    readable = original is not None and policy.can(viewer, Permission.VIEW_REPORTS, original)
    return ReportPage(report, events, list(duplicates), internal, handles, readable)


def original_for(viewer: Viewer, number: str) -> ResidentReport | None:
    """The report with the number staff typed ("12" or "#12") if the viewer may handle it
    (a body's staff: one of their body's), else None: a report they cannot read is no
    original they may merge into, and its number says nothing more than a wrong one."""
    digits = number.strip().removeprefix("#").strip()
    if not is_id(digits):
        return None
    found = db.session.scalar(_reports_of(viewer).where(ResidentReport.id == int(digits)))
    if found is None:
        return None
    # a duplicate is merged into its own original: that is the report the viewer must handle
    root = reports.original_of(found)
    return root if policy.can(viewer, Permission.HANDLE_REPORTS, root) else None


# --- a report turned into a situation note or an action --------------------------------------


def _linked_meanwhile() -> str:
    return _("Someone linked the report meanwhile; see what it says now.")


def matching_note_category(report: ResidentReport) -> NoteCategory | None:
    """The council's active note category named like the report's category, if any."""
    return db.session.scalar(
        db.select(NoteCategory).where(
            NoteCategory.council_id == report.council_id,
            NoteCategory.name_key == report.category.name_key,
            NoteCategory.active.is_(True),
        )
    )


def note_from_report(
    viewer: Viewer, report: ResidentReport, author: User, data: notes.NoteData, now: datetime
) -> SituationNote:
    """Write a situation note from a report (under the notes' own rules) and link it."""
    if report.note_id is not None:
        raise DomainError(_("A situation note has already been made from this report."))
    seen = report.version
    note = notes.create_note(viewer, author, data, now)
    report.note_id = note.id
    flush_or_conflict(seen, _linked_meanwhile())
    return note


def action_from_report(
    report: ResidentReport, author: User, data: actions.ActionData, now: datetime, today: date
) -> Action:
    """Enter the action a report calls for (origin: the report) and link it."""
    if report.action_id is not None:
        raise DomainError(_("An action has already been made from this report."))
    seen = report.version
    action = actions.record_from_report(report.council_id, author, data, now, today)
    report.action_id = action.id
    flush_or_conflict(seen, _linked_meanwhile())
    return action


# --- the safety marks -------------------------------------------------------------------------


@dataclass
class MarkFigures:
    start: date
    end: date
    # (place name or "", reason) → count, per feeling
    by_place: dict[Feeling, dict[tuple[str, FeelingReason], int]]
    places: dict[Feeling, list[str]]  # the rows of each table, most marks first
    reasons: dict[Feeling, list[FeelingReason]]  # its columns, in the list's order
    by_time: dict[tuple[TimeOfDay, Feeling], int]
    latest: list[SafetyMark]
    total: int


def mark_figures(viewer: Viewer, start: date, end: date) -> MarkFigures:
    """The safety marks of the days `start`–`end` (Stockholm) in figures: per place and
    reason, per time of day, unsafe and safe apart; and the latest MARKS_LATEST. Three
    queries, whatever the number of marks."""
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    marks = (
        policy.scoped(viewer, SafetyMark)
        .where(SafetyMark.created_at >= since, SafetyMark.created_at < until)
        .subquery()
    )
    rows = db.session.execute(
        db.select(marks.c.feeling, Place.name, marks.c.reason, func.count())
        .select_from(marks)
        .outerjoin(Place, Place.id == marks.c.place_id)
        .group_by(marks.c.feeling, Place.name, marks.c.reason)
    ).all()
    by_place: dict[Feeling, dict[tuple[str, FeelingReason], int]] = {f: {} for f in Feeling}
    per_place: dict[Feeling, dict[str, int]] = {f: {} for f in Feeling}
    for feeling, place, reason, n in rows:
        feeling, reason, place = Feeling(feeling), FeelingReason(reason), place or ""
        by_place[feeling][(place, reason)] = int(n)
        per_place[feeling][place] = per_place[feeling].get(place, 0) + int(n)
    places = {
        f: sorted(counts, key=lambda p: (-counts[p], p == "", p)) for f, counts in per_place.items()
    }
    reasons = {
        f: [r for r in FeelingReason if any(key[1] is r for key in by_place[f])] for f in Feeling
    }
    timed = db.session.execute(
        db.select(marks.c.time_of_day, marks.c.feeling, func.count())
        .select_from(marks)
        .group_by(marks.c.time_of_day, marks.c.feeling)
    ).all()
    by_time = {(TimeOfDay(t), Feeling(f)): int(n) for t, f, n in timed}
    latest = db.session.scalars(
        policy.scoped(viewer, SafetyMark)
        .where(SafetyMark.created_at >= since, SafetyMark.created_at < until)
        .options(joinedload(SafetyMark.place))
        .order_by(SafetyMark.created_at.desc(), SafetyMark.id.desc())
        .limit(MARKS_LATEST)
    ).all()
    return MarkFigures(
        start=start,
        end=end,
        by_place=by_place,
        places=places,
        reasons=reasons,
        by_time=by_time,
        latest=list(latest),
        total=sum(by_time.values()),
    )


def default_mark_period(today: date) -> tuple[date, date]:
    """The last MARKS_DAYS days up to today."""
    return today - timedelta(days=MARKS_DAYS - 1), today
