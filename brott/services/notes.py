"""Situation notes: writing them, who reads which, counts per place and category, retention."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import joinedload

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import (
    AuditEntry,
    Council,
    Measure,
    Membership,
    NoteCategory,
    NoteSource,
    Place,
    SituationNote,
    User,
    Visibility,
)
from brott.policy import Permission
from brott.services import audit
from brott.services.personal_data import check_text

MAX_TEXT = 2000
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks differ a little; the future does not count


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


def create_note(
    membership: Membership, author: User, data: NoteData, now: datetime
) -> SituationNote:
    """Write a note; the police may only write notes shared with the police."""
    _check(membership, data, now)
    note = SituationNote(council_id=membership.council_id, author_id=author.id, created_at=now)
    _apply(note, data, now)
    db.session.add(note)
    db.session.flush()
    return note


def update_note(membership: Membership, note: SituationNote, data: NoteData, now: datetime) -> None:
    """Change a note under the same rules as writing one."""
    _check(membership, data, now)
    _apply(note, data, now)
    db.session.flush()


def delete_note(note: SituationNote) -> None:
    """Remove a note (the audit log keeps what it said)."""
    db.session.delete(note)
    db.session.flush()


def list_notes(
    membership: Membership, filters: NoteFilters, limit: int = 500
) -> list[SituationNote]:
    """Notes the member may read that match the filters, newest observation first."""
    stmt = (
        _filtered(policy.notes_query(membership), filters)
        .options(
            joinedload(SituationNote.place),
            joinedload(SituationNote.category),
            joinedload(SituationNote.author),
        )
        .order_by(SituationNote.observed_from.desc(), SituationNote.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def counts(membership: Membership, filters: NoteFilters) -> Counter:
    """Number of readable notes per (place name, category name) for the filters."""
    base = _filtered(policy.notes_query(membership), filters).subquery()
    stmt = (
        db.select(Place.name, NoteCategory.name, db.func.count())
        .select_from(base)
        .join(Place, Place.id == base.c.place_id)
        .join(NoteCategory, NoteCategory.id == base.c.category_id)
        .group_by(Place.name, NoteCategory.name)
    )
    return Counter({(place, category): n for place, category, n in db.session.execute(stmt)})


def places(council_id: int, active_only: bool = True) -> list[Place]:
    """The council's places, by name."""
    stmt = db.select(Place).where(Place.council_id == council_id).order_by(Place.name)
    if active_only:
        stmt = stmt.where(Place.active.is_(True))
    return list(db.session.scalars(stmt))


def categories(council_id: int, active_only: bool = True) -> list[NoteCategory]:
    """The council's note categories, by name."""
    stmt = (
        db.select(NoteCategory)
        .where(NoteCategory.council_id == council_id)
        .order_by(NoteCategory.name)
    )
    if active_only:
        stmt = stmt.where(NoteCategory.active.is_(True))
    return list(db.session.scalars(stmt))


def purge_expired(now: datetime) -> dict[int, int]:
    """Delete notes older than each council's retention period; audit how many per council."""
    deleted = {}
    for council in db.session.scalars(db.select(Council)).all():
        cutoff = months_before(now, council.note_retention_months)
        expired = db.select(SituationNote.id).where(
            SituationNote.council_id == council.id, SituationNote.created_at < cutoff
        )
        ids = list(db.session.scalars(expired))
        _forget_note_texts(council.id, ids, cutoff)
        result = db.session.execute(delete(SituationNote).where(SituationNote.id.in_(ids)))
        if result.rowcount:
            deleted[council.id] = result.rowcount
            audit.record(
                "retention",
                council_id=council.id,
                object_type="note",
                summary=(
                    f"{result.rowcount} lägesbildsanteckningar äldre än "
                    f"{council.note_retention_months} månader raderades."
                ),
                session=db.session,
            )
    db.session.flush()
    return deleted


def _forget_note_texts(council_id: int, note_ids: list[int], cutoff: datetime) -> None:
    """Retention reaches the audit log too: entries about expired notes keep who, when and
    what kind of change, but no longer what the note said."""
    about_expired = AuditEntry.object_id.in_(note_ids) | (AuditEntry.at < cutoff)
    db.session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.council_id == council_id,
            AuditEntry.object_type == "note",
            AuditEntry.action.in_(("create", "update", "delete")),
            about_expired,
        )
        .values(before=None, after=None, summary="(gallrad)")
    )


def set_retention(council: Council, months: int) -> None:
    """Set how many months situation notes are kept (1–120)."""
    if not 1 <= months <= 120:
        raise DomainError("Ange en gallringstid mellan 1 och 120 månader.", field="months")
    council.note_retention_months = months
    db.session.flush()


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (clamped to the month's end)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    day = min(moment.day, _days_in(year, month))
    return moment.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


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


def _check(membership: Membership, data: NoteData, now: datetime) -> None:
    text = data.text.strip()
    if not text:
        raise DomainError("Skriv vad som observerades.", field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(f"Texten får vara högst {MAX_TEXT} tecken.", field="text")
    if data.observed_to and data.observed_to < data.observed_from:
        raise DomainError("Sluttiden kan inte ligga före starttiden.", field="observed_to")
    if data.observed_from > now + FUTURE_TOLERANCE:
        raise DomainError("Observationen kan inte ligga i framtiden.", field="observed_from")
    place = db.session.get(Place, data.place_id)
    if place is None or place.council_id != membership.council_id or not place.active:
        raise DomainError("Välj en plats ur rådets lista.", field="place_id")
    category = db.session.get(NoteCategory, data.category_id)
    if category is None or category.council_id != membership.council_id or not category.active:
        raise DomainError("Välj en kategori ur rådets lista.", field="category_id")
    if data.measure_id is not None:
        measure = db.session.get(Measure, data.measure_id)
        if measure is None or measure.council_id != membership.council_id:
            raise DomainError("Okänd insats.", field="measure_id")
    if data.visibility is Visibility.INTERNAL and not policy.can(
        membership, Permission.VIEW_INTERNAL_NOTES
    ):
        raise DomainError("Polisen kan bara skriva anteckningar som delas.", field="visibility")
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
