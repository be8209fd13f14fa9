"""Situation notes (lägesbildsanteckningar): places, times and patterns seen in the council."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, enum_column, utcnow
from brott.models.council import Council
from brott.models.measure import Measure
from brott.models.place import NoteCategory, Place
from brott.models.user import User


class NoteSource(enum.StrEnum):
    SAFETY_HOST = "safety_host"
    CITY_HOST = "city_host"
    POLICE = "police"
    SCHOOL = "school"
    HOUSING = "housing_company"
    RESIDENT = "resident"
    OTHER = "other"


SOURCE_LABELS = {
    NoteSource.SAFETY_HOST: _l("Safety host"),
    NoteSource.CITY_HOST: _l("City host"),
    NoteSource.POLICE: _l("Police"),
    NoteSource.SCHOOL: _l("School"),
    NoteSource.HOUSING: _l("Housing company"),
    NoteSource.RESIDENT: _l("Resident"),
    NoteSource.OTHER: _l("Other"),
}


class Visibility(enum.StrEnum):
    INTERNAL = "internal"  # the municipality only
    SHARED = "shared"  # shared with the police for the joint situation picture


VISIBILITY_LABELS = {
    Visibility.INTERNAL: _l("Internal (municipality)"),
    Visibility.SHARED: _l("Shared with the police"),
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
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    council: Mapped[Council] = relationship()
    place: Mapped[Place] = relationship()
    category: Mapped[NoteCategory] = relationship()
    measure: Mapped[Measure | None] = relationship()
    author: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def shared(self) -> bool:
        return self.visibility is Visibility.SHARED

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])

    @property
    def visibility_label(self) -> str:
        return str(VISIBILITY_LABELS[self.visibility])
