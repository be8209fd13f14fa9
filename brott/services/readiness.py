"""Whether this process can serve: the database answers, its schema is at the migrations'
head, and the scheduler's heartbeat is fresh when a scheduler is expected.

Each check is told in one word, never with the error behind it: the answer is public.
"""

from datetime import datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from brott.errors import roll_back_safely
from brott.extensions import db
from brott.services import backup, heartbeat

OK = "ok"
UNREACHABLE = "unreachable"
BEHIND = "behind"  # migrations of this code not yet applied
UNKNOWN = "unknown"  # could not tell, or the database is at a revision this code lacks
STALE = "stale"
MISSING = "missing"  # no scheduler has ever ticked
NOT_EXPECTED = "not expected"
PASSING = {OK, NOT_EXPECTED}
HEADS = "brott.migration_heads"  # app.extensions: the head revisions, read once


def checks(now: datetime) -> dict[str, str]:
    """Each check's outcome in one word."""
    scheduler = UNKNOWN if heartbeat.expected() else NOT_EXPECTED
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        roll_back_safely()
        return {"database": UNREACHABLE, "migrations": UNKNOWN, "scheduler": scheduler}
    found = {"database": OK, "migrations": _migrations(), "scheduler": scheduler}
    if heartbeat.expected():
        found["scheduler"] = _scheduler(now)
    db.session.rollback()  # nothing was written; leave no transaction open
    return found


def is_ready(found: dict[str, str]) -> bool:
    return all(outcome in PASSING for outcome in found.values())


def revisions() -> tuple[frozenset[str], frozenset[str]]:
    """The migrations folder's head revisions and all its revisions, read on first use."""
    if HEADS not in current_app.extensions:
        script = ScriptDirectory(current_app.extensions["migrate"].directory)
        current_app.extensions[HEADS] = (
            frozenset(script.get_heads()),
            frozenset(revision.revision for revision in script.walk_revisions()),
        )
    return current_app.extensions[HEADS]


def _migrations() -> str:
    try:  # read directly: Alembic's MigrationContext logs two lines on every probe
        revision = backup.current_revision(db.engine)
    except Exception:
        roll_back_safely()
        return UNKNOWN
    current = {revision} if revision else set()
    heads, known = revisions()
    if current == heads:
        return OK
    return BEHIND if current <= known else UNKNOWN


def _scheduler(now: datetime) -> str:
    try:
        beat_at = heartbeat.last_beat()
    except Exception:  # e.g. the heartbeat's table is not there yet
        roll_back_safely()
        return UNKNOWN
    if beat_at is None:
        return MISSING
    return OK if heartbeat.is_fresh(beat_at, now) else STALE
