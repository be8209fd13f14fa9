"""In-app notifications: what the user has been reminded of."""

from datetime import datetime

from sqlalchemy import update

from brott.extensions import db, rows_affected
from brott.models import Notification


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    """The user's latest notifications, newest first."""
    stmt = (
        db.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def unread_count(user_id: int) -> int:
    """How many notifications the user has not yet seen."""
    return db.session.scalar(
        db.select(db.func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def mark_all_read(user_id: int, now: datetime) -> int:
    """Mark every unread notification of the user as read."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    return rows_affected(result)
