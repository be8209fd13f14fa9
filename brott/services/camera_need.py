"""The need assessment of a camera site: what was observed at and near it over a period,
counted per category and month.

Observations come from the sources in OBSERVATION_SOURCES (the situation notes and the
residents' reports the viewer may read); the council's places within a radius of the site
count as near.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import joinedload

from brott import clock, policy
from brott.extensions import db
from brott.models import Place, SituationNote
from brott.models.cameras import CameraSite, add_years
from brott.models.reports import CloseReason, ResidentReport
from brott.policy import Viewer
from brott.services import geo

DEFAULT_RADIUS_M = 300
MAX_RADIUS_M = 5000


@dataclass(frozen=True)
class Observation:
    """Something seen at or near a site: a situation note or a resident's report (see
    OBSERVATION_SOURCES)."""

    observed: datetime
    place: Place
    category: str
    text: str
    distance_m: float | None
    link_endpoint: str  # the page of what was observed, with link_args
    link_args: dict[str, int]


@dataclass
class NeedAssessment:
    start: date
    end: date
    radius_m: int
    places: list[tuple[Place, float | None]]  # the site's place first, distance None
    observations: list[Observation]
    months: list[tuple[int, int]]  # (year, month) from start to end
    categories: list[str]
    counts: Counter  # (category, (year, month)) → number

    @property
    def total(self) -> int:
        return len(self.observations)

    def category_total(self, category: str) -> int:
        return sum(n for (c, _month), n in self.counts.items() if c == category)

    def month_total(self, month: tuple[int, int]) -> int:
        return sum(n for (_c, m), n in self.counts.items() if m == month)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to today."""
    return add_years(today, -1) + timedelta(days=1), today


def distance_m(a: Place, b: Place) -> float | None:
    """The great-circle distance between two places in metres; None without coordinates."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return geo.metres(a.latitude, a.longitude, b.latitude, b.longitude)


def nearby_places(
    viewer: Viewer, site: CameraSite, radius_m: int
) -> list[tuple[Place, float | None]]:
    """The site's place and the council's places within `radius_m` of it, nearest first."""
    found: list[tuple[Place, float | None]] = [(site.place, None)]
    near = []
    for place in db.session.scalars(policy.scoped(viewer, Place)):
        if place.id == site.place_id:
            continue
        distance = distance_m(site.place, place)
        if distance is not None and distance <= radius_m:
            near.append((place, distance))
    return found + sorted(near, key=lambda item: (item[1], item[0].name))


def _situation_notes(
    viewer: Viewer, places: dict[int, float | None], start: datetime, end: datetime
) -> list[Observation]:
    """The situation notes the viewer may read (the police: shared ones) at `places`."""
    stmt = (
        policy.scoped(viewer, SituationNote)
        .where(
            SituationNote.place_id.in_(list(places)),
            SituationNote.observed_from >= start,
            SituationNote.observed_from < end,
        )
        .options(joinedload(SituationNote.place), joinedload(SituationNote.category))
    )
    return [
        Observation(
            observed=note.observed_from,
            place=note.place,
            category=note.category.name,
            text=note.text,
            distance_m=places[note.place_id],
            link_endpoint="notes.show",
            link_args={"note_id": note.id},
        )
        for note in db.session.scalars(stmt)
    ]


def _resident_reports(
    viewer: Viewer, places: dict[int, float | None], start: datetime, end: datetime
) -> list[Observation]:
    """The residents' reports the viewer may read filed at `places`; a duplicate is counted
    once, as its original."""
    stmt = (
        policy.scoped(viewer, ResidentReport)
        .where(
            ResidentReport.place_id.in_(list(places)),
            ResidentReport.created_at >= start,
            ResidentReport.created_at < end,
            ResidentReport.close_reason.is_distinct_from(CloseReason.DUPLICATE),
        )
        .options(joinedload(ResidentReport.place), joinedload(ResidentReport.category))
    )
    observations = []
    for report in db.session.scalars(stmt):
        assert report.place is not None and report.place_id is not None  # filtered
        observations.append(
            Observation(
                observed=report.created_at,
                place=report.place,
                category=report.category.name,
                text=report.description,
                distance_m=places[report.place_id],
                link_endpoint="reports.show",
                link_args={"report_id": report.id},
            )
        )
    return observations


ObservationSource = Callable[
    [Viewer, dict[int, float | None], datetime, datetime], list[Observation]
]
# what a need assessment counts
OBSERVATION_SOURCES: list[ObservationSource] = [_situation_notes, _resident_reports]


def need_assessment(
    viewer: Viewer, site: CameraSite, start: date, end: date, radius_m: int
) -> NeedAssessment:
    """What was observed at and near the site from `start` to `end` (both included),
    counted per category and month."""
    places = nearby_places(viewer, site, radius_m)
    distances = {place.id: distance for place, distance in places}
    since = datetime.combine(start, time(0), tzinfo=clock.STOCKHOLM)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=clock.STOCKHOLM)
    observations = [
        found for source in OBSERVATION_SOURCES for found in source(viewer, distances, since, until)
    ]
    observations.sort(key=lambda o: o.observed, reverse=True)
    counts: Counter = Counter()
    for observation in observations:
        local = observation.observed.astimezone(clock.STOCKHOLM)
        counts[(observation.category, (local.year, local.month))] += 1
    return NeedAssessment(
        start=start,
        end=end,
        radius_m=radius_m,
        places=places,
        observations=observations,
        months=_months(start, end),
        categories=sorted({category for category, _month in counts}),
        counts=counts,
    )


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
