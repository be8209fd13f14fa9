"""Camera surveillance sites and guard deployments (act 2018:1200).

A site goes along its decision path (investigating → decided → installed → reviewed →
ended, or rejected), each step dated and kept. The law asks the council to document a
balancing of interests before it decides, to keep a register of all its camera
surveillance, and to keep that documentation five years after the surveillance ends; a
running site is reviewed yearly and the coordinators are reminded when a review falls due.
The need assessment shows what was observed at and near a site over a period.
"""

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from brott import clock, policy
from brott.errors import DomainError
from brott.extensions import db
from brott.links import external_url
from brott.models import Council, Place, SituationNote, User
from brott.models.cameras import (
    STAGE_LABELS,
    CameraBalancing,
    CameraSite,
    CameraStage,
    CameraStageEvent,
    GuardDeployment,
    add_years,
)
from brott.policy import Permission, Viewer
from brott.services import outbox
from brott.services.emails import compose
from brott.services.personal_data import check_text
from brott.services.users import active_members
from brott.services.versions import check_version, flush_or_conflict

MAX_TEXT = 5000
DEFAULT_RADIUS_M = 300
MAX_RADIUS_M = 5000
REVIEW_NOTICE = timedelta(days=30)  # coordinators are reminded this long before a review
CAMERA_REVIEW = "camera_review"  # the outbox kind of the review reminder

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


# --- the need assessment ----------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """Something seen at or near a site: today a situation note; residents' reports join
    as another source (see OBSERVATION_SOURCES)."""

    observed: datetime
    place: Place
    category: str
    text: str
    distance_m: float | None
    link_endpoint: str  # the page of what was observed, with link_args
    link_args: dict[str, int]


@dataclass
class NeedAssessment:
    start: date
    end: date
    radius_m: int
    places: list[tuple[Place, float | None]]  # the site's place first, distance None
    observations: list[Observation]
    months: list[tuple[int, int]]  # (year, month) from start to end
    categories: list[str]
    counts: Counter  # (category, (year, month)) → number

    @property
    def total(self) -> int:
        return len(self.observations)

    def category_total(self, category: str) -> int:
        return sum(n for (c, _month), n in self.counts.items() if c == category)

    def month_total(self, month: tuple[int, int]) -> int:
        return sum(n for (_c, m), n in self.counts.items() if m == month)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to today."""
    return add_years(today, -1) + timedelta(days=1), today


def distance_m(a: Place, b: Place) -> float | None:
    """The great-circle distance between two places in metres; None without coordinates."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    lat1, lon1, lat2, lon2 = (
        math.radians(value) for value in (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def nearby_places(
    viewer: Viewer, site: CameraSite, radius_m: int
) -> list[tuple[Place, float | None]]:
    """The site's place and the council's places within `radius_m` of it, nearest first."""
    found: list[tuple[Place, float | None]] = [(site.place, None)]
    near = []
    for place in db.session.scalars(policy.scoped(viewer, Place)):
        if place.id == site.place_id:
            continue
        distance = distance_m(site.place, place)
        if distance is not None and distance <= radius_m:
            near.append((place, distance))
    return found + sorted(near, key=lambda item: (item[1], item[0].name))


def _situation_notes(
    viewer: Viewer, places: dict[int, float | None], start: datetime, end: datetime
) -> list[Observation]:
    """The situation notes the viewer may read (the police: shared ones) at `places`."""
    stmt = (
        policy.scoped(viewer, SituationNote)
        .where(
            SituationNote.place_id.in_(list(places)),
            SituationNote.observed_from >= start,
            SituationNote.observed_from < end,
        )
        .options(joinedload(SituationNote.place), joinedload(SituationNote.category))
    )
    return [
        Observation(
            observed=note.observed_from,
            place=note.place,
            category=note.category.name,
            text=note.text,
            distance_m=places[note.place_id],
            link_endpoint="notes.show",
            link_args={"note_id": note.id},
        )
        for note in db.session.scalars(stmt)
    ]


ObservationSource = Callable[
    [Viewer, dict[int, float | None], datetime, datetime], list[Observation]
]
# what a need assessment counts; residents' reports add their source here when they land
OBSERVATION_SOURCES: list[ObservationSource] = [_situation_notes]


def need_assessment(
    viewer: Viewer, site: CameraSite, start: date, end: date, radius_m: int
) -> NeedAssessment:
    """What was observed at and near the site from `start` to `end` (both included),
    counted per category and month."""
    places = nearby_places(viewer, site, radius_m)
    distances = {place.id: distance for place, distance in places}
    since = datetime.combine(start, time(0), tzinfo=clock.STOCKHOLM)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=clock.STOCKHOLM)
    observations = [
        found for source in OBSERVATION_SOURCES for found in source(viewer, distances, since, until)
    ]
    observations.sort(key=lambda o: o.observed, reverse=True)
    counts: Counter = Counter()
    for observation in observations:
        local = observation.observed.astimezone(clock.STOCKHOLM)
        counts[(observation.category, (local.year, local.month))] += 1
    return NeedAssessment(
        start=start,
        end=end,
        radius_m=radius_m,
        places=places,
        observations=observations,
        months=_months(start, end),
        categories=sorted({category for category, _month in counts}),
        counts=counts,
    )


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- the register of camera surveillance -------------------------------------------------------


def register(viewer: Viewer, today: date) -> list[CameraSite]:
    """The council's camera surveillance: every installed site, running or ended no more
    than five years ago (its documentation is kept that long)."""
    stmt = (
        policy.scoped(viewer, CameraSite)
        .where(CameraSite.installed_on.is_not(None))
        .options(joinedload(CameraSite.place))
        .order_by(CameraSite.installed_on, CameraSite.id)
    )
    return [
        site
        for site in db.session.scalars(stmt)
        if site.keep_until is None or site.keep_until >= today
    ]


REGISTER_COLUMNS = (
    _l("Camera site"),
    _l("Place"),
    _l("Stage"),
    _l("Cameras"),
    _l("What they cover"),
    _l("Recording hours"),
    _l("Storage time (days)"),
    _l("Responsible"),
    _l("Start date"),
    _l("End date"),
    _l("Keep until"),
    _l("Permit case number"),
)


def register_csv(sites: Iterable[CameraSite]) -> bytes:
    """The register as the supervisory authority may ask for it: CSV, UTF-8 with a BOM and
    semicolons, as Swedish spreadsheets open it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column) for column in REGISTER_COLUMNS])
    for site in sites:
        writer.writerow(
            _cell(value)
            for value in (
                site.title,
                site.place.name,
                site.stage_label,
                site.camera_count,
                site.coverage,
                site.recording_hours,
                site.storage_days,
                site.operator,
                site.installed_on,
                site.ended_on,
                site.keep_until,
                site.permit_case_number,
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: object) -> str:
    """A value as text; one a spreadsheet would take for a formula is kept as text."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    text = " ".join(text.split())
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- the yearly review --------------------------------------------------------------------------


def review_key(site: CameraSite, user: User) -> str:
    assert site.next_review_on is not None
    return f"camera_review:{site.id}:{site.next_review_on:%Y%m%d}:{user.id}"


def plan_camera_reviews(now: datetime) -> int:
    """Queue one reminder per coordinator of the council for each running site whose yearly
    review falls due within 30 days (or is overdue): once per site, review date and person.
    Commits nothing; returns how many were queued."""
    today = now.astimezone(clock.STOCKHOLM).date()
    sites = db.session.scalars(
        db.select(CameraSite)
        .where(
            CameraSite.stage.in_(RUNNING),
            CameraSite.next_review_on.is_not(None),
            CameraSite.next_review_on <= today + REVIEW_NOTICE,
        )
        .options(joinedload(CameraSite.place))
        .order_by(CameraSite.id)
    ).all()
    # the council's coordinators: the role that gets the council's reminders
    roles = policy.roles_with(Permission.RECEIVE_MEETING_REMINDERS)
    queued = 0
    for site in sites:
        council = db.session.get(Council, site.council_id)
        assert council is not None
        link = external_url("cameras.show", slug=council.slug, site_id=site.id)
        for user in active_members(site.council_id, roles):
            email = compose(
                CAMERA_REVIEW,
                user.locale,
                partial(_review_subject, site.title),
                site=site,
                council=council,
                link=link,
            )
            row = outbox.enqueue(
                review_key(site, user),
                CAMERA_REVIEW,
                user,
                email,
                due_at=now,
                now=now,
                council_id=site.council_id,
                link=link,
            )
            queued += row is not None
    return queued


def _review_subject(title: str) -> str:
    return _("Yearly review of camera site: %(title)s", title=title)


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
