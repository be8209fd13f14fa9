"""Citizen promises (medborgarlöften): the periods a council's measures belong to.

A promise runs for a period, usually one or two years, and is signed by the council's chair
and the local police area's head. A council starts a new period by creating the next promise
and carrying over the measures that go on; the carried-over measures start afresh (planned,
no progress) and keep their owners and partners. New measures land in the current promise:
the one whose period covers today, else the latest one.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import CitizenPromise, Measure, MeasureStatus, User
from brott.policy import Viewer
from brott.services import measures as measure_service
from brott.services.personal_data import check_text

MAX_TITLE = 200
MAX_NAME = 200
MAX_GOAL = 5000
# a promise period a person would sign: not before the first ones, not decades ahead
FIRST_YEAR, LAST_YEAR = 2000, 2100
# a measure is flagged when its promise ended without it being finished
FINISHED = (MeasureStatus.DONE,)


@dataclass
class PromiseData:
    title: str
    goal: str
    municipality: str
    police_area: str
    period_start: date | None
    period_end: date | None
    signed_on: date | None = None
    chair_signatory: str = ""
    police_signatory: str = ""


def promises(viewer: Viewer) -> list[CitizenPromise]:
    """The council's promises, newest period first."""
    stmt = policy.scoped(viewer, CitizenPromise).order_by(CitizenPromise.period_start.desc())
    return list(db.session.scalars(stmt))


def current(council_id: int, today: date) -> CitizenPromise | None:
    """The promise whose period covers `today`, else the one that began last."""
    promise_id = measure_service.current_promise_id(council_id, today)
    return db.session.get(CitizenPromise, promise_id) if promise_id is not None else None


def carry_over_candidates(viewer: Viewer, today: date) -> list[Measure]:
    """The measures of the current promise, the ones a new period may take over."""
    promise = current(viewer.council_id, today)
    if promise is None:
        return []
    stmt = (
        policy.scoped(viewer, Measure)
        .where(Measure.promise_id == promise.id)
        .order_by(Measure.number.is_(None), Measure.number, Measure.title)
    )
    return list(db.session.scalars(stmt))


def create_promise(
    viewer: Viewer, author: User, data: PromiseData, carry_over: list[int], now: datetime
) -> CitizenPromise:
    """Start a new promise period, carrying over the chosen measures of the current one."""
    _check(viewer.council_id, data)
    assert data.period_start is not None and data.period_end is not None  # checked above
    candidates = {m.id: m for m in _with_people(viewer, carry_over)}
    unknown = [measure_id for measure_id in carry_over if measure_id not in candidates]
    if unknown:
        raise DomainError(_("Choose measures of the council's promises."), field="carry_over")
    promise = CitizenPromise(
        council_id=viewer.council_id,
        title=data.title.strip(),
        goal=data.goal.strip(),
        municipality=data.municipality.strip(),
        police_area=data.police_area.strip(),
        period_start=data.period_start,
        period_end=data.period_end,
        signed_on=data.signed_on,
        chair_signatory=data.chair_signatory.strip(),
        police_signatory=data.police_signatory.strip(),
    )
    db.session.add(promise)
    db.session.flush()
    for measure_id in carry_over:
        _carry(candidates[measure_id], promise, author, now)
    db.session.flush()
    return promise


def period_ended(measure: Measure, today: date) -> bool:
    """True when the measure's promise period (or its own end date) is over and the measure
    was not finished: a coordinator should close it or carry it over."""
    if measure.status in FINISHED:
        return False
    end = measure.promise.period_end if measure.promise is not None else measure.end_date
    return end is not None and end < today


def _carry(old: Measure, promise: CitizenPromise, author: User, now: datetime) -> Measure:
    data = measure_service.MeasureData(
        title=old.title,
        description=old.description,
        category=old.category,
        start_date=promise.period_start,
        end_date=promise.period_end,
        owner_ids=[u.id for u in old.owners if u.active],
        partner_ids=[p.id for p in old.partners],
    )
    measure = measure_service.create_measure(old.council_id, author, data, now)
    measure.promise_id = promise.id
    return measure


def _with_people(viewer: Viewer, ids: list[int]) -> list[Measure]:
    if not ids:
        return []
    stmt = (
        policy.scoped(viewer, Measure)
        .where(Measure.id.in_(ids))
        .options(selectinload(Measure.owners), selectinload(Measure.partners))
    )
    return list(db.session.scalars(stmt))


def _check(council_id: int, data: PromiseData) -> None:
    errors: dict[str | None, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, value, limit in (
        ("title", data.title, MAX_TITLE),
        ("municipality", data.municipality, MAX_NAME),
        ("police_area", data.police_area, MAX_NAME),
    ):
        if not value.strip():
            refuse(field, _("Fill in this field."))
        elif len(value.strip()) > limit:
            refuse(field, _("At most %(limit)d characters.", limit=limit))
    for field, value in (
        ("chair_signatory", data.chair_signatory),
        ("police_signatory", data.police_signatory),
    ):
        if len(value.strip()) > MAX_NAME:
            refuse(field, _("At most %(limit)d characters.", limit=MAX_NAME))
    if len(data.goal) > MAX_GOAL:
        refuse("goal", _("At most %(limit)d characters.", limit=MAX_GOAL))
    else:
        try:
            check_text(data.goal, field="goal")
        except DomainError as error:
            refuse("goal", error.message)
    for field, day in (
        ("period_start", data.period_start),
        ("period_end", data.period_end),
        ("signed_on", data.signed_on),
    ):
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            refuse(
                field,
                _("Give a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            )
    if data.period_start is None:
        refuse("period_start", _("Enter a date."))
    if data.period_end is None:
        refuse("period_end", _("Enter a date."))
    if errors:
        raise DomainError.from_errors(errors)
    assert data.period_start is not None and data.period_end is not None
    if data.period_end <= data.period_start:
        refuse("period_end", _("The period must end after it starts."))
    overlapping = db.session.scalars(
        db.select(CitizenPromise).where(
            CitizenPromise.council_id == council_id,
            CitizenPromise.period_start <= data.period_end,
            CitizenPromise.period_end >= data.period_start,
        )
    ).first()
    if overlapping is not None:
        refuse(
            "period_start",
            _(
                "The period overlaps %(title)s (%(period)s).",
                title=overlapping.title,
                period=overlapping.period_label,
            ),
        )
    if errors:
        raise DomainError.from_errors(errors)
