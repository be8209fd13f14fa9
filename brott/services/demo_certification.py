"""Demo data of the certification register: businesses in Borlänge (invented names), some
offered certification, some certified, one certificate that runs out within 60 days and one
failed inspection awaiting its follow-up. Built through the register's own services."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from brott import clock
from brott.extensions import db
from brott.models import Council, Measure, Place, User
from brott.models.certification import Outcome
from brott.services import certification as service
from brott.services import certification_inspections as inspection_service

INSPECTOR = "polis@exempel.se"
CHAIN = "Närbutiken"


@dataclass(frozen=True)
class DemoBusiness:
    name: str
    orgnr: str
    industry: str
    address: str
    place: str | None = None
    unit: str = ""
    chain: str = ""
    offered_days_ago: int | None = None
    # days ago of its inspection; None: not inspected
    inspected_days_ago: int | None = None
    failed_points: tuple[int, ...] = ()  # indexes of the checklist's points that failed


DEMO_BUSINESSES = (
    DemoBusiness(
        "Närbutiken",
        "556712-3400",
        "Dagligvaror",
        "Stationsgatan 4",
        "Resecentrum",
        unit="Resecentrum",
        chain=CHAIN,
        offered_days_ago=200,
        inspected_days_ago=150,
    ),
    DemoBusiness(
        "Närbutiken",
        "556712-3400",
        "Dagligvaror",
        "Hagalundsvägen 12",
        "Jakobsgårdarna",
        unit="Hagalund",
        chain=CHAIN,
        offered_days_ago=200,
    ),
    # its certificate runs out within 60 days: an inspection 320 days ago with a year's
    # interval leaves about 45 days
    DemoBusiness(
        "Guldsmedjan Dalälven",
        "556823-4511",
        "Guld och ur",
        "Borganäsvägen 21",
        "Centrum",
        offered_days_ago=400,
        inspected_days_ago=320,
    ),
    DemoBusiness(
        "Tobak & Spel Tjärna",
        "556934-5621",
        "Tobak och spel",
        "Tjärnavägen 3",
        "Tjärna Ängar",
        offered_days_ago=60,
        inspected_days_ago=20,
        failed_points=(2, 7),
    ),
    DemoBusiness(
        "Apoteket Kvarnen",
        "559012-6735",
        "Apotek",
        "Kvarnsvedsvägen 8",
        "Kvarnsveden",
        offered_days_ago=90,
        inspected_days_ago=40,
    ),
    DemoBusiness(
        "Pizzeria Dalgatan",
        "556145-7846",
        "Restaurang",
        "Dalagatan 17",
        "Centrum",
        offered_days_ago=30,
    ),
    DemoBusiness("Cykelverkstan", "556267-8952", "Cykelhandel", "Fabriksgatan 2", "Centrum"),
    DemoBusiness(
        "Bensinstationen Norr",
        "559178-9069",
        "Drivmedel",
        "Industrigatan 40",
        None,
        offered_days_ago=10,
    ),
)


def load_demo(
    council: Council, users: dict[str, User], measures: dict[str, Measure], now: datetime
) -> None:
    """Fill the council's register (idempotent: a business already there is left as is)."""
    today = now.astimezone(clock.STOCKHOLM).date()
    service.ensure_checklist(council.id)
    points = service.points(council.id)
    places = {
        p.name: p.id
        for p in db.session.scalars(db.select(Place).where(Place.council_id == council.id))
    }
    inspector = users.get(INSPECTOR) or users["samordnare@exempel.se"]
    first_of_chain = None
    for demo in DEMO_BUSINESSES:
        if service.find_business(council.id, demo.orgnr, demo.unit) is not None:
            continue
        business = service.add_business(council.id, _data(demo, places, today))
        # registered a month before its offer went out, so the register has a history
        business.created_at = now - timedelta(days=(demo.offered_days_ago or 0) + 30)
        if demo.inspected_days_ago is not None:
            day = today - timedelta(days=demo.inspected_days_ago)
            outcomes = {
                p.id: Outcome.FAILED if i in demo.failed_points else Outcome.PASSED
                for i, p in enumerate(points)
            }
            inspection = inspection_service.record_inspection(
                business,
                inspection_service.InspectionData(
                    day, inspector.id, outcomes, remarks=_remarks(demo.failed_points)
                ),
                today,
            )
            if demo.chain and first_of_chain is None:
                first_of_chain = inspection
    if first_of_chain is not None:
        inspection_service.approve_chain(first_of_chain, today)
    db.session.flush()


def _data(demo: DemoBusiness, places: dict[str, int], today: date) -> service.BusinessData:
    return service.BusinessData(
        name=demo.name,
        orgnr=demo.orgnr,
        unit=demo.unit,
        address=f"{demo.address}, Borlänge",
        contact_name="Butikschefen",
        industry=demo.industry,
        place_id=places.get(demo.place) if demo.place else None,
        chain=demo.chain,
        offer_sent_on=(
            today - timedelta(days=demo.offered_days_ago)
            if demo.offered_days_ago is not None
            else None
        ),
    )


def _remarks(failed: tuple[int, ...]) -> str:
    if not failed:
        return "Goda rutiner. Personalen kände väl till vad de ska göra vid ett rån."
    return (
        "Kassalådan stod olåst under besöket och längdmärkningen vid utgången saknas. "
        "Ny besiktning när bristerna är åtgärdade."
    )
