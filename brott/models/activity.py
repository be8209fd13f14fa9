"""Activity logs of the measures whose work is a stream of events (issue: measure tools).

An entry says what happened on a day (a patrol, a dialogue meeting, a cohort, …), where, how
many people it reached and, in a few words, what came of it. The kinds are a list per
council; counts of entries and of people reached can feed an indicator.
"""

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from brott.models.base import Base, utcnow
from brott.models.measure import Measure
from brott.models.notes import SituationNote
from brott.models.photo import Photo
from brott.models.place import Place, name_key
from brott.models.user import User


class ActivityKind(Base):
    """A kind of activity in a council's logs: patrol, dialogue meeting, session, …"""

    __tablename__ = "activity_kind"
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


class ActivityEntry(Base):
    """One dated event of a measure's work."""

    __tablename__ = "activity_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    on_date: Mapped[date] = mapped_column(Date, index=True)
    at_time: Mapped[time | None] = mapped_column(Time)  # Stockholm wall clock, optional
    kind_id: Mapped[int] = mapped_column(ForeignKey("activity_kind.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    people_reached: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photo.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # the situation note made from this entry (an observation worth the situation picture)
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("situation_note.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    measure: Mapped[Measure] = relationship()
    kind: Mapped[ActivityKind] = relationship()
    place: Mapped[Place | None] = relationship()
    photo: Mapped[Photo | None] = relationship()
    author: Mapped[User | None] = relationship()
    note: Mapped[SituationNote | None] = relationship()
