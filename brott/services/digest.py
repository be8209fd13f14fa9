"""The daily digest: each owner's actions falling due and measures gone stale, for owners who
are still active members of the council."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from brott.extensions import db
from brott.links import external_url
from brott.models import (
    Action,
    ActionStatus,
    Council,
    Measure,
    Membership,
    OutboxMessage,
    User,
)
from brott.services import measures as measure_service
from brott.services import outbox
from brott.services.emails import compose
from brott.services.tokens import action_link_token

DIGEST = "daily_digest"
TZ = ZoneInfo("Europe/Stockholm")


def plan_daily_digest(now: datetime) -> int:
    """Queue today's digest for every owner with something to act on (once per day)."""
    today = now.astimezone(TZ).date()
    actions = db.session.scalars(
        db.select(Action)
        .where(
            Action.status != ActionStatus.DONE,
            Action.due_date <= today + timedelta(days=1),
        )
        .options(joinedload(Action.owner), joinedload(Action.council))
        .order_by(Action.due_date)
    ).all()
    measures = db.session.scalars(
        db.select(Measure)
        .where(measure_service.needs_update(now))
        .options(selectinload(Measure.owners), joinedload(Measure.council))
        .order_by(Measure.number)
    ).all()
    actions_of: dict[tuple[int, int], list[DigestAction]] = defaultdict(list)
    measures_of: dict[tuple[int, int], list[DigestMeasure]] = defaultdict(list)
    people: dict[int, User] = {}
    councils: dict[int, Council] = {item.council_id: item.council for item in [*actions, *measures]}
    members = _active_members({item.council_id for item in [*actions, *measures]})
    for action in actions:
        if (action.council_id, action.owner_id) in members:
            people[action.owner_id] = action.owner
            actions_of[(action.council_id, action.owner_id)].append(_digest_action(action, today))
    for measure in measures:
        for owner in measure.owners:
            if (measure.council_id, owner.id) in members:
                people[owner.id] = owner
                measures_of[(measure.council_id, owner.id)].append(_digest_measure(measure, today))
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), tzinfo=TZ)
    queued = 0
    for council_id, user_id in sorted(set(actions_of) | set(measures_of)):
        user, council = people[user_id], councils[council_id]
        email = compose(
            "daily_digest",
            user.locale,
            _subject(council, today),
            council=council,
            actions=actions_of[(council_id, user_id)],
            measures=measures_of[(council_id, user_id)],
        )
        row = outbox.enqueue(
            key=f"digest:{today.isoformat()}:{council_id}:{user_id}",
            kind=DIGEST,
            user=user,
            email=email,
            due_at=now,
            now=now,
            council_id=council_id,
            useful_until=end_of_day,
        )
        queued += row is not None
    return queued


def _subject(council: Council, day: date) -> Callable[[], str]:
    """The subject names the council: a member of two councils gets two digests a day."""
    return lambda: _(
        "%(council)s: your actions and measures %(day)s", council=council.name, day=day.isoformat()
    )


def planned_on(day: date) -> bool:
    """Whether the digest of `day` has been queued (for anyone)."""
    prefix = f"digest:{day.isoformat()}:"
    stmt = db.select(OutboxMessage.id).where(
        OutboxMessage.kind == DIGEST, OutboxMessage.key.startswith(prefix, autoescape=True)
    )
    return db.session.scalar(stmt.limit(1)) is not None


def _active_members(council_ids: set[int]) -> set[tuple[int, int]]:
    """(council id, user id) of everyone with an active account and an active membership
    of one of these councils: the only people a council's digest goes to."""
    if not council_ids:
        return set()
    stmt = (
        db.select(Membership.council_id, Membership.user_id)
        .join(Membership.user)
        .where(
            Membership.council_id.in_(council_ids),
            Membership.active.is_(True),
            User.active.is_(True),
        )
    )
    return {(council_id, user_id) for council_id, user_id in db.session.execute(stmt)}


@dataclass(frozen=True)
class DigestAction:
    action: Action
    overdue: bool
    done_link: str
    postpone_link: str


@dataclass(frozen=True)
class DigestMeasure:
    measure: Measure
    review_date: date | None  # set when a planned review has passed, else it went stale
    link: str


def _digest_action(action: Action, today: date) -> DigestAction:
    return DigestAction(
        action,
        overdue=action.due_date < today,
        done_link=external_url(
            "actions.confirm", token=action_link_token(action, ActionStatus.DONE)
        ),
        postpone_link=external_url(
            "actions.confirm", token=action_link_token(action, ActionStatus.DELAYED)
        ),
    )


def _digest_measure(measure: Measure, today: date) -> DigestMeasure:
    review = measure.next_review_date
    return DigestMeasure(
        measure,
        review_date=review if review is not None and review < today else None,
        link=external_url("measures.show", slug=measure.council.slug, measure_id=measure.id),
    )
