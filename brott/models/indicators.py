"""Indicators of a measure and their dated values (issue: measure tools).

An indicator says what a measure aims at in numbers (a name, a unit, a baseline and a
target, and whether higher or lower is better). Its values are either entered by the
measure's owners or derived, period by period, from the tools' records (activity entries,
the certification register, the safety walks' actions). One indicator per measure may drive
the measure's progress.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brott.models.activity import ActivityKind
from brott.models.base import Base, enum_column, utcnow
from brott.models.measure import Measure
from brott.models.user import User


class IndicatorDirection(enum.StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better


class IndicatorPeriod(enum.StrEnum):
    NONE = "none"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class IndicatorSource(enum.StrEnum):
    MANUAL = "manual"  # values entered by the measure's owners
    ACTIVITY_ENTRIES = "activity_entries"  # number of activity entries per period
    ACTIVITY_PEOPLE = "activity_people"  # people reached by activity entries per period
    CERTIFIED_SHARE = "certified_share"  # share of the register's businesses certified
    WALK_ACTIONS_CLOSED = "walk_actions_closed"  # share of safety-walk actions closed


DIRECTION_LABELS = {
    IndicatorDirection.HIGHER: _l("Higher is better"),
    IndicatorDirection.LOWER: _l("Lower is better"),
}

PERIOD_LABELS = {
    IndicatorPeriod.NONE: _l("No fixed period"),
    IndicatorPeriod.MONTH: _l("Month"),
    IndicatorPeriod.QUARTER: _l("Quarter"),
    IndicatorPeriod.HALF_YEAR: _l("Half-year"),
    IndicatorPeriod.YEAR: _l("Year"),
}

SOURCE_LABELS = {
    IndicatorSource.MANUAL: _l("Entered by hand"),
    IndicatorSource.ACTIVITY_ENTRIES: _l("Number of activity entries"),
    IndicatorSource.ACTIVITY_PEOPLE: _l("People reached in the activity log"),
    IndicatorSource.CERTIFIED_SHARE: _l("Share of businesses certified"),
    IndicatorSource.WALK_ACTIONS_CLOSED: _l("Share of safety-walk actions closed"),
}


class Indicator(Base):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline: Mapped[float] = mapped_column(Float, default=0.0)
    target: Mapped[float] = mapped_column(Float)
    direction: Mapped[IndicatorDirection] = mapped_column(
        enum_column(IndicatorDirection), default=IndicatorDirection.HIGHER
    )
    period: Mapped[IndicatorPeriod] = mapped_column(
        enum_column(IndicatorPeriod), default=IndicatorPeriod.NONE
    )
    source: Mapped[IndicatorSource] = mapped_column(
        enum_column(IndicatorSource), default=IndicatorSource.MANUAL
    )
    # for the activity sources: count only entries of this kind (None: every kind)
    activity_kind_id: Mapped[int | None] = mapped_column(ForeignKey("activity_kind.id"))
    drives_progress: Mapped[bool] = mapped_column(default=False)  # at most one per measure
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # see services/versions

    measure: Mapped[Measure] = relationship()
    activity_kind: Mapped[ActivityKind | None] = relationship()
    values: Mapped[list["IndicatorValue"]] = relationship(
        back_populates="indicator",
        order_by="IndicatorValue.on_date",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def derived(self) -> bool:
        return self.source is not IndicatorSource.MANUAL

    @property
    def is_percentage(self) -> bool:
        return self.unit.strip() == "%"

    @property
    def direction_label(self) -> str:
        return str(DIRECTION_LABELS[self.direction])

    @property
    def period_label(self) -> str:
        return str(PERIOD_LABELS[self.period])

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])


class IndicatorValue(Base):
    """A value of a hand-entered indicator on a date."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    on_date: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(String(500), default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    entered_by: Mapped[User | None] = relationship()
