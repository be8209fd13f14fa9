"""The citizen promise (medborgarlöfte) signed by a municipality and its local police area."""

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base
from brott.models.council import Council


class CitizenPromise(Base):
    __tablename__ = "citizen_promise"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    municipality: Mapped[str] = mapped_column(String(120))
    police_area: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[date]
    period_end: Mapped[date]
    signed_on: Mapped[date | None]
    chair_signatory: Mapped[str] = mapped_column(String(200), default="")
    police_signatory: Mapped[str] = mapped_column(String(200), default="")

    council: Mapped[Council] = relationship()

    @property
    def period_label(self) -> str:
        if self.period_start.year == self.period_end.year:
            return str(self.period_start.year)
        return f"{self.period_start.year}–{self.period_end.year}"
