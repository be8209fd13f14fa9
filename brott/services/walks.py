"""Safety walks: planning a walk, its findings as actions, the follow-up meeting's answers,
re-walks, and the share of walk actions closed (a source for indicators).

The method runs in three steps: a preparatory meeting, the walk (at most about 20 people),
and a follow-up meeting two or three weeks later where those responsible say what they will
do. The dates must come in that order; a follow-up outside one to six weeks and a large group
are allowed with a warning, since a council may have its reasons.

Each finding becomes an action with origin WALK, owned by a user of the council, so it joins
the daily digest, the actions list and the EST meetings' follow-up. When the work belongs to
a partner organisation, the finding names it (`owner_partner_id`) and the action's owner is
the council's contact who follows it up with them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from brott.errors import ConflictError, DomainError
from brott.extensions import db, rows_affected
from brott.models import (
    Action,
    ActionStatus,
    Measure,
    MeasureTool,
    NoteCategory,
    PartnerOrganisation,
    Place,
    User,
)
from brott.models.walks import SafetyWalk, WalkFinding
from brott.policy import Viewer, load, scoped
from brott.services import actions, photos, tool_shares
from brott.services.personal_data import check_text
from brott.services.users import active_members
from brott.services.versions import check_version, flush_or_conflict

MAX_PARTICIPANTS = 20  # the method's "at most about 20": more is warned of, not refused
FOLLOW_UP_WEEKS = (1, 6)  # normally two or three weeks after the walk
MAX_OTHER_PARTICIPANTS = 500
MAX_TEXT = 4000
MAX_ANSWER = 2000

Errors = dict[str | None, list[str]]


def conflict_message() -> str:
    return _(
        "The walk has been changed by someone else since you opened the page. Nothing was "
        "saved: compare with what is saved now and make your change again."
    )


@dataclass
class WalkData:
    """A walk as a coordinator plans it."""

    title: str
    area: str
    walk_date: date | None
    place_id: int | None = None
    route: str = ""
    preparation_date: date | None = None
    follow_up_date: date | None = None
    participant_ids: list[int] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    other_participants: int = 0
    measure_id: int | None = None
    previous_walk_id: int | None = None


@dataclass
class FindingData:
    """A finding as it is recorded after the walk, with the action it calls for."""

    place_id: int | None
    description: str
    category_id: int | None
    action_title: str
    owner_id: int | None
    due_date: date | None
    latitude: float | None = None
    longitude: float | None = None
    owner_partner_id: int | None = None


@dataclass(frozen=True)
class WalkRow:
    """A line of the walk list."""

    walk: SafetyWalk
    findings: int
    open_actions: int


# --- walks ---------------------------------------------------------------------------------


def create_walk(
    council_id: int, author: User, data: WalkData, now: datetime
) -> tuple[SafetyWalk, list[str]]:
    """Plan a walk; returns it with the warnings the user should see (nothing refused)."""
    participants, partners = _check_walk(council_id, data)
    walk = SafetyWalk(council_id=council_id, created_by_id=author.id, created_at=now)
    _apply(walk, data, participants, partners, now)
    db.session.add(walk)
    db.session.flush()
    return walk, warnings_for(walk)


def update_walk(walk: SafetyWalk, data: WalkData, seen_version: int, now: datetime) -> list[str]:
    """Change a walk made from version `seen_version`; returns the warnings."""
    check_version(walk, seen_version, conflict_message())
    data.previous_walk_id = walk.previous_walk_id  # a walk's origin does not change
    participants, partners = _check_walk(walk.council_id, data, own_id=walk.id)
    _apply(walk, data, participants, partners, now)
    flush_or_conflict(seen_version, conflict_message())
    return warnings_for(walk)


def warnings_for(walk: SafetyWalk) -> list[str]:
    """What the method advises against but a council may still do."""
    warnings = []
    if walk.follow_up_date is not None:
        days = (walk.follow_up_date - walk.walk_date).days
        low, high = FOLLOW_UP_WEEKS
        if not low * 7 <= days <= high * 7:
            warnings.append(
                _(
                    "The follow-up meeting is usually held two or three weeks after the "
                    "walk; this one is %(days)d days after it.",
                    days=days,
                )
            )
    count = walk.participant_count
    if count > MAX_PARTICIPANTS:
        warnings.append(
            _(
                "%(count)d participants: a safety walk works best with at most about "
                "%(limit)d people.",
                count=count,
                limit=MAX_PARTICIPANTS,
            )
        )
    return warnings


def rewalk_data(walk: SafetyWalk) -> WalkData:
    """A new walk planned from `walk`: the same area, route, people and measure."""
    return WalkData(
        title=_("Re-walk: %(title)s", title=walk.title)[:200],
        area=walk.area,
        walk_date=None,
        place_id=walk.place_id,
        route=walk.route,
        participant_ids=[u.id for u in walk.participants],
        partner_ids=[p.id for p in walk.partners],
        other_participants=walk.other_participants,
        measure_id=walk.measure_id,
        previous_walk_id=walk.id,
    )


def list_walks(viewer: Viewer) -> list[WalkRow]:
    """The council's walks, latest first, with their findings and open actions counted."""
    findings = (
        select(func.count(WalkFinding.id))
        .where(WalkFinding.walk_id == SafetyWalk.id)
        .correlate(SafetyWalk)
        .scalar_subquery()
    )
    open_actions = (
        select(func.count(WalkFinding.id))
        .join(Action, Action.id == WalkFinding.action_id)
        .where(WalkFinding.walk_id == SafetyWalk.id, Action.status != ActionStatus.DONE)
        .correlate(SafetyWalk)
        .scalar_subquery()
    )
    stmt = (
        scoped(viewer, SafetyWalk)
        .add_columns(findings, open_actions)
        .options(joinedload(SafetyWalk.place))
        .order_by(SafetyWalk.walk_date.desc(), SafetyWalk.id.desc())
    )
    return [WalkRow(walk, n, open_n) for walk, n, open_n in db.session.execute(stmt)]


def _finding_options(path: Any = None) -> tuple[Any, ...]:
    """Eager loading of what a finding's row shows."""
    base = path if path is not None else selectinload(SafetyWalk.findings)
    return (
        base.joinedload(WalkFinding.place),
        base.joinedload(WalkFinding.category),
        base.joinedload(WalkFinding.owner_partner),
        base.joinedload(WalkFinding.action).joinedload(Action.owner),
    )


def load_walk_page(viewer: Viewer, walk_id: int) -> SafetyWalk:
    """A walk with everything its page and action plan show, or 404."""
    previous = selectinload(SafetyWalk.previous_walk).selectinload(SafetyWalk.findings)
    return load(
        viewer,
        SafetyWalk,
        walk_id,
        joinedload(SafetyWalk.place),
        joinedload(SafetyWalk.measure),
        selectinload(SafetyWalk.participants),
        selectinload(SafetyWalk.partners),
        *_finding_options(),
        *_finding_options(previous),
    )


def later_walks(walk: SafetyWalk) -> list[SafetyWalk]:
    """The re-walks planned from `walk`."""
    stmt = (
        select(SafetyWalk)
        .where(SafetyWalk.previous_walk_id == walk.id)
        .order_by(SafetyWalk.walk_date)
    )
    return list(db.session.scalars(stmt))


def walk_measures(viewer: Viewer) -> list[Measure]:
    """The measures a walk may belong to: those whose tool is safety walks."""
    stmt = (
        scoped(viewer, Measure)
        .where(Measure.tool == MeasureTool.SAFETY_WALKS)
        .order_by(Measure.number, Measure.title)
    )
    return list(db.session.scalars(stmt))


def partner_candidates(council_id: int) -> list[PartnerOrganisation]:
    """The council's partner organisations, by name."""
    stmt = (
        select(PartnerOrganisation)
        .where(PartnerOrganisation.council_id == council_id)
        .order_by(PartnerOrganisation.name)
    )
    return list(db.session.scalars(stmt))


def _check_walk(
    council_id: int, data: WalkData, own_id: int | None = None
) -> tuple[list[User], list[PartnerOrganisation]]:
    """Every problem with a walk at once, by field; the chosen people and organisations."""
    errors: Errors = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        refuse("title", _("Enter a name for the walk."))
    if not data.area.strip():
        refuse("area", _("Enter the area the walk goes through."))
    for name in ("title", "route"):
        _guard(getattr(data, name), name, errors)
    if data.walk_date is None:
        refuse("walk_date", _("Enter the date of the walk."))
    else:
        if data.preparation_date is not None and data.preparation_date > data.walk_date:
            refuse("preparation_date", _("The preparatory meeting comes before the walk."))
        if data.follow_up_date is not None and data.follow_up_date <= data.walk_date:
            refuse("follow_up_date", _("The follow-up meeting comes after the walk."))
    if not 0 <= data.other_participants <= MAX_OTHER_PARTICIPANTS:
        refuse(
            "other_participants",
            _("Enter a number from 0 to %(limit)d.", limit=MAX_OTHER_PARTICIPANTS),
        )
    if data.place_id is not None and _active_place(council_id, data.place_id) is None:
        refuse("place_id", _("Choose a place from the council's list."))
    if data.measure_id is not None:
        measure = db.session.get(Measure, data.measure_id)
        if measure is None or measure.council_id != council_id:
            refuse("measure_id", _("Choose a measure of the council."))
        elif measure.tool is not MeasureTool.SAFETY_WALKS:
            refuse("measure_id", _("Choose a measure whose tool is safety walks."))
    if data.previous_walk_id is not None and data.previous_walk_id != own_id:
        previous = db.session.get(SafetyWalk, data.previous_walk_id)
        if previous is None or previous.council_id != council_id:
            refuse("previous_walk_id", _("The earlier walk does not exist."))
    wanted = set(data.participant_ids)
    participants = [u for u in active_members(council_id) if u.id in wanted]
    if len(participants) != len(wanted):
        refuse("participant_ids", _("Participants must be active members of the council."))
    wanted = set(data.partner_ids)
    partners = [p for p in partner_candidates(council_id) if p.id in wanted]
    if len(partners) != len(wanted):
        refuse("partner_ids", _("Choose organisations from the council's partners."))
    if errors:
        raise DomainError.from_errors(errors)
    return participants, partners


def _apply(
    walk: SafetyWalk,
    data: WalkData,
    participants: list[User],
    partners: list[PartnerOrganisation],
    now: datetime,
) -> None:
    assert data.walk_date is not None  # checked
    walk.title = data.title.strip()
    walk.area = data.area.strip()
    walk.place_id = data.place_id
    walk.route = data.route.strip()
    walk.preparation_date = data.preparation_date
    walk.walk_date = data.walk_date
    walk.follow_up_date = data.follow_up_date
    walk.participants = participants
    walk.partners = partners
    walk.other_participants = data.other_participants
    walk.measure_id = data.measure_id
    walk.previous_walk_id = data.previous_walk_id
    walk.updated_at = now


# --- findings ------------------------------------------------------------------------------


def add_finding(
    walk: SafetyWalk,
    author: User,
    data: FindingData,
    now: datetime,
    today: date,
    upload: FileStorage | None = None,
) -> WalkFinding:
    """Record a finding of the walk and the action it calls for (origin WALK); an optional
    photo is stored once everything else is in order."""
    errors = _check_finding(walk.council_id, data)
    action: Action | None = None
    try:
        action = actions.record_from_walk(
            walk.council_id,
            author,
            actions.ActionData(
                title=data.action_title,
                owner_id=data.owner_id,
                due_date=data.due_date,
                place_id=data.place_id,
                measure_id=walk.measure_id,
            ),
            now,
            today,
        )
    except DomainError as error:
        for name, message in error.field_errors:
            name = "action_title" if name == "title" else name
            if name not in errors:  # the place is checked here already
                errors.setdefault(name, []).append(message)
    if errors or action is None:
        raise DomainError.from_errors(errors)
    photo = photos.save_upload(walk.council_id, upload, now, field="photo")
    finding = WalkFinding(
        council_id=walk.council_id,
        walk=walk,
        place_id=data.place_id,
        latitude=data.latitude,
        longitude=data.longitude,
        description=data.description.strip(),
        category_id=data.category_id,
        action=action,
        owner_partner_id=data.owner_partner_id,
        photo=photo,
        created_at=now,
    )
    db.session.add(finding)
    db.session.flush()
    return finding


def answer_finding(
    finding: WalkFinding,
    answer: str,
    author: User,
    now: datetime,
    seen: datetime | None,
) -> None:
    """Record what the owner said at the follow-up meeting they will do. `seen` is when the
    answer the user saw was saved (None: no answer yet); if someone saved another since, the
    answer is refused rather than overwritten (the check and the write are one statement)."""
    text = answer.strip()
    if not text:
        raise DomainError(_("Write what the owner will do."), field="answer")
    if len(text) > MAX_ANSWER:
        raise DomainError(_("At most %(limit)d characters.", limit=MAX_ANSWER), field="answer")
    check_text(text, field="answer")
    result = db.session.execute(
        update(WalkFinding)
        .where(WalkFinding.id == finding.id, WalkFinding.answered_at.is_not_distinct_from(seen))
        .values(answer=text, answered_at=now, answered_by_id=author.id)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(result) != 1:
        db.session.refresh(finding)
        raise ConflictError(
            _(
                "Someone saved another answer to this finding meanwhile: “%(answer)s”. "
                "Your text is kept below; save again to replace theirs.",
                answer=finding.answer,
            ),
            seen_version=0,
        )
    db.session.refresh(finding)


def fixed(finding: WalkFinding) -> bool:
    """Whether a finding counts as fixed: its action is done."""
    return finding.action.status is ActionStatus.DONE


def _check_finding(council_id: int, data: FindingData) -> Errors:
    errors: Errors = {}
    if data.place_id is None or _active_place(council_id, data.place_id) is None:
        errors["place_id"] = [_("Choose a place from the council's list.")]
    if not data.description.strip():
        errors["description"] = [_("Describe what the walk found.")]
    elif len(data.description) > MAX_TEXT:
        errors["description"] = [_("At most %(limit)d characters.", limit=MAX_TEXT)]
    else:
        _guard(data.description, "description", errors)
    category = db.session.get(NoteCategory, data.category_id) if data.category_id else None
    if category is None or category.council_id != council_id or not category.active:
        errors["category_id"] = [_("Choose a category from the council's list.")]
    if data.owner_partner_id is not None:
        partner = db.session.get(PartnerOrganisation, data.owner_partner_id)
        if partner is None or partner.council_id != council_id:
            errors["owner_partner_id"] = [_("Choose an organisation from the council's partners.")]
    if (data.latitude is None) != (data.longitude is None):
        name = "longitude" if data.longitude is None else "latitude"
        errors[name] = [_("Enter both latitude and longitude, or neither.")]
    return errors


def _guard(text: str, name: str, errors: Errors) -> None:
    try:
        check_text(text, field=name)
    except DomainError as error:
        errors.setdefault(name, []).append(error.message)


def _active_place(council_id: int, place_id: int) -> Place | None:
    place = db.session.get(Place, place_id)
    if place is None or place.council_id != council_id or not place.active:
        return None
    return place


# --- indicator source ----------------------------------------------------------------------


def closed_share(council_id: int, on: date) -> float | None:
    """The share (0–100) of walk actions closed by the end of `on` among those created by
    then, in Stockholm's days; None when there were none (see services/tool_shares)."""
    return tool_shares.walk_closed_shares(council_id, [on])[on]
