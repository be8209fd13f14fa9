"""The daily digest: each owner's actions falling due and measures gone stale."""

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from brott.extensions import db
from brott.links import external_url
from brott.models import Action, ActionStatus, Measure, MeasureStatus, User
from brott.services import outbox
from brott.services.tokens import action_link_token

DIGEST = "daily_digest"
TZ = ZoneInfo("Europe/Stockholm")


def plan_daily_digest(now: datetime) -> int:
    """Queue today's digest for every owner with something to act on (once per day)."""
    today = now.astimezone(TZ).date()
    stale_before = now - timedelta(days=current_app.config["STALE_MEASURE_DAYS"])
    actions = db.session.scalars(
        db.select(Action)
        .join(Action.owner)
        .where(
            Action.status != ActionStatus.DONE,
            Action.due_date <= today + timedelta(days=1),
            User.active.is_(True),
        )
        .options(joinedload(Action.owner), joinedload(Action.council))
        .order_by(Action.due_date)
    ).all()
    measures = db.session.scalars(
        db.select(Measure)
        .where(
            Measure.status != MeasureStatus.DONE,
            (Measure.next_review_date < today) | (Measure.updated_at < stale_before),
        )
        .options(selectinload(Measure.owners), joinedload(Measure.council))
        .order_by(Measure.number)
    ).all()
    lines: dict[tuple[int, int], list[str]] = defaultdict(list)
    people: dict[int, User] = {}
    for action in actions:
        people[action.owner_id] = action.owner
        lines[(action.council_id, action.owner_id)].extend(_action_lines(action, today))
    for measure in measures:
        for owner in measure.owners:
            if owner.active:
                people[owner.id] = owner
                lines[(measure.council_id, owner.id)].extend(_measure_lines(measure, today))
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), tzinfo=TZ)
    queued = 0
    for (council_id, user_id), body_lines in lines.items():
        row = outbox.enqueue(
            key=f"digest:{today.isoformat()}:{council_id}:{user_id}",
            kind=DIGEST,
            user=people[user_id],
            subject=f"Dina åtgärder och insatser {today:%Y-%m-%d}",
            body="\n".join(["Det här behöver din uppmärksamhet:", "", *body_lines]),
            due_at=now,
            now=now,
            council_id=council_id,
            useful_until=end_of_day,
        )
        queued += row is not None
    return queued


def _action_lines(action: Action, today) -> list[str]:
    state = "FÖRSENAD – " if action.due_date < today else ""
    done = external_url("actions.confirm", token=action_link_token(action, ActionStatus.DONE))
    delayed = external_url("actions.confirm", token=action_link_token(action, ActionStatus.DELAYED))
    return [
        f"• Åtgärd: {state}{action.title} (klart {action.due_date:%Y-%m-%d})",
        f"  Markera som klar: {done}",
        f"  Markera som försenad: {delayed}",
        "",
    ]


def _measure_lines(measure: Measure, today) -> list[str]:
    reason = (
        f"uppföljning planerad {measure.next_review_date:%Y-%m-%d}"
        if measure.next_review_date and measure.next_review_date < today
        else "ingen uppdatering på länge"
    )
    link = external_url("measures.show", slug=measure.council.slug, measure_id=measure.id)
    return [f"• Insats: {measure.title} – {reason}", f"  Uppdatera: {link}", ""]
