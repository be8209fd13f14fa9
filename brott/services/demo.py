"""Demo data: Borlänge's citizen promise 2018–2019 with its 13 measures, situation notes,
a living EST cycle (services/demo_est), the measure tools' data and residents' reports
(services/demo_reports).

The facts (measures, partners, period, signatories) come from the municipality's published
promise; every description here is written anew for the tracker.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from brott.extensions import db
from brott.models import (
    CitizenPromise,
    Council,
    Measure,
    MeasureStatus,
    MeasureTool,
    Membership,
    NoteCategory,
    NoteSource,
    PartnerOrganisation,
    Place,
    Role,
    SituationNote,
    User,
    Visibility,
)
from brott.services import (
    demo_cameras,
    demo_certification,
    demo_follow_up,
    demo_indicators,
    demo_reports,
    demo_walks,
)
from brott.services import measures as measure_service
from brott.services import users as user_service
from brott.services.councils import create_council, find_council
from brott.services.demo_est import load_est_cycle
from brott.services.places import PlaceData, add_default_categories, add_place

DEMO_SLUG = "borlange"
DEMO_PASSWORD = "brott-demo-2018"

DEMO_USERS = [
    ("admin@exempel.se", "Maja Lind", Role.ADMIN),
    ("samordnare@exempel.se", "Erik Sandberg", Role.COORDINATOR),
    ("ledamot@exempel.se", "Sara Holm", Role.MEMBER),
    ("polis@exempel.se", "Johan Berg", Role.POLICE),
]

# the energy company's staff member: sees and handles only its residents' reports
# (services/demo_reports makes the account, with its body)
DEMO_BODY_STAFF = ("energi@exempel.se", "Anna Ek", Role.BODY_STAFF)

DEMO_PARTNERS = [
    ("Polisen, lokalpolisområde Borlänge", "Myndighet"),
    ("Jernhusen", "Fastighetsbolag"),
    ("Trafikverket", "Myndighet"),
    ("Dalatrafik", "Kollektivtrafik"),
    ("Borlänge Energi", "Energibolag"),
    ("Föreningslivet i Borlänge", "Föreningar"),
]


@dataclass(frozen=True)
class DemoMeasure:
    title: str
    category: str
    description: str
    status: MeasureStatus
    progress: int
    owner: str  # e-mail of the demo owner
    partners: tuple[str, ...] = ()


POLICE = DEMO_PARTNERS[0][0]

DEMO_MEASURES = [
    DemoMeasure(
        "Trygghetsvärdar",
        "Närvaro i offentlig miljö",
        "Vuxna värdar möter unga där de faktiskt är – på kvällar, i centrum och i "
        "bostadsområden – och inte bara i skolan. De bygger förtroende, sätter gränser när det "
        "behövs, söker upp unga som riskerar att hamna snett och kan rycka ut snabbt. Ingår i "
        "polisens del av löftet.",
        MeasureStatus.ONGOING,
        60,
        "ledamot@exempel.se",
        (POLICE,),
    ),
    DemoMeasure(
        "EST – effektiv samordning för trygghet",
        "Samverkan",
        "Kommunen, polisen och andra samhällsaktörer träffas varannan vecka, enas om en "
        "gemensam lägesbild och bestämmer vem som gör vad och var. Syftet är att styra "
        "resurserna dit de gör mest nytta.",
        MeasureStatus.ONGOING,
        70,
        "samordnare@exempel.se",
        (POLICE,),
    ),
    DemoMeasure(
        "Medborgardialog",
        "Delaktighet",
        "Strukturerade samtal med invånarna så att deras erfarenheter och behov påverkar "
        "besluten. Särskild vikt läggs vid grupper som sällan deltar i vanliga samråd och val.",
        MeasureStatus.ONGOING,
        40,
        "ledamot@exempel.se",
    ),
    DemoMeasure(
        "Samverkan med civilsamhället",
        "Samverkan",
        "Kommunen stöttar föreningar som vill driva långsiktiga verksamheter och uppmanar "
        "civilsamhället att själv ta fler initiativ för tryggheten.",
        MeasureStatus.PLANNED,
        10,
        "samordnare@exempel.se",
        ("Föreningslivet i Borlänge",),
    ),
    DemoMeasure(
        "Cityvärdar",
        "Närvaro i offentlig miljö",
        "Värdar på Resecentrum och i centrum som informerar resenärer och håller miljön "
        "trivsam. Drivs tillsammans med Jernhusen, Trafikverket och Dalatrafik; resultatet "
        "följs i Jernhusens resenärsundersökningar.",
        MeasureStatus.ONGOING,
        80,
        "samordnare@exempel.se",
        ("Jernhusen", "Trafikverket", "Dalatrafik"),
    ),
    DemoMeasure(
        "Skydd mot rån i handeln",
        "Näringsliv",
        "Handeln och polisen har kommit överens om ett program med 13 punkter som minskar "
        "risken för rån. En besiktningsman certifierar butiker som uppfyller dem, och kommunen "
        "ska erbjuda alla näringsidkare att certifiera sig.",
        MeasureStatus.ONGOING,
        35,
        "samordnare@exempel.se",
        (POLICE,),
    ),
    DemoMeasure(
        "Trygghetsvandringar",
        "Fysisk miljö",
        "Vandringar genom kommunens områden där deltagarna pekar ut platser som känns "
        "otrygga. Varje vandring leder till en handlingsplan med åtgärder och ansvariga.",
        MeasureStatus.ONGOING,
        50,
        "ledamot@exempel.se",
        (POLICE,),
    ),
    DemoMeasure(
        "Trygghetsvandringar i sociala medier",
        "Digital trygghet",
        "Kommunen blir mer närvarande på webben och i sociala medier för att göra den "
        "digitala miljön tryggare för invånarna.",
        MeasureStatus.PLANNED,
        0,
        "samordnare@exempel.se",
    ),
    DemoMeasure(
        "Kameror och ordningsvakter",
        "Fysisk miljö",
        "Utreda om kamerabevakning och ordningsvakter kan användas där behovet är störst, "
        "och i så fall var.",
        MeasureStatus.INVESTIGATING,
        20,
        "samordnare@exempel.se",
        (POLICE,),
    ),
    DemoMeasure(
        "Trygghetsapp",
        "Fysisk miljö",
        "Utreda ett enkelt sätt för invånare att anmäla sådant som skapar otrygghet, till "
        "exempel trasig gatubelysning, så att kommunen och Borlänge Energi kan åtgärda det.",
        MeasureStatus.INVESTIGATING,
        15,
        "samordnare@exempel.se",
        ("Borlänge Energi",),
    ),
    DemoMeasure(
        "Stöd för föräldrar",
        "Barn och unga",
        "Föräldrastöd byggt på beprövade metoder, erbjudet tillsammans av skolan, "
        "socialtjänsten och elevhälsan.",
        MeasureStatus.PLANNED,
        5,
        "ledamot@exempel.se",
    ),
    DemoMeasure(
        "Människan bakom uniformen (MBU)",
        "Barn och unga",
        "Två gånger om året får tolv ungdomar prova på polisens, räddningstjänstens och "
        "andra uniformsyrkens vardag tillsammans med dem som arbetar där. Målet är möten "
        "som skapar förståelse åt båda hållen.",
        MeasureStatus.ONGOING,
        50,
        "ledamot@exempel.se",
        (POLICE,),
    ),
    DemoMeasure(
        "Sommarskola",
        "Barn och unga",
        "Sex veckors sommarskola där elever i årskurs 6–9 och på gymnasiets "
        "introduktionsprogram kan nå kunskapskraven, med fritidsaktiviteter efter lektionerna. "
        "Årskurs 4–5 erbjuds aktiviteter på förmiddagarna.",
        MeasureStatus.DONE,
        100,
        "samordnare@exempel.se",
    ),
]


def load_demo(now: datetime) -> Council:
    """Create the demo council, its promise, partners, users and measures as of `now`;
    safe to repeat."""
    council = find_council(DEMO_SLUG) or create_council(
        DEMO_SLUG, "Borlänges lokala brottsförebyggande råd", "Borlänge kommun"
    )
    promise = _promise(council)
    partners = {name: _partner(council, name, kind) for name, kind in DEMO_PARTNERS}
    users = {email: _member(council, email, name, role) for email, name, role in DEMO_USERS}
    coordinator = users["samordnare@exempel.se"]
    existing = set(
        db.session.scalars(db.select(Measure.title).where(Measure.council_id == council.id))
    )
    for demo in DEMO_MEASURES:
        if demo.title in existing:
            continue
        measure = measure_service.create_measure(
            council.id,
            coordinator,
            measure_service.MeasureData(
                title=demo.title,
                description=demo.description,
                category=demo.category,
                start_date=promise.period_start,
                end_date=promise.period_end,
                owner_ids=[users[demo.owner].id],
                partner_ids=[partners[name].id for name in demo.partners],
            ),
            now,
        )
        if demo.status is not MeasureStatus.PLANNED or demo.progress:
            measure_service.record_update(
                measure,
                coordinator,
                demo.status,
                demo.progress,
                "Läget när löftet lades in i trackern.",
                now,
                seen_version=measure.version,
            )
    _notes(council, users, now)
    load_est_cycle(council, users, now)
    _measure_tools(council, users, now)
    demo_reports.load_demo(council, users, now, DEMO_BODY_STAFF)
    demo_follow_up.load_demo(council, users, now)
    db.session.flush()
    return council


# the working tool each demo measure's page leads to
DEMO_TOOLS = {
    "Trygghetsvärdar": MeasureTool.ACTIVITY_LOG,
    "Medborgardialog": MeasureTool.ACTIVITY_LOG,
    "Skydd mot rån i handeln": MeasureTool.CERTIFICATION,
    "Trygghetsvandringar": MeasureTool.SAFETY_WALKS,
    "Trygghetsvandringar i sociala medier": MeasureTool.ACTIVITY_LOG,
    "Kameror och ordningsvakter": MeasureTool.CAMERAS,
    "Stöd för föräldrar": MeasureTool.ACTIVITY_LOG,
    "Människan bakom uniformen (MBU)": MeasureTool.ACTIVITY_LOG,
    "Sommarskola": MeasureTool.ACTIVITY_LOG,
}


def _measure_tools(council: Council, users: dict[str, User], now: datetime) -> None:
    """Each tool's demo: indicators and activity logs, the certification register, safety
    walks, camera sites and guards; a measure without a tool gets its demo tool."""
    measures = {
        m.title: m
        for m in db.session.scalars(db.select(Measure).where(Measure.council_id == council.id))
    }
    for title, tool in DEMO_TOOLS.items():
        if title in measures and measures[title].tool is None:
            measures[title].tool = tool
    db.session.flush()
    for loader in (
        demo_certification.load_demo,
        demo_indicators.load_demo,
        demo_walks.load_demo,
        demo_cameras.load_demo,
    ):
        loader(council, users, measures, now)


DEMO_PLACES = ("Resecentrum", "Centrum", "Jakobsgårdarna", "Tjärna Ängar", "Kvarnsveden")

# (hours ago, place, category, source, visibility, text): places, times and patterns only
DEMO_NOTES = [
    (
        20,
        "Resecentrum",
        "Störning",
        NoteSource.POLICE,
        Visibility.SHARED,
        "Fler ordningsstörningar vid Resecentrum sena kvällar de två senaste helgerna, främst "
        "mellan 22 och 01.",
    ),
    (
        30,
        "Resecentrum",
        "Ungdomsgrupperingar",
        NoteSource.CITY_HOST,
        Visibility.SHARED,
        "En större grupp unga samlas vid busshållplatserna fredag och lördag kväll, ungefär "
        "21–23. Högljutt men inga skador; cityvärdarna har varit på plats.",
    ),
    (
        54,
        "Centrum",
        "Klotter",
        NoteSource.SAFETY_HOST,
        Visibility.SHARED,
        "Nytt klotter i gångtunneln under järnvägen, samma signatur som tidigare i månaden.",
    ),
    (
        80,
        "Jakobsgårdarna",
        "Otrygg plats",
        NoteSource.RESIDENT,
        Visibility.SHARED,
        "Gatubelysningen längs gångvägen mot skolan är trasig på en lång sträcka och upplevs "
        "otrygg efter mörkrets inbrott. Anmält till Borlänge Energi.",
    ),
    (
        40,
        "Tjärna Ängar",
        "Störning",
        NoteSource.HOUSING,
        Visibility.INTERNAL,
        "Bostadsbolaget ser återkommande störningar i ett trapphus sena vardagskvällar och för "
        "dialog med hyresgästerna. Följs upp internt innan något delas.",
    ),
    (
        100,
        "Centrum",
        "Skadegörelse",
        NoteSource.SAFETY_HOST,
        Visibility.INTERNAL,
        "Cykelställen vid biblioteket har skadats för tredje gången på två veckor, nattetid.",
    ),
]


def _notes(council: Council, users: dict[str, User], now: datetime) -> None:
    add_default_categories(council.id)
    places = {
        p.name: p
        for p in db.session.scalars(db.select(Place).where(Place.council_id == council.id))
    }
    for name in DEMO_PLACES:
        if name not in places:
            places[name] = add_place(council.id, PlaceData(name))
    if db.session.scalar(
        db.select(SituationNote.id).where(SituationNote.council_id == council.id).limit(1)
    ):
        return
    categories = {
        c.name: c
        for c in db.session.scalars(
            db.select(NoteCategory).where(NoteCategory.council_id == council.id)
        )
    }
    for hours, place, category, source, visibility, text in DEMO_NOTES:
        author = users[
            "polis@exempel.se" if source is NoteSource.POLICE else "samordnare@exempel.se"
        ]
        db.session.add(
            SituationNote(
                council_id=council.id,
                observed_from=now - timedelta(hours=hours),
                place_id=places[place].id,
                category_id=categories[category].id,
                source=source,
                visibility=visibility,
                text=text,
                author_id=author.id,
                created_at=now - timedelta(hours=hours - 1),
                updated_at=now,
            )
        )


def _promise(council: Council) -> CitizenPromise:
    promise = db.session.scalars(
        db.select(CitizenPromise).where(CitizenPromise.council_id == council.id)
    ).first()
    if promise is None:
        promise = CitizenPromise(
            council=council,
            title="Medborgarlöfte 2018–2019",
            goal="Ett Borlänge där det är tryggt och levande att bo och arbeta – genom både "
            "snabba insatser och långsiktigt arbete, med polisen och andra aktörer.",
            municipality="Borlänge kommun",
            police_area="Lokalpolisområde Borlänge",
            period_start=date(2018, 1, 1),
            period_end=date(2019, 12, 31),
            # the published text gives no day; its place among dated posts puts it in March 2018
            signed_on=date(2018, 3, 21),
            chair_signatory="Rådets ordförande (kommunalråd)",
            police_signatory="Mats Lagerblad, lokalpolisområdeschef",
        )
        db.session.add(promise)
        db.session.flush()
    return promise


def _partner(council: Council, name: str, kind: str) -> PartnerOrganisation:
    partner = db.session.scalars(
        db.select(PartnerOrganisation).where(
            PartnerOrganisation.council_id == council.id, PartnerOrganisation.name == name
        )
    ).one_or_none()
    if partner is None:
        partner = PartnerOrganisation(council=council, name=name, kind=kind)
        db.session.add(partner)
        db.session.flush()
    return partner


def _member(council: Council, email: str, name: str, role: Role) -> User:
    user = user_service.find_user(email)
    has_membership = (
        user is not None
        and db.session.scalars(
            db.select(Membership.id).where(
                Membership.user_id == user.id, Membership.council_id == council.id
            )
        ).first()
    )
    if not has_membership:
        return user_service.add_member(council, email, name, DEMO_PASSWORD, role).user
    assert user is not None  # a membership implies its account
    return user
