"""A measure (insats) of a citizen promise, and its journal of changes."""

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
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
from brott.models.council import Council, PartnerOrganisation
from brott.models.promise import CitizenPromise
from brott.models.user import User


class MeasureStatus(enum.StrEnum):
    PLANNED = "planned"
    INVESTIGATING = "investigating"
    ONGOING = "ongoing"
    PAUSED = "paused"
    DONE = "done"


STATUS_LABELS = {
    MeasureStatus.PLANNED: _l("Planned"),
    MeasureStatus.INVESTIGATING: _l("Under investigation"),
    MeasureStatus.ONGOING: _l("Ongoing"),
    MeasureStatus.PAUSED: _l("Paused"),
    MeasureStatus.DONE: _l("Done"),
}


class MeasureTool(enum.StrEnum):
    """The working tool a measure's page leads to, beyond its status and journal."""

    ACTIVITY_LOG = "activity_log"  # dated events: safety hosts, dialogues, MBU cohorts, …
    CERTIFICATION = "certification"  # the robbery-prevention register of businesses
    SAFETY_WALKS = "safety_walks"  # walks, findings and their action plans
    CAMERAS = "cameras"  # camera sites and guard deployments


TOOL_LABELS = {
    MeasureTool.ACTIVITY_LOG: _l("Activity log"),
    MeasureTool.CERTIFICATION: _l("Certification register"),
    MeasureTool.SAFETY_WALKS: _l("Safety walks"),
    MeasureTool.CAMERAS: _l("Camera sites and guards"),
}


class PublicField(enum.StrEnum):
    """What of a measure its council may show on the public progress page."""

    SUMMARY = "summary"
    STATUS = "status"
    PROGRESS = "progress"
    JUDGEMENT = "judgement"
    INDICATORS = "indicators"
    UPDATED = "updated"


PUBLIC_FIELD_LABELS = {
    PublicField.SUMMARY: _l("Plain-language summary"),
    PublicField.STATUS: _l("Status"),
    PublicField.PROGRESS: _l("Progress"),
    PublicField.JUDGEMENT: _l("Scorecard judgement"),
    PublicField.INDICATORS: _l("Indicator charts"),
    PublicField.UPDATED: _l("Date of the last update"),
}


measure_owner = Table(
    "measure_owner",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)

measure_partner = Table(
    "measure_partner",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_id",
        ForeignKey("partner_organisation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Measure(Base):
    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        UniqueConstraint("council_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_promise.id"), index=True)
    number: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[MeasureStatus] = mapped_column(
        enum_column(MeasureStatus), default=MeasureStatus.PLANNED
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # None: status and journal only; see MeasureTool
    tool: Mapped[MeasureTool | None] = mapped_column(enum_column(MeasureTool))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    next_review_date: Mapped[date | None]
    # the public progress page: the fields shown there (PUBLIC_FIELDS), none = not shown;
    # the summary is the measure told in plain language for residents
    public_fields: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    public_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    council: Mapped[Council] = relationship()
    promise: Mapped[CitizenPromise | None] = relationship()
    owners: Mapped[list[User]] = relationship(secondary=measure_owner, order_by=User.name)
    partners: Mapped[list[PartnerOrganisation]] = relationship(
        secondary=measure_partner, order_by=PartnerOrganisation.name
    )
    updates: Mapped[list["MeasureUpdate"]] = relationship(
        back_populates="measure",
        order_by="MeasureUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def tool_label(self) -> str:
        return str(TOOL_LABELS[self.tool]) if self.tool is not None else ""

    def __repr__(self) -> str:
        return f"<Measure {self.id} {self.title!r}>"


class MeasureUpdate(Base):
    """One journal entry: who changed what on a measure, when, and why."""

    __tablename__ = "measure_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # the measure's version after this change, so a conflict can show what came after a form
    version: Mapped[int]
    old_status: Mapped[MeasureStatus | None] = mapped_column(enum_column(MeasureStatus))
    new_status: Mapped[MeasureStatus | None] = mapped_column(enum_column(MeasureStatus))
    old_progress: Mapped[int | None]
    new_progress: Mapped[int | None]
    # other fields changed: {"field": [old, new]} with values rendered as text
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")

    measure: Mapped[Measure] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status

    @property
    def progress_changed(self) -> bool:
        return self.old_progress != self.new_progress
