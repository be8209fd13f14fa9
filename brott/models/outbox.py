"""Outgoing reminders (the outbox), in-app notifications and spent one-click tokens."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, enum_column, utcnow
from brott.models.user import User


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its due time (or its next retry)
    SENDING = "sending"  # claimed by one dispatcher
    SENT = "sent"
    MISSED = "missed"  # fell due while nothing ran and is no longer useful
    DROPPED = "dropped"  # superseded, e.g. the meeting moved or was cancelled
    FAILED = "failed"  # the mail server kept refusing; shown to admins


class OutboxMessage(Base):
    """One e-mail to one person, written before it is due so it is sent exactly once.

    `key` is unique: for a meeting reminder it names the meeting, its start time, the offset
    and the recipient, so planning twice never makes two rows and a moved meeting gets new
    rows while the stale ones are dropped.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recipient_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the plain-text part
    html_body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    # a calendar file (RFC 5546, with its METHOD) sent along, e.g. a moved meeting's entry
    ics: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    # a mail about a resident's report: deleted with the residents' addresses (retention)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("resident_report.id"), index=True)
    useful_until: Mapped[datetime | None]  # after this a late reminder is missed, not sent
    due_at: Mapped[datetime]
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[User | None] = relationship()

    @property
    def message_id(self) -> str:
        """Deterministic, so a resend after a crash can be recognised as the same message."""
        return f"<outbox-{self.id}.{self.key.replace(':', '.')}@brott.local>"


class Notification(Base):
    """An in-app notice for one user, e.g. an EST reminder; one per outbox message at most."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    text: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class SpentToken(Base):
    """A one-click link that has been used; a token's id may be spent once."""

    __tablename__ = "spent_token"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    spent_at: Mapped[datetime] = mapped_column(default=utcnow)
