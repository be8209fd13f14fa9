"""Personal API tokens: made, listed and revoked by their user, and checked on each API call.

A token is random (256 bits) behind a fixed prefix, shown once when it is made and stored
only as its SHA-256 hash with its first characters (to tell tokens apart in a list), so
neither the database nor a page can show it again; a lost token is revoked and a new one
made. A token reads with its user's rights in a council, limited to what the policy lets a
token do (`policy.RULES[ViewerKind.TOKEN]`); it stops working when it is revoked, when its
user's account is switched off, and in a council where the user is no longer a member.

When a token was last used is kept to the minute or so, not written on every call.
Guessing is throttled like logins: wrong tokens count against the client's address.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council, Membership, User
from brott.models.api_token import ApiToken
from brott.services import audit, throttle

SCHEME = "brott_"  # every token starts so: a secret scanner, or a person, can tell what it is
TOKEN_BYTES = 32
PREFIX_LENGTH = 12  # the scheme and six random characters, the length of the column
NAME_MAX = 80  # the length of the column
RAW_MAX = 200  # longer than any token we hand out: not looked up at all
USE_RECORDED_EVERY = timedelta(minutes=5)  # last_used_at is at most this old


def token_hash(raw: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token of `user` named `name`: the stored row and the token itself, to show once.
    Refused while a council requires of the user's role a second factor not yet set up: a
    password alone must not buy lasting access."""
    if any(policy.two_factor_missing(m) for m in policy.councils_of(user)):
        raise DomainError(
            _("Set up two-step login first: a council you are a member of requires it.")
        )
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DomainError(_("Give the token a name, e.g. what it is for."), "name")
    if len(cleaned) > NAME_MAX:
        raise DomainError(_("Write the name in at most %(n)d characters.", n=NAME_MAX), "name")
    raw = SCHEME + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        user_id=user.id,
        name=cleaned,
        prefix=raw[:PREFIX_LENGTH],
        token_hash=token_hash(raw),
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token_created",
        object_type="api_token",
        object_id=token.id,
        summary=audit.N_("API token %(name)s created."),
        summary_values={"name": cleaned},
        actor=user,
        at=now,
        session=db.session,
    )
    return token, raw


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, the newest first, revoked ones included."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    """The user's token `token_id`; None for another user's or none at all."""
    return db.session.scalar(
        db.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )


def revoke_all(user: User, now: datetime) -> int:
    """Revoke every active token of `user` (their password changed, or they set up two-step
    login: what was made before must not outlast it); how many were."""
    active = list(
        db.session.scalars(
            db.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    return sum(revoke_token(token, now) for token in active)


def revoke_token(token: ApiToken, now: datetime) -> bool:
    """Revoke the token from now on; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    db.session.flush()
    audit.record(
        "api_token_revoked",
        object_type="api_token",
        object_id=token.id,
        summary=audit.N_("API token %(name)s revoked."),
        summary_values={"name": token.name},
        actor=token.user,
        at=now,
        session=db.session,
    )
    return True


def authenticate(raw: str) -> ApiToken | None:
    """The unrevoked token `raw` of an active account, with its user, or None."""
    if not raw.startswith(SCHEME) or len(raw) > RAW_MAX:
        return None
    return db.session.scalar(
        db.select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user))
        .where(
            ApiToken.token_hash == token_hash(raw),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )


def note_use(token: ApiToken, now: datetime) -> bool:
    """Note that the token is used now, unless that was noted less than USE_RECORDED_EVERY
    ago; whether it was (the caller commits)."""
    if token.last_used_at is not None and now - token.last_used_at < USE_RECORDED_EVERY:
        return False
    token.last_used_at = now
    db.session.flush()
    return True


def membership_in(token: ApiToken, slug: str) -> Membership | None:
    """The token user's active membership of the council `slug`, with the council; None when
    there is none (or no such council)."""
    return db.session.scalar(
        db.select(Membership)
        .join(Membership.council)
        .options(contains_eager(Membership.council))
        .where(
            Council.slug == slug,
            Membership.user_id == token.user_id,
            Membership.active.is_(True),
        )
    )


def _address_key(address: str | None) -> str:
    return f"api-token-ip:{address or 'unknown'}"[: throttle.KEY_LENGTH]


def retry_at(address: str | None, now: datetime) -> datetime | None:
    """When a token from `address` may be tried again after too many wrong ones; None: now."""
    limits = throttle.limits()
    return throttle.counter().retry_at(
        _address_key(address), limits.per_address, now, limits.window
    )


def record_failure(address: str | None, now: datetime) -> None:
    """Count one wrong token against the client's address (the caller commits)."""
    throttle.counter().add([_address_key(address)], now, throttle.limits().window)
