"""Accounts and council memberships.

An admin brings people in through invitations (services/invitations); only the operator's
shell and the demo loader create an account with a password directly (`add_member`).
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from brott import clock, policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council, Membership, Role, User
from brott.models.reports import ResponsibleBody
from brott.policy import Permission, Viewer
from brott.services import sessions
from brott.services.versions import check_version, flush_or_conflict


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.scalars(
        db.select(User).where(User.email == normalise_email(email))
    ).one_or_none()


def create_user(email: str, name: str, password: str, now: datetime) -> User:
    """A new, active account with a password the operator gives (checked against the rule);
    the e-mail address must be free."""
    from brott.services import passwords  # it imports this module (to find accounts)

    if find_user(email) is not None:
        raise DomainError(_("There is already an account with that email address."), field="email")
    address, name = normalise_email(email), name.strip()
    passwords.check_policy(password, address, name)
    user = User(email=address, name=name, password_set_at=now)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def add_member(
    council: Council,
    email: str,
    name: str,
    password: str,
    role: Role,
    now: datetime | None = None,
    body_id: int | None = None,
) -> Membership:
    """For the operator's shell and the demo: give a person a role in a council, creating
    their account with `password` if it does not exist yet.

    An existing account keeps its name and password; only the membership is added. Admins in
    the web app invite instead (services/invitations), which asks the person first. A body's
    staff need the body they work for (`body_for`).
    """
    body_id = body_for(council.id, role, body_id)
    user = find_user(email)
    if user is None:
        user = create_user(email, name, password, now or clock.now())
    elif membership_of(user.id, council.id) is not None:
        raise DomainError(_("The person is already a member of the council."), field="email")
    membership = Membership(user=user, council=council, role=role, body_id=body_id, active=True)
    db.session.add(membership)
    user.active = True  # it has an active membership now
    db.session.flush()
    return membership


def change_membership(
    acting: Viewer,
    target: Membership,
    role: Role,
    active: bool,
    seen_version: int,
    body_id: int | None = None,
) -> None:
    """Change a member's role (and for a body's staff, their body) or (de)activate them; an
    admin cannot lock themself out, and an edit made from a stale page is refused as a
    conflict."""
    message = _(
        "The membership has been changed by someone else since you opened it. Nothing was "
        "saved: compare with what is saved now and make your change again."
    )
    check_version(target, seen_version, message)
    keeps_rights = Permission.MANAGE_USERS in policy.role_permissions(role)
    if target.user_id == acting.user_id and (not keeps_rights or not active):
        raise DomainError(
            _("You cannot remove your own administrator rights. Ask another administrator."),
            field="role",
        )
    target.body_id = body_for(target.council_id, role, body_id, current=target.body_id)
    target.role = role
    target.active = active
    # an account with no active membership anywhere cannot log in, and is logged out now
    user = target.user
    user.active = any(m.active for m in user.memberships)
    flush_or_conflict(seen_version, message)
    if not user.active:  # so reactivating later revives no cookie issued before
        sessions.end_all_sessions(user)


def body_for(
    council_id: int, role: Role, body_id: int | None, current: int | None = None
) -> int | None:
    """The body a membership in `role` is tied to: for a body's staff one of the council's
    active bodies (or the one they already have), required; for every other role none, so a
    role changed away from a body's staff leaves the body behind."""
    if not policy.works_for_a_body(role):
        return None
    if body_id is None:
        raise DomainError(_("Choose the body the person works for."), field="body_id")
    body = db.session.get(ResponsibleBody, body_id)
    if body is None or body.council_id != council_id or not (body.active or body.id == current):
        raise DomainError(_("Choose one of the council's active bodies."), field="body_id")
    return body.id


def active_members(council_id: int, roles: tuple[Role, ...] | None = None) -> list[User]:
    """Active users with an active membership in the council, by name; optionally by role."""
    stmt = (
        db.select(User)
        .join(Membership)
        .where(
            Membership.council_id == council_id,
            Membership.active.is_(True),
            User.active.is_(True),
        )
        .order_by(User.name)
    )
    if roles is not None:
        stmt = stmt.where(Membership.role.in_(roles))
    return list(db.session.scalars(stmt))


def membership_of(user_id: int, council_id: int) -> Membership | None:
    """The user's membership (active or not) of the council, if any."""
    return db.session.scalars(
        db.select(Membership).where(
            Membership.user_id == user_id, Membership.council_id == council_id
        )
    ).one_or_none()


def memberships(viewer: Viewer) -> list[Membership]:
    """The memberships of the viewer's council with their people, by name."""
    stmt = (
        policy.scoped(viewer, Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


def set_locale(user: User, code: str) -> None:
    """Save the language the user reads pages and e-mails in."""
    user.locale = code
    db.session.flush()
