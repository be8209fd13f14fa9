"""Invitations: how an admin brings a person into their council, with the person's consent.

The admin types an e-mail address, a name and a role, and gets the same answer whatever the
address ("Invitation sent to …"):

- an address without an account gets a new account that cannot log in yet (an unusable
  password), an active membership in the council and an e-mail with a link to choose a
  password (services/passwords);
- an address that already has an account, in any council, active or not, gets no
  membership: an `Invitation` row and an e-mail with a link to accept. The council sees the
  typed address and role only; the account's name, its other councils and whether it is
  active stay hidden, and the typed name is not applied. Accepting creates the membership
  (or switches on the inviting council's own earlier one) and nothing else: the account is
  active again only because it now has an active membership.

Both links expire (INVITATION_MAX_AGE_DAYS, default 7) and work once; sending again makes a
new link and retires the one sent before. A body's staff are invited with the responsible body
they work for (services/users `body_for`), and the accepted membership gets it.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from brott.errors import DomainError
from brott.extensions import db
from brott.links import external_url
from brott.models import ROLE_LABELS, Invitation, Membership, Role, SpentToken, User
from brott.policy import Viewer
from brott.services import audit, outbox, passwords, tokens, users
from brott.services.audit import N_
from brott.services.emails import Email, compose

INVITATION = "invitation"  # outbox kind: choose a password for a new account
COUNCIL_INVITATION = "council_invitation"  # outbox kind: accept a role with an account
_SALT = "brott.council-invitation"


def max_age() -> timedelta:
    return passwords.max_age(passwords.SET)


# --- inviting -----------------------------------------------------------------------------


def invite(
    acting: Viewer,
    email: str,
    name: str,
    role: Role,
    now: datetime,
    body_id: int | None = None,
) -> str:
    """Invite `email` to `role` (a body's staff: with their body) in the acting admin's
    council (see the module's docstring); returns the address as it is stored, for the
    answer."""
    body_id = users.body_for(acting.council_id, role, body_id)
    address = users.normalise_email(email)
    unusable = passwords.unusable_hash()  # made for either answer, so both take as long
    user = users.find_user(address)
    if user is None:
        _invite_new_person(acting, address, name, role, body_id, unusable, now)
    else:
        _invite_account(acting, user, address, role, body_id, now)
    audit.record(
        "invite",
        council_id=acting.council_id,
        object_type="invitation",
        summary=N_("Invitation sent to %(email)s"),
        summary_values={"email": address},
        at=now,
        session=db.session,
    )
    db.session.flush()
    return address


def _invite_new_person(
    acting: Viewer,
    address: str,
    name: str,
    role: Role,
    body_id: int | None,
    unusable: str,
    now: datetime,
) -> None:
    user = User(
        email=address,
        name=" ".join(name.split()),
        password_hash=unusable,
        password_set_at=None,
        active=True,
    )
    membership = Membership(
        user=user, council=acting.council, role=role, body_id=body_id, active=True
    )
    _insert_or_refuse(user, membership)
    _send_password_invitation(acting, membership, now)


def _invite_account(
    acting: Viewer, user: User, address: str, role: Role, body_id: int | None, now: datetime
) -> None:
    if users.membership_of(user.id, acting.council_id) is not None:
        # the council's own list shows the person already: nothing new is revealed
        raise DomainError(_("The person is already a member of the council."), field="email")
    if _pending(acting.council_id, address) is not None:
        raise _already_invited()
    invitation = Invitation(
        council_id=acting.council_id,
        email=address,
        role=role,
        body_id=body_id,
        invited_by_id=acting.user_id,
        created_at=now,
    )
    _insert_or_refuse(invitation)
    _send_council_invitation(acting, invitation, user, now)


def _insert_or_refuse(*objects: object) -> None:
    """Insert; a concurrent invitation of the same address wins and this one is refused."""
    try:
        with db.session.begin_nested():
            db.session.add_all(objects)
    except IntegrityError as error:
        raise _already_invited() from error


def _already_invited() -> DomainError:
    return DomainError(
        _(
            "This address has already been invited. You can send the invitation again from "
            "the list of users."
        ),
        field="email",
    )


def resend(acting: Viewer, invitation: Invitation, now: datetime) -> None:
    """Send a pending invitation again with a new link; the link sent before stops working."""
    invitation.created_at = now  # part of the link: the earlier one no longer matches
    db.session.flush()
    user = users.find_user(invitation.email)
    if user is not None:
        _send_council_invitation(acting, invitation, user, now)
    _record_resend(acting, invitation.email, now)


def resend_password_link(acting: Viewer, membership: Membership, now: datetime) -> None:
    """Send a new member who has not chosen a password yet a new link; earlier links die."""
    user = membership.user
    if user.password_set_at is not None:
        raise DomainError(
            _(
                "The person has already chosen a password. If they have forgotten it, they can "
                "ask for a new one on the login page."
            )
        )
    if not membership.active:
        raise DomainError(_("Activate the membership first."))
    user.password_hash = passwords.unusable_hash()  # a new secret: every earlier link dies
    db.session.flush()
    _send_password_invitation(acting, membership, now)
    _record_resend(acting, user.email, now)


def _record_resend(acting: Viewer, address: str, now: datetime) -> None:
    audit.record(
        "invite",
        council_id=acting.council_id,
        object_type="invitation",
        summary=N_("Invitation sent again to %(email)s"),
        summary_values={"email": address},
        at=now,
        session=db.session,
    )
    db.session.flush()


def withdraw(acting: Viewer, invitation: Invitation, now: datetime) -> None:
    """Take back a pending invitation; its link stops working."""
    address = invitation.email
    db.session.delete(invitation)
    audit.record(
        "invitation_withdrawn",
        council_id=acting.council_id,
        object_type="invitation",
        summary=N_("Invitation to %(email)s withdrawn"),
        summary_values={"email": address},
        at=now,
        session=db.session,
    )
    db.session.flush()


def pending(council_id: int) -> list[Invitation]:
    """The council's invitations not yet accepted, newest first."""
    stmt = (
        db.select(Invitation)
        .where(Invitation.council_id == council_id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return list(db.session.scalars(stmt))


def find(council_id: int, invitation_id: int) -> Invitation | None:
    """One of the council's pending invitations."""
    stmt = db.select(Invitation).where(
        Invitation.id == invitation_id, Invitation.council_id == council_id
    )
    return db.session.scalars(stmt).one_or_none()


def _pending(council_id: int, address: str) -> Invitation | None:
    stmt = db.select(Invitation).where(
        Invitation.council_id == council_id, Invitation.email == address
    )
    return db.session.scalars(stmt).one_or_none()


# --- the e-mails --------------------------------------------------------------------------


def _send_password_invitation(acting: Viewer, membership: Membership, now: datetime) -> None:
    user, council = membership.user, acting.council
    message = compose(
        "invitation",
        user.locale,
        lambda: _("You are invited to %(council)s", council=council.name),
        user_name=user.name,
        council=council,
        role=ROLE_LABELS[membership.role],
        inviter=_inviter_name(acting),
        link=passwords.link_url(user, passwords.SET),
        days=max_age().days,
    )
    _enqueue(INVITATION, user, message, council.id, now)


def _send_council_invitation(
    acting: Viewer, invitation: Invitation, user: User, now: datetime
) -> None:
    council = acting.council
    message = compose(
        "council_invitation",
        user.locale,
        lambda: _("Invitation to %(council)s", council=council.name),
        council=council,
        role=ROLE_LABELS[invitation.role],
        inviter=_inviter_name(acting),
        link=external_url("accounts.accept_invitation", token=_token(invitation)),
        days=max_age().days,
    )
    # no council on the row: the person is not a member, and the council's outbox page shows
    # nothing of a message written in the account's language
    _enqueue(COUNCIL_INVITATION, user, message, None, now)


def _enqueue(kind: str, user: User, message: Email, council_id: int | None, now: datetime) -> None:
    # no in-app link: the link is in the e-mail only
    outbox.enqueue(
        f"{kind}:{user.id}:{secrets.token_hex(8)}",
        kind,
        user,
        message,
        due_at=now,
        now=now,
        council_id=council_id,
        useful_until=now + max_age(),
    )


def _inviter_name(acting: Viewer) -> str:
    return acting.membership.user.name if acting.membership is not None else ""


# --- accepting ----------------------------------------------------------------------------


@dataclass
class InvitationLink:
    invitation: Invitation
    user: User  # the account the invitation's address belongs to
    token_id: str


def _token(invitation: Invitation) -> str:
    payload = {"i": invitation.id, "t": _stamp(invitation.created_at), "j": secrets.token_hex(12)}
    return _serializer().dumps(payload)


def read_link(token: str) -> InvitationLink:
    """The invitation a link names; DomainError if it is forged, expired, used, replaced by
    a newer one, withdrawn or already accepted."""
    try:
        payload = _serializer().loads(token, max_age=int(max_age().total_seconds()))
        invitation = db.session.get(Invitation, int(payload["i"]))
        stamp, token_id = str(payload["t"]), str(payload["j"])
    except SignatureExpired as error:
        raise DomainError(
            _("The invitation has expired. Ask the council's administrator to send it again.")
        ) from error
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise DomainError(_("The link is invalid.")) from error
    if invitation is None:
        raise DomainError(_("The invitation is no longer valid: it was accepted or withdrawn."))
    if stamp != _stamp(invitation.created_at):
        raise DomainError(_("The link is no longer valid: a newer link or password replaced it."))
    if db.session.get(SpentToken, token_id) is not None:
        raise DomainError(_("The link has already been used."))
    user = users.find_user(invitation.email)
    if user is None:
        raise DomainError(_("The link is invalid."))
    return InvitationLink(invitation, user, token_id)


def confirm_password(user: User, password: str) -> None:
    """Someone accepting without being logged in proves the account is theirs."""
    if not password:
        raise DomainError(_("Enter your password."), field="password")
    if not user.check_password(password):
        raise DomainError(_("Wrong password."), field="password")


def accept(link: InvitationLink, now: datetime) -> Membership:
    """The person takes the role offered (with its body, for a body's staff): a membership
    of the inviting council (its own earlier one switched on again, if it had one), the
    invitation gone, the link spent."""
    invitation, user = link.invitation, link.user
    membership = users.membership_of(user.id, invitation.council_id)
    try:
        with db.session.begin_nested():
            if membership is None:
                membership = Membership(
                    user=user, council_id=invitation.council_id, role=invitation.role
                )
                db.session.add(membership)
            membership.role, membership.active = invitation.role, True
            membership.body_id = invitation.body_id
    except IntegrityError as error:  # the same link accepted twice at once
        raise DomainError(_("The link has already been used.")) from error
    user.active = True  # it has an active membership now; no other council's is touched
    db.session.execute(delete(Invitation).where(Invitation.id == invitation.id))
    audit.record(
        "invitation_accepted",
        council_id=invitation.council_id,
        object_type="membership",
        object_id=membership.id,
        summary=N_("%(email)s accepted the invitation"),
        summary_values={"email": user.email},
        actor=user,
        at=now,
        session=db.session,
    )
    db.session.flush()
    tokens.spend(link.token_id, now)
    return membership


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def _serializer() -> URLSafeTimedSerializer:
    # the action links' signer: timestamps from the app's clock, so tests control expiry
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=_SALT, signer=tokens._ClockSigner
    )
