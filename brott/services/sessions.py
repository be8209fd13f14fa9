"""Server-side control of login sessions.

Every session and remember-me cookie carries the user's `session_version` (through
`User.get_id`); raising the version ends them all at once: logout, a new password and
deactivation do so.

A login also ends after `SESSION_IDLE_MINUTES` without a request: the session keeps when its
user was last seen (brott/auth/session_guard.py). "Remember me" is the user's statement that
the device is theirs: its cookie (valid `REMEMBER_COOKIE_DURATION`) starts a new session after
an idle end, just as after the browser was closed; logging out on any device ends it too.
"""

from datetime import datetime, timedelta

from brott.extensions import db
from brott.models import User

# the last-seen time is rewritten at most this often, so a burst of requests does not
# rewrite the session cookie each time
SEEN_RESOLUTION = timedelta(minutes=1)


def end_all_sessions(user: User) -> None:
    """Make every session and remember-me cookie of `user` invalid from the next request."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def has_gone_idle(last_seen: float | None, now: datetime, limit: timedelta) -> bool:
    """Whether a login last seen at `last_seen` (a POSIX time; None: unknown) has ended."""
    return last_seen is None or now.timestamp() - last_seen > limit.total_seconds()


def seen_is_stale(last_seen: float | None, now: datetime) -> bool:
    """Whether the last-seen time is worth rewriting at `now`."""
    return last_seen is None or now.timestamp() - last_seen >= SEEN_RESOLUTION.total_seconds()
