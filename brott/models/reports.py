"""Residents' reports (measure 10, the safety app): what feels unsafe, and who fixes it.

A resident reports a fault (a dark street lamp, graffiti, an unsafe place…) in a category of
the council; the report is routed by category, and by area where the council splits its
territory, to a responsible body — a unit of the municipality or a partner such as the
energy company — which moves it through new → received → in progress → fixed, or closes it.
Every change is an event; public events (status changes, public replies) are what the
resident's tracking page, the e-mails and Open311 show, internal comments never leave staff.

Besides faults, a resident may mark a place where they feel unsafe or safe (a safety mark):
no lifecycle, only counts for the situation picture.
"""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from brott.models.base import Base, enum_column, utcnow
from brott.models.council import PartnerOrganisation
from brott.models.meeting import Action
from brott.models.notes import SituationNote
from brott.models.photo import Photo
from brott.models.place import Place, name_key
from brott.models.user import User


class ReportStatus(enum.StrEnum):
    NEW = "new"
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    CLOSED = "closed"  # see CloseReason


OPEN_STATUSES = (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS)

REPORT_STATUS_LABELS = {
    ReportStatus.NEW: _l("New"),
    ReportStatus.RECEIVED: _l("Received"),
    ReportStatus.IN_PROGRESS: _l("In progress"),
    ReportStatus.FIXED: _l("Fixed"),
    ReportStatus.CLOSED: _l("Closed"),
}


class CloseReason(enum.StrEnum):
    NOT_OURS = "not_ours"  # with a referral: who to turn to instead
    DUPLICATE = "duplicate"  # linked to its original, its supporters merged into it
    NO_ACTION = "no_action"


CLOSE_REASON_LABELS = {
    CloseReason.NOT_OURS: _l("Not ours to fix"),
    CloseReason.DUPLICATE: _l("Duplicate"),
    CloseReason.NO_ACTION: _l("No action"),
}


class ReportSource(enum.StrEnum):
    WEB = "web"
    OPEN311 = "open311"


class EventKind(enum.StrEnum):
    SUBMITTED = "submitted"
    STATUS = "status"  # public: a status change, with its public reply if any
    REPLY = "reply"  # public: a reply without a status change
    COMMENT = "comment"  # internal: staff only
    REASSIGNED = "reassigned"  # internal: moved to another body
    SUPPORTED = "supported"  # public: someone added "me too"
    REOPENED = "reopened"  # public: the resident said it is not fixed
    CONFIRMED = "confirmed"  # public: the resident said it is fixed


PUBLIC_EVENTS = (
    EventKind.SUBMITTED,
    EventKind.STATUS,
    EventKind.REPLY,
    EventKind.SUPPORTED,
    EventKind.REOPENED,
    EventKind.CONFIRMED,
)


class BodyKind(enum.StrEnum):
    MUNICIPAL_UNIT = "municipal_unit"
    PARTNER = "partner"


BODY_KIND_LABELS = {
    BodyKind.MUNICIPAL_UNIT: _l("Unit of the municipality"),
    BodyKind.PARTNER: _l("Partner organisation"),
}


class ResponsibleBody(Base):
    """Who fixes what is reported: a unit of the municipality or a partner organisation.
    Its contact address receives each new report; its staff accounts (Role.BODY_STAFF with
    this body) see only its reports."""

    __tablename__ = "responsible_body"
    __table_args__ = (UniqueConstraint("council_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisation.id"))
    contact_email: Mapped[str] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    partner: Mapped[PartnerOrganisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @property
    def kind_label(self) -> str:
        return str(BODY_KIND_LABELS[self.kind])


class ReportCategory(Base):
    """A kind of report residents choose from; its service code names it in Open311."""

    __tablename__ = "report_category"
    __table_args__ = (
        UniqueConstraint("council_id", "name_key"),
        UniqueConstraint("council_id", "service_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")  # shown in English if set
    name_key: Mapped[str] = mapped_column(String(80))
    service_code: Mapped[str] = mapped_column(String(40))  # [a-z0-9-], stable for clients
    description: Mapped[str] = mapped_column(String(300), default="")
    # the body that gets a report of this category when no area rule says otherwise
    body_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_body.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    body: Mapped[ResponsibleBody | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


class RoutingRule(Base):
    """Reports of a category in an area (a place's area, e.g. "Tjärna Ängar") go to a body
    other than the category's own."""

    __tablename__ = "report_routing_rule"
    __table_args__ = (UniqueConstraint("category_id", "area_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("report_category.id", ondelete="CASCADE"))
    area: Mapped[str] = mapped_column(String(120))
    area_key: Mapped[str] = mapped_column(String(120))
    body_id: Mapped[int] = mapped_column(ForeignKey("responsible_body.id"))

    category: Mapped[ReportCategory] = relationship()
    body: Mapped[ResponsibleBody] = relationship()

    @validates("area")
    def _keep_key(self, _key: str, area: str) -> str:
        self.area_key = name_key(area)
        return area


class ReportSettings(Base):
    """A council's settings of its report service (one row per council, made on first use)."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), unique=True)
    # the council's territory: coordinates outside it are refused; the map starts at its centre
    min_latitude: Mapped[float] = mapped_column(Float)
    max_latitude: Mapped[float] = mapped_column(Float)
    min_longitude: Mapped[float] = mapped_column(Float)
    max_longitude: Mapped[float] = mapped_column(Float)
    nearby_metres: Mapped[int] = mapped_column(Integer, default=250)
    follow_up_weeks: Mapped[int] = mapped_column(Integer, default=4)  # after fixed: still fixed?
    email_retention_days: Mapped[int] = mapped_column(Integer, default=90)  # after closing
    open311_key_required: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_text: Mapped[str] = mapped_column(String(300), default="")  # who runs the service
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    __mapper_args__ = {"version_id_col": version}


class Open311Key(Base):
    """A key a report app or case system posts Open311 requests with; stored hashed."""

    __tablename__ = "open311_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # whose client it is
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ResidentReport(Base):
    """One report of a resident, routed to a body and followed to its end."""

    __tablename__ = "resident_report"
    __table_args__ = (
        # a body's queue, newest first, by status
        Index("ix_resident_report_queue", "council_id", "body_id", "status", "created_at"),
        # open reports of a category near a point: a latitude band, then longitude
        Index("ix_resident_report_nearby", "council_id", "category_id", "is_open", "latitude"),
        # the situation picture and Open311's date filters
        Index("ix_resident_report_created", "council_id", "created_at"),
        Index("ix_resident_report_updated", "council_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    # the secret of the resident's tracking link
    token: Mapped[str] = mapped_column(String(64), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("report_category.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_body.id"))
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)  # status in OPEN_STATUSES
    close_reason: Mapped[CloseReason | None] = mapped_column(enum_column(CloseReason))
    referral: Mapped[str] = mapped_column(String(300), default="")  # where to turn instead
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident_report.id"), index=True
    )
    address: Mapped[str] = mapped_column(String(200))  # the place as the resident wrote it
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # the council's place nearest the point (or named by staff): the situation picture's place
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"))
    email: Mapped[str | None] = mapped_column(String(254))  # for updates; deleted after closing
    locale: Mapped[str] = mapped_column(String(10), default="sv")  # of the e-mails
    source: Mapped[ReportSource] = mapped_column(enum_column(ReportSource))
    supporters: Mapped[int] = mapped_column(Integer, default=0)  # "me too", merged included
    note_id: Mapped[int | None] = mapped_column(ForeignKey("situation_note.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # of the last public change
    fixed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # fixed or closed
    follow_up_sent_at: Mapped[datetime | None]
    follow_up_answered_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    category: Mapped[ReportCategory] = relationship()
    body: Mapped[ResponsibleBody | None] = relationship()
    place: Mapped[Place | None] = relationship()
    photo: Mapped[Photo | None] = relationship()
    duplicate_of: Mapped["ResidentReport | None"] = relationship(remote_side=[id])
    note: Mapped[SituationNote | None] = relationship()
    action: Mapped[Action | None] = relationship()
    events: Mapped[list["ReportEvent"]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return str(REPORT_STATUS_LABELS[self.status])

    @property
    def close_reason_label(self) -> str:
        return str(CLOSE_REASON_LABELS[self.close_reason]) if self.close_reason else ""


class ReportEvent(Base):
    """One step in a report's history; `public` events are shown to residents."""

    __tablename__ = "report_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("resident_report.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    public: Mapped[bool] = mapped_column(Boolean)
    old_status: Mapped[ReportStatus | None] = mapped_column(enum_column(ReportStatus))
    new_status: Mapped[ReportStatus | None] = mapped_column(enum_column(ReportStatus))
    text: Mapped[str] = mapped_column(Text, default="")
    body_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_body.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # never public

    report: Mapped[ResidentReport] = relationship(back_populates="events")
    body: Mapped[ResponsibleBody | None] = relationship()
    author: Mapped[User | None] = relationship()


class ReportSupporter(Base):
    """A resident who added "me too" to a report; with an address, they get its updates."""

    __tablename__ = "report_supporter"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("resident_report.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)  # their own tracking link
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10), default="sv")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feeling(enum.StrEnum):
    UNSAFE = "unsafe"
    SAFE = "safe"


FEELING_LABELS = {Feeling.UNSAFE: _l("I feel unsafe here"), Feeling.SAFE: _l("I feel safe here")}


class TimeOfDay(enum.StrEnum):
    MORNING = "morning"
    DAYTIME = "daytime"
    EVENING = "evening"
    NIGHT = "night"


TIME_OF_DAY_LABELS = {
    TimeOfDay.MORNING: _l("Morning (06–10)"),
    TimeOfDay.DAYTIME: _l("Daytime (10–18)"),
    TimeOfDay.EVENING: _l("Evening (18–22)"),
    TimeOfDay.NIGHT: _l("Night (22–06)"),
}


class FeelingReason(enum.StrEnum):
    LIGHTING = "lighting"  # poor or no lighting
    DESERTED = "deserted"  # few people around, nobody who would see
    GROUPS = "groups"  # people gathering, harassment
    DRUGS = "drugs"  # drug dealing or use
    TRAFFIC = "traffic"  # traffic, reckless driving
    UNTIDY = "untidy"  # vandalism, litter, neglect
    VEGETATION = "vegetation"  # overgrown, hidden corners
    GOOD = "good"  # (safe) lit, lively, looked after
    OTHER = "other"


FEELING_REASON_LABELS = {
    FeelingReason.LIGHTING: _l("Poor lighting"),
    FeelingReason.DESERTED: _l("Deserted, nobody around"),
    FeelingReason.GROUPS: _l("People gathering, harassment"),
    FeelingReason.DRUGS: _l("Drug dealing or use"),
    FeelingReason.TRAFFIC: _l("Traffic"),
    FeelingReason.UNTIDY: _l("Vandalism, litter, neglect"),
    FeelingReason.VEGETATION: _l("Overgrown, hidden corners"),
    FeelingReason.GOOD: _l("Well lit, lively, looked after"),
    FeelingReason.OTHER: _l("Other"),
}


class SafetyMark(Base):
    """A resident's mark of a place where they feel unsafe (or safe), at a time of day."""

    __tablename__ = "safety_mark"
    __table_args__ = (Index("ix_safety_mark_council_created", "council_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    feeling: Mapped[Feeling] = mapped_column(enum_column(Feeling))
    time_of_day: Mapped[TimeOfDay] = mapped_column(enum_column(TimeOfDay))
    reason: Mapped[FeelingReason] = mapped_column(enum_column(FeelingReason))
    address: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    place: Mapped[Place | None] = relationship()

    @property
    def feeling_label(self) -> str:
        return str(FEELING_LABELS[self.feeling])

    @property
    def time_of_day_label(self) -> str:
        return str(TIME_OF_DAY_LABELS[self.time_of_day])

    @property
    def reason_label(self) -> str:
        return str(FEELING_REASON_LABELS[self.reason])
