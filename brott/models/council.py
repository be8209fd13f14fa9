"""The tenant (a council) and the partner organisations it works with."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, utcnow


class Council(Base):
    """A municipality's local crime-prevention council; everything belongs to one."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(120))
    # situation notes older than this are deleted by the retention job
    note_retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    # roles (values of Role) whose members must log in with a second factor
    two_factor_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # the promise is followed up every this many months (6: half-yearly, 12: yearly)
    follow_up_months: Mapped[int] = mapped_column(default=6, server_default="6")
    # who residents contact about the promise, on the public progress page
    public_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Council {self.slug}>"


class PartnerOrganisation(Base):
    """An organisation outside the council that takes part in measures (police, companies…)."""

    __tablename__ = "partner_organisation"
    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(80), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    council: Mapped[Council] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<PartnerOrganisation {self.name}>"
