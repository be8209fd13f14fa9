"""Passwords: the rule a new one must meet, setting and changing one, and the e-mailed links
with which a person chooses their own (after an invitation) or resets a forgotten one.

Nobody chooses a password for someone else: an invited person gets an account with an
unusable password and a link to set theirs. A link is signed, expires, can be used once (the
`SpentToken` table) and carries a fingerprint of the password hash it was issued under, so
every link dies as soon as the password changes. Each set, change and reset ends all other
sessions of the account (services/sessions).

Guessability is judged by zxcvbn (score 3 of 4 at least): its frequency lists of common
passwords, names and words, keyboard patterns, dates and repeats catch far more than a
shipped list of our own would, and it scores a long passphrase as strong.
"""

import hashlib
import hmac
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

from brott.errors import DomainError
from brott.extensions import db
from brott.links import external_url
from brott.models import Invitation, OutboxMessage, SpentToken, User
from brott.services import api_tokens, audit, outbox, sessions, tokens, users
from brott.services.audit import N_
from brott.services.emails import compose

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable", 4 "very unguessable"
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters are judged
# words that make a password guessable here whatever zxcvbn's (English) lists say; compared
# without diacritics, as the password is
_LOCAL_WORDS = (
    "brott",
    "losenord",
    "kommun",
    "trygghet",
    "polisen",
    "sommar",
    "vinter",
    "valkommen",
    "hemligt",
    "sverige",
)
# zxcvbn keeps the user inputs of a call in a module-level dictionary
_ZXCVBN_LOCK = threading.Lock()

SET = "set"  # choosing a first password, from an invitation
RESET = "reset"  # replacing a forgotten one
_SALT = "brott.password-link"
RESET_INTERVAL = timedelta(minutes=5)  # at most one reset e-mail per account this often
RESET_MAIL = "password_reset"  # the outbox kind of a reset e-mail


# --- the rule -----------------------------------------------------------------------------


def check_policy(password: str, email: str, name: str) -> None:
    """Refuse a password that is too short, too long, easy to guess or names its owner."""
    if len(password) < MIN_LENGTH:
        raise _refused(
            _("The password must have at least %(min_length)d characters.", min_length=MIN_LENGTH)
        )
    if len(password) > MAX_LENGTH:
        raise _refused(
            _("The password may have at most %(max_length)d characters.", max_length=MAX_LENGTH)
        )
    folded = _fold(password)
    if any(part in folded for part in _personal_parts(email, name)):
        raise _refused(_("The password must not contain your email address or your name."))
    inputs = [*_personal_parts(email, name), *_fold(name).split(), *_LOCAL_WORDS]
    with _ZXCVBN_LOCK:
        score = zxcvbn(folded[:_ZXCVBN_MAX], user_inputs=inputs)["score"]
    if score < MIN_SCORE:
        raise _refused(
            _(
                "The password is too easy to guess. Choose a longer one, for example a few "
                "words that do not belong together."
            )
        )


def _fold(text: str) -> str:
    """Lower case without diacritics, so "Lösenord" meets "losenord"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _personal_parts(email: str, name: str) -> set[str]:
    """The address, its local part and the name (with and without spaces), folded."""
    email, name = _fold(email.strip()), " ".join(_fold(name).split())
    parts = {email, email.split("@")[0], name, name.replace(" ", "")}
    return {part for part in parts if len(part) >= 4}


def _refused(message: str) -> DomainError:
    return DomainError(message, field="password")


def unusable_hash() -> str:
    """The hash of a random secret nobody knows: an account that cannot log in yet."""
    return generate_password_hash(secrets.token_urlsafe(32), method="scrypt")


# --- setting and changing -----------------------------------------------------------------


def set_password(user: User, password: str, now: datetime, summary: str) -> None:
    """Give `user` a new password (checked against the rule), end every other session and
    log it with `summary` (a message id)."""
    check_policy(password, user.email, user.name)
    user.set_password(password)
    user.password_set_at = now
    sessions.end_all_sessions(user)
    api_tokens.revoke_all(user, now)
    audit.record(
        "password",
        object_type="user",
        object_id=user.id,
        summary=summary,
        actor=user,
        at=now,
        session=db.session,
    )
    db.session.flush()


def change_password(user: User, current: str, new: str, now: datetime) -> None:
    """A logged-in person replaces their password; the current one must be given."""
    if not user.check_password(current):
        raise DomainError(_("The current password is wrong."), field="current_password")
    set_password(user, new, now, N_("Password changed"))


# --- e-mailed links -----------------------------------------------------------------------


@dataclass
class PasswordLink:
    user: User
    purpose: str  # SET or RESET
    token_id: str


def link_token(user: User, purpose: str) -> str:
    """A signed link token letting `user` choose a password; see the module's docstring."""
    payload = {"u": user.id, "p": _fingerprint(user), "k": purpose, "j": secrets.token_hex(12)}
    return _serializer().dumps(payload)


def link_url(user: User, purpose: str) -> str:
    return external_url("accounts.set_password", token=link_token(user, purpose))


def max_age(purpose: str) -> timedelta:
    """How long a link stays valid: days for an invitation, hours for a reset (configurable
    as INVITATION_MAX_AGE_DAYS and PASSWORD_RESET_MAX_AGE_HOURS)."""
    if purpose == SET:
        return timedelta(days=current_app.config.get("INVITATION_MAX_AGE_DAYS", 7))
    return timedelta(hours=current_app.config.get("PASSWORD_RESET_MAX_AGE_HOURS", 2))


def read_link(token: str, now: datetime) -> PasswordLink:
    """The account and purpose of a link; DomainError if forged, expired, used or stale."""
    try:
        payload, signed_at = _serializer().loads(token, return_timestamp=True)
        purpose = payload["k"]
        user = db.session.get(User, int(payload["u"]))
        token_id = str(payload["j"])
        age = now - signed_at.astimezone(UTC)
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise DomainError(_("The link is invalid.")) from error
    if purpose not in (SET, RESET) or user is None:
        raise DomainError(_("The link is invalid."))
    if age > max_age(purpose):
        raise DomainError(_("The link has expired. Ask for a new one below."))
    if db.session.get(SpentToken, token_id) is not None:
        raise DomainError(_("The link has already been used."))
    if not hmac.compare_digest(str(payload.get("p", "")), _fingerprint(user)):
        # the password changed after the link was sent, or a newer invitation replaced it
        raise DomainError(_("The link is no longer valid: a newer link or password replaced it."))
    return PasswordLink(user, purpose, token_id)


def set_password_from_link(
    link: PasswordLink, password: str, name: str | None, now: datetime
) -> None:
    """Choose the password a link allows (and, after an invitation, correct one's name)."""
    user = link.user
    if name is not None and name.strip():
        user.name = " ".join(name.split())
    if link.purpose == SET:
        summary = N_("Password chosen from the invitation")
    else:
        summary = N_("Password reset from an e-mailed link")
    set_password(user, password, now, summary)
    tokens.spend(link.token_id, now)


def request_reset(email: str, now: datetime) -> None:
    """Send a reset link if an account that may log in (or has an invitation waiting) has
    this address. The caller answers the same whether or not one was sent."""
    user = users.find_user(email)
    if user is None or not (user.active or _has_invitation(user)) or _recently_sent(user, now):
        return
    link = link_url(user, RESET)
    hours = int(max_age(RESET).total_seconds() // 3600)
    message = compose(
        "password_reset",
        user.locale,
        lambda: _("Choose a new password"),
        user=user,
        link=link,
        hours=hours,
    )
    outbox.enqueue(
        f"{RESET_MAIL}:{user.id}:{secrets.token_hex(8)}",
        RESET_MAIL,
        user,
        message,
        due_at=now,
        now=now,
        useful_until=now + max_age(RESET),
    )
    audit.record(
        "password_reset_requested",
        object_type="user",
        object_id=user.id,
        summary=N_("Password reset link sent"),
        at=now,
        session=db.session,
    )
    db.session.flush()


def _has_invitation(user: User) -> bool:
    stmt = db.select(Invitation.id).where(Invitation.email == user.email).limit(1)
    return db.session.scalar(stmt) is not None


def _recently_sent(user: User, now: datetime) -> bool:
    stmt = db.select(OutboxMessage.id).where(
        OutboxMessage.kind == RESET_MAIL,
        OutboxMessage.recipient_id == user.id,
        OutboxMessage.created_at > now - RESET_INTERVAL,
    )
    return db.session.scalar(stmt.limit(1)) is not None


def _fingerprint(user: User) -> str:
    """A keyed digest of the current password hash: it changes with the password, and
    reveals nothing of the hash."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:20]


def _serializer() -> URLSafeTimedSerializer:
    # the action links' signer: timestamps from the app's clock, so tests control expiry
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=_SALT, signer=tokens._ClockSigner
    )
