"""Signed one-click links in e-mails: they expire, and each can be used once."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from brott import clock
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Action, ActionStatus, SpentToken

SALT = "brott.action-link"


class _ClockSigner(TimestampSigner):
    """Timestamps from the app's clock, so expiry follows controlled time in tests."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


@dataclass
class ActionLink:
    action: Action
    status: ActionStatus
    token_id: str


def action_link_token(action: Action, status: ActionStatus) -> str:
    """A token that lets the action's owner set `status` without logging in."""
    payload = {"a": action.id, "u": action.owner_id, "s": status.value, "j": secrets.token_hex(12)}
    return _serializer().dumps(payload)


def read_action_link(token: str) -> ActionLink:
    """The action and status a token names; DomainError if it is forged, expired or spent."""
    max_age = timedelta(days=current_app.config["ACTION_LINK_MAX_AGE_DAYS"])
    try:
        payload = _serializer().loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise DomainError(_("The link has expired. Log in to update the action.")) from error
    except BadSignature as error:
        raise DomainError(_("The link is invalid.")) from error
    action = db.session.get(Action, payload.get("a"))
    if action is None or action.owner_id != payload.get("u"):
        raise DomainError(
            _("The link is no longer valid: the action does not exist or has a new owner.")
        )
    if db.session.get(SpentToken, payload["j"]) is not None:
        raise DomainError(_("The link has already been used."))
    return ActionLink(action, ActionStatus(payload["s"]), payload["j"])


def spend(token_id: str, now: datetime) -> None:
    """Mark a token used; a second use, even a concurrent one, is refused."""
    try:
        with db.session.begin_nested():
            db.session.add(SpentToken(token_id=token_id, spent_at=now))
    except IntegrityError as error:
        raise DomainError(_("The link has already been used.")) from error
