"""Retention: situation notes older than their council's period are deleted, and the audit
log forgets what they said."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update

from brott.errors import DomainError
from brott.extensions import db, rows_affected
from brott.models import AuditEntry, Council, SituationNote
from brott.services import audit
from brott.services.versions import check_version, flush_or_conflict

MIN_MONTHS, MAX_MONTHS = 1, 120
CONFLICT_MESSAGE = _l(
    "The council's settings have been changed by someone else since you opened the page. "
    "Nothing was saved: compare with what is saved now and make your change again."
)


def purge_expired(now: datetime) -> dict[int, int]:
    """Delete notes older than each council's retention period; audit how many per council."""
    deleted = {}
    # stored as message ids with their numbers; shown in the reader's language
    one, several = audit.Nn_(
        "%(count)d situation note older than %(months)d months was deleted.",
        "%(count)d situation notes older than %(months)d months were deleted.",
    )
    for council in db.session.scalars(db.select(Council)).all():
        cutoff = months_before(now, council.note_retention_months)
        expired = db.select(SituationNote.id).where(
            SituationNote.council_id == council.id, SituationNote.created_at < cutoff
        )
        ids = list(db.session.scalars(expired))
        _forget_note_texts(council.id, ids, cutoff)
        result = db.session.execute(delete(SituationNote).where(SituationNote.id.in_(ids)))
        if rows_affected(result):
            deleted[council.id] = rows_affected(result)
            audit.record(
                "retention",
                council_id=council.id,
                object_type="note",
                summary=one,
                summary_values={
                    "count": rows_affected(result),
                    "months": council.note_retention_months,
                    audit.PLURAL: several,
                },
                at=now,
                session=db.session,
            )
    db.session.flush()
    return deleted


def _forget_note_texts(council_id: int, note_ids: list[int], cutoff: datetime) -> None:
    """Retention reaches the audit log too: entries about expired notes keep who, when and
    what kind of change, but no longer what the note said."""
    about_expired = AuditEntry.object_id.in_(note_ids) | (AuditEntry.at < cutoff)
    db.session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.council_id == council_id,
            AuditEntry.object_type == "note",
            AuditEntry.action.in_(("create", "update", "delete")),
            about_expired,
        )
        .values(before=None, after=None, summary=audit.N_("(deleted by retention)"))
    )


def set_retention(council: Council, months: int, seen_version: int) -> None:
    """Set how many months situation notes are kept; refused if someone saved the council's
    settings after `seen_version`."""
    check_version(council, seen_version, str(CONFLICT_MESSAGE))
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise DomainError(
            _(
                "Choose a retention period between %(low)d and %(high)d months.",
                low=MIN_MONTHS,
                high=MAX_MONTHS,
            ),
            field="months",
        )
    council.note_retention_months = months
    flush_or_conflict(seen_version, str(CONFLICT_MESSAGE))


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (clamped to the month's end)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    day = min(moment.day, _days_in(year, month))
    return moment.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
