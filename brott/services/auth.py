"""Logging in: checking credentials, and where to go afterwards."""

from datetime import datetime
from urllib.parse import urlsplit

from werkzeug.security import check_password_hash, generate_password_hash

from brott.extensions import db
from brott.models import User
from brott.services import audit
from brott.services.audit import N_
from brott.services.users import find_user

# compared against when the e-mail is unknown, so both paths cost one scrypt check
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


def authenticate(email: str, password: str, now: datetime) -> User | None:
    """The active user with these credentials, or None; `now` is when they log in."""
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        typed = email.strip()
        # a stored message id, translated when the audit log is shown
        shown = typed[:254] if "@" in typed and " " not in typed else N_("(unknown account)")
        audit.record("login_failed", summary=shown, at=now, session=db.session)
        return None
    if not user.check_password(password) or not user.active:
        audit.record("login_failed", actor=user, summary=user.email, at=now, session=db.session)
        return None
    user.last_login_at = now
    audit.record("login", actor=user, summary=user.email, at=now, session=db.session)
    db.session.flush()
    return user


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
