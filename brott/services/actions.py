"""Actions decided at EST meetings: recording, following up, closing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import joinedload

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Action, ActionStatus, Measure, Meeting, User
from brott.services.meetings import member_candidates
from brott.services.personal_data import check_text


def record_action(
    meeting: Meeting,
    author: User,
    title: str,
    owner_id: int,
    due_date: date,
    now: datetime,
    place: str = "",
    measure_id: int | None = None,
) -> Action:
    """Record a decision of the meeting as an action with an owner and a due date."""
    if not title.strip():
        raise DomainError("Beskriv vad som ska göras.", field="title")
    if meeting.cancelled:
        raise DomainError("Ett inställt möte kan inte fatta beslut.")
    check_text(title, field="title")
    check_text(place, field="place")
    owner = next((u for u in member_candidates(meeting.council_id) if u.id == owner_id), None)
    if owner is None:
        raise DomainError("Ansvarig måste vara en aktiv medlem i rådet.", field="owner_id")
    meeting_day = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone)).date()
    if due_date < meeting_day:
        raise DomainError("Klart-datum kan inte ligga före mötet.", field="due_date")
    if measure_id is not None:
        measure = db.session.get(Measure, measure_id)
        if measure is None or measure.council_id != meeting.council_id:
            raise DomainError("Okänd insats.", field="measure_id")
    action = Action(
        council_id=meeting.council_id,
        meeting=meeting,
        title=title.strip(),
        place=place.strip(),
        owner=owner,
        due_date=due_date,
        measure_id=measure_id,
        created_by_id=author.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(action)
    db.session.flush()
    return action


def set_action_status(
    action: Action,
    status: ActionStatus,
    comment: str,
    now: datetime,
    in_meeting: Meeting | None = None,
) -> None:
    """Mark an action done, delayed or open again, with an optional comment."""
    check_text(comment, field="comment")
    if status is ActionStatus.DELAYED and not comment.strip():
        raise DomainError("Skriv varför åtgärden är försenad.", field="comment")
    action.status = status
    action.status_comment = comment.strip()
    action.updated_at = now
    if status is ActionStatus.DONE:
        action.closed_at = now
        action.closed_in_meeting_id = in_meeting.id if in_meeting else None
    else:
        action.closed_at = None
        action.closed_in_meeting_id = None
    db.session.flush()


def actions_of_meeting(meeting: Meeting) -> list[Action]:
    """The actions decided at this meeting."""
    stmt = (
        db.select(Action)
        .where(Action.meeting_id == meeting.id)
        .options(joinedload(Action.owner), joinedload(Action.measure))
        .order_by(Action.id)
    )
    return list(db.session.scalars(stmt))


def follow_up(meeting: Meeting) -> list[Action]:
    """Actions of the series' earlier meetings that are still open, or were closed here."""
    stmt = (
        db.select(Action)
        .join(Action.meeting)
        .where(
            Meeting.series_id == meeting.series_id,
            Meeting.starts_at < meeting.starts_at,
            (Action.status != ActionStatus.DONE) | (Action.closed_in_meeting_id == meeting.id),
        )
        .options(joinedload(Action.owner), joinedload(Action.meeting))
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
        .options(joinedload(Action.owner), joinedload(Action.meeting))
        .order_by(Action.due_date, Action.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Action.owner_id == owner_id)
    if open_only:
        stmt = stmt.where(Action.status != ActionStatus.DONE)
    return list(db.session.scalars(stmt))
