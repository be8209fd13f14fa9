"""Situation notes (lägesbildsanteckningar): places, times and patterns seen in the council."""

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, enum_column, utcnow
from brott.models.council import Council
from brott.models.measure import Measure
from brott.models.user import User


class Place(Base):
    """A place or area the council tracks, e.g. Resecentrum or a housing area."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(default=True)


class NoteCategory(Base):
    """A kind of observation, managed per council (disturbance, vandalism, …)."""

    __tablename__ = "note_category"
    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)


class NoteSource(enum.StrEnum):
    SAFETY_HOST = "safety_host"
    CITY_HOST = "city_host"
    POLICE = "police"
    SCHOOL = "school"
    HOUSING = "housing_company"
    RESIDENT = "resident"
    OTHER = "other"


SOURCE_LABELS = {
    NoteSource.SAFETY_HOST: "Trygghetsvärd",
    NoteSource.CITY_HOST: "Cityvärd",
    NoteSource.POLICE: "Polis",
    NoteSource.SCHOOL: "Skola",
    NoteSource.HOUSING: "Bostadsbolag",
    NoteSource.RESIDENT: "Invånare",
    NoteSource.OTHER: "Annat",
}


class Visibility(enum.StrEnum):
    INTERNAL = "internal"  # the municipality only
    SHARED = "shared"  # shared with the police for the joint situation picture


VISIBILITY_LABELS = {
    Visibility.INTERNAL: "Intern (kommunen)",
    Visibility.SHARED: "Delad med polisen",
}


class SituationNote(Base):
    __tablename__ = "situation_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    observed_from: Mapped[datetime] = mapped_column(index=True)
    observed_to: Mapped[datetime | None]
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("note_category.id"), index=True)
    source: Mapped[NoteSource] = mapped_column(enum_column(NoteSource))
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    place: Mapped[Place] = relationship()
    category: Mapped[NoteCategory] = relationship()
    measure: Mapped[Measure | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def shared(self) -> bool:
        return self.visibility is Visibility.SHARED

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def visibility_label(self) -> str:
        return VISIBILITY_LABELS[self.visibility]
