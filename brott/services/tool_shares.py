"""Shares of the tools' registers over time, for derived indicators: each computed for many
days from one read of the register, so a chart costs two statements, not three per point.

- certified: businesses with a valid certificate on a day, among those registered by then;
- walk actions closed: actions of safety walks done by the end of a day, among those created
  by then.
Days end at midnight in Stockholm. A day with nothing registered has no share (None). Within
a request the register is read once, however many indicators chart it.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import g, has_request_context

from brott.clock import STOCKHOLM
from brott.extensions import db
from brott.models import Action, ActionOrigin, ActionStatus
from brott.models.certification import Business, Certificate


def certified_shares(council_id: int, days: Sequence[date]) -> dict[date, float | None]:
    """For each day: certified businesses as a percentage (0–100) of those registered."""
    registered = _read(
        ("registered", council_id),
        lambda: list(
            db.session.scalars(
                db.select(Business.created_at).where(Business.council_id == council_id)
            )
        ),
    )
    certificates = _read(
        ("certificates", council_id),
        lambda: db.session.execute(
            db.select(
                Certificate.business_id, Certificate.issued_on, Certificate.valid_until
            ).where(Certificate.council_id == council_id)
        ).all(),
    )
    shares: dict[date, float | None] = {}
    for day in days:
        end = _end_of(day)
        total = sum(1 for created in registered if created < end)
        valid = {c.business_id for c in certificates if c.issued_on <= day <= c.valid_until}
        shares[day] = 100.0 * len(valid) / total if total else None
    return shares


def walk_closed_shares(council_id: int, days: Sequence[date]) -> dict[date, float | None]:
    """For each day: walk actions done by its end as a percentage of those created by then."""
    actions = _read(
        ("walk_actions", council_id),
        lambda: db.session.execute(
            db.select(Action.created_at, Action.status, Action.closed_at).where(
                Action.council_id == council_id, Action.origin == ActionOrigin.WALK
            )
        ).all(),
    )
    shares: dict[date, float | None] = {}
    for day in days:
        end = _end_of(day)
        created = [a for a in actions if a.created_at < end]
        done = [
            a
            for a in created
            if a.status is ActionStatus.DONE and a.closed_at is not None and a.closed_at < end
        ]
        shares[day] = 100.0 * len(done) / len(created) if created else None
    return shares


def _read(key: tuple[str, int], load: Callable[[], Sequence[Any]]) -> Sequence[Any]:
    """The rows `load` reads, once per request (outside a request: every time)."""
    if not has_request_context():
        return load()
    cache = g.setdefault("tool_share_rows", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), STOCKHOLM)
