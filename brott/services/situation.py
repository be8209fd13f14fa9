"""The situation picture (lägesbild) that an EST meeting starts from.

It is compiled from what happened in the council between the previous meeting and this one.
Each source contributes a section through `SOURCES`; measure changes are the first source,
and situation notes and citizen reports add theirs here when they exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from brott import policy
from brott.extensions import db
from brott.models import STATUS_LABELS, Measure, MeasureUpdate, Meeting
from brott.policy import Permission, Viewer
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
    empty_text: str = field(default_factory=lambda: _("Nothing new in the period."))
    counts: list[CountRow] = field(default_factory=list)
    note: str = ""


@dataclass
class SituationPicture:
    start: datetime
    end: datetime
    previous: Meeting | None
    sections: list[Section]


def measure_changes(viewer: Viewer, start: datetime, end: datetime) -> Section:
    """Status and progress changes of the council's measures in the span."""
    stmt = (
        db.select(MeasureUpdate)
        .join(MeasureUpdate.measure)
        .where(
            Measure.council_id == viewer.council_id,
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
            old, new = STATUS_LABELS[update.old_status], STATUS_LABELS[update.new_status]
            parts.append(f"{old!s} → {new!s}")
        if update.old_progress != update.new_progress:
            parts.append(
                _(
                    "%(old)d%% → %(new)d%%",
                    old=update.old_progress,
                    new=update.new_progress,
                )
            )
        text = ", ".join(parts) + (f". {update.comment}" if update.comment else "")
        items.append(Item(update.created_at, update.measure.title, text, update.measure_id))
    return Section(_("Changes in the measures"), items)


def situation_notes(viewer: Viewer, start: datetime, end: datetime) -> Section:
    """Notes observed in the span, the viewer may read, counted per place and category and
    compared with the span of equal length before it."""
    now_filter = notes.NoteFilters(start=start, end=end)
    before_filter = notes.NoteFilters(start=start - (end - start), end=start)
    current = notes.counts(viewer, now_filter)
    previous = notes.counts(viewer, before_filter)
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
            _("%(text)s (%(source)s)", text=note.text, source=note.source_label)
            if note.shared
            else _("%(text)s (%(source)s, internal)", text=note.text, source=note.source_label),
        )
        for note in notes.list_notes(viewer, now_filter)
    ]
    hidden = (
        ""
        if policy.can(viewer, Permission.VIEW_INTERNAL_NOTES)
        else _("Only notes that the municipality shares with the police are shown here.")
    )
    return Section(_("Situation notes"), items, counts=rows, note=hidden)


# each source: (viewer, start, end) -> Section; the viewer lets a source
# leave out what that viewer may not see
SOURCES: list[Callable[[Viewer, datetime, datetime], Section]] = [
    situation_notes,
    measure_changes,
]


def compile_picture(meeting: Meeting, viewer: Viewer) -> SituationPicture:
    """The situation picture for `meeting`: everything since the previous held meeting."""
    previous = previous_meeting(meeting)
    start = (
        previous.starts_at
        if previous
        else meeting.starts_at - timedelta(weeks=meeting.series.interval_weeks)
    )
    end = meeting.starts_at  # for a coming meeting: everything so far
    return SituationPicture(start, end, previous, [s(viewer, start, end) for s in SOURCES])
