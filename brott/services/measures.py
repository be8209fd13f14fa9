"""Measures of a citizen promise: listing, creating, editing and journaled status updates."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from brott import policy
from brott.clock import STOCKHOLM
from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    CitizenPromise,
    Measure,
    MeasureStatus,
    MeasureTool,
    MeasureUpdate,
    PartnerOrganisation,
    User,
)
from brott.policy import Viewer
from brott.services.personal_data import check_text
from brott.services.users import active_members
from brott.services.versions import check_version, flush_or_conflict

NUMBER_ATTEMPTS = 25
MAX_CATEGORY = 80  # the column's length
CONFLICT_MESSAGE = _l(
    "The measure has been changed by someone else since you opened it. "
    "Nothing of what you wrote has been saved – see the changes below and make your "
    "change again."
)


@dataclass(frozen=True)
class MeasureFilters:
    status: MeasureStatus | None = None
    owner_id: int | None = None
    category: str | None = None


@dataclass
class MeasureData:
    """The editable fields of a measure, as a coordinator enters them."""

    title: str
    description: str = ""
    category: str = ""
    start_date: date | None = None
    end_date: date | None = None
    next_review_date: date | None = None
    owner_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    tool: MeasureTool | None = None


def list_measures(viewer: Viewer, filters: MeasureFilters) -> list[Measure]:
    """The council's measures matching the filters, with owners loaded, in promise order."""
    stmt = (
        policy.scoped(viewer, Measure)
        .options(
            joinedload(Measure.promise),
            selectinload(Measure.owners),
            selectinload(Measure.partners),
        )
        .order_by(Measure.number.is_(None), Measure.number, Measure.title)
    )
    if filters.status is not None:
        stmt = stmt.where(Measure.status == filters.status)
    if filters.owner_id is not None:
        stmt = stmt.where(Measure.owners.any(User.id == filters.owner_id))
    if filters.category:
        stmt = stmt.where(Measure.category == filters.category)
    return list(db.session.scalars(stmt))


def needs_update(now: datetime) -> ColumnElement[bool]:
    """Measures that need an update from their owners: not done, and their planned review
    has passed or nothing in them has changed for STALE_MEASURE_DAYS (the daily digest
    reminds the owners; the dashboards list them)."""
    today = now.astimezone(STOCKHOLM).date()
    stale_before = now - timedelta(days=current_app.config["STALE_MEASURE_DAYS"])
    return and_(
        Measure.status != MeasureStatus.DONE,
        or_(Measure.next_review_date < today, Measure.updated_at < stale_before),
    )


def load_measure_page(viewer: Viewer, measure_id: int) -> Measure:
    """One measure with everything its page shows, in a fixed number of queries; 404 if unseen."""
    return policy.load(
        viewer,
        Measure,
        measure_id,
        joinedload(Measure.promise),
        selectinload(Measure.owners),
        selectinload(Measure.partners),
        selectinload(Measure.updates).joinedload(MeasureUpdate.author),
    )


def titles(viewer: Viewer) -> list[tuple[int, str]]:
    """(id, title) of the measures the member may read, in promise order: for pickers."""
    stmt = (
        policy.scoped(viewer, Measure)
        .with_only_columns(Measure.id, Measure.title)
        .order_by(Measure.number.is_(None), Measure.number, Measure.title)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


def categories(council_id: int) -> list[str]:
    """The categories in use in a council, for filters and suggestions."""
    stmt = (
        db.select(Measure.category)
        .where(Measure.council_id == council_id, Measure.category != "")
        .distinct()
        .order_by(Measure.category)
    )
    return list(db.session.scalars(stmt))


def category_for(council_id: int, typed: str) -> str:
    """The category a user typed, as the council's list spells it: spaces tidied, and an
    existing category written in other letter case is that category, so the list's filter
    finds the measure under the name it already offers."""
    wanted = " ".join(typed.split())
    if len(wanted) > MAX_CATEGORY:
        raise DomainError(
            _("The category may be at most %(limit)d characters.", limit=MAX_CATEGORY),
            field="category",
        )
    known = {name.casefold(): name for name in categories(council_id)}
    return known.get(wanted.casefold(), wanted)


def owner_candidates(council_id: int) -> list[User]:
    """Active members of the council who may own a measure."""
    return active_members(council_id, policy.OWNER_ROLES)


def partner_candidates(council_id: int) -> list[PartnerOrganisation]:
    """The council's partner organisations."""
    stmt = (
        db.select(PartnerOrganisation)
        .where(PartnerOrganisation.council_id == council_id)
        .order_by(PartnerOrganisation.name)
    )
    return list(db.session.scalars(stmt))


def create_measure(council_id: int, author: User, data: MeasureData, now: datetime) -> Measure:
    """Add a measure to a council; the journal records its creation."""
    _check_dates(data)
    measure = Measure(
        council_id=council_id,
        promise_id=current_promise_id(council_id, now.date()),
        status=MeasureStatus.PLANNED,
        progress=0,
        created_at=now,
        updated_at=now,
    )
    _apply(measure, data)
    db.session.add(measure)
    db.session.flush()
    _number(measure)
    # stored in the journal in the creator's language, like the comments people write
    _journal(measure, author, now, comment=_("The measure was created."), changes={})
    db.session.flush()
    return measure


def edit_measure(
    measure: Measure,
    author: User,
    data: MeasureData,
    now: datetime,
    seen_version: int,
    comment: str = "",
) -> MeasureUpdate | None:
    """Change a measure's fields; refused if someone saved it after `seen_version`."""
    check_version(measure, seen_version, str(CONFLICT_MESSAGE))
    _check_dates(data)
    check_text(comment, field="comment")
    before = _snapshot(measure)
    _apply(measure, data)
    after = _snapshot(measure)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes and not comment.strip():
        return None
    measure.updated_at = now
    flush_or_conflict(seen_version, str(CONFLICT_MESSAGE))
    entry = _journal(measure, author, now, comment=comment.strip(), changes=changes)
    db.session.flush()
    return entry


def record_update(
    measure: Measure,
    author: User,
    status: MeasureStatus,
    progress: int,
    comment: str,
    now: datetime,
    seen_version: int,
) -> MeasureUpdate:
    """Set status and progress with an explaining comment; every call writes a journal entry."""
    check_version(measure, seen_version, str(CONFLICT_MESSAGE))
    comment = comment.strip()
    if not comment:
        raise DomainError(_("Write a comment that explains the change."), field="comment")
    check_text(comment, field="comment")
    if not 0 <= progress <= 100:
        raise DomainError(_("Progress is given as a percentage, 0–100."), field="progress")
    if status is MeasureStatus.DONE and progress != 100:
        raise DomainError(_("A finished measure has 100% progress."), field="progress")
    old_status, old_progress = measure.status, measure.progress
    measure.status = status
    measure.progress = progress
    measure.updated_at = now
    flush_or_conflict(seen_version, str(CONFLICT_MESSAGE))
    entry = _journal(
        measure,
        author,
        now,
        comment=comment,
        changes={},
        old_status=old_status,
        old_progress=old_progress,
    )
    db.session.flush()
    return entry


def set_derived_progress(
    measure: Measure, progress: int, comment: str, now: datetime, author: User | None
) -> MeasureUpdate | None:
    """Set the progress an indicator derived (see services/indicators), journalled with a
    comment naming the indicator; None when the progress is already that."""
    if measure.progress == progress:
        return None
    old_progress = measure.progress
    measure.progress = progress
    measure.updated_at = now
    db.session.flush()
    entry = _journal(measure, author, now, comment=comment, changes={}, old_progress=old_progress)
    db.session.flush()
    return entry


def updates_since(measure_id: int, seen_version: int) -> list[MeasureUpdate]:
    """Journal entries written after the version a user saw: what the other person changed."""
    stmt = (
        db.select(MeasureUpdate)
        .where(MeasureUpdate.measure_id == measure_id, MeasureUpdate.version > seen_version)
        .options(joinedload(MeasureUpdate.author))
        .order_by(MeasureUpdate.id)
    )
    return list(db.session.scalars(stmt))


def _check_dates(data: MeasureData) -> None:
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise DomainError(_("The end date cannot be before the start date."), field="end_date")
    check_text(data.description, field="description")


def _apply(measure: Measure, data: MeasureData) -> None:
    council_id = measure.council_id
    owners = _owners(council_id, data.owner_ids)
    partners = _partners(council_id, data.partner_ids)
    category = category_for(council_id, data.category)
    measure.title = data.title.strip()
    measure.description = data.description.strip()
    measure.category = category
    measure.start_date = data.start_date
    measure.end_date = data.end_date
    measure.next_review_date = data.next_review_date
    measure.owners = owners
    measure.partners = partners
    measure.tool = data.tool


def _owners(council_id: int, owner_ids: list[int]) -> list[User]:
    wanted = set(owner_ids)
    found = [u for u in owner_candidates(council_id) if u.id in wanted]
    if len(found) != len(wanted):
        raise DomainError(_("Owners must be active members of the council."), field="owner_ids")
    return found


def _partners(council_id: int, partner_ids: list[int]) -> list[PartnerOrganisation]:
    wanted = set(partner_ids)
    found = [p for p in partner_candidates(council_id) if p.id in wanted]
    if len(found) != len(wanted):
        raise DomainError(_("Unknown partner organisation."), field="partner_ids")
    return found


SNAPSHOT_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "category": _l("Category"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "next_review_date": _l("Next review"),
    "owners": _l("Owners"),
    "partners": _l("Partners"),
    "tool": _l("Working tool"),
    # what the public progress page shows of it (services/progress)
    "public_fields": _l("Shown on the public progress page"),
    "public_summary": _l("Plain-language summary"),
}


def _snapshot(measure: Measure) -> dict[str, str]:
    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    return {
        "title": measure.title,
        "description": measure.description,
        "category": measure.category,
        "start_date": day(measure.start_date),
        "end_date": day(measure.end_date),
        "next_review_date": day(measure.next_review_date),
        "owners": ", ".join(u.name for u in sorted(measure.owners, key=lambda u: u.name)),
        "partners": ", ".join(p.name for p in sorted(measure.partners, key=lambda p: p.name)),
        "tool": measure.tool_label,
    }


def record_changes(measure: Measure, author: User | None, now: datetime, changes: dict) -> None:
    """A journal entry for changes made elsewhere ({"field": [old, new]} as text), after
    the measure's new version was flushed: the journal says what each version changed."""
    if changes:
        _journal(measure, author, now, comment="", changes=changes)
        db.session.flush()


def _journal(
    measure: Measure,
    author: User | None,
    now: datetime,
    *,
    comment: str,
    changes: dict,
    old_status: MeasureStatus | None = None,
    old_progress: int | None = None,
) -> MeasureUpdate:
    entry = MeasureUpdate(
        measure=measure,
        author=author,
        version=measure.version,
        old_status=old_status if old_status is not None else measure.status,
        new_status=measure.status,
        old_progress=old_progress if old_progress is not None else measure.progress,
        new_progress=measure.progress,
        changes=changes,
        comment=comment,
        created_at=now,
    )
    db.session.add(entry)
    return entry


def current_promise_id(council_id: int, today: date) -> int | None:
    """The promise whose period covers `today`, else the one that began last."""
    stmt = (
        db.select(CitizenPromise.id)
        .where(CitizenPromise.council_id == council_id)
        .order_by(
            ((CitizenPromise.period_start <= today) & (CitizenPromise.period_end >= today)).desc(),
            CitizenPromise.period_start.desc(),
        )
        .limit(1)
    )
    return db.session.scalar(stmt)


def _number(measure: Measure) -> None:
    """Give a new (flushed) measure the council's next number.

    Two coordinators creating measures at the same moment read the same highest number; the
    unique constraint (council, number) lets one of them have it, and the other tries the
    next. The number is set inside a SAVEPOINT after the row is inserted, so a refused number
    undoes nothing else (on SQLite a SAVEPOINT before any write would be the outermost
    transaction, whose release commits). Every refusal means another measure got a number
    meanwhile, so NUMBER_ATTEMPTS is how many creations may race in one council.
    """
    number = _next_number(measure.council_id)
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with db.session.begin_nested():
                db.session.execute(
                    update(Measure)
                    .where(Measure.id == measure.id)
                    .values(number=number)
                    .execution_options(synchronize_session=False)
                )
        except IntegrityError:
            number = max(number + 1, _next_number(measure.council_id))
            continue
        # a number, not an edit: the measure's version stays that of its creation
        set_committed_value(measure, "number", number)
        return
    raise DomainError(_("Many measures are being created right now. Try again in a moment."))


def _next_number(council_id: int) -> int:
    current = db.session.scalar(
        db.select(db.func.max(Measure.number)).where(Measure.council_id == council_id)
    )
    return (current or 0) + 1
