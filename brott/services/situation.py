"""The situation picture (lägesbild) that an EST meeting starts from.

It is compiled from what happened in the council between the previous meeting and this one.
Each source contributes a section through `SOURCES`; measure changes are the first source,
and situation notes and citizen reports add theirs here when they exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import joinedload

from brott import policy
from brott.extensions import db
from brott.models import STATUS_LABELS, Measure, MeasureUpdate, Meeting, Membership
from brott.policy import Permission
from brott.services import notes
from brott.services.meetings import previous_meeting


@dataclass
class Item:
    when: datetime
    title: str
    text: str
    link_measure_id: int | None = None


@dataclass
class CountRow:
    place: str
    category: str
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)
    empty_text: str = "Inget nytt under perioden."
    counts: list[CountRow] = field(default_factory=list)
    note: str = ""


@dataclass
class SituationPicture:
    start: datetime
    end: datetime
    previous: Meeting | None
    sections: list[Section]


def measure_changes(membership: Membership, start: datetime, end: datetime) -> Section:
    """Status and progress changes of the council's measures in the span."""
    stmt = (
        db.select(MeasureUpdate)
        .join(MeasureUpdate.measure)
        .where(
            Measure.council_id == membership.council_id,
            MeasureUpdate.created_at >= start,
            MeasureUpdate.created_at < end,
            (MeasureUpdate.old_status != MeasureUpdate.new_status)
            | (MeasureUpdate.old_progress != MeasureUpdate.new_progress),
        )
        .options(joinedload(MeasureUpdate.measure), joinedload(MeasureUpdate.author))
        .order_by(MeasureUpdate.created_at)
    )
    items = []
    for update in db.session.scalars(stmt):
        parts = []
        if update.old_status != update.new_status:
            parts.append(f"{STATUS_LABELS[update.old_status]} → {STATUS_LABELS[update.new_status]}")
        if update.old_progress != update.new_progress:
            parts.append(f"{update.old_progress} % → {update.new_progress} %")
        text = ", ".join(parts) + (f". {update.comment}" if update.comment else "")
        items.append(Item(update.created_at, update.measure.title, text, update.measure_id))
    return Section("Förändringar i insatserna", items)


def situation_notes(membership: Membership, start: datetime, end: datetime) -> Section:
    """Notes observed in the span, the viewer may read, counted per place and category and
    compared with the span of equal length before it."""
    now_filter = notes.NoteFilters(start=start, end=end)
    before_filter = notes.NoteFilters(start=start - (end - start), end=start)
    current = notes.counts(membership, now_filter)
    previous = notes.counts(membership, before_filter)
    rows = [
        CountRow(
            place, category, current.get((place, category), 0), previous.get((place, category), 0)
        )
        for place, category in sorted(set(current) | set(previous))
    ]
    items = [
        Item(
            note.observed_from,
            f"{note.place.name} · {note.category.name}",
            f"{note.text} ({note.source_label}{'' if note.shared else ', intern'})",
        )
        for note in notes.list_notes(membership, now_filter)
    ]
    hidden = (
        ""
        if policy.can(membership, Permission.VIEW_INTERNAL_NOTES)
        else ("Här visas bara anteckningar som kommunen delar med polisen.")
    )
    return Section("Lägesbildsanteckningar", items, counts=rows, note=hidden)


# each source: (membership, start, end) -> Section; the viewer's membership lets a source
# leave out what that viewer may not see
SOURCES: list[Callable[[Membership, datetime, datetime], Section]] = [
    situation_notes,
    measure_changes,
]


def compile_picture(meeting: Meeting, membership: Membership) -> SituationPicture:
    """The situation picture for `meeting`: everything since the previous held meeting."""
    previous = previous_meeting(meeting)
    start = (
        previous.starts_at
        if previous
        else meeting.starts_at - timedelta(weeks=meeting.series.interval_weeks)
    )
    end = meeting.starts_at  # for a coming meeting: everything so far
    return SituationPicture(start, end, previous, [s(membership, start, end) for s in SOURCES])
