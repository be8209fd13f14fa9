"""Signed one-click links in e-mails: they expire, each can be used once, and only while the
action is still its owner's, in the status the link was issued for, and the owner is still an
active member of the council."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from brott import clock, policy
from brott.errors import ConflictError, DomainError
from brott.extensions import db
from brott.models import Action, ActionStatus, SpentToken
from brott.policy import Permission
from brott.services import actions

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


class NotTheOwner(DomainError):
    """A logged-in person opened a link sent to someone else (403, not a dead link)."""


def action_link_token(action: Action, status: ActionStatus) -> str:
    """A token that lets the action's owner set `status` without logging in, while the action
    is still in the status it has now ("f"), owned by them, and they are an active member."""
    payload = {
        "a": action.id,
        "u": action.owner_id,
        "f": action.status.value,
        "s": status.value,
        "j": secrets.token_hex(12),
    }
    return _serializer().dumps(payload)


def read_action_link(token: str, holder_id: int | None = None) -> ActionLink:
    """The action and status a token names, if it may still be used; DomainError if it is
    forged, expired, spent or issued before links named the status they were issued for, if
    the action has another owner or another status now, or if its owner is no longer an
    active member of the council. `holder_id` is the logged-in person opening it (None when
    nobody is logged in: the link itself is the credential); anyone but the owner gets
    NotTheOwner."""
    max_age = timedelta(days=current_app.config["ACTION_LINK_MAX_AGE_DAYS"])
    try:
        payload = _serializer().loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as error:
        raise DomainError(_("The link has expired. Log in to update the action.")) from error
    except BadSignature as error:
        raise DomainError(_("The link is invalid.")) from error
    issued_for = _status(payload.get("f"))
    status = _status(payload.get("s"))
    if issued_for is None or status is None or not isinstance(payload.get("j"), str):
        # links from before they named the action's status are not honoured any more
        raise DomainError(_("The link is no longer valid. Log in to update the action."))
    action = db.session.get(Action, payload.get("a"))
    if action is None or action.owner_id != payload.get("u"):
        raise DomainError(
            _("The link is no longer valid: the action does not exist or has a new owner.")
        )
    if holder_id is not None and holder_id != action.owner_id:
        raise NotTheOwner(
            _(
                "This link was sent to another person. You can update your own actions "
                "under Actions."
            )
        )
    if not policy.can(
        policy.viewer_for(action.owner, action.council.slug), Permission.UPDATE_ACTION, action
    ):
        raise DomainError(
            _("The link is no longer valid: its owner is no longer a member of the council.")
        )
    if db.session.get(SpentToken, payload["j"]) is not None:
        raise DomainError(_("The link has already been used."))
    if action.status is not issued_for:
        raise DomainError(
            _(
                "The link is no longer valid: the action has been updated since it was sent "
                "and is now marked as %(status)s. Log in to change it.",
                status=action.status_label,
            )
        )
    return ActionLink(action, status, payload["j"])


def _status(value: object) -> ActionStatus | None:
    """The status a payload field names, or None for anything else."""
    known = {status.value: status for status in ActionStatus}
    return known.get(value) if isinstance(value, str) else None


def use_action_link(link: ActionLink, comment: str, now: datetime) -> None:
    """Set the link's status on its action and spend the link; a save of the action by
    someone else at the same moment makes it a conflict, and nothing changes."""
    seen = link.action.version
    try:
        actions.set_action_status(link.action, link.status, comment, now)
    except StaleDataError as error:
        raise ConflictError(
            _("The action was changed by someone else just now. Open the link again."), seen
        ) from error
    spend(link.token_id, now)


def spend(token_id: str, now: datetime) -> None:
    """Mark a token used; a second use, even a concurrent one, is refused."""
    try:
        with db.session.begin_nested():
            db.session.add(SpentToken(token_id=token_id, spent_at=now))
    except IntegrityError as error:
        raise DomainError(_("The link has already been used.")) from error
