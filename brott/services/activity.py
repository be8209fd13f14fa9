"""Activity logs: the dated events of a measure's work, their kinds, totals and the
situation notes made from them."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Measure, MeasureTool, Place, User
from brott.models.activity import ActivityEntry, ActivityKind
from brott.models.place import name_key
from brott.policy import Viewer
from brott.services import notes, photos
from brott.services.personal_data import check_text
from brott.services.uniqueness import unless_taken

# the kinds a council starts with (council data, in the council's language); it may add more
DEFAULT_KINDS = (
    "Patrullering/observation",
    "Dialogmöte",
    "Träff",
    "Kull",
    "Evenemang",
    "Trygghetsvandring i sociala medier",
    "Annat",
)
MAX_TEXT = 1000
MAX_PEOPLE = 100_000
PAGE_SIZE = 50


@dataclass
class EntryData:
    on_date: date
    kind_id: int
    people_reached: int = 0
    text: str = ""
    at_time: time | None = None
    place_id: int | None = None


@dataclass(frozen=True)
class EntryFilters:
    kind_id: int | None = None
    start: date | None = None
    end: date | None = None  # up to and including


@dataclass(frozen=True)
class KindTotal:
    name: str
    entries: int
    people: int


@dataclass(frozen=True)
class EntryPage:
    entries: list[ActivityEntry]
    page: int
    pages: int
    count: int  # entries matching the filters, on every page
    people: int  # people reached by them
    by_kind: list[KindTotal]


def uses_activity_log(measure: Measure) -> bool:
    """Whether the measure's working tool is the activity log."""
    return measure.tool is MeasureTool.ACTIVITY_LOG


# --- kinds -----------------------------------------------------------------------------------


def kinds(council_id: int, active_only: bool = True) -> list[ActivityKind]:
    """The council's activity kinds by name; a council without any gets the defaults."""
    stmt = db.select(ActivityKind).where(ActivityKind.council_id == council_id)
    found = list(db.session.scalars(stmt.order_by(ActivityKind.name)))
    if not found:
        add_default_kinds(council_id)
        found = list(db.session.scalars(stmt.order_by(ActivityKind.name)))
    return [k for k in found if k.active or not active_only]


def add_default_kinds(council_id: int) -> None:
    """Give a council the standard activity kinds (missing ones only)."""
    existing = set(
        db.session.scalars(
            db.select(ActivityKind.name_key).where(ActivityKind.council_id == council_id)
        )
    )
    for name in DEFAULT_KINDS:
        if name_key(name) not in existing:
            db.session.add(ActivityKind(council_id=council_id, name=name))
    db.session.flush()


def add_kind(council_id: int, name: str) -> ActivityKind:
    """Add a kind to the council's list; names are unique ignoring case and spacing."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if len(name) > 80:
        raise DomainError(_("The name may be at most %(limit)d characters.", limit=80), "name")
    kind = ActivityKind(council_id=council_id, name=name)
    with unless_taken(_("The list already has a kind with that name.")):
        db.session.add(kind)
    return kind


def set_kind_active(kind: ActivityKind, active: bool) -> None:
    """Take a kind out of use (entries keep it) or back into use."""
    kind.active = active
    db.session.flush()


# --- entries ---------------------------------------------------------------------------------


def add_entry(
    measure: Measure,
    author: User,
    data: EntryData,
    upload: FileStorage | None,
    now: datetime,
    today: date,
) -> ActivityEntry:
    """Log an event of the measure; the photo, if any, is checked and stored last."""
    text = _check(measure.council_id, data, today)
    entry = ActivityEntry(
        council_id=measure.council_id,
        measure_id=measure.id,
        on_date=data.on_date,
        at_time=data.at_time,
        kind_id=data.kind_id,
        place_id=data.place_id,
        people_reached=data.people_reached,
        text=text,
        author_id=author.id,
        created_at=now,
    )
    entry.photo = photos.save_upload(measure.council_id, upload, now)
    db.session.add(entry)
    db.session.flush()
    return entry


def delete_entry(entry: ActivityEntry) -> None:
    """Remove an entry and its photo; a situation note made from it stays."""
    photo = entry.photo
    db.session.delete(entry)
    db.session.flush()
    if photo is not None:
        photos.discard(photo)


def list_entries(
    viewer: Viewer, measure: Measure, filters: EntryFilters, page: int = 1
) -> EntryPage:
    """One page of the measure's entries matching the filters (newest first), with totals."""
    base = _filtered(
        policy.scoped(viewer, ActivityEntry).where(ActivityEntry.measure_id == measure.id),
        filters,
    )
    totals = base.subquery()
    rows = db.session.execute(
        db.select(
            ActivityKind.name, func.count(), func.coalesce(func.sum(totals.c.people_reached), 0)
        )
        .select_from(totals)
        .join(ActivityKind, ActivityKind.id == totals.c.kind_id)
        .group_by(ActivityKind.name)
        .order_by(ActivityKind.name)
    ).all()
    by_kind = [KindTotal(name, int(n), int(people)) for name, n, people in rows]
    count = sum(k.entries for k in by_kind)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 1), pages)
    entries = db.session.scalars(
        base.options(
            joinedload(ActivityEntry.kind),
            joinedload(ActivityEntry.place),
            joinedload(ActivityEntry.author),
        )
        .order_by(ActivityEntry.on_date.desc(), ActivityEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return EntryPage(
        entries=list(entries),
        page=page,
        pages=pages,
        count=count,
        people=sum(k.people for k in by_kind),
        by_kind=by_kind,
    )


def daily_totals(
    measure_id: int, kind_id: int | None, start: date, end: date
) -> list[tuple[date, int, int]]:
    """(day, entries, people reached) per day with entries between start and end inclusive:
    what the activity indicators count, in one query."""
    stmt = (
        db.select(
            ActivityEntry.on_date,
            func.count(),
            func.coalesce(func.sum(ActivityEntry.people_reached), 0),
        )
        .where(
            ActivityEntry.measure_id == measure_id,
            ActivityEntry.on_date >= start,
            ActivityEntry.on_date <= end,
        )
        .group_by(ActivityEntry.on_date)
        .order_by(ActivityEntry.on_date)
    )
    if kind_id is not None:
        stmt = stmt.where(ActivityEntry.kind_id == kind_id)
    return [(day, int(n), int(people)) for day, n, people in db.session.execute(stmt)]


def daily_totals_of_measures(
    measure_ids: Collection[int], start: date, end: date
) -> dict[tuple[int, int | None], list[tuple[date, int, int]]]:
    """`daily_totals` of many measures in one query, keyed by (measure id, kind id), and by
    (measure id, None) for every kind together: a report's activity indicators at once."""
    stmt = (
        db.select(
            ActivityEntry.measure_id,
            ActivityEntry.kind_id,
            ActivityEntry.on_date,
            func.count(),
            func.coalesce(func.sum(ActivityEntry.people_reached), 0),
        )
        .where(
            ActivityEntry.measure_id.in_(measure_ids),
            ActivityEntry.on_date >= start,
            ActivityEntry.on_date <= end,
        )
        .group_by(ActivityEntry.measure_id, ActivityEntry.kind_id, ActivityEntry.on_date)
        .order_by(ActivityEntry.on_date)
    )
    found: dict[tuple[int, int | None], list[tuple[date, int, int]]] = {}
    every_kind: dict[int, dict[date, tuple[int, int]]] = {}
    for measure_id, kind_id, day, n, people in db.session.execute(stmt):
        found.setdefault((measure_id, kind_id), []).append((day, int(n), int(people)))
        days = every_kind.setdefault(measure_id, {})
        entries, reached = days.get(day, (0, 0))
        days[day] = (entries + int(n), reached + int(people))
    for measure_id, days in every_kind.items():
        found[(measure_id, None)] = [(day, n, people) for day, (n, people) in days.items()]
    return found


# --- from an entry to a situation note -------------------------------------------------------


def note_from_entry(
    viewer: Viewer, entry: ActivityEntry, author: User, data: notes.NoteData, now: datetime
):
    """Write a situation note from an entry (under the notes' own rules) and link it back."""
    if entry.note_id is not None:
        raise DomainError(_("A situation note has already been made from this entry."))
    note = notes.create_note(viewer, author, data, now)
    entry.note_id = note.id
    db.session.flush()
    return note


def _check(council_id: int, data: EntryData, today: date) -> str:
    errors: dict[str | None, list[str]] = {}
    if data.on_date > today:
        errors["on_date"] = [_("The date cannot lie in the future.")]
    kind = db.session.get(ActivityKind, data.kind_id)
    if kind is None or kind.council_id != council_id or not kind.active:
        errors["kind_id"] = [_("Choose a kind from the council's list.")]
    if data.place_id is not None:
        place = db.session.get(Place, data.place_id)
        if place is None or place.council_id != council_id or not place.active:
            errors["place_id"] = [_("Choose a place from the council's list.")]
    if not 0 <= data.people_reached <= MAX_PEOPLE:
        errors["people_reached"] = [_("Enter a number between 0 and %(limit)d.", limit=MAX_PEOPLE)]
    text = data.text.strip()
    if len(text) > MAX_TEXT:
        errors["text"] = [_("The text may be at most %(limit)d characters.", limit=MAX_TEXT)]
    if errors:
        raise DomainError.from_errors(errors)
    check_text(text, field="text")
    return text


def _filtered(stmt, filters: EntryFilters):
    if filters.kind_id is not None:
        stmt = stmt.where(ActivityEntry.kind_id == filters.kind_id)
    if filters.start is not None:
        stmt = stmt.where(ActivityEntry.on_date >= filters.start)
    if filters.end is not None:
        stmt = stmt.where(ActivityEntry.on_date <= filters.end)
    return stmt
