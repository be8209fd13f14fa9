"""Camera surveillance sites and guard deployments (act 2018:1200).

A site goes along its decision path (investigating → decided → installed → reviewed →
ended, or rejected), each step dated and kept. The law asks the council to document a
balancing of interests before it decides; that is kept here with the sites, as are the
periods of public-order guards. The register of camera surveillance and the yearly review
reminders are in `camera_register`, the need assessment in `camera_need`.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Place, User
from brott.models.cameras import (
    STAGE_LABELS,
    CameraBalancing,
    CameraSite,
    CameraStage,
    CameraStageEvent,
    GuardDeployment,
    add_years,
)
from brott.policy import Viewer
from brott.services.personal_data import check_text
from brott.services.versions import check_version, flush_or_conflict

MAX_TEXT = 5000

# where a site may go from each stage
TRANSITIONS: dict[CameraStage, tuple[CameraStage, ...]] = {
    CameraStage.INVESTIGATING: (CameraStage.DECIDED, CameraStage.REJECTED),
    CameraStage.DECIDED: (CameraStage.INSTALLED, CameraStage.ENDED),
    CameraStage.REJECTED: (CameraStage.INVESTIGATING,),
    CameraStage.INSTALLED: (CameraStage.REVIEWED, CameraStage.ENDED),
    CameraStage.REVIEWED: (CameraStage.REVIEWED, CameraStage.ENDED),
    CameraStage.ENDED: (),
}
RUNNING = (CameraStage.INSTALLED, CameraStage.REVIEWED)
SITE_CONFLICT = _l(
    "The camera site has been changed by someone else since you opened it. Nothing was "
    "saved: compare with what is saved now and make your change again."
)
GUARD_CONFLICT = _l(
    "The guard deployment has been changed by someone else since you opened it. Nothing was "
    "saved: compare with what is saved now and make your change again."
)


@dataclass
class SiteData:
    place_id: int
    title: str
    operator: str = ""
    permit_needed: bool = False
    permit_case_number: str = ""
    permit_date: date | None = None
    camera_count: int | None = None
    coverage: str = ""
    recording_hours: str = ""
    storage_days: int | None = None


@dataclass
class BalancingData:
    written_on: date
    purpose: str
    privacy_impact: str
    alternatives: str
    conclusion: str


@dataclass
class GuardData:
    starts_on: date
    ends_on: date
    hours: str
    company: str
    area: str = ""
    decision_reference: str = ""
    place_ids: list[int] = field(default_factory=list)


# --- sites ----------------------------------------------------------------------------------


def create_site(viewer: Viewer, data: SiteData, author: User, today: date) -> CameraSite:
    """A new candidate site, under investigation from today."""
    site = CameraSite(council_id=viewer.council_id, stage=CameraStage.INVESTIGATING)
    _apply_site(viewer, site, data)
    site.events.append(
        CameraStageEvent(
            council_id=viewer.council_id,
            stage=CameraStage.INVESTIGATING,
            happened_on=today,
            author_id=author.id,
        )
    )
    db.session.add(site)
    db.session.flush()
    return site


def update_site(viewer: Viewer, site: CameraSite, data: SiteData, seen_version: int) -> None:
    """Change a site's facts, refused if someone saved it after `seen_version`."""
    check_version(site, seen_version, str(SITE_CONFLICT))
    _apply_site(viewer, site, data)
    flush_or_conflict(seen_version, str(SITE_CONFLICT))


def _apply_site(viewer: Viewer, site: CameraSite, data: SiteData) -> None:
    place = db.session.scalars(
        policy.scoped(viewer, Place).where(Place.id == data.place_id)
    ).one_or_none()
    if place is None:
        raise DomainError(_("Choose a place."), "place_id")
    check_text(data.coverage, "coverage")
    site.place = place
    site.title = data.title.strip()
    site.operator = data.operator.strip()
    site.permit_needed = data.permit_needed
    site.permit_case_number = data.permit_case_number.strip()
    site.permit_date = data.permit_date
    site.camera_count = data.camera_count
    site.coverage = data.coverage.strip()
    site.recording_hours = data.recording_hours.strip()
    site.storage_days = data.storage_days


def next_stages(site: CameraSite) -> tuple[CameraStage, ...]:
    """The stages the site may move to now."""
    return TRANSITIONS[site.stage]


def move_site(
    site: CameraSite,
    stage: CameraStage,
    on: date,
    text: str,
    author: User,
    today: date,
    seen_version: int,
) -> CameraStageEvent:
    """Move the site along its decision path, dated `on`, with the decision text."""
    check_version(site, seen_version, str(SITE_CONFLICT))
    _check_move(site, stage, on, text, today)
    event = CameraStageEvent(
        council_id=site.council_id,
        stage=stage,
        happened_on=on,
        text=text.strip(),
        author_id=author.id,
    )
    site.events.append(event)
    site.stage = stage
    if stage is CameraStage.INSTALLED:
        site.installed_on = on
        site.next_review_on = add_years(on, 1)
    elif stage is CameraStage.REVIEWED:
        site.last_reviewed_on = on
        site.next_review_on = add_years(on, 1)
    elif stage is CameraStage.ENDED:
        site.ended_on = on
        site.next_review_on = None
    flush_or_conflict(seen_version, str(SITE_CONFLICT))
    return event


def _check_move(site: CameraSite, stage: CameraStage, on: date, text: str, today: date) -> None:
    errors: dict[str | None, list[str]] = {}
    if stage not in next_stages(site):
        errors["stage"] = [
            _(
                "A site that is %(now)s cannot become %(then)s.",
                now=site.stage_label.lower(),
                then=str(STAGE_LABELS[stage]).lower(),
            )
        ]
    last = site.events[-1].happened_on if site.events else None
    if on > today:
        errors["happened_on"] = [_("The date cannot be in the future.")]
    elif last is not None and on < last:
        errors["happened_on"] = [
            _("The date cannot be before the previous step (%(day)s).", day=last.isoformat())
        ]
    if stage in (CameraStage.DECIDED, CameraStage.REJECTED) and not text.strip():
        errors["text"] = [_("Write the decision.")]
    if stage is CameraStage.DECIDED and not site.balancings:
        errors.setdefault(None, []).append(
            _("Document the balancing of interests before the decision.")
        )
    if stage is CameraStage.INSTALLED and _missing_for_installation(site):
        errors.setdefault(None, []).extend(_missing_for_installation(site))
    if errors:
        raise DomainError.from_errors(errors)
    check_text(text, "text")


def _missing_for_installation(site: CameraSite) -> list[str]:
    """What the register and the permit step still lack before the cameras may run."""
    missing = []
    if not (site.camera_count and site.coverage and site.recording_hours and site.storage_days):
        missing.append(
            _(
                "Fill in the register details (cameras, what they cover, recording hours, "
                "storage time) before the installation."
            )
        )
    if site.permit_needed and not (site.permit_case_number and site.permit_date):
        missing.append(
            _("A permit is needed: enter its case number and date before the installation.")
        )
    return missing


def list_sites(viewer: Viewer) -> list[CameraSite]:
    """The council's camera sites with their places, by title."""
    stmt = (
        policy.scoped(viewer, CameraSite)
        .options(joinedload(CameraSite.place))
        .order_by(CameraSite.title, CameraSite.id)
    )
    return list(db.session.scalars(stmt))


def stage_counts(viewer: Viewer) -> dict[CameraStage, int]:
    """Number of sites in each stage, every stage named (zero when none)."""
    base = policy.scoped(viewer, CameraSite).subquery()
    stmt = db.select(base.c.stage, db.func.count()).group_by(base.c.stage)
    found = {CameraStage(stage): n for stage, n in db.session.execute(stmt)}
    return {stage: found.get(stage, 0) for stage in CameraStage}


def load_site_page(viewer: Viewer, site_id: int) -> CameraSite:
    """A site with its place, history and balancings, or 404."""
    return policy.load(
        viewer,
        CameraSite,
        site_id,
        joinedload(CameraSite.place),
        selectinload(CameraSite.events).joinedload(CameraStageEvent.author),
        selectinload(CameraSite.balancings).joinedload(CameraBalancing.author),
    )


# --- the balancing of interests ---------------------------------------------------------------


def add_balancing(
    site: CameraSite, data: BalancingData, author: User, today: date
) -> CameraBalancing:
    """A new version of the site's balancing of interests; earlier versions stay as written."""
    texts = {
        "purpose": data.purpose,
        "privacy_impact": data.privacy_impact,
        "alternatives": data.alternatives,
        "conclusion": data.conclusion,
    }
    errors: dict[str | None, list[str]] = {
        name: [_("Fill in this part of the balancing.")]
        for name, text in texts.items()
        if not text.strip()
    }
    if data.written_on > today:
        errors["written_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise DomainError.from_errors(errors)
    for name, text in texts.items():
        check_text(text, name)
    # The site's row is locked while its next number is chosen, so two versions written at
    # once get 1 + the other's number instead of breaking the site-and-number unique
    # constraint (PostgreSQL; SQLite serialises writers anyway).
    db.session.execute(db.select(CameraSite.id).where(CameraSite.id == site.id).with_for_update())
    db.session.expire(site, ["balancings"])
    number = 1 + max((b.number for b in site.balancings), default=0)
    balancing = CameraBalancing(
        council_id=site.council_id,
        number=number,
        written_on=data.written_on,
        author_id=author.id,
        **{name: text.strip() for name, text in texts.items()},
    )
    site.balancings.append(balancing)
    db.session.flush()
    return balancing


def load_balancing(viewer: Viewer, site: CameraSite, balancing_id: int) -> CameraBalancing:
    """One version of the site's balancing, or 404."""
    stmt = (
        policy.scoped(viewer, CameraBalancing)
        .where(CameraBalancing.id == balancing_id, CameraBalancing.site_id == site.id)
        .options(joinedload(CameraBalancing.author))
    )
    balancing = db.session.scalars(stmt).one_or_none()
    if balancing is None:
        raise NotFound()
    return balancing


# --- guard deployments ---------------------------------------------------------------------------


def list_guard_deployments(viewer: Viewer) -> list[GuardDeployment]:
    """The council's guard deployments with their places, latest period first."""
    stmt = (
        policy.scoped(viewer, GuardDeployment)
        .options(selectinload(GuardDeployment.places))
        .order_by(GuardDeployment.starts_on.desc(), GuardDeployment.id.desc())
    )
    return list(db.session.scalars(stmt))


def create_guard_deployment(viewer: Viewer, data: GuardData) -> GuardDeployment:
    """Record a period of public-order guards."""
    deployment = GuardDeployment(council_id=viewer.council_id)
    _apply_guards(viewer, deployment, data)
    db.session.add(deployment)
    db.session.flush()
    return deployment


def update_guard_deployment(
    viewer: Viewer, deployment: GuardDeployment, data: GuardData, seen_version: int
) -> None:
    """Change a guard deployment, refused if someone saved it after `seen_version`."""
    check_version(deployment, seen_version, str(GUARD_CONFLICT))
    _apply_guards(viewer, deployment, data)
    flush_or_conflict(seen_version, str(GUARD_CONFLICT))


def _apply_guards(viewer: Viewer, deployment: GuardDeployment, data: GuardData) -> None:
    errors: dict[str | None, list[str]] = {}
    if data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The period cannot end before it starts.")]
    places = list(
        db.session.scalars(policy.scoped(viewer, Place).where(Place.id.in_(data.place_ids)))
        if data.place_ids
        else []
    )
    if len(places) != len(set(data.place_ids)):
        errors["place_ids"] = [_("Choose places of the council.")]
    if not places and not data.area.strip():
        errors["area"] = [_("Choose at least one place or describe the area.")]
    if errors:
        raise DomainError.from_errors(errors)
    deployment.starts_on = data.starts_on
    deployment.ends_on = data.ends_on
    deployment.hours = data.hours.strip()
    deployment.company = data.company.strip()
    deployment.area = data.area.strip()
    deployment.decision_reference = data.decision_reference.strip()
    deployment.places = sorted(places, key=lambda p: p.name)
