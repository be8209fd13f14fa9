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
from brott.models.promise import CitizenPromise
from brott.models.user import ROLE_LABELS, Membership, Role, User

__all__ = [
    "ROLE_LABELS",
    "STATUS_LABELS",
    "Base",
    "CitizenPromise",
    "Council",
    "Measure",
    "MeasureStatus",
    "MeasureUpdate",
    "Membership",
    "PartnerOrganisation",
    "Role",
    "UTCDateTime",
    "User",
    "measure_owner",
    "measure_partner",
    "utcnow",
]
