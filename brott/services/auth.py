"""Logging in: checking credentials under the throttle, and where to go afterwards.

Every refused attempt costs the same: one password-hash check (a dummy hash stands in for an
unknown account, and for a throttled attempt, whose password is not looked at) and the same
answer, so neither the time nor the text tells whether an account exists or is active.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from werkzeug.security import check_password_hash, generate_password_hash

from brott.extensions import db
from brott.models import User
from brott.services import audit, throttle
from brott.services.audit import N_
from brott.services.users import find_user

# compared against when there is no password to check, so every path costs one scrypt check
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of checking a password: the user when it was right, the time to try again
    when attempts are throttled, neither when it was refused."""

    user: User | None = None
    retry_at: datetime | None = None


def authenticate(email: str, password: str, address: str | None, now: datetime) -> LoginAttempt:
    """Check a password typed for `email` from the client `address` at `now`.

    A right password of an active account gives its user; the login itself happens in
    `complete_login`, after a second factor if the user has one.
    """
    retry_at = throttle.retry_at(email, address, now)
    user = find_user(email)
    checked = user if user is not None and retry_at is None else None
    matches = check_password_hash(checked.password_hash if checked else _DUMMY_HASH, password)
    if retry_at is not None:
        _record_refusal("login_throttled", email, user, now)
        return LoginAttempt(retry_at=retry_at)
    if user is None or not matches or not user.active:
        throttle.record_failure(email, address, now)
        _record_refusal("login_failed", email, user, now)
        return LoginAttempt()
    return LoginAttempt(user=user)


def throttled_until(user: User, address: str | None, now: datetime) -> datetime | None:
    """When the user's account or the address may try again (for a second-factor code)."""
    return throttle.retry_at(user.email, address, now)


def refuse_code(user: User, address: str | None, now: datetime) -> None:
    """A wrong second-factor code: it counts like a wrong password."""
    throttle.record_failure(user.email, address, now)
    audit.record(
        "login_failed",
        actor=user,
        summary=N_("Wrong two-factor code"),
        at=now,
        session=db.session,
    )


def complete_login(user: User, now: datetime) -> None:
    """Record a login (the password and any second factor were right); the account's failed
    attempts are forgiven."""
    user.last_login_at = now
    throttle.clear_account(user.email)
    audit.record("login", actor=user, summary=user.email, at=now, session=db.session)
    db.session.flush()


def _record_refusal(action: str, email: str, user: User | None, now: datetime) -> None:
    if user is not None:
        audit.record(action, actor=user, summary=user.email, at=now, session=db.session)
        return
    typed = email.strip()
    # a stored message id, translated when the audit log is shown
    shown = typed[:254] if "@" in typed and " " not in typed else N_("(unknown account)")
    audit.record(action, summary=shown, at=now, session=db.session)


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
