"""All models, imported here so that metadata and Alembic see every table."""

# the measure tools: import their classes from their modules (brott.models.walks, …)
from brott.models import (  # noqa: F401
    activity,
    api_token,
    cameras,
    certification,
    follow_up,
    indicators,
    reports,
    walks,
)
from brott.models.audit import AuditEntry
from brott.models.base import Base, UTCDateTime, utcnow
from brott.models.council import Council, PartnerOrganisation
from brott.models.measure import (
    STATUS_LABELS,
    TOOL_LABELS,
    Measure,
    MeasureStatus,
    MeasureTool,
    MeasureUpdate,
    measure_owner,
    measure_partner,
)
from brott.models.meeting import (
    ACTION_ORIGIN_LABELS,
    ACTION_STATUS_LABELS,
    DEFAULT_REMINDER_MINUTES,
    Action,
    ActionOrigin,
    ActionStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
)
from brott.models.notes import (
    SOURCE_LABELS,
    VISIBILITY_LABELS,
    NoteSource,
    SituationNote,
    Visibility,
)
from brott.models.outbox import Notification, OutboxMessage, OutboxStatus, SpentToken
from brott.models.photo import Photo
from brott.models.place import NoteCategory, Place
from brott.models.promise import CitizenPromise
from brott.models.scheduler import SchedulerHeartbeat
from brott.models.user import ROLE_LABELS, Invitation, LoginFailure, Membership, Role, User

__all__ = [
    "ACTION_ORIGIN_LABELS",
    "ACTION_STATUS_LABELS",
    "DEFAULT_REMINDER_MINUTES",
    "ROLE_LABELS",
    "SOURCE_LABELS",
    "STATUS_LABELS",
    "TOOL_LABELS",
    "VISIBILITY_LABELS",
    "Action",
    "ActionOrigin",
    "ActionStatus",
    "AuditEntry",
    "Base",
    "CitizenPromise",
    "Council",
    "Invitation",
    "LoginFailure",
    "Measure",
    "MeasureStatus",
    "MeasureTool",
    "MeasureUpdate",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "Membership",
    "NoteCategory",
    "NoteSource",
    "Notification",
    "OutboxMessage",
    "OutboxStatus",
    "PartnerOrganisation",
    "Photo",
    "Place",
    "Role",
    "SchedulerHeartbeat",
    "SituationNote",
    "SpentToken",
    "UTCDateTime",
    "User",
    "Visibility",
    "measure_owner",
    "measure_partner",
    "utcnow",
]
