"""No silent overwrite: an edit names the version it was made from, and is refused with a
conflict when someone saved the object after that.

The model's `version` column is SQLAlchemy's `version_id_col`, so the UPDATE itself is
conditional: a concurrent save between the check and the flush matches no row and surfaces
as a conflict too.
"""

from typing import Protocol

from sqlalchemy.orm.exc import StaleDataError

from brott.errors import ConflictError
from brott.extensions import db


class Versioned(Protocol):
    version: int


UNKNOWN = -1  # a version no object has: a form without one is always a conflict


def seen_version(raw: str | None) -> int:
    """The version a form was loaded with, from its hidden field."""
    try:
        return int(raw or "")
    except ValueError:
        return UNKNOWN


def check_version(obj: Versioned, seen: int, message: str) -> None:
    """Refuse the edit when `obj` has been saved since version `seen`."""
    if obj.version != seen:
        raise ConflictError(message, seen)


def flush_or_conflict(seen: int, message: str) -> None:
    """Flush the edit; a save that slipped in meanwhile makes it a conflict."""
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ConflictError(message, seen) from error
