"""Safety marks: a resident marks a place where they feel unsafe (or safe), at a time of day
and for a reason, for the perceived-safety map of the situation picture. A mark has no
lifecycle and no tracking link; it is counted, never answered.

The same rules as a report's place apply: words or a point inside the council's territory,
and no personal data in what is written.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from brott.errors import DomainError
from brott.extensions import db
from brott.models.reports import Feeling, FeelingReason, SafetyMark, TimeOfDay
from brott.services import personal_data, reports

COMMENT_MAX = 500


@dataclass
class MarkData:
    """A safety mark as a resident sends it; None where nothing valid was chosen."""

    feeling: Feeling | None
    time_of_day: TimeOfDay | None
    reason: FeelingReason | None
    address: str
    latitude: float | None = None
    longitude: float | None = None
    comment: str = ""


def check(council_id: int, data: MarkData) -> dict[str | None, list[str]]:
    """What is wrong with `data`, per field (empty when nothing is)."""
    errors: dict[str | None, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.feeling is None:
        refuse("feeling", _("Choose whether you feel unsafe or safe there."))
    if data.time_of_day is None:
        refuse("time_of_day", _("Choose the time of day."))
    if data.reason is None:
        refuse("reason", _("Choose the main reason."))
    point = data.latitude is not None or data.longitude is not None
    if not data.address.strip() and not point:
        refuse("address", _("Say where it is: an address or a place, or a point on the map."))
    if len(data.address) > reports.ADDRESS_MAX:
        refuse("address", _("Write the place in at most %(n)d characters.", n=reports.ADDRESS_MAX))
    if point:
        message = reports.point_problem(council_id, data.latitude, data.longitude)
        if message:
            refuse("latitude", message)
    comment = data.comment.strip()
    if len(comment) > COMMENT_MAX:
        refuse(
            "comment",
            _(
                "The comment is %(length)d characters long; at most %(n)d are allowed.",
                length=len(comment),
                n=COMMENT_MAX,
            ),
        )
    for field, text in (("comment", comment), ("address", data.address)):
        try:
            personal_data.check_text(text, field)
        except DomainError as found:
            for message in found.errors.get(field, [found.message]):
                refuse(field, message)
    return errors


def record_mark(council_id: int, data: MarkData, now: datetime) -> SafetyMark:
    """Record a safety mark, with the council's place nearest its point; DomainError with
    every problem otherwise."""
    errors = check(council_id, data)
    if errors:
        raise DomainError.from_errors(errors)
    assert data.feeling and data.time_of_day and data.reason  # checked
    mark = SafetyMark(
        council_id=council_id,
        feeling=data.feeling,
        time_of_day=data.time_of_day,
        reason=data.reason,
        address=" ".join(data.address.split()),
        latitude=data.latitude,
        longitude=data.longitude,
        place=reports.nearest_place(council_id, data.latitude, data.longitude),
        comment=data.comment.strip(),
        created_at=now,
    )
    db.session.add(mark)
    db.session.flush()
    return mark
