"""Who may see and do what. Views ask here; queries that list or load objects come from here.

A user reaches a council only through an active membership, so every council-scoped query
starts from `council_membership`; objects are then loaded with their council in the WHERE
clause, and an object of another council answers 404 exactly like one that does not exist.
"""

import enum

from flask_login import AnonymousUserMixin
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.exceptions import Forbidden, NotFound

from brott.extensions import db
from brott.models import Council, Measure, Membership, PartnerOrganisation, Role, User


class Permission(enum.Enum):
    VIEW_MEASURES = "view_measures"
    UPDATE_MEASURE = "update_measure"  # status and progress, with a journal comment
    MANAGE_MEASURES = "manage_measures"  # create, edit, owners, partners
    MANAGE_PARTNERS = "manage_partners"
    MANAGE_USERS = "manage_users"


_READ = {Permission.VIEW_MEASURES}
_COORDINATE = _READ | {
    Permission.UPDATE_MEASURE,
    Permission.MANAGE_MEASURES,
    Permission.MANAGE_PARTNERS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(_COORDINATE | {Permission.MANAGE_USERS}),
    Role.COORDINATOR: frozenset(_COORDINATE),
    # a council member may update only the measures they own (see `can`)
    Role.MEMBER: frozenset(_READ | {Permission.UPDATE_MEASURE}),
    Role.POLICE: frozenset(_READ),
}

# roles that may own a measure
OWNER_ROLES = (Role.COORDINATOR, Role.MEMBER, Role.ADMIN)


def councils_of(user: User | AnonymousUserMixin) -> list[Membership]:
    """The user's active memberships, with their councils, ordered by council name."""
    if not user.is_authenticated:
        return []
    stmt = (
        db.select(Membership)
        .join(Membership.council)
        .options(contains_eager(Membership.council))
        .where(Membership.user_id == user.id, Membership.active.is_(True))
        .order_by(Council.name)
    )
    return list(db.session.scalars(stmt))


def council_membership(user: User | AnonymousUserMixin, slug: str) -> Membership:
    """The user's active membership in the council `slug`; 404 if there is none."""
    if not user.is_authenticated:
        raise NotFound()
    stmt = (
        db.select(Membership)
        .join(Membership.council)
        .options(contains_eager(Membership.council))
        .where(
            Council.slug == slug,
            Membership.user_id == user.id,
            Membership.active.is_(True),
        )
    )
    membership = db.session.scalars(stmt).one_or_none()
    if membership is None:
        raise NotFound()
    return membership


def can(membership: Membership, permission: Permission, measure: Measure | None = None) -> bool:
    """Whether the member may do `permission` (on `measure`, when it is about one)."""
    if permission not in ROLE_PERMISSIONS[membership.role]:
        return False
    if measure is not None and measure.council_id != membership.council_id:
        return False
    if permission is Permission.UPDATE_MEASURE and membership.role is Role.MEMBER:
        return measure is not None and any(o.id == membership.user_id for o in measure.owners)
    return True


def require(membership: Membership, permission: Permission, measure: Measure | None = None) -> None:
    """Raise 403 unless `can` allows it."""
    if not can(membership, permission, measure):
        raise Forbidden()


def measures_query(membership: Membership) -> Select:
    """Measures the member may read: those of their council."""
    return db.select(Measure).where(Measure.council_id == membership.council_id)


def get_measure(membership: Membership, measure_id: int, *options: ORMOption) -> Measure:
    """One measure of the member's council, or 404; `options` add eager loading."""
    return _one_or_404(measures_query(membership).where(Measure.id == measure_id), options)


def memberships_query(membership: Membership) -> Select:
    """Memberships of the member's council (for the user administration)."""
    return db.select(Membership).where(Membership.council_id == membership.council_id)


def get_membership(membership: Membership, membership_id: int) -> Membership:
    """A membership of the same council, or 404."""
    return _one_or_404(memberships_query(membership).where(Membership.id == membership_id))


def partners_query(membership: Membership) -> Select:
    """Partner organisations of the member's council."""
    return db.select(PartnerOrganisation).where(
        PartnerOrganisation.council_id == membership.council_id
    )


def get_partner(membership: Membership, partner_id: int) -> PartnerOrganisation:
    """A partner organisation of the member's council, or 404."""
    return _one_or_404(partners_query(membership).where(PartnerOrganisation.id == partner_id))


def _one_or_404(stmt: Select, options: tuple[ORMOption, ...] = ()):
    found = db.session.scalars(stmt.options(*options)).one_or_none()
    if found is None:
        raise NotFound()
    return found
