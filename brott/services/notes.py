"""Situation notes: writing them, who reads which, counts per place and category."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    Measure,
    NoteCategory,
    NoteSource,
    Place,
    SituationNote,
    User,
    Visibility,
)
from brott.policy import Permission, Viewer
from brott.services import audit
from brott.services.personal_data import check_text
from brott.services.versions import check_version, flush_or_conflict

MAX_TEXT = 2000
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks differ a little; the future does not count
CONFLICT_MESSAGE = _l(
    "The note has been changed by someone else since you opened it. Nothing was saved: "
    "compare with what is saved now and make your change again."
)


@dataclass
class NoteData:
    observed_from: datetime
    place_id: int
    category_id: int
    source: NoteSource
    text: str
    visibility: Visibility
    observed_to: datetime | None = None
    measure_id: int | None = None


@dataclass(frozen=True)
class NoteFilters:
    start: datetime | None = None
    end: datetime | None = None
    place_id: int | None = None
    category_id: int | None = None
    source: NoteSource | None = None
    visibility: Visibility | None = None


def create_note(viewer: Viewer, author: User, data: NoteData, now: datetime) -> SituationNote:
    """Write a note; the police may only write notes shared with the police."""
    _check(viewer, data, now)
    note = SituationNote(council_id=viewer.council_id, author_id=author.id, created_at=now)
    _apply(note, data, now)
    db.session.add(note)
    db.session.flush()
    return note


def update_note(
    viewer: Viewer, note: SituationNote, data: NoteData, now: datetime, seen_version: int
) -> None:
    """Change a note under the same rules as writing one; refused if someone saved it after
    `seen_version`."""
    check_version(note, seen_version, str(CONFLICT_MESSAGE))
    _check(viewer, data, now)
    _apply(note, data, now)
    flush_or_conflict(seen_version, str(CONFLICT_MESSAGE))


def load_note_page(viewer: Viewer, note_id: int, now: datetime) -> SituationNote:
    """A note with what its page shows, or 404; a read from outside the municipality (the
    police) is written to the audit log."""
    note = policy.load(
        viewer,
        SituationNote,
        note_id,
        joinedload(SituationNote.place),
        joinedload(SituationNote.category),
        joinedload(SituationNote.author),
    )
    if policy.audits_reads(viewer):
        audit.record(
            "view",
            council_id=viewer.council_id,
            object_type="note",
            object_id=note.id,
            summary=audit.N_("The police opened a shared note."),
            at=now,
            session=db.session,
        )
    return note


def delete_note(note: SituationNote) -> None:
    """Remove a note (the audit log keeps what it said)."""
    db.session.delete(note)
    db.session.flush()


def list_notes(viewer: Viewer, filters: NoteFilters, limit: int = 500) -> list[SituationNote]:
    """Notes the member may read that match the filters, newest observation first."""
    stmt = (
        _filtered(policy.scoped(viewer, SituationNote), filters)
        .options(
            joinedload(SituationNote.place),
            joinedload(SituationNote.category),
            joinedload(SituationNote.author),
        )
        .order_by(SituationNote.observed_from.desc(), SituationNote.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def counts(viewer: Viewer, filters: NoteFilters) -> Counter:
    """Number of readable notes per (place name, category name) for the filters."""
    base = _filtered(policy.scoped(viewer, SituationNote), filters).subquery()
    stmt = (
        db.select(Place.name, NoteCategory.name, db.func.count())
        .select_from(base)
        .join(Place, Place.id == base.c.place_id)
        .join(NoteCategory, NoteCategory.id == base.c.category_id)
        .group_by(Place.name, NoteCategory.name)
    )
    return Counter({(place, category): n for place, category, n in db.session.execute(stmt)})


def _filtered(stmt, filters: NoteFilters):
    if filters.start:
        stmt = stmt.where(SituationNote.observed_from >= filters.start)
    if filters.end:
        stmt = stmt.where(SituationNote.observed_from < filters.end)
    if filters.place_id:
        stmt = stmt.where(SituationNote.place_id == filters.place_id)
    if filters.category_id:
        stmt = stmt.where(SituationNote.category_id == filters.category_id)
    if filters.source:
        stmt = stmt.where(SituationNote.source == filters.source)
    if filters.visibility:
        stmt = stmt.where(SituationNote.visibility == filters.visibility)
    return stmt


def _check(viewer: Viewer, data: NoteData, now: datetime) -> None:
    text = data.text.strip()
    if not text:
        raise DomainError(_("Describe what was observed."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("The text may be at most %(limit)d characters.", limit=MAX_TEXT), field="text"
        )
    if data.observed_to and data.observed_to < data.observed_from:
        raise DomainError(_("The end cannot come before the start."), field="observed_to")
    if data.observed_from > now + FUTURE_TOLERANCE:
        raise DomainError(_("The observation cannot lie in the future."), field="observed_from")
    place = db.session.get(Place, data.place_id)
    if place is None or place.council_id != viewer.council_id or not place.active:
        raise DomainError(_("Choose a place from the council's list."), field="place_id")
    category = db.session.get(NoteCategory, data.category_id)
    if category is None or category.council_id != viewer.council_id or not category.active:
        raise DomainError(_("Choose a category from the council's list."), field="category_id")
    if data.measure_id is not None:
        measure = db.session.get(Measure, data.measure_id)
        if measure is None or measure.council_id != viewer.council_id:
            raise DomainError(_("Unknown measure."), field="measure_id")
    if data.visibility is Visibility.INTERNAL and not policy.can(
        viewer, Permission.VIEW_INTERNAL_NOTES
    ):
        raise DomainError(_("The police can only write notes that are shared."), field="visibility")
    check_text(text, field="text")


def _apply(note: SituationNote, data: NoteData, now: datetime) -> None:
    note.observed_from = data.observed_from
    note.observed_to = data.observed_to
    note.place_id = data.place_id
    note.category_id = data.category_id
    note.source = data.source
    note.text = data.text.strip()
    note.visibility = data.visibility
    note.measure_id = data.measure_id
    note.updated_at = now
