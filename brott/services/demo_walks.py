"""Demo data: two safety walks in Borlänge.

A walk through Jakobsgårdarna two months before the demo is loaded, with its follow-up
meeting held: four findings, each an action of a demo user (one the energy company's work,
followed up by the coordinator), two of them done, every one answered. And a re-walk of the
same area planned a month ahead, which shows what has been fixed so far. Everything goes
through the same services a coordinator uses; loading twice adds nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from brott.clock import STOCKHOLM
from brott.extensions import db
from brott.models import (
    ActionStatus,
    Council,
    Measure,
    MeasureTool,
    NoteCategory,
    OutboxMessage,
    OutboxStatus,
    PartnerOrganisation,
    Place,
    User,
)
from brott.models.walks import SafetyWalk
from brott.services import actions as action_service
from brott.services import walks as service
from brott.services.places import PlaceData, add_category, add_place

MEASURE = "Trygghetsvandringar"
WALK_TITLE = "Trygghetsvandring Jakobsgårdarna"
REWALK_TITLE = "Återbesök Jakobsgårdarna"
PARTNER = "Borlänge Energi"
COORDINATOR = "samordnare@exempel.se"


@dataclass(frozen=True)
class DemoFinding:
    place: str
    category: str
    description: str
    action: str
    owner: str  # e-mail of a demo user
    due_in_days: int  # from the walk
    answer: str
    partner: str | None = None
    done: bool = False


DEMO_FINDINGS = [
    DemoFinding(
        "Gångtunneln under Jakobsgårdsvägen",
        "Otrygg plats",
        "Tunneln är mörk kvällstid: tre av fem lampor lyser inte och det syns inte vem som "
        "kommer från andra hållet.",
        "Byt trasiga armaturer och sätt in starkare ljus i tunneln",
        COORDINATOR,
        21,
        "Energibolaget byter armaturerna inom tre veckor och ser över ljusstyrkan.",
        partner=PARTNER,
        done=True,
    ),
    DemoFinding(
        "Lekplatsen vid Jakobsgårdarnas centrum",
        "Skadegörelse",
        "Krossat glas i sandlådan och en trasig grind; platsen används av unga sena kvällar.",
        "Städa lekplatsen och laga grinden",
        "ledamot@exempel.se",
        14,
        "Fastighetsskötseln städar varje måndag och lagar grinden direkt.",
        done=True,
    ),
    DemoFinding(
        "Gångvägen mot Jakobsgårdsskolan",
        "Otrygg plats",
        "Höga buskar längs gångvägen skymmer sikten på båda sidor, särskilt vid kurvan.",
        "Klipp ner buskarna längs gångvägen till knähöjd",
        "ledamot@exempel.se",
        45,
        "Parkavdelningen tar det i höstens beskärning.",
    ),
    DemoFinding(
        "Busshållplatsen Jakobsgårdarna",
        "Ungdomsgrupperingar",
        "Grupper samlas vid hållplatsen fredag och lördag kväll; väntande resenärer upplever "
        "det som otryggt.",
        "Lägg in hållplatsen i trygghetsvärdarnas kvällsrunda på helger",
        "polis@exempel.se",
        30,
        "Polisen och trygghetsvärdarna samordnar kvällsrundorna från nästa månad.",
    ),
]


def load_demo(
    council: Council, users: dict[str, User], measures: dict[str, Measure], now: datetime
) -> None:
    """Create the demo council's two safety walks as of `now`; safe to repeat."""
    titles = set(
        db.session.scalars(db.select(SafetyWalk.title).where(SafetyWalk.council_id == council.id))
    )
    if WALK_TITLE in titles:
        return
    measure = measures.get(MEASURE)
    if measure is not None and measure.tool is None:
        measure.tool = MeasureTool.SAFETY_WALKS
    coordinator = users[COORDINATOR]
    walk_day = now.astimezone(STOCKHOLM).date() - timedelta(days=60)
    walked_at = now - timedelta(days=60)
    partner = _partner(council.id, PARTNER)
    walk, _ = service.create_walk(
        council.id,
        coordinator,
        service.WalkData(
            title=WALK_TITLE,
            area="Jakobsgårdarna",
            walk_date=walk_day,
            place_id=_place(council.id, "Jakobsgårdarna"),
            route="Samling vid centrumtorget, gångtunneln, lekplatsen, gångvägen mot skolan och "
            "tillbaka via busshållplatsen. Ungefär en timme i kvällsmörker.",
            preparation_date=walk_day - timedelta(days=14),
            follow_up_date=walk_day + timedelta(days=18),
            participant_ids=[u.id for u in users.values()],
            partner_ids=[p.id for p in (partner,) if p is not None],
            other_participants=9,
            measure_id=measure.id if measure is not None and measure.tool else None,
        ),
        walked_at - timedelta(days=20),
    )
    answered_at = walked_at + timedelta(days=18)
    for demo in DEMO_FINDINGS:
        finding = service.add_finding(
            walk,
            coordinator,
            service.FindingData(
                place_id=_place(council.id, demo.place),
                description=demo.description,
                category_id=_category(council.id, demo.category),
                action_title=demo.action,
                owner_id=users[demo.owner].id,
                due_date=walk_day + timedelta(days=demo.due_in_days),
                owner_partner_id=partner.id if demo.partner and partner else None,
            ),
            walked_at,
            walk_day,
        )
        service.answer_finding(finding, demo.answer, coordinator, answered_at, finding.answered_at)
        if demo.done:
            action_service.set_action_status(
                finding.action,
                ActionStatus.DONE,
                "Klart enligt handlingsplanen.",
                walked_at + timedelta(days=demo.due_in_days - 2),
            )
        _forget_assignment_notice(finding.action_id)
    rewalk = service.rewalk_data(walk)
    rewalk.title = REWALK_TITLE
    rewalk.walk_date = now.astimezone(STOCKHOLM).date() + timedelta(days=30)
    rewalk.preparation_date = rewalk.walk_date - timedelta(days=14)
    rewalk.follow_up_date = rewalk.walk_date + timedelta(days=21)
    service.create_walk(council.id, coordinator, rewalk, now)
    db.session.flush()


def _forget_assignment_notice(action_id: int) -> None:
    """An action assigned weeks ago in the demo's history was never news to anyone now."""
    for row in db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.key.like(f"assigned:{action_id}:%"),
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ):
        row.status = OutboxStatus.DROPPED
        row.last_error = "demo history: never news to anyone"


def _place(council_id: int, name: str) -> int:
    found = db.session.scalars(
        db.select(Place).where(Place.council_id == council_id, Place.name == name)
    ).first()
    return (found or add_place(council_id, PlaceData(name, area="Jakobsgårdarna"))).id


def _category(council_id: int, name: str) -> int:
    found = db.session.scalars(
        db.select(NoteCategory).where(
            NoteCategory.council_id == council_id, NoteCategory.name == name
        )
    ).first()
    return (found or add_category(council_id, name)).id


def _partner(council_id: int, name: str) -> PartnerOrganisation | None:
    return db.session.scalars(
        db.select(PartnerOrganisation).where(
            PartnerOrganisation.council_id == council_id, PartnerOrganisation.name == name
        )
    ).first()
