"""Demo data of the camera and guard tool: a camera site at Resecentrum that has been decided
after a documented balancing of interests (its need assessment reads the demo's situation
notes), and a summer of public-order guards in Centrum."""

from datetime import datetime, timedelta

from brott import clock
from brott.extensions import db
from brott.models import Council, Measure, MeasureTool, Membership, Place, User
from brott.models.cameras import CameraSite, CameraStage, GuardDeployment
from brott.policy import Viewer
from brott.services import cameras as service

MEASURE = "Kameror och ordningsvakter"
SITE_TITLE = "Kameror vid Resecentrums entréer"
COORDINATOR = "samordnare@exempel.se"


def load_demo(
    council: Council, users: dict[str, User], measures: dict[str, Measure], now: datetime
) -> None:
    """Add the demo's camera site and guard deployment unless they are there already."""
    measure = measures.get(MEASURE)
    if measure is not None and measure.tool is None:
        measure.tool = MeasureTool.CAMERAS
    coordinator = users[COORDINATOR]
    membership = db.session.scalars(
        db.select(Membership).where(
            Membership.council_id == council.id, Membership.user_id == coordinator.id
        )
    ).one()
    viewer = Viewer.member(membership)
    places = {
        place.name: place
        for place in db.session.scalars(db.select(Place).where(Place.council_id == council.id))
    }
    today = now.astimezone(clock.STOCKHOLM).date()
    if not _exists(CameraSite, council, CameraSite.title == SITE_TITLE):
        _camera_site(viewer, coordinator, places["Resecentrum"], today)
    if not _exists(GuardDeployment, council, GuardDeployment.area == "Centrum"):
        service.create_guard_deployment(
            viewer,
            service.GuardData(
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=60),
                hours="fre–lör 21–03",
                company="Bergslagens Ordningsvakter AB",
                area="Centrum",
                decision_reference="Polisens förordnande 2026/118",
                place_ids=[places["Centrum"].id],
            ),
        )
    db.session.flush()


def _exists(model, council: Council, condition) -> bool:
    stmt = db.select(model.id).where(model.council_id == council.id, condition).limit(1)
    return db.session.scalar(stmt) is not None


def _camera_site(viewer: Viewer, coordinator: User, place: Place, today) -> None:
    site = service.create_site(
        viewer,
        service.SiteData(
            place_id=place.id,
            title=SITE_TITLE,
            operator="Borlänge kommun, gatu- och parkavdelningen",
            coverage="Entréerna mot busstorget och cykelgaraget, inte perrongerna.",
            recording_hours="Fredag och lördag 21–05",
            camera_count=4,
            storage_days=7,
        ),
        coordinator,
        today - timedelta(days=75),
    )
    service.add_balancing(
        site,
        service.BalancingData(
            written_on=today - timedelta(days=30),
            purpose=(
                "Förebygga ordningsstörningar och skadegörelse vid entréerna sena helgkvällar, "
                "där lägesbilden visar en återkommande topp."
            ),
            privacy_impact=(
                "Resenärer och förbipasserande filmas när de passerar entréerna under "
                "helgnätterna. Ingen ljudupptagning, inga kameror mot väntsalen."
            ),
            alternatives=(
                "Bättre belysning infördes i höstas och cityvärdarna är på plats fredagar; "
                "störningarna har ändå fortsatt efter midnatt."
            ),
            conclusion=(
                "Intresset av att förebygga brott väger tyngre än intrånget under de timmar "
                "då problemen finns. Bevakningen begränsas till fredag och lördag natt."
            ),
        ),
        coordinator,
        today,
    )
    service.move_site(
        site,
        CameraStage.DECIDED,
        today - timedelta(days=10),
        "Rådet beslutar att sätta upp fyra kameror vid entréerna, med bevakning fredag och "
        "lördag 21–05 och sju dagars lagring. Uppföljning efter ett år.",
        coordinator,
        today,
        site.version,
    )
