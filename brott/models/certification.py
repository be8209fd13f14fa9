"""The robbery-prevention certification register (Skydd mot rån i handeln).

A council keeps a register of businesses, offers them certification, and has them inspected
against its checklist of points. An inspection where every applicable point passes gives a
certificate with a decal number and a re-inspection date; the shops of a chain may be
approved by a sample inspection of one of them.

A business is identified by its organisation number and its unit: the shops of a chain are
often one company (one organisation number), so each shop is a unit of it.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, enum_column, utcnow
from brott.models.place import Place
from brott.models.user import User

DEFAULT_INTERVAL_MONTHS = 12


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


OUTCOME_LABELS = {
    Outcome.PASSED: _l("Passed"),
    Outcome.FAILED: _l("Failed"),
    Outcome.NOT_APPLICABLE: _l("Not applicable"),
}


class BusinessStatus(enum.StrEnum):
    """Where a business stands on a given day (see services/certification.status_of)."""

    REGISTERED = "registered"  # in the register, not yet offered certification
    OFFERED = "offered"  # offered, not (yet) certified
    CERTIFIED = "certified"  # holds a valid certificate
    EXPIRING = "expiring"  # holds one that runs out within the reminder window
    EXPIRED = "expired"  # held one that has run out


STATUS_LABELS = {
    BusinessStatus.REGISTERED: _l("Registered"),
    BusinessStatus.OFFERED: _l("Offered"),
    BusinessStatus.CERTIFIED: _l("Certified"),
    BusinessStatus.EXPIRING: _l("Expiring within 60 days"),
    BusinessStatus.EXPIRED: _l("Expired"),
}


class CertificationSettings(Base):
    """A council's settings of the register: how long a certificate holds."""

    __tablename__ = "certification_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), unique=True)
    interval_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_INTERVAL_MONTHS)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    __mapper_args__ = {"version_id_col": version}


class ChecklistPoint(Base):
    """One point of a council's checklist; a point taken out of use stays on old
    inspections."""

    __tablename__ = "checklist_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    __mapper_args__ = {"version_id_col": version}


class Business(Base):
    """A business (or one unit of it) in the register."""

    __tablename__ = "business"
    __table_args__ = (UniqueConstraint("council_id", "orgnr", "unit_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    orgnr: Mapped[str] = mapped_column(String(11))  # normalised: 556677-8899
    unit: Mapped[str] = mapped_column(String(120), default="")  # a shop of a chain
    unit_key: Mapped[str] = mapped_column(String(120), default="")  # unit, case folded
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    industry: Mapped[str] = mapped_column(String(80), default="")
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    chain: Mapped[str] = mapped_column(String(120), default="")
    offer_sent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    place: Mapped[Place | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Inspection(Base):
    """An inspection of a business against the checklist; a follow-up names the failed
    inspection it follows up."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    remarks: Mapped[str] = mapped_column(Text, default="")
    approved: Mapped[bool] = mapped_column(default=False)
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    business: Mapped[Business] = relationship()
    inspector: Mapped[User] = relationship()
    results: Mapped[list["InspectionResult"]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )


class InspectionResult(Base):
    """The outcome of one checklist point in one inspection."""

    __tablename__ = "inspection_result"
    __table_args__ = (UniqueConstraint("inspection_id", "point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("checklist_point.id"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))

    inspection: Mapped[Inspection] = relationship(back_populates="results")
    point: Mapped[ChecklistPoint] = relationship()


class Certificate(Base):
    """A certificate and its decal; `by_sample` when it was issued from a sample inspection
    of another shop of the same chain."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("council_id", "decal_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    decal_number: Mapped[str] = mapped_column(String(20))
    by_sample: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    business: Mapped[Business] = relationship()
    inspection: Mapped[Inspection] = relationship()
