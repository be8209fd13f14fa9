"""Who may see and do what. Views ask here; queries that list or load objects come from here.

The policy decides for a *viewer*: a council member in a role, an anonymous visitor of a
council's public pages, or a read-only API token of a user. One table (`RULES`) says what each
may do; `can` adds the rules that depend on the object (a member updates the measures they
own, an owner closes their own action, an author edits their own note). Queries start from
`scoped`, which keeps a viewer inside their council and inside what they may read, so an object
of another council answers 404 exactly like one that does not exist.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import ColumnElement, Select, Text, and_, cast, false
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.exceptions import Forbidden, NotFound

from brott.extensions import db
from brott.models import (
    Action,
    CitizenPromise,
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
from brott.models.activity import ActivityEntry, ActivityKind
from brott.models.cameras import CameraBalancing, CameraSite, GuardDeployment
from brott.models.certification import Business, Certificate, ChecklistPoint, Inspection
from brott.models.follow_up import Assessment, Problem
from brott.models.indicators import Indicator, IndicatorValue
from brott.models.measure import PublicField
from brott.models.reports import (
    Open311Key,
    ReportCategory,
    ReportSettings,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
    SafetyMark,
)
from brott.models.walks import SafetyWalk, WalkFinding

T = TypeVar("T")


class Permission(enum.Enum):
    VIEW_MEASURES = "view_measures"
    UPDATE_MEASURE = "update_measure"  # status and progress, with a journal comment
    MANAGE_MEASURES = "manage_measures"  # create, edit, owners, partners
    MANAGE_PARTNERS = "manage_partners"
    MANAGE_USERS = "manage_users"
    VIEW_MEETINGS = "view_meetings"
    MANAGE_MEETINGS = "manage_meetings"  # series, moving, cancelling, agenda, decisions
    RECEIVE_MEETING_REMINDERS = "receive_meeting_reminders"  # without being invited
    UPDATE_ACTION = "update_action"  # mark done or delayed: its owner, or who manages
    VIEW_OUTBOX = "view_outbox"  # missed and failed reminders
    VIEW_NOTES = "view_notes"  # the police only ever see shared notes (see `scoped`)
    WRITE_NOTES = "write_notes"
    EDIT_NOTE = "edit_note"  # its author, or who manages the council's notes
    VIEW_INTERNAL_NOTES = "view_internal_notes"
    VIEW_PLACES = "view_places"
    MANAGE_PLACES = "manage_places"  # places and note categories
    VIEW_AUDIT = "view_audit"
    MANAGE_RETENTION = "manage_retention"
    # the measure tools; indicator values and activity entries are measure updates: a
    # measure's owners (UPDATE_MEASURE on the measure) and who manages measures record them
    VIEW_REGISTER = "view_register"  # the certification register of businesses
    MANAGE_REGISTER = "manage_register"  # businesses, offers, the checklist, imports
    INSPECT = "inspect"  # record an inspection: the police or the municipality's staff
    VIEW_WALKS = "view_walks"
    MANAGE_WALKS = "manage_walks"  # walks, findings, their answers and re-walks
    VIEW_CAMERAS = "view_cameras"
    MANAGE_CAMERAS = "manage_cameras"  # sites, balancing of interests, decisions, guards
    # residents' reports (models/reports)
    SUBMIT_REPORT = "submit_report"  # the public report pages and Open311: everyone
    VIEW_REPORTS = "view_reports"  # a body's staff: their body's reports only (see `can`)
    VIEW_ALL_REPORTS = "view_all_reports"  # every body's reports, and the safety marks
    HANDLE_REPORTS = "handle_reports"  # status, replies, comments, reassigning, the e-mail
    MANAGE_REPORTS = "manage_reports"  # categories, bodies, routing, settings, Open311 keys
    # following the promise up (models/follow_up)
    JUDGE_MEASURES = "judge_measures"  # the scorecard's judgements, at each follow-up
    MANAGE_PROBLEMS = "manage_problems"  # the situation analysis's problems and their links
    VIEW_PROGRESS = "view_progress"  # the public progress page: what of it the council made public
    USE_API = "use_api"  # the read-only JSON API, with a personal token


class ViewerKind(enum.StrEnum):
    MEMBER = "member"  # logged in, with an active membership of the council
    PUBLIC = "public"  # anyone on the council's public pages, logged in or not
    TOKEN = "token"  # a read-only API token of a member


_READ = {
    Permission.VIEW_MEASURES,
    Permission.VIEW_MEETINGS,
    Permission.UPDATE_ACTION,
    Permission.VIEW_NOTES,
    Permission.WRITE_NOTES,
    Permission.EDIT_NOTE,
    Permission.VIEW_PLACES,
    Permission.VIEW_REGISTER,
    Permission.VIEW_WALKS,
    Permission.VIEW_CAMERAS,
    Permission.SUBMIT_REPORT,
    Permission.VIEW_REPORTS,
    Permission.VIEW_ALL_REPORTS,
    Permission.VIEW_PROGRESS,
    Permission.USE_API,
}
_MUNICIPALITY = _READ | {Permission.VIEW_INTERNAL_NOTES}
_COORDINATE = _MUNICIPALITY | {
    Permission.UPDATE_MEASURE,
    Permission.MANAGE_MEASURES,
    Permission.MANAGE_PARTNERS,
    Permission.MANAGE_MEETINGS,
    Permission.MANAGE_PLACES,
    Permission.MANAGE_REGISTER,
    Permission.INSPECT,
    Permission.MANAGE_WALKS,
    Permission.MANAGE_CAMERAS,
    Permission.HANDLE_REPORTS,
    Permission.MANAGE_REPORTS,
    Permission.JUDGE_MEASURES,
    Permission.MANAGE_PROBLEMS,
}

# The one table of rules. A member's permissions come from their role; a public visitor's
# from PUBLIC; an API token has its user's permissions limited to TOKEN, so a token never
# exceeds its user. Pages find their viewer from the login (a member or the public); only the
# API makes a token viewer.
RULES: dict[Role | ViewerKind, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        _COORDINATE
        | {
            Permission.MANAGE_USERS,
            Permission.VIEW_OUTBOX,
            Permission.VIEW_AUDIT,
            Permission.MANAGE_RETENTION,
        }
    ),
    # coordinators run the EST cycle, so they see its reminders that failed (the outbox)
    Role.COORDINATOR: frozenset(
        _COORDINATE | {Permission.RECEIVE_MEETING_REMINDERS, Permission.VIEW_OUTBOX}
    ),
    # a council member may update only the measures they own (see `can`)
    Role.MEMBER: frozenset(_MUNICIPALITY | {Permission.UPDATE_MEASURE}),
    # the police liaison attends EST, may own actions decided there, reads and writes shared
    # notes only
    Role.POLICE: frozenset(_READ | {Permission.INSPECT}),
    # a responsible body's staff handle their body's reports (see `can` and `scoped`)
    Role.BODY_STAFF: frozenset(
        {
            Permission.SUBMIT_REPORT,
            Permission.VIEW_REPORTS,
            Permission.HANDLE_REPORTS,
            Permission.VIEW_PROGRESS,  # the public page, as everyone may
        }
    ),
    # anyone may report what feels unsafe, on the public pages and through Open311
    ViewerKind.PUBLIC: frozenset({Permission.SUBMIT_REPORT, Permission.VIEW_PROGRESS}),
    # a token reads what its user may read, and nothing of the measure tools or reports; the
    # notes it reaches are the shared ones (no token reads internal notes)
    ViewerKind.TOKEN: frozenset(
        {
            Permission.USE_API,
            Permission.VIEW_MEASURES,
            Permission.VIEW_MEETINGS,
            Permission.VIEW_NOTES,
            Permission.VIEW_PLACES,
            Permission.VIEW_PROGRESS,
        }
    ),
}

# what a role may do only to objects it is tied to (owner, author), unless it also manages
_OWN_ONLY: dict[Permission, Permission] = {
    Permission.UPDATE_MEASURE: Permission.MANAGE_MEASURES,
    Permission.UPDATE_ACTION: Permission.MANAGE_MEETINGS,
    Permission.EDIT_NOTE: Permission.MANAGE_MEETINGS,
}

# what a role may do only to the reports of its own body, unless it also holds the wider one
_BODY_ONLY: dict[Permission, Permission] = {
    Permission.VIEW_REPORTS: Permission.VIEW_ALL_REPORTS,
    Permission.HANDLE_REPORTS: Permission.MANAGE_REPORTS,
}

ROLE_LABELS_BY_KIND = {
    ViewerKind.PUBLIC: _l("Visitor"),
    ViewerKind.TOKEN: _l("API token"),
}


def role_permissions(role: Role) -> frozenset[Permission]:
    """What a member in `role` may do."""
    return RULES[role]


def roles_with(permission: Permission) -> tuple[Role, ...]:
    """The roles that have `permission`, e.g. who may own a measure or gets reminders."""
    return tuple(role for role in Role if permission in RULES[role])


def works_for_a_body(role: Role) -> bool:
    """Whether members in `role` reach one responsible body's reports only (a permission of
    `_BODY_ONLY` without its wider one), so that their membership must name the body."""
    held = RULES[role]
    return any(narrow in held and wide not in held for narrow, wide in _BODY_ONLY.items())


# roles that may own a measure: those who may update one
OWNER_ROLES = roles_with(Permission.UPDATE_MEASURE)

# roles a council's admins may require to log in with a second factor (services/two_factor)
TWO_FACTOR_ROLES = (Role.POLICE, Role.COORDINATOR, Role.ADMIN)


def two_factor_required(membership: Membership) -> bool:
    """Whether the council requires a second factor of the membership's role."""
    return membership.role.value in (membership.council.two_factor_roles or ())


def two_factor_missing(membership: Membership) -> bool:
    """Whether the membership's role requires a second factor its user has not set up: such
    a member may do nothing in the council until they have."""
    return two_factor_required(membership) and not membership.user.totp_secret


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a council: its kind, the council, and the membership behind it."""

    kind: ViewerKind
    council: Council
    membership: Membership | None = None

    @classmethod
    def member(cls, membership: Membership) -> "Viewer":
        return cls(ViewerKind.MEMBER, membership.council, membership)

    @classmethod
    def public(cls, council: Council) -> "Viewer":
        return cls(ViewerKind.PUBLIC, council)

    @classmethod
    def token(cls, membership: Membership) -> "Viewer":
        return cls(ViewerKind.TOKEN, membership.council, membership)

    @property
    def council_id(self) -> int:
        return self.council.id

    @property
    def user_id(self) -> int | None:
        return self.membership.user_id if self.membership else None

    @property
    def body_id(self) -> int | None:
        """The responsible body a body's staff member works for (models/reports)."""
        return self.membership.body_id if self.membership else None

    @property
    def role(self) -> Role | None:
        return self.membership.role if self.membership else None

    @property
    def role_label(self) -> str:
        if self.kind is ViewerKind.MEMBER and self.membership is not None:
            return self.membership.role_label
        return str(ROLE_LABELS_BY_KIND[self.kind])

    @property
    def permissions(self) -> frozenset[Permission]:
        if self.kind is ViewerKind.PUBLIC or self.membership is None:
            return RULES[ViewerKind.PUBLIC]
        if two_factor_missing(self.membership):
            return frozenset()  # nothing but setting it up (auth.two_factor), outside councils
        if self.kind is ViewerKind.TOKEN:
            return RULES[self.membership.role] & RULES[ViewerKind.TOKEN]
        return RULES[self.membership.role]


def can(viewer: Viewer | None, permission: Permission, obj: Any = None) -> bool:
    """Whether the viewer may do `permission` (to `obj`, when it is about one)."""
    if viewer is None or permission not in viewer.permissions:
        return False
    if obj is None:
        return True
    if getattr(obj, "council_id", viewer.council_id) != viewer.council_id:
        return False
    body_wider = _BODY_ONLY.get(permission)
    if body_wider is not None and body_wider not in viewer.permissions:
        return viewer.body_id is not None and getattr(obj, "body_id", None) == viewer.body_id
    wider = _OWN_ONLY.get(permission)
    if wider is None or wider in viewer.permissions:
        return True
    return viewer.user_id is not None and viewer.user_id in _tied_user_ids(obj)


def _tied_user_ids(obj: Any) -> set[int]:
    """The people an object belongs to: a measure's owners (also of what is recorded under
    the measure: its indicators, their values, its activity entries), an action's owner, a
    note's author."""
    if isinstance(obj, IndicatorValue):
        obj = obj.indicator
    if isinstance(obj, Indicator | ActivityEntry):
        obj = obj.measure
    if isinstance(obj, Measure):
        return {owner.id for owner in obj.owners}
    if isinstance(obj, Action):
        return {obj.owner_id}
    if isinstance(obj, SituationNote):
        return {obj.author_id} if obj.author_id is not None else set()
    return set()


def require(viewer: Viewer | None, permission: Permission, obj: Any = None) -> None:
    """Raise 403 unless `can` allows it."""
    if not can(viewer, permission, obj):
        raise Forbidden()


def audits_reads(viewer: Viewer) -> bool:
    """Whether the viewer's reading of shared notes is logged: reads from outside the
    municipality (the police) are. The role decides, not the viewer's kind: a token reads no
    internal notes, yet its reads are from outside only if its user's are."""
    role = viewer.role
    from_outside = role is not None and Permission.VIEW_INTERNAL_NOTES not in RULES[role]
    return can(viewer, Permission.VIEW_NOTES) and from_outside


# the roles from outside the municipality (the police) whose reads `audits_reads` logs
AUDITED_ROLES = tuple(
    role
    for role in Role
    if Permission.VIEW_NOTES in RULES[role] and Permission.VIEW_INTERNAL_NOTES not in RULES[role]
)


# --- finding the viewer -------------------------------------------------------------------


def viewer_for(user: User | AnonymousUserMixin, slug: str) -> Viewer | None:
    """The viewer `user` is in the council `slug`: a member through an active membership,
    else a public visitor; None when there is no such council. One query."""
    if not user.is_authenticated:
        council = db.session.scalars(db.select(Council).where(Council.slug == slug)).first()
        return Viewer.public(council) if council is not None else None
    stmt = (
        db.select(Council, Membership)
        .outerjoin(
            Membership,
            and_(
                Membership.council_id == Council.id,
                Membership.user_id == user.id,
                Membership.active.is_(True),
            ),
        )
        .where(Council.slug == slug)
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    council, membership = row
    return Viewer.member(membership) if membership is not None else Viewer.public(council)


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


# --- what a viewer may read ------------------------------------------------------------------

# the permission that lets a viewer read rows of each council-owned model
READ_PERMISSION: dict[type, Permission] = {
    Measure: Permission.VIEW_MEASURES,
    CitizenPromise: Permission.VIEW_MEASURES,
    MeetingSeries: Permission.VIEW_MEETINGS,
    Meeting: Permission.VIEW_MEETINGS,
    Action: Permission.VIEW_MEETINGS,
    SituationNote: Permission.VIEW_NOTES,
    Place: Permission.VIEW_PLACES,
    NoteCategory: Permission.VIEW_PLACES,
    PartnerOrganisation: Permission.VIEW_MEASURES,
    Membership: Permission.MANAGE_USERS,
    CameraSite: Permission.VIEW_CAMERAS,
    CameraBalancing: Permission.VIEW_CAMERAS,
    GuardDeployment: Permission.VIEW_CAMERAS,
    Business: Permission.VIEW_REGISTER,
    ChecklistPoint: Permission.VIEW_REGISTER,
    Inspection: Permission.VIEW_REGISTER,
    Certificate: Permission.VIEW_REGISTER,
    SafetyWalk: Permission.VIEW_WALKS,
    WalkFinding: Permission.VIEW_WALKS,
    Indicator: Permission.VIEW_MEASURES,
    IndicatorValue: Permission.VIEW_MEASURES,
    ActivityEntry: Permission.VIEW_MEASURES,
    ActivityKind: Permission.VIEW_MEASURES,
    ResidentReport: Permission.VIEW_REPORTS,
    ResponsibleBody: Permission.VIEW_REPORTS,
    ReportCategory: Permission.SUBMIT_REPORT,  # the public form lists them
    SafetyMark: Permission.VIEW_ALL_REPORTS,
    RoutingRule: Permission.MANAGE_REPORTS,
    ReportSettings: Permission.MANAGE_REPORTS,
    Open311Key: Permission.MANAGE_REPORTS,
    Assessment: Permission.VIEW_MEASURES,
    Problem: Permission.VIEW_MEASURES,
}


def _publishes(field: PublicField | None = None) -> ColumnElement[bool]:
    """Measures whose council shows `field` of them (any field, when None) on the public
    progress page. `public_fields` is a JSON list of PublicField values, none a part of
    another, so a text search for the quoted value finds exactly the listed ones."""
    listed = cast(Measure.public_fields, Text)
    return listed.like(f'%"{field.value}"%') if field else listed.like('%"%')


def _of_measures_publishing(
    field: PublicField, measure_id: Any
) -> Callable[[], ColumnElement[bool]]:
    def condition() -> ColumnElement[bool]:
        return measure_id.in_(db.select(Measure.id).where(_publishes(field)))

    return condition


# What the public (and everyone, through VIEW_PROGRESS) reads of each model beyond their own
# permissions: the rows the council has made public. Which of a row's fields are shown is
# the progress page's to honour (services/progress), from the same `public_fields`.
PUBLISHED: dict[type, Callable[[], ColumnElement[bool]]] = {
    CitizenPromise: lambda: CitizenPromise.id.in_(
        db.select(Measure.promise_id).where(_publishes())
    ),
    Measure: _publishes,
    Assessment: _of_measures_publishing(PublicField.JUDGEMENT, Assessment.measure_id),
    Indicator: _of_measures_publishing(PublicField.INDICATORS, Indicator.measure_id),
}


def scoped(viewer: Viewer, model: type[T]) -> Select[tuple[T]]:
    """Rows of `model` the viewer may read: their council's, and of those only what their
    permissions allow (the police see shared notes only). Every list and lookup starts here."""
    entity: Any = model
    stmt = db.select(entity).where(entity.council_id == viewer.council_id)
    if not can(viewer, READ_PERMISSION[model]):
        if model in PUBLISHED and can(viewer, Permission.VIEW_PROGRESS):
            return stmt.where(PUBLISHED[model]())
        return stmt.where(false())
    if model is SituationNote and not can(viewer, Permission.VIEW_INTERNAL_NOTES):
        stmt = stmt.where(SituationNote.visibility == Visibility.SHARED)
    if model is ResidentReport and not can(viewer, Permission.VIEW_ALL_REPORTS):
        # a body's staff: their body's reports; without a body, none (not the unrouted ones)
        if viewer.body_id is None:
            return stmt.where(false())
        stmt = stmt.where(ResidentReport.body_id == viewer.body_id)
    return stmt


def load(viewer: Viewer, model: type[T], object_id: int, *options: ORMOption) -> T:
    """One object the viewer may read, or 404; `options` add eager loading."""
    entity: Any = model
    stmt = scoped(viewer, model).where(entity.id == object_id).options(*options)
    found = db.session.scalars(stmt).one_or_none()
    if found is None:
        raise NotFound()
    return found
