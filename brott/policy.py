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
from brott.models import (
    Action,
    Council,
    Measure,
    Meeting,
    MeetingSeries,
    Membership,
    NoteCategory,
    PartnerOrganisation,
    Place,
    Role,
    SituationNote,
    User,
    Visibility,
)


class Permission(enum.Enum):
    VIEW_MEASURES = "view_measures"
    UPDATE_MEASURE = "update_measure"  # status and progress, with a journal comment
    MANAGE_MEASURES = "manage_measures"  # create, edit, owners, partners
    MANAGE_PARTNERS = "manage_partners"
    MANAGE_USERS = "manage_users"
    VIEW_MEETINGS = "view_meetings"
    MANAGE_MEETINGS = "manage_meetings"  # series, moving, cancelling, agenda, decisions
    UPDATE_ACTION = "update_action"  # mark done or delayed: its owner, or who manages
    VIEW_OUTBOX = "view_outbox"  # missed and failed reminders
    VIEW_NOTES = "view_notes"  # the police only ever see shared notes (see notes_query)
    WRITE_NOTES = "write_notes"
    EDIT_NOTE = "edit_note"  # its author, or who manages the council's notes
    VIEW_INTERNAL_NOTES = "view_internal_notes"
    MANAGE_PLACES = "manage_places"  # places and note categories
    VIEW_AUDIT = "view_audit"
    MANAGE_RETENTION = "manage_retention"


_READ = {
    Permission.VIEW_MEASURES,
    Permission.VIEW_MEETINGS,
    Permission.UPDATE_ACTION,
    Permission.VIEW_NOTES,
    Permission.WRITE_NOTES,
    Permission.EDIT_NOTE,
}
_MUNICIPALITY = _READ | {Permission.VIEW_INTERNAL_NOTES}
_COORDINATE = _MUNICIPALITY | {
    Permission.UPDATE_MEASURE,
    Permission.MANAGE_MEASURES,
    Permission.MANAGE_PARTNERS,
    Permission.MANAGE_MEETINGS,
    Permission.MANAGE_PLACES,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        _COORDINATE
        | {
            Permission.MANAGE_USERS,
            Permission.VIEW_OUTBOX,
            Permission.VIEW_AUDIT,
            Permission.MANAGE_RETENTION,
        }
    ),
    Role.COORDINATOR: frozenset(_COORDINATE),
    # a council member may update only the measures they own (see `can`)
    Role.MEMBER: frozenset(_MUNICIPALITY | {Permission.UPDATE_MEASURE}),
    # the police liaison attends EST, may own actions decided there, reads and writes shared
    # notes only
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


def can(
    membership: Membership,
    permission: Permission,
    obj: Measure | Action | SituationNote | None = None,
) -> bool:
    """Whether the member may do `permission` (on `obj`, when it is about one)."""
    if permission not in ROLE_PERMISSIONS[membership.role]:
        return False
    if obj is not None and obj.council_id != membership.council_id:
        return False
    if permission is Permission.UPDATE_MEASURE and membership.role is Role.MEMBER:
        return obj is not None and any(o.id == membership.user_id for o in obj.owners)
    manages = Permission.MANAGE_MEETINGS in ROLE_PERMISSIONS[membership.role]
    if permission is Permission.UPDATE_ACTION:
        return obj is not None and (manages or obj.owner_id == membership.user_id)
    if permission is Permission.EDIT_NOTE:
        return obj is not None and (manages or obj.author_id == membership.user_id)
    return True


def require(
    membership: Membership,
    permission: Permission,
    obj: Measure | Action | SituationNote | None = None,
) -> None:
    """Raise 403 unless `can` allows it."""
    if not can(membership, permission, obj):
        raise Forbidden()


def measures_query(membership: Membership) -> Select:
    """Measures the member may read: those of their council."""
    return db.select(Measure).where(Measure.council_id == membership.council_id)


def get_measure(membership: Membership, measure_id: int, *options: ORMOption) -> Measure:
    """One measure of the member's council, or 404; `options` add eager loading."""
    return _one_or_404(measures_query(membership).where(Measure.id == measure_id), options)


def get_meeting(membership: Membership, meeting_id: int, *options: ORMOption) -> Meeting:
    """A meeting of the member's council, or 404."""
    stmt = db.select(Meeting).where(
        Meeting.council_id == membership.council_id, Meeting.id == meeting_id
    )
    return _one_or_404(stmt, options)


def get_series(membership: Membership, series_id: int) -> MeetingSeries:
    """A meeting series of the member's council, or 404."""
    stmt = db.select(MeetingSeries).where(
        MeetingSeries.council_id == membership.council_id, MeetingSeries.id == series_id
    )
    return _one_or_404(stmt)


def get_action(membership: Membership, action_id: int) -> Action:
    """An action of the member's council, or 404."""
    stmt = db.select(Action).where(
        Action.council_id == membership.council_id, Action.id == action_id
    )
    return _one_or_404(stmt)


def notes_query(membership: Membership) -> Select:
    """Situation notes the member may read: the police see shared notes only."""
    stmt = db.select(SituationNote).where(SituationNote.council_id == membership.council_id)
    if not can(membership, Permission.VIEW_INTERNAL_NOTES):
        stmt = stmt.where(SituationNote.visibility == Visibility.SHARED)
    return stmt


def get_note(membership: Membership, note_id: int, *options: ORMOption) -> SituationNote:
    """A note the member may read, or 404 (an internal note is 404 to the police)."""
    return _one_or_404(notes_query(membership).where(SituationNote.id == note_id), options)


def get_place(membership: Membership, place_id: int) -> Place:
    """A place of the member's council, or 404."""
    stmt = db.select(Place).where(Place.council_id == membership.council_id, Place.id == place_id)
    return _one_or_404(stmt)


def get_category(membership: Membership, category_id: int) -> NoteCategory:
    """A note category of the member's council, or 404."""
    stmt = db.select(NoteCategory).where(
        NoteCategory.council_id == membership.council_id, NoteCategory.id == category_id
    )
    return _one_or_404(stmt)


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
