"""People who log in, and their role in each council."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from brott.models.base import Base, enum_column, utcnow
from brott.models.council import Council


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MEMBER = "member"
    POLICE = "police"
    # staff of a body that fixes residents' reports (the energy company, a municipal unit):
    # they see and handle their body's reports and nothing else of the council
    BODY_STAFF = "body_staff"


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.MEMBER: _l("Council member"),
    Role.POLICE: _l("Community police officer"),
    Role.BODY_STAFF: _l("Staff of a responsible body"),
}


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # secret part of the personal calendar feed URL; None when the feed is switched off
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the language of pages and e-mails ("sv", "en"); None: the browser's, else Swedish
    locale: Mapped[str | None] = mapped_column(String(10))
    # raised to end every session and remember-me cookie of the user (logout, new password,
    # deactivation): the cookies carry the version they were issued with
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # when the user last chose their password; None: never (an invitation not yet accepted)
    password_set_at: Mapped[datetime | None]
    # base32 secret of the user's authenticator app; None: two-factor login is off
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # the last time step whose code was accepted, so a code cannot be used twice
    totp_last_step: Mapped[int | None]
    # the optional e-mails the user has switched on or off, by outbox kind; a kind not named
    # is on (services/mail_preferences decides which kinds may be switched off)
    email_preferences: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What the session and remember cookie hold: the id and the session version, so
        raising the version (services/sessions) ends every session issued before."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(Base):
    """A user's role in one council; a person may belong to several councils."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "council_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # the body whose reports a BODY_STAFF member handles (models/reports); None for others
    body_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_body.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    user: Mapped[User] = relationship(back_populates="memberships")
    council: Mapped[Council] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])


class Invitation(Base):
    """An admin's offer of a role in a council to an e-mail address that already has an
    account. Nothing of the account is shown to the council until the person accepts; a
    membership exists only from then on."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("council_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # as the admin typed it, normalised
    role: Mapped[Role] = mapped_column(enum_column(Role))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("responsible_body.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])


class LoginFailure(Base):
    """One refused login, counted per account and per client address to throttle guessing
    across every worker process (see services/throttle)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)  # "account:<e-mail>" or "ip:<addr>"
    at: Mapped[datetime] = mapped_column(index=True)
