"""EST: a council's recurring joint situation-picture meetings, and the actions they decide."""

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
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
from brott.models.measure import Measure
from brott.models.place import Place
from brott.models.user import User

DEFAULT_REMINDER_MINUTES = [48 * 60, 2 * 60]

series_invitee = Table(
    "meeting_series_invitee",
    Base.metadata,
    Column("series_id", ForeignKey("meeting_series.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)

series_partner = Table(
    "meeting_series_partner",
    Base.metadata,
    Column("series_id", ForeignKey("meeting_series.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_id", ForeignKey("partner_organisation.id", ondelete="CASCADE"), primary_key=True
    ),
)


class MeetingSeries(Base):
    """A recurrence of meetings: every `interval_weeks` on `weekday` at a local wall-clock time."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    weekday: Mapped[int]  # Monday = 0, as in Python's date.weekday()
    local_time: Mapped[time]
    duration_minutes: Mapped[int]
    interval_weeks: Mapped[int] = mapped_column(Integer, default=2)
    first_date: Mapped[date]
    until_date: Mapped[date | None]
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/Stockholm")
    location: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    # minutes before the start at which reminders go out
    reminder_minutes: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_MINUTES)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    invitees: Mapped[list[User]] = relationship(secondary=series_invitee, order_by=User.name)
    partners: Mapped[list[PartnerOrganisation]] = relationship(
        secondary=series_partner, order_by=PartnerOrganisation.name
    )
    meetings: Mapped[list["Meeting"]] = relationship(
        back_populates="series", order_by="Meeting.starts_at"
    )


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Meeting(Base):
    """One occurrence of a series; moving it keeps its place (`occurrence_date`) in the series."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    occurrence_date: Mapped[date]  # the series slot this meeting fills, even when moved
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.SCHEDULED
    )
    moved: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    situation_summary: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    council: Mapped[Council] = relationship()
    series: Mapped[MeetingSeries] = relationship(back_populates="meetings")
    actions: Mapped[list["Action"]] = relationship(
        back_populates="meeting", order_by="Action.id", foreign_keys="Action.meeting_id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DELAYED = "delayed"
    DONE = "done"


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("Open"),
    ActionStatus.DELAYED: _l("Delayed"),
    ActionStatus.DONE: _l("Done"),
}


class ActionOrigin(enum.StrEnum):
    """Where an action was born."""

    MEETING = "meeting"  # a decision of an EST meeting
    MANUAL = "manual"  # entered by a coordinator outside a meeting
    WALK = "walk"  # a finding of a safety walk (models/walks)
    REPORT = "report"  # a resident's report (models/reports)


ACTION_ORIGIN_LABELS = {
    ActionOrigin.MEETING: _l("EST decision"),
    ActionOrigin.MANUAL: _l("Entered by hand"),
    ActionOrigin.WALK: _l("Safety walk"),
    ActionOrigin.REPORT: _l("Resident's report"),
}


class Action(Base):
    """Who does what, where, by when; followed up at the next meetings until done."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    origin: Mapped[ActionOrigin] = mapped_column(
        enum_column(ActionOrigin), default=ActionOrigin.MEETING
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_date: Mapped[date]
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.OPEN
    )
    status_comment: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closed_in_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    council: Mapped[Council] = relationship()
    meeting: Mapped[Meeting | None] = relationship(
        back_populates="actions", foreign_keys=[meeting_id]
    )
    place: Mapped[Place | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    measure: Mapped[Measure | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return str(ACTION_STATUS_LABELS[self.status])

    @property
    def origin_label(self) -> str:
        return str(ACTION_ORIGIN_LABELS[self.origin])

    def overdue(self, today: date) -> bool:
        return self.status is not ActionStatus.DONE and self.due_date < today
