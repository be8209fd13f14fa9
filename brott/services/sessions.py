"""Server-side control of login sessions.

Every session and remember-me cookie carries the user's `session_version` (through
`User.get_id`); raising the version ends them all at once: logout, a new password and
deactivation do so.
"""

from brott.extensions import db
from brott.models import User


def end_all_sessions(user: User) -> None:
    """Make every session and remember-me cookie of `user` invalid from the next request."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()
