"""The council's places and the categories its observations are sorted by."""

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from brott.models.base import Base


def name_key(name: str) -> str:
    """A name as compared for uniqueness: trimmed, inner spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


class Place(Base):
    """A place or area the council tracks, e.g. Resecentrum or a housing area."""

    __tablename__ = "place"
    __table_args__ = (UniqueConstraint("council_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120))  # name_key(name): unique ignoring case
    area: Mapped[str] = mapped_column(String(120), default="")  # district or housing area
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


class NoteCategory(Base):
    """A kind of observation, managed per council (disturbance, vandalism, …)."""

    __tablename__ = "note_category"
    __table_args__ = (UniqueConstraint("council_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))  # name_key(name): unique ignoring case
    active: Mapped[bool] = mapped_column(default=True)

    @validates("name")
    def _keep_key(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name
