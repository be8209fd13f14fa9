"""Accounts and council memberships."""

from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council, Membership, Role, User
from brott.policy import Permission, Viewer

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account with this e-mail address, if any."""
    return db.session.scalars(
        db.select(User).where(User.email == normalise_email(email))
    ).one_or_none()


def create_user(email: str, name: str, password: str) -> User:
    """A new, active account; the e-mail address must be free."""
    if find_user(email) is not None:
        raise DomainError(_("There is already an account with that email address."), field="email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _(
                "The password must have at least %(min_length)d characters.",
                min_length=MIN_PASSWORD_LENGTH,
            ),
            field="password",
        )
    user = User(email=normalise_email(email), name=name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def add_member(council: Council, email: str, name: str, password: str, role: Role) -> Membership:
    """Give a person a role in a council, creating their account if it does not exist yet.

    An existing account keeps its name and password; only the membership is added.
    """
    user = find_user(email)
    if user is None:
        user = create_user(email, name, password)
    elif _membership_of(user.id, council.id) is not None:
        raise DomainError(_("The person is already a member of the council."), field="email")
    membership = Membership(user=user, council=council, role=role, active=True)
    db.session.add(membership)
    user.active = True
    db.session.flush()
    return membership


def change_membership(acting: Viewer, target: Membership, role: Role, active: bool) -> None:
    """Change a member's role or (de)activate them; an admin cannot lock themself out."""
    keeps_rights = Permission.MANAGE_USERS in policy.role_permissions(role)
    if target.user_id == acting.user_id and (not keeps_rights or not active):
        raise DomainError(
            _("You cannot remove your own administrator rights. Ask another administrator."),
            field="role",
        )
    target.role = role
    target.active = active
    # an account with no active membership anywhere cannot log in
    user = target.user
    user.active = any(m.active for m in user.memberships)
    db.session.flush()


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


def _membership_of(user_id: int, council_id: int) -> Membership | None:
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
