"""Actions: who does what, where, by when. Born from an EST decision or entered by hand
(safety walks and residents' reports will add origins); followed up until done."""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload

from brott.clock import STOCKHOLM
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Action, ActionOrigin, ActionStatus, Measure, Meeting, Place, User
from brott.services import notices
from brott.services.meetings import member_candidates
from brott.services.personal_data import check_text
from brott.services.versions import check_version, flush_or_conflict

MAX_TITLE = 300
CONFLICT_MESSAGE = _l(
    "The action has been changed by someone else since you opened the page. Nothing was "
    "saved: compare with what is saved now and make your change again."
)


class ActionState(enum.Enum):
    """What an action's status means today, as people are shown it. Late is not chosen by
    anyone: an action not done by its due date is late by itself. Postponed is the stored
    DELAYED: its owner moved the due date and said why."""

    OPEN = "open"
    LATE = "late"
    POSTPONED = "postponed"
    DONE = "done"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    ActionState.OPEN: _l("Open"),
    ActionState.LATE: _l("Delayed"),
    ActionState.POSTPONED: _l("Postponed"),
    ActionState.DONE: _l("Done"),
}


def state_of(action: Action, today: date) -> ActionState:
    """The state an action is shown in on `today` (see ActionState)."""
    if action.status is ActionStatus.DONE:
        return ActionState.DONE
    if action.due_date < today:
        return ActionState.LATE
    if action.status is ActionStatus.DELAYED:
        return ActionState.POSTPONED
    return ActionState.OPEN


@dataclass
class ActionData:
    """An action as a coordinator enters it."""

    title: str
    owner_id: int | None
    due_date: date | None
    place_id: int | None = None
    measure_id: int | None = None


def record_decision(meeting: Meeting, author: User, data: ActionData, now: datetime) -> Action:
    """Record a decision of the meeting as an action with an owner and a due date."""
    if meeting.cancelled:
        raise DomainError(_("A cancelled meeting cannot make decisions."))
    meeting_day = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone)).date()
    errors = _check(meeting.council_id, data)
    if data.due_date is not None and data.due_date < meeting_day:
        errors.setdefault("due_date", []).append(_("The due date cannot be before the meeting."))
    return _create(meeting.council_id, author, data, now, errors, ActionOrigin.MEETING, meeting)


def record_manual(
    council_id: int, author: User, data: ActionData, now: datetime, today: date
) -> Action:
    """Enter an action outside a meeting; it is followed up at the next meetings."""
    return _record_outside_meeting(council_id, author, data, now, today, ActionOrigin.MANUAL)


def record_from_walk(
    council_id: int, author: User, data: ActionData, now: datetime, today: date
) -> Action:
    """Enter the action a safety walk's finding calls for (services/walks links the two)."""
    return _record_outside_meeting(council_id, author, data, now, today, ActionOrigin.WALK)


def record_from_report(
    council_id: int, author: User, data: ActionData, now: datetime, today: date
) -> Action:
    """Enter the action a resident's report calls for (the report's page links the two)."""
    return _record_outside_meeting(council_id, author, data, now, today, ActionOrigin.REPORT)


def _record_outside_meeting(
    council_id: int,
    author: User,
    data: ActionData,
    now: datetime,
    today: date,
    origin: ActionOrigin,
) -> Action:
    errors = _check(council_id, data)
    if data.due_date is not None and data.due_date < today:
        errors.setdefault("due_date", []).append(_("The due date cannot be in the past."))
    return _create(council_id, author, data, now, errors, origin)


def set_action_status(
    action: Action,
    status: ActionStatus,
    comment: str,
    now: datetime,
    in_meeting: Meeting | None = None,
    *,
    seen_version: int | None = None,
    new_due_date: date | None = None,
) -> None:
    """Mark an action done, open again or postponed (DELAYED), with an optional comment.

    Postponing takes a reason, and the new due date (`new_due_date`, which the status form and
    the one-click page ask for): not in the past, and after the current one unless the action
    was postponed already. Being late needs nobody: see `state_of`.

    A change from a form names the version it was made from (`seen_version`) and is refused
    if someone saved the action after it. Without one (the one-click link, which names the
    action's state by itself) it applies to the action as loaded; a save that slips in
    before the flush still fails the conditional UPDATE (StaleDataError).
    """
    if seen_version is not None:
        check_version(action, seen_version, str(CONFLICT_MESSAGE))
    check_text(comment, field="comment")
    if status is ActionStatus.DELAYED:
        _postpone(action, comment, new_due_date, now.astimezone(STOCKHOLM).date())
    action.status = status
    action.status_comment = comment.strip()
    action.updated_at = now
    if status is ActionStatus.DONE:
        action.closed_at = now
        action.closed_in_meeting_id = in_meeting.id if in_meeting else None
    else:
        action.closed_at = None
        action.closed_in_meeting_id = None
    if seen_version is None:
        db.session.flush()
    else:
        flush_or_conflict(seen_version, str(CONFLICT_MESSAGE))


def _postpone(action: Action, reason: str, new_due_date: date | None, today: date) -> None:
    """Check a postponement, every problem at once, and move the due date."""
    errors: dict[str | None, list[str]] = {}
    if not reason.strip():
        errors["comment"] = [_("Write why the action is postponed.")]
    if new_due_date is not None:
        if new_due_date < today:
            errors["due_date"] = [_("The new due date cannot be in the past.")]
        elif action.status is not ActionStatus.DELAYED and new_due_date <= action.due_date:
            errors["due_date"] = [
                _(
                    "Choose a date after the current due date, %(due)s.",
                    due=action.due_date.isoformat(),
                )
            ]
    if errors:
        raise DomainError.from_errors(errors)
    if new_due_date is not None:
        action.due_date = new_due_date


def actions_of_meeting(meeting: Meeting) -> list[Action]:
    """The actions decided at this meeting."""
    stmt = (
        db.select(Action)
        .where(Action.meeting_id == meeting.id)
        .options(joinedload(Action.owner), joinedload(Action.measure), joinedload(Action.place))
        .order_by(Action.id)
    )
    return list(db.session.scalars(stmt))


def follow_up(meeting: Meeting) -> list[Action]:
    """What this meeting follows up: actions of the series' earlier meetings and actions
    entered outside meetings before it, that are still open or were closed here."""
    earlier_meeting = db.select(Meeting.id).where(
        Meeting.series_id == meeting.series_id, Meeting.starts_at < meeting.starts_at
    )
    stmt = (
        db.select(Action)
        .where(
            Action.council_id == meeting.council_id,
            or_(
                Action.meeting_id.in_(earlier_meeting),
                and_(Action.meeting_id.is_(None), Action.created_at < meeting.starts_at),
            ),
            (Action.status != ActionStatus.DONE) | (Action.closed_in_meeting_id == meeting.id),
        )
        .options(joinedload(Action.owner), joinedload(Action.meeting), joinedload(Action.place))
        .order_by(Action.due_date, Action.id)
    )
    return list(db.session.scalars(stmt))


def actions_for(
    council_id: int, owner_id: int | None = None, open_only: bool = True
) -> list[Action]:
    """Actions of a council, optionally only one owner's, soonest due first."""
    stmt = (
        db.select(Action)
        .where(Action.council_id == council_id)
        .options(joinedload(Action.owner), joinedload(Action.meeting), joinedload(Action.place))
        .order_by(Action.due_date, Action.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Action.owner_id == owner_id)
    if open_only:
        stmt = stmt.where(Action.status != ActionStatus.DONE)
    return list(db.session.scalars(stmt))


def _check(council_id: int, data: ActionData) -> dict[str | None, list[str]]:
    """Every problem with the data at once, by field."""
    errors: dict[str | None, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = data.title.strip()
    if not title:
        refuse("title", _("Describe what is to be done."))
    elif len(title) > MAX_TITLE:
        refuse("title", _("At most %(limit)d characters.", limit=MAX_TITLE))
    else:
        try:
            check_text(title, field="title")
        except DomainError as error:
            refuse("title", error.message)
    if data.owner_id is None or data.owner_id not in {u.id for u in member_candidates(council_id)}:
        refuse("owner_id", _("The owner must be an active member of the council."))
    if data.due_date is None:
        refuse("due_date", _("Enter a date."))
    if data.place_id is not None:
        place = db.session.get(Place, data.place_id)
        if place is None or place.council_id != council_id or not place.active:
            refuse("place_id", _("Choose a place from the council's list."))
    if data.measure_id is not None:
        measure = db.session.get(Measure, data.measure_id)
        if measure is None or measure.council_id != council_id:
            refuse("measure_id", _("Unknown measure."))
    return errors


def _create(
    council_id: int,
    author: User,
    data: ActionData,
    now: datetime,
    errors: dict[str | None, list[str]],
    origin: ActionOrigin,
    meeting: Meeting | None = None,
) -> Action:
    if errors:
        raise DomainError.from_errors(errors)
    assert data.owner_id is not None and data.due_date is not None  # checked above
    action = Action(
        council_id=council_id,
        origin=origin,
        meeting=meeting,
        title=data.title.strip(),
        place_id=data.place_id,
        owner_id=data.owner_id,
        due_date=data.due_date,
        measure_id=data.measure_id,
        created_by_id=author.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(action)
    db.session.flush()
    notices.action_assigned(action, author, now)
    return action
