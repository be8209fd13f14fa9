"""All models, imported here so that metadata and Alembic see every table."""

from brott.models.base import Base, UTCDateTime, utcnow
from brott.models.council import Council, PartnerOrganisation
from brott.models.measure import (
    STATUS_LABELS,
    Measure,
    MeasureStatus,
    MeasureUpdate,
    measure_owner,
    measure_partner,
)
from brott.models.meeting import (
    ACTION_STATUS_LABELS,
    DEFAULT_REMINDER_MINUTES,
    Action,
    ActionStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from brott.models.outbox import Notification, OutboxMessage, OutboxStatus, SpentToken
from brott.models.promise import CitizenPromise
from brott.models.user import ROLE_LABELS, Membership, Role, User

__all__ = [
    "ACTION_STATUS_LABELS",
    "DEFAULT_REMINDER_MINUTES",
    "ROLE_LABELS",
    "STATUS_LABELS",
    "Action",
    "ActionStatus",
    "Base",
    "CitizenPromise",
    "Council",
    "Measure",
    "MeasureStatus",
    "MeasureUpdate",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "Membership",
    "Notification",
    "OutboxMessage",
    "OutboxStatus",
    "PartnerOrganisation",
    "Role",
    "SpentToken",
    "UTCDateTime",
    "User",
    "measure_owner",
    "measure_partner",
    "utcnow",
]
