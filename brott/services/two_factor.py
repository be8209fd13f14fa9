"""Two-factor login with an authenticator app (TOTP, RFC 6238): turning it on and off,
checking codes, and which roles of a council must use it.

A code is accepted for the current 30-second step and one step either side (clocks drift),
and only for a step later than the last one accepted, so a code cannot be used twice. The
time comes from the caller (`brott.clock.now()` in a request), so tests decide it.
"""

import hmac
from datetime import datetime

import pyotp
import segno
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council, Membership, Role, User
from brott.services import api_tokens
from brott.services.versions import check_version, flush_or_conflict

ISSUER = "Brott"
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # a code of the step before or after the current one is accepted too


def new_secret() -> str:
    """A fresh base32 secret for the user's authenticator app."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_code_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI, for an <img> (CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def is_enabled(user: User) -> bool:
    return bool(user.totp_secret)


def clean_code(raw: str | None) -> str:
    """The code as typed, without the spaces apps show in the middle."""
    return "".join((raw or "").split())


def matching_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step `code` belongs to, if it is valid at `now` and not used before."""
    code = clean_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_code(user: User, code: str, now: datetime) -> bool:
    """Whether `code` is a valid, unused code of the user's app; a valid one is used up."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, user.totp_last_step, now)
    if step is None:
        return False
    user.totp_last_step = step
    db.session.flush()
    return True


def enable(user: User, secret: str, code: str, now: datetime) -> None:
    """Turn two-factor login on with `secret`, once the user shows a current code of it."""
    step = matching_step(secret, code, None, now)
    if step is None:
        raise DomainError(
            _("The code does not match. Check the time on your phone and enter the new code."),
            field="code",
        )
    user.totp_secret = secret
    user.totp_last_step = step
    # tokens made with the password alone do not outlast the second factor
    api_tokens.revoke_all(user, now)
    db.session.flush()


def disable(user: User, password: str, code: str, now: datetime) -> None:
    """Turn two-factor login off: the password and a current code confirm it; refused while a
    council requires it of the user's role."""
    errors: dict[str | None, list[str]] = {}
    if not check_password_hash(user.password_hash, password):
        errors["password"] = [_("Wrong password.")]
    if not accept_code(user, code, now):
        errors["code"] = [_("Wrong code, or a code that has already been used.")]
    if errors:
        raise DomainError.from_errors(errors)
    if any(policy.two_factor_required(m) for m in policy.councils_of(user)):
        raise DomainError(
            _("Your role in a council requires two-step login, so it cannot be turned off."),
        )
    user.totp_secret = None
    user.totp_last_step = None
    db.session.flush()


# --- what a council requires --------------------------------------------------------------


def required_roles(council: Council) -> list[Role]:
    """The roles of the council whose members must log in with a second factor."""
    return [role for role in policy.TWO_FACTOR_ROLES if role.value in council.two_factor_roles]


def set_required_roles(council: Council, roles: list[str], seen_version: int) -> None:
    """Require a second factor of these roles (values of Role); refused if someone saved the
    council's settings after `seen_version`."""
    allowed = {role.value for role in policy.TWO_FACTOR_ROLES}
    if not set(roles) <= allowed:
        raise DomainError(_("Choose among the roles listed."), field="roles")
    message = _(
        "The settings have been changed by someone else since you opened them. Nothing was "
        "saved: compare with what is saved now and make your change again."
    )
    check_version(council, seen_version, message)
    council.two_factor_roles = [r.value for r in policy.TWO_FACTOR_ROLES if r.value in roles]
    flush_or_conflict(seen_version, message)


def members_without_second_factor(council: Council) -> list[User]:
    """Active members in a role that must use a second factor who have not set one up yet."""
    roles = required_roles(council)
    if not roles:
        return []
    stmt = (
        db.select(User)
        .join(Membership)
        .where(
            Membership.council_id == council.id,
            Membership.active.is_(True),
            Membership.role.in_(roles),
            User.active.is_(True),
            User.totp_secret.is_(None),
        )
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))
