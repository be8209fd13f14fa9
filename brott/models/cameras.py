"""Camera surveillance sites and guard deployments.

A camera site is a place where the council considers, runs or has run camera surveillance
(act 2018:1200): its decision path with a dated history, the permit step where one still
applies, the balancing of interests (each version kept), and what the council's register
of camera surveillance holds about it. A guard deployment is a period of public-order
guards (ordningsvakter) at some places or in an area.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, enum_column, utcnow
from brott.models.place import Place
from brott.models.user import User

KEEP_YEARS = 5  # the documentation is kept five years after the surveillance ends


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class CameraStage(enum.StrEnum):
    INVESTIGATING = "investigating"
    DECIDED = "decided"
    REJECTED = "rejected"  # the decision went against cameras
    INSTALLED = "installed"
    REVIEWED = "reviewed"  # installed and reviewed at least once
    ENDED = "ended"


STAGE_LABELS = {
    CameraStage.INVESTIGATING: _l("Investigating"),
    CameraStage.DECIDED: _l("Decided"),
    CameraStage.REJECTED: _l("Rejected"),
    CameraStage.INSTALLED: _l("Installed"),
    CameraStage.REVIEWED: _l("Reviewed"),
    CameraStage.ENDED: _l("Ended"),
}


class CameraSite(Base):
    """A place where camera surveillance is considered, run or has been run."""

    __tablename__ = "camera_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200), default="")  # who is responsible
    stage: Mapped[CameraStage] = mapped_column(
        enum_column(CameraStage), default=CameraStage.INVESTIGATING
    )
    # the permit step, where a permit still applies
    permit_needed: Mapped[bool] = mapped_column(default=False)
    permit_case_number: Mapped[str] = mapped_column(String(60), default="")
    permit_date: Mapped[date | None]
    # what the register of camera surveillance holds
    camera_count: Mapped[int | None] = mapped_column(Integer)
    coverage: Mapped[str] = mapped_column(Text, default="")
    recording_hours: Mapped[str] = mapped_column(String(200), default="")
    storage_days: Mapped[int | None] = mapped_column(Integer)
    # kept by the decision path (services/cameras)
    installed_on: Mapped[date | None]
    last_reviewed_on: Mapped[date | None]
    next_review_on: Mapped[date | None] = mapped_column(index=True)
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    place: Mapped[Place] = relationship()
    events: Mapped[list["CameraStageEvent"]] = relationship(
        back_populates="site",
        order_by="[CameraStageEvent.happened_on, CameraStageEvent.id]",
        cascade="all, delete-orphan",
    )
    balancings: Mapped[list["CameraBalancing"]] = relationship(
        back_populates="site",
        order_by="CameraBalancing.number",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def keep_until(self) -> date | None:
        """The last day its documentation must be kept: five years after it ended."""
        return add_years(self.ended_on, KEEP_YEARS) if self.ended_on else None


class CameraStageEvent(Base):
    """One step on a site's decision path: the stage it reached, when, and why."""

    __tablename__ = "camera_stage_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("camera_site.id"), index=True)
    stage: Mapped[CameraStage] = mapped_column(enum_column(CameraStage))
    happened_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text, default="")  # the decision text for a decision
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[CameraSite] = relationship(back_populates="events")
    author: Mapped[User | None] = relationship()

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])


class CameraBalancing(Base):
    """A documented balancing of interests (intresseavvägning); a new version never
    overwrites an old one."""

    __tablename__ = "camera_balancing"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("camera_site.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per site
    written_on: Mapped[date]
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    purpose: Mapped[str] = mapped_column(Text)
    privacy_impact: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[str] = mapped_column(Text)  # less intrusive alternatives considered
    conclusion: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[CameraSite] = relationship(back_populates="balancings")
    author: Mapped[User] = relationship()


guard_deployment_place = Table(
    "guard_deployment_place",
    Base.metadata,
    Column(
        "deployment_id",
        ForeignKey("guard_deployment.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("place_id", ForeignKey("place.id", ondelete="CASCADE"), primary_key=True),
)


class GuardDeployment(Base):
    """Public-order guards (ordningsvakter) at some places or in an area for a period."""

    __tablename__ = "guard_deployment"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    hours: Mapped[str] = mapped_column(String(120))  # e.g. "fre–lör 21–03"
    company: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200), default="")  # when not (only) places
    decision_reference: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    places: Mapped[list[Place]] = relationship(
        secondary=guard_deployment_place, order_by=Place.name
    )

    __mapper_args__ = {"version_id_col": version}
