"""The scheduler's heartbeat: one row, rewritten by the elected scheduler at each tick."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from brott.models.base import Base


class SchedulerHeartbeat(Base):
    """When the leading scheduler last ticked, and which process it is (host and pid).

    There is one row (id 1); an old `beat_at` means no scheduler is running the jobs.
    """

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    beat_at: Mapped[datetime]
