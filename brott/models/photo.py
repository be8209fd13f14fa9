"""A photo attached to something a council records (a walk's finding, an activity entry).

The file itself is re-encoded on upload (services/photos) and kept under the instance
folder; this row says where and what it is. It is served only through the object it belongs
to, so whoever may not see that object may not see the photo.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from brott.models.base import Base, utcnow


class Photo(Base):
    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    # the file's name in the photo store: random, never derived from what the user sent
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
