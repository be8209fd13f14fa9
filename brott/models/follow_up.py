"""Following the promise up: the scorecard's judgements of each measure, with their history,
and the problems of the council's situation analysis that the measures address."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.base import Base, enum_column, utcnow
from brott.models.indicators import Indicator
from brott.models.measure import Measure
from brott.models.place import Place
from brott.models.user import User


class Judgement(enum.StrEnum):
    KEPT = "kept"
    PARTLY = "partly"
    NOT_KEPT = "not_kept"
    TOO_EARLY = "too_early"


JUDGEMENT_LABELS = {
    Judgement.KEPT: _l("Kept"),
    Judgement.PARTLY: _l("Partly kept"),
    Judgement.NOT_KEPT: _l("Not kept"),
    Judgement.TOO_EARLY: _l("Too early to say"),
}

assessment_indicator = Table(
    "assessment_indicator",
    Base.metadata,
    Column("assessment_id", ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True),
)


class Assessment(Base):
    """The coordinator's judgement of one measure at one follow-up. A follow-up period has
    one judgement per measure; a later one for the same period replaces it, and the older
    periods stay as the measure's history."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("measure_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    # the follow-up period judged: its first and last day
    period_start: Mapped[date]
    period_end: Mapped[date]
    judgement: Mapped[Judgement] = mapped_column(enum_column(Judgement))
    justification: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    measure: Mapped[Measure] = relationship()
    author: Mapped[User | None] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        secondary=assessment_indicator, order_by=Indicator.id
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def judgement_label(self) -> str:
        return str(JUDGEMENT_LABELS[self.judgement])


measure_problem = Table(
    "measure_problem",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("problem_id", ForeignKey("problem.id", ondelete="CASCADE"), primary_key=True),
)


class Problem(Base):
    """A problem of the council's situation analysis (lägesbild, law 2023:196): what, where,
    and the evidence for it; the measures that address it link to it."""

    __tablename__ = "problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    # the period whose counts of notes and reports are the evidence offered
    evidence_from: Mapped[date | None]
    evidence_to: Mapped[date | None]
    evidence: Mapped[str] = mapped_column(Text, default="")  # free text: surveys, figures
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    place: Mapped[Place | None] = relationship()
    measures: Mapped[list[Measure]] = relationship(
        secondary=measure_problem, order_by=(Measure.number, Measure.id)
    )

    __mapper_args__ = {"version_id_col": version}
