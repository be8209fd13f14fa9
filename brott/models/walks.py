"""Safety walks (trygghetsvandringar), their findings and action plans.

A walk runs in three steps: a preparatory meeting, the walk itself and a follow-up meeting
where those responsible say what they will do. Each finding becomes an action (origin WALK)
owned by a user of the council; when the work lies with a partner organisation (the energy
company, a housing company) the finding names that organisation too and the action's owner
is the council's contact who follows it up. A re-walk points at the walk it checks.
"""

from datetime import date, datetime

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, utcnow
from brott.models.council import PartnerOrganisation
from brott.models.measure import Measure
from brott.models.meeting import Action
from brott.models.photo import Photo
from brott.models.place import NoteCategory, Place
from brott.models.user import User

walk_participant = Table(
    "safety_walk_participant",
    Base.metadata,
    Column("walk_id", ForeignKey("safety_walk.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)

walk_partner = Table(
    "safety_walk_partner",
    Base.metadata,
    Column("walk_id", ForeignKey("safety_walk.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_id", ForeignKey("partner_organisation.id", ondelete="CASCADE"), primary_key=True
    ),
)


class SafetyWalk(Base):
    """One walk through an area, with the dates of its three steps and who took part."""

    __tablename__ = "safety_walk"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(120))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    route: Mapped[str] = mapped_column(Text, default="")
    preparation_date: Mapped[date | None]
    walk_date: Mapped[date]
    follow_up_date: Mapped[date | None]
    # residents and others who came without an account or an organisation
    other_participants: Mapped[int] = mapped_column(Integer, default=0)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"), index=True)
    previous_walk_id: Mapped[int | None] = mapped_column(ForeignKey("safety_walk.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    place: Mapped[Place | None] = relationship()
    measure: Mapped[Measure | None] = relationship()
    previous_walk: Mapped["SafetyWalk | None"] = relationship(remote_side=[id])
    participants: Mapped[list[User]] = relationship(secondary=walk_participant, order_by=User.name)
    partners: Mapped[list[PartnerOrganisation]] = relationship(
        secondary=walk_partner, order_by=PartnerOrganisation.name
    )
    findings: Mapped[list["WalkFinding"]] = relationship(
        back_populates="walk", order_by="WalkFinding.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def participant_count(self) -> int:
        """Everyone who walked: members, one per partner organisation, and the others."""
        return len(self.participants) + len(self.partners) + self.other_participants


class WalkFinding(Base):
    """Something the walk found at a place, and the action it became."""

    __tablename__ = "walk_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("safety_walk.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("note_category.id"))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    # the organisation whose work it is, when not the council's own; the action's owner is
    # then the council's contact who follows it up
    owner_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisation.id"))
    # what the owner said at the follow-up meeting
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    walk: Mapped[SafetyWalk] = relationship(back_populates="findings")
    place: Mapped[Place] = relationship()
    category: Mapped[NoteCategory] = relationship()
    photo: Mapped[Photo | None] = relationship()
    action: Mapped[Action] = relationship()
    owner_partner: Mapped[PartnerOrganisation | None] = relationship()

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
