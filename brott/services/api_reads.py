"""What the read-only API reads for a viewer (an API token's): the council's promises,
measures with their journal and indicators, meetings, actions and shared notes.

Every statement starts from `policy.scoped`, so a token reads what its user may read on the
pages, limited to what the policy lets a token do; an object the viewer may not read is a
404 (`policy.load`). Lists come as statements in a fixed order, for the API to cut into
pages; their eager loading is separate (`*_LOADING`), so that a page is counted without it.
A page of shared notes read from outside the municipality (the police) is written to the
audit log, as their download is; one note is read as its page reads it
(services/notes.load_note_page).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select
from sqlalchemy.orm import joinedload, selectinload

from brott import policy
from brott.extensions import db
from brott.models import Action, CitizenPromise, Measure, Meeting, SituationNote
from brott.models.indicators import Indicator
from brott.policy import Viewer
from brott.services import audit
from brott.services import indicators as indicator_service
from brott.services import measures as measure_service

MEASURE_LOADING = (selectinload(Measure.owners), selectinload(Measure.partners))
MEETING_LOADING = (joinedload(Meeting.series),)
ACTION_LOADING = (joinedload(Action.owner), joinedload(Action.place))
NOTE_LOADING = (joinedload(SituationNote.place), joinedload(SituationNote.category))


def promises(viewer: Viewer) -> Select[tuple[CitizenPromise]]:
    """The council's citizen promises, the newest period first."""
    return policy.scoped(viewer, CitizenPromise).order_by(
        CitizenPromise.period_start.desc(), CitizenPromise.id.desc()
    )


def measures(viewer: Viewer) -> Select[tuple[Measure]]:
    """The council's measures in promise order, as their list shows them."""
    return policy.scoped(viewer, Measure).order_by(
        Measure.number.is_(None), Measure.number, Measure.title, Measure.id
    )


def meetings(viewer: Viewer) -> Select[tuple[Meeting]]:
    """The council's EST meetings, held and coming, in time order."""
    return policy.scoped(viewer, Meeting).order_by(Meeting.starts_at, Meeting.id)


def actions(viewer: Viewer) -> Select[tuple[Action]]:
    """The council's actions, soonest due first, as the meetings follow them up."""
    return policy.scoped(viewer, Action).order_by(Action.due_date, Action.id)


def notes(viewer: Viewer) -> Select[tuple[SituationNote]]:
    """The situation notes the viewer may read (the police: the shared ones), newest
    observation first."""
    return policy.scoped(viewer, SituationNote).order_by(
        SituationNote.observed_from.desc(), SituationNote.id.desc()
    )


@dataclass(frozen=True)
class ValueReading:
    on_date: date
    value: float
    comment: str = ""


@dataclass(frozen=True)
class IndicatorReading:
    """An indicator with its values as of a day: the entered ones, or those derived from
    the measure tools' records, period by period."""

    indicator: Indicator
    values: list[ValueReading]


@dataclass(frozen=True)
class MeasureReading:
    """A measure with its journal (newest first) and its indicators with their values."""

    measure: Measure
    indicators: list[IndicatorReading]

    @property
    def last_modified(self) -> datetime:
        """The latest change the reading shows: the measure's, a journal entry's, a value's."""
        stamps = [self.measure.updated_at]
        stamps += [entry.created_at for entry in self.measure.updates]
        for reading in self.indicators:
            stamps.append(reading.indicator.created_at)
            stamps += [value.entered_at for value in reading.indicator.values]
        return max(stamps)


def measure(viewer: Viewer, measure_id: int, today: date) -> MeasureReading:
    """One measure as its page shows it, or 404: the journal and the indicators' values
    (derived ones as of `today`)."""
    found = measure_service.load_measure_page(viewer, measure_id)
    readings = []
    found_indicators = indicator_service.indicators_of(viewer, found.id)
    days = indicator_service.activity_days_of(found_indicators, today)
    for indicator in found_indicators:
        if indicator.derived:
            points = indicator_service.points(indicator, today, days)
            values = [ValueReading(point.on_date, point.value) for point in points]
        else:
            values = [ValueReading(v.on_date, v.value, v.comment) for v in indicator.values]
        readings.append(IndicatorReading(indicator, values))
    return MeasureReading(found, readings)


def record_notes_read(viewer: Viewer, count: int, now: datetime) -> None:
    """Log a page of notes read from outside the municipality (the police), as their
    download is logged (the caller commits)."""
    if not policy.audits_reads(viewer):
        return
    one, several = audit.Nn_(
        "The police read %(count)d shared note through the API.",
        "The police read %(count)d shared notes through the API.",
    )
    audit.record(
        "view",
        council_id=viewer.council_id,
        object_type="note",
        summary=one,
        summary_values={"count": count, audit.PLURAL: several},
        at=now,
        session=db.session,
    )
