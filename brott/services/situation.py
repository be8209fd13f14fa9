"""The situation picture (lägesbild) that an EST meeting starts from.

It is compiled from what happened in the council between the previous meeting and this one.
Each source contributes a section through `SOURCES`: situation notes, residents' reports and
their marks of perceived safety (counts only: the texts are the residents', and the reports
themselves are in the report queue), and the changes in the measures.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import joinedload

from brott import policy
from brott.extensions import db
from brott.models import STATUS_LABELS, Measure, MeasureUpdate, Meeting, Place
from brott.models.reports import (
    FEELING_REASON_LABELS,
    Feeling,
    ReportCategory,
    ResidentReport,
    SafetyMark,
)
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
    # residents' reports: how many were open at the end of the span, and of the one before
    open: int | None = None
    open_previous: int | None = None

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
    top_places: list[tuple[str, int]] = field(default_factory=list)  # (place, count)
    link_endpoint: str = ""  # where the counted rows are listed; set for those who may read it


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


def note_trends(viewer: Viewer, start: datetime, end: datetime) -> Section:
    """Notes observed in the span, the viewer may read, counted per place and category and
    compared with the span of equal length before it: counts only."""
    current = notes.counts(viewer, notes.NoteFilters(start=start, end=end))
    previous = notes.counts(viewer, notes.NoteFilters(start=start - (end - start), end=start))
    rows = [
        CountRow(
            place, category, current.get((place, category), 0), previous.get((place, category), 0)
        )
        for place, category in sorted(set(current) | set(previous))
    ]
    hidden = (
        ""
        if policy.can(viewer, Permission.VIEW_INTERNAL_NOTES)
        else _("Only notes that the municipality shares with the police are shown here.")
    )
    return Section(_("Situation notes"), counts=rows, note=hidden)


def situation_notes(viewer: Viewer, start: datetime, end: datetime) -> Section:
    """The note counts of `note_trends`, and the notes themselves."""
    section = note_trends(viewer, start, end)
    section.items = [
        Item(
            note.observed_from,
            f"{note.place.name} · {note.category.name}",
            _("%(text)s (%(source)s)", text=note.text, source=note.source_label)
            if note.shared
            else _("%(text)s (%(source)s, internal)", text=note.text, source=note.source_label),
        )
        for note in notes.list_notes(viewer, notes.NoteFilters(start=start, end=end))
    ]
    return section


NO_PLACE = _l("(no place)")  # reports and marks not near one of the council's places
TOP_PLACES = 5
FEELING_SHORT = {Feeling.UNSAFE: _l("unsafe"), Feeling.SAFE: _l("safe")}


def _report_counts(viewer: Viewer, *conditions: ColumnElement[bool]) -> dict[tuple, int]:
    """(place name, category name) → number of the viewer's reports meeting `conditions`:
    one GROUP BY query."""
    stmt = (
        db.select(Place.name, ReportCategory.name, func.count(ResidentReport.id))
        .select_from(ResidentReport)
        .join(ReportCategory, ReportCategory.id == ResidentReport.category_id)
        .outerjoin(Place, Place.id == ResidentReport.place_id)
        .where(policy.scoped(viewer, ResidentReport).whereclause, *conditions)
        .group_by(Place.name, ReportCategory.name)
    )
    counts: dict[tuple, int] = {}
    for name, category, n in db.session.execute(stmt):
        key = (name or str(NO_PLACE), category)
        counts[key] = counts.get(key, 0) + n
    return counts


def report_counts(
    viewer: Viewer, start: datetime, end: datetime, place: Place | None = None
) -> dict[tuple, int]:
    """(place name, category name) → reports filed in the span (at `place`, when given)."""
    conditions = [_filed(start, end)]
    if place is not None:
        conditions.append(ResidentReport.place_id == place.id)
    return _report_counts(viewer, *conditions)


def _filed(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(ResidentReport.created_at >= start, ResidentReport.created_at < end)


def _open_at(moment: datetime) -> ColumnElement[bool]:
    """Filed before `moment` and not fixed or closed by then (a reopened report counts as
    open since it was filed: its earlier closing is not kept)."""
    return and_(
        ResidentReport.created_at < moment,
        or_(ResidentReport.closed_at.is_(None), ResidentReport.closed_at >= moment),
    )


def _place_last(key: tuple[str, str]) -> tuple[bool, str, str]:
    return (key[0] == str(NO_PLACE), key[0], key[1])


def residents_reports(viewer: Viewer, start: datetime, end: datetime) -> Section:
    """Reports filed in the span and open at its end, per place and category, compared with
    the span of equal length before it; and the places with the most reports filed. Counts
    only, for those who may read every body's reports."""
    title = _("Residents' reports")
    if not policy.can(viewer, Permission.VIEW_ALL_REPORTS):
        return Section(title, empty_text=_("Only those who read all reports see these counts."))
    before = start - (end - start)
    filed = _report_counts(viewer, _filed(start, end))
    filed_before = _report_counts(viewer, _filed(before, start))
    still_open = _report_counts(viewer, _open_at(end))
    open_before = _report_counts(viewer, _open_at(start))
    keys = sorted(
        set(filed) | set(filed_before) | set(still_open) | set(open_before), key=_place_last
    )
    rows = [
        CountRow(
            place,
            category,
            filed.get((place, category), 0),
            filed_before.get((place, category), 0),
            still_open.get((place, category), 0),
            open_before.get((place, category), 0),
        )
        for place, category in sorted(keys, key=_place_last)
    ]
    per_place: dict[str, int] = {}
    for (place, _category), n in filed.items():
        if place != str(NO_PLACE):
            per_place[place] = per_place.get(place, 0) + n
    top = sorted(per_place.items(), key=lambda item: (-item[1], item[0]))[:TOP_PLACES]
    return Section(
        title,
        empty_text=(
            _("Counts only; the reports themselves are in the report queue.")
            if rows
            else _("No reports were filed or open in the period.")
        ),
        counts=rows,
        top_places=top,
        link_endpoint="reports.index",
    )


def _mark_counts(viewer: Viewer, start: datetime, end: datetime) -> dict[tuple, int]:
    """(place name, reason, feeling) → number of safety marks in the span: one query."""
    stmt = (
        db.select(Place.name, SafetyMark.reason, SafetyMark.feeling, func.count(SafetyMark.id))
        .select_from(SafetyMark)
        .outerjoin(Place, Place.id == SafetyMark.place_id)
        .where(
            policy.scoped(viewer, SafetyMark).whereclause,
            SafetyMark.created_at >= start,
            SafetyMark.created_at < end,
        )
        .group_by(Place.name, SafetyMark.reason, SafetyMark.feeling)
    )
    counts: dict[tuple, int] = {}
    for name, reason, feeling, n in db.session.execute(stmt):
        key = (name or str(NO_PLACE), reason, feeling)
        counts[key] = counts.get(key, 0) + n
    return counts


def perceived_safety(viewer: Viewer, start: datetime, end: datetime) -> Section:
    """Residents' marks of where they feel unsafe (or safe) in the span, per place and
    reason, compared with the span before."""
    title = _("Perceived safety")
    if not policy.can(viewer, Permission.VIEW_ALL_REPORTS):
        return Section(title, empty_text=_("Only those who read all reports see these counts."))
    current = _mark_counts(viewer, start, end)
    previous = _mark_counts(viewer, start - (end - start), start)
    rows = [
        CountRow(
            place,
            _(
                "%(reason)s (%(feeling)s)",
                reason=FEELING_REASON_LABELS[reason],
                feeling=FEELING_SHORT[feeling],
            ),
            current.get((place, reason, feeling), 0),
            previous.get((place, reason, feeling), 0),
        )
        for place, reason, feeling in sorted(
            set(current) | set(previous),
            key=lambda key: (key[0] == str(NO_PLACE), key[0], key[2] != Feeling.UNSAFE, key[1]),
        )
    ]
    return Section(
        title,
        empty_text=(
            _("Counts of the residents' marks of places where they feel unsafe or safe.")
            if rows
            else _("No marks of perceived safety in the period.")
        ),
        counts=rows,
        link_endpoint="reports.marks",
    )


# each source: (viewer, start, end) -> Section; the viewer lets a source
# leave out what that viewer may not see
SOURCES: list[Callable[[Viewer, datetime, datetime], Section]] = [
    situation_notes,
    residents_reports,
    perceived_safety,
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
