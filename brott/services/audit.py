"""The audit log: who saw and changed what.

Changes are captured in one place: a session listener writes an entry for every insert,
update and delete of the audited models, with the changed columns before → after. Logins,
failed logins, police reads of shared notes and retention runs are recorded explicitly.
The actor is whoever the web layer declared for this context (`acting_as`); jobs run as the
system. Entries are only ever inserted: no route updates or deletes them.

Summaries are stored once and read later by admins in their own language. A fixed sentence
is therefore stored as its English message id, marked with `N_` so it is extracted, and
translated when shown (`summary_text`). Other summaries are data (a title, a name, an
e-mail address) and are shown as they were stored.
"""

import contextvars
import enum
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, scoped_session

from brott import clock
from brott.extensions import db
from brott.models import (
    Action,
    AuditEntry,
    Council,
    Measure,
    Meeting,
    MeetingSeries,
    Membership,
    NoteCategory,
    PartnerOrganisation,
    Place,
    SituationNote,
    User,
)
from brott.models.activity import ActivityEntry
from brott.models.cameras import CameraBalancing, CameraSite, GuardDeployment
from brott.models.certification import Business, Certificate, Inspection
from brott.models.follow_up import Assessment, Problem
from brott.models.indicators import Indicator, IndicatorValue
from brott.models.walks import SafetyWalk, WalkFinding

AUDITED: dict[type, str] = {
    Measure: "measure",
    SituationNote: "note",
    Meeting: "meeting",
    MeetingSeries: "meeting_series",
    Action: "action",
    Membership: "membership",
    User: "user",
    Place: "place",
    NoteCategory: "note_category",
    PartnerOrganisation: "partner",
    Council: "council",
    # the measure tools
    Indicator: "indicator",
    IndicatorValue: "indicator_value",
    ActivityEntry: "activity_entry",
    Business: "business",
    Inspection: "inspection",
    Certificate: "certificate",
    SafetyWalk: "walk",
    WalkFinding: "walk_finding",
    CameraSite: "camera_site",
    CameraBalancing: "camera_balancing",
    GuardDeployment: "guard_deployment",
    # following the promise up: a replaced judgement (perhaps a public one) leaves a trace
    Assessment: "assessment",
    Problem: "problem",
}
# what the log calls each kind of entry (the page's event column and filter); a code
# without a label is shown in a readable form (see `event_label`)
ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "view": _l("Read by the police"),
    "login": _l("Login"),
    "login_failed": _l("Failed login"),
    "login_throttled": _l("Login refused: too many attempts"),
    "password": _l("Password chosen"),
    "password_reset_requested": _l("Password reset requested"),
    "invite": _l("Invited"),
    "invitation_withdrawn": _l("Invitation withdrawn"),
    "invitation_accepted": _l("Invitation accepted"),
    "retention": _l("Retention"),
    "api_token_created": _l("API token created"),
    "api_token_revoked": _l("API token revoked"),
}
# entries the system writes for itself, in no council's log (not offered as a filter)
SYSTEM_LABELS = {
    "retention_run": _l("Retention run"),
    "report_follow_up_run": _l("Report follow-ups"),
}
# what the log calls each kind of object (AUDITED's names, and those of explicit entries)
OBJECT_LABELS = {
    "measure": _l("Measure"),
    "note": _l("Note"),
    "meeting": _l("Meeting"),
    "meeting_series": _l("Meeting series"),
    "action": _l("Action"),
    "membership": _l("Membership"),
    "user": _l("User"),
    "place": _l("Place"),
    "note_category": _l("Category"),
    "partner": _l("Partner"),
    "council": _l("Council"),
    "invitation": _l("Invitation"),
    "api_token": _l("API token"),
    "indicator": _l("Indicator"),
    "indicator_value": _l("Indicator value"),
    "activity_entry": _l("Activity entry"),
    "business": _l("Business"),
    "inspection": _l("Inspection"),
    "certificate": _l("Certificate"),
    "walk": _l("Safety walk"),
    "walk_finding": _l("Walk finding"),
    "camera_site": _l("Camera site"),
    "camera_balancing": _l("Balancing of interests"),
    "guard_deployment": _l("Guard deployment"),
    "assessment": _l("Scorecard judgement"),
    "problem": _l("Problem"),
}
SECRET_COLUMNS = {"password_hash", "calendar_token"}
SKIPPED_COLUMNS = {"version", "updated_at", "last_login_at"}

_actor: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar(
    "audit_actor", default=None
)


def N_(message: str) -> str:
    """Mark `message` as a message id for extraction, and return it untranslated.

    For text that is stored (an audit summary) and translated only when it is displayed,
    in the reader's language, by `summary_text`.
    """
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message id with its plural for extraction, like `N_`; the summary stores the
    singular and keeps the plural in its values (see `summary_text`)."""
    return singular, plural


PLURAL = "_plural"  # the key of a summary's plural message id among its values


def summary_text(entry: AuditEntry) -> str:
    """The entry's summary in the current language.

    A summary stored as a message id (see `N_`) is translated; anything else (a title, an
    e-mail address, or a summary written before summaries were message ids) comes back
    unchanged.
    """
    if not entry.summary:
        return ""  # gettext("") would return the catalog's header
    values = dict(entry.summary_values or {})
    plural = values.pop(PLURAL, None)
    if plural is not None:
        return ngettext(entry.summary, plural, values["count"], **values)
    return gettext(entry.summary, **values) if values else gettext(entry.summary)


def event_label(code: str) -> str:
    """What the log calls an entry's action, in the reader's language; an unknown code is
    shown readably (`login_expired` as "Login expired") rather than as stored."""
    label = ACTION_LABELS.get(code) or SYSTEM_LABELS.get(code)
    return str(label) if label is not None else _readable(code)


def object_label(code: str) -> str:
    """What the log calls a kind of object, like `event_label`."""
    label = OBJECT_LABELS.get(code)
    return str(label) if label is not None else _readable(code)


def _readable(code: str) -> str:
    return " ".join(code.replace("_", " ").split()).capitalize()


def acting_as(user: User | None) -> None:
    """Declare who is acting in this context (a request); None means the system."""
    _actor.set((user.id, user.email) if user is not None else None)


def record(
    action: str,
    *,
    council_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    summary: str = "",
    summary_values: dict[str, Any] | None = None,
    actor: User | None = None,
    at: datetime | None = None,
    session: Session | scoped_session[Any],
) -> None:
    """Write one explicit entry (a login, a read, a retention run) at `at` (else now)."""
    actor_id, label = (actor.id, actor.email) if actor else (_actor.get() or (None, "system"))
    session.add(
        AuditEntry(
            at=at or clock.now(),
            council_id=council_id,
            actor_id=actor_id,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary,
            summary_values=summary_values,
        )
    )


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _columns(obj) -> dict[str, Any]:
    state = inspect(obj)
    values = {}
    for column in state.mapper.column_attrs:
        if column.key in SKIPPED_COLUMNS:
            continue
        value = state.attrs[column.key].value
        values[column.key] = "***" if column.key in SECRET_COLUMNS else _plain(value)
    return values


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for column in state.mapper.column_attrs:
        if column.key in SKIPPED_COLUMNS:
            continue
        history = state.attrs[column.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        secret = column.key in SECRET_COLUMNS
        before[column.key] = "***" if secret else _plain(old)
        after[column.key] = "***" if secret else _plain(new)
    return before, after


def _council_of(obj) -> int | None:
    if isinstance(obj, Council):
        return obj.id
    return getattr(obj, "council_id", None)


def _label(obj) -> str:
    for name in ("title", "name", "email"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return ""


@event.listens_for(Session, "after_flush")
def _audit_changes(session: Session, flush_context) -> None:
    actor_id, label = _actor.get() or (None, "system")
    now = clock.now()
    rows = []
    for kind, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            object_type = AUDITED.get(type(obj))
            if object_type is None:
                continue
            if kind == "create":
                before, after = None, _columns(obj)
            elif kind == "delete":
                before, after = _columns(obj), None
            else:
                before, after = _changes(obj)
                if not after:
                    continue
            rows.append(
                {
                    "at": now,
                    "council_id": _council_of(obj),
                    "actor_id": actor_id,
                    "actor_label": label,
                    "action": kind,
                    "object_type": object_type,
                    "object_id": inspect(obj).mapper.primary_key_from_instance(obj)[0],
                    "summary": _label(obj),
                    "before": before,
                    "after": after,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def entries(
    council_id: int, action: str | None = None, object_type: str | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The council's audit entries, newest first, optionally filtered.

    Entries without a council (logins, account changes) belong to a council when their actor,
    or the account they concern, is a member of it.
    """
    members = db.select(Membership.user_id).where(Membership.council_id == council_id)
    about_member = (AuditEntry.object_type == "user") & AuditEntry.object_id.in_(members)
    stmt = (
        db.select(AuditEntry)
        .where(
            (AuditEntry.council_id == council_id)
            | (AuditEntry.council_id.is_(None) & (AuditEntry.actor_id.in_(members) | about_member))
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    return list(db.session.scalars(stmt))


def system_entry_since(action: str, since: datetime) -> bool:
    """Whether the system (a job, no council) has recorded `action` since `since`."""
    stmt = db.select(AuditEntry.id).where(
        AuditEntry.action == action,
        AuditEntry.council_id.is_(None),
        AuditEntry.actor_id.is_(None),
        AuditEntry.at >= since,
    )
    return db.session.scalar(stmt.limit(1)) is not None
