"""Demo data of residents' reports (the safety app, measure 10) in Borlänge.

The service set up as a coordinator would: Borlänge's territory, the default categories,
three responsible bodies (the energy company for street lighting, the municipality's street
and park unit, the housing company in Tjärna Ängar by an area rule), a staff account of the
energy company and an Open311 key with a documented value. Then six weeks of reports in
every state — new, received, in progress, fixed (with the follow-up question asked, answered
yes, and answered no so it is reopened), closed as not ours with a referral, as a duplicate
merged into its original, and with no action — with supporters, public replies and internal
comments, and some twenty marks of perceived safety. Points lie near the demo's places, so
the next EST meeting's situation picture counts them.

Everything goes through the services residents and staff use, so the history is real; the
e-mails that history wrote were news weeks ago and are not sent when the demo is loaded.
Deterministic and relative to the demo's "now"; loading twice adds nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from brott.extensions import db
from brott.models import (
    Council,
    OutboxMessage,
    OutboxStatus,
    PartnerOrganisation,
    Place,
    Role,
    User,
)
from brott.models.reports import (
    BodyKind,
    CloseReason,
    Feeling,
    FeelingReason,
    Open311Key,
    ReportCategory,
    ReportSource,
    ReportStatus,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
    SafetyMark,
    TimeOfDay,
)
from brott.services import (
    open311_keys,
    report_handling,
    report_notices,
    report_setup,
    reports,
    safety_marks,
)
from brott.services import users as user_service
from brott.services.places import PlaceData, update_place

COORDINATOR = "samordnare@exempel.se"
PASSWORD = "brott-demo-2018"  # the demo's (services/demo.DEMO_PASSWORD)

# Borlänge kommun, roughly: coordinates outside are refused
TERRITORY = dict(min_latitude=60.35, max_latitude=60.62, min_longitude=14.95, max_longitude=15.75)

OPEN311_KEY = "demo-open311-key"  # documented in the README: the demo's key for Open311 POSTs
OPEN311_CLIENT = "Demo: Felanmälningsappen"

ENERGY = "Borlänge Energi"
STREETS = "Samhällsbyggnadsförvaltningen – gata/park"
HOUSING = "Tunabyggen"

# (name, kind, contact address, the demo's partner organisation of that name, if any)
DEMO_BODIES = [
    (ENERGY, BodyKind.PARTNER, "felanmalan@borlange-energi.example", ENERGY),
    (STREETS, BodyKind.MUNICIPAL_UNIT, "gata.park@borlange.example", None),
    (HOUSING, BodyKind.PARTNER, "felanmalan@tunabyggen.example", None),
]

# service code → default body (reports of "ovrigt" are routed by the coordinators)
DEMO_ROUTES = {
    "belysning": ENERGY,
    "skadegorelse": STREETS,
    "klotter": STREETS,
    "nedskrapning": STREETS,
    "otrygg-plats": STREETS,
    "vegetation": STREETS,
}
# the housing company fixes what is broken in its own area
AREA_RULE = ("skadegorelse", "Tjärna Ängar", HOUSING)

# where the demo's places lie, and their areas (set only where the demo left them empty)
PLACE_POINTS = {
    "Resecentrum": (60.4838, 15.4300, "Centrum"),
    "Centrum": (60.4858, 15.4365, "Centrum"),
    "Jakobsgårdarna": (60.4990, 15.4040, "Jakobsgårdarna"),
    "Tjärna Ängar": (60.4735, 15.4600, "Tjärna Ängar"),
    "Kvarnsveden": (60.5195, 15.4125, "Kvarnsveden"),
}


@dataclass(frozen=True)
class DemoReport:
    days_ago: float
    category: str  # service code
    place: str | None  # a demo place the point lies near; None: in words only
    address: str
    description: str
    story: str  # what happened to it since: see `_tell`
    reply: str = ""  # the public text of its last change
    comment: str = ""  # an internal comment
    email: str = ""
    locale: str = "sv"
    supporters: int = 0
    source: ReportSource = ReportSource.WEB
    referral: str = ""
    later: str = ""  # a public reply after its last change, without a change of status


DEMO_REPORTS = [
    DemoReport(
        41,
        "belysning",
        "Jakobsgårdarna",
        "Gångvägen mot Jakobsgårdsskolan",
        "Tre gatlampor i rad är släckta längs gångvägen, det är helt mörkt på kvällen.",
        "confirmed",
        "Armaturerna är utbytta och alla tre lamporna lyser igen.",
        "Fel på matande kabel, grävning krävdes.",
        email="boende.jakob@exempel.se",
        supporters=2,
    ),
    DemoReport(
        39,
        "klotter",
        "Centrum",
        "Gångtunneln under järnvägen",
        "Nytt klotter på båda väggarna i gångtunneln.",
        "fixed_asked",
        "Klottret är sanerat.",
        email="pendlare@exempel.se",
    ),
    DemoReport(
        37,
        "belysning",
        "Tjärna Ängar",
        "Parkvägen vid lekplatsen",
        "Lampan vid lekplatsen blinkar och slocknar efter en stund.",
        "reopened",
        "Lampan är bytt.",
        email="tjarna.boende@exempel.se",
    ),
    DemoReport(
        36,
        "nedskrapning",
        "Resecentrum",
        "Busshållplatserna vid Resecentrum",
        "Överfulla papperskorgar och skräp runt hållplatserna efter helgen.",
        "fixed",
        "Tömning två gånger i veckan från och med nu.",
    ),
    DemoReport(
        34,
        "otrygg-plats",
        None,
        "Riksväg 70 vid avfarten mot Kvarnsveden",
        "Det saknas belysning och gångbana längs vägen, man går i vägrenen.",
        "not_ours",
        "Vägen sköts av Trafikverket; vi har skickat vidare din synpunkt.",
        referral="Trafikverket: felanmälan av statliga vägar på trafikverket.se",
        email="cyklist@exempel.se",
    ),
    DemoReport(
        33,
        "vegetation",
        "Jakobsgårdarna",
        "Gångvägen mot Jakobsgårdsskolan, vid kurvan",
        "Buskarna skymmer sikten helt i kurvan, man ser inte vem som kommer.",
        "fixed_asked",
        "Buskarna är nerklippta till knähöjd.",
        email="forskola.jakob@exempel.se",
        supporters=1,
    ),
    DemoReport(
        31,
        "skadegorelse",
        "Tjärna Ängar",
        "Tvättstugan vid Tjärnavägen",
        "Krossad ruta i dörren till tvättstugan.",
        "fixed",
        "Rutan är bytt.",
        "Tredje gången i år; tas upp med områdesansvarig.",
    ),
    DemoReport(
        30,
        "ovrigt",
        None,
        "Kupolen, parkeringshuset",
        "Parkeringshuset känns otryggt på kvällen, många trasiga lampor i trapphuset.",
        "no_action",
        "Parkeringshuset ägs av en privat fastighetsägare; vi har informerat dem.",
    ),
    DemoReport(
        28,
        "belysning",
        "Kvarnsveden",
        "Kvarnsvedens centrum, vid busshållplatsen",
        "Gatlampan vid hållplatsen är släckt.",
        "fixed_asked",
        "Lampan är bytt.",
        email="kvarnsveden@exempel.se",
        locale="en",
    ),
    DemoReport(
        26,
        "klotter",
        "Resecentrum",
        "Cykelgaraget vid Resecentrum",
        "Klotter på glasväggarna i cykelgaraget.",
        "in_progress",
        "Saneringsfirman är beställd.",
        "Jernhusen äger väggarna; kostnaden delas enligt avtalet.",
        later="Saneringen görs så snart det är torrt väder, troligen nästa vecka.",
    ),
    DemoReport(
        24,
        "belysning",
        "Centrum",
        "Stationsgatan 12",
        "Gatlampan utanför porten har varit släckt i en vecka.",
        "fixed",
        "Lampan är bytt.",
        email="stationsgatan@exempel.se",
    ),
    DemoReport(
        22,
        "skadegorelse",
        "Centrum",
        "Cykelställen vid biblioteket",
        "Cykelställen är sönderslagna igen.",
        "received",
        "Vi har tagit emot felanmälan och planerar reparation.",
        "Samma plats som situationsnoteringen om skadegörelse; polisen informerad.",
        supporters=3,
    ),
    DemoReport(
        21,
        "nedskrapning",
        "Tjärna Ängar",
        "Återvinningsstationen vid Tjärna centrum",
        "Det dumpas möbler och sopsäckar bredvid containrarna.",
        "reassigned",
        comment="Marken är bostadsbolagets; lämnas över till Tunabyggen.",
    ),
    DemoReport(
        19,
        "belysning",
        "Resecentrum",
        "Gångbron över spåren",
        "Halva gångbron är mörk, flera lampor släckta.",
        "in_progress",
        "Reservdelar är beställda; lamporna byts inom två veckor.",
        "Specialarmatur, leveranstid tio dagar.",
        email="pendlare2@exempel.se",
        locale="en",
        supporters=2,
        source=ReportSource.OPEN311,
    ),
    DemoReport(
        17,
        "otrygg-plats",
        "Resecentrum",
        "Bakom Resecentrum mot parkeringen",
        "Mörkt och ödsligt, grupper samlas här på helgkvällar.",
        "received",
        "Vi tar upp platsen på nästa EST-möte tillsammans med polisen.",
        "Passar in i bilden från cityvärdarna; förslag: kvällsrunda.",
        email="resenar@exempel.se",
        supporters=1,
    ),
    DemoReport(
        15,
        "vegetation",
        "Kvarnsveden",
        "Cykelvägen längs Dalälven",
        "Sly har vuxit in över cykelvägen.",
        "fixed",
        "Slyet är röjt.",
    ),
    DemoReport(
        13,
        "belysning",
        "Jakobsgårdarna",
        "Gångtunneln under Jakobsgårdsvägen",
        "Två av lamporna i tunneln lyser inte igen.",
        "received",
        "Tack, vi åtgärdar det.",
        email="tunneln@exempel.se",
        supporters=1,
    ),
    DemoReport(
        12,
        "belysning",
        "Jakobsgårdarna",
        "Tunneln vid Jakobsgårdsvägen",
        "Mörkt i tunneln, lampor trasiga.",
        "duplicate",
        "Samma fel som en tidigare felanmälan; vi följer upp den.",
        email="granne.jakob@exempel.se",
    ),
    DemoReport(
        11,
        "klotter",
        "Centrum",
        "Borlänge bibliotek, baksidan",
        "Stora klotter på bibliotekets baksida.",
        "in_progress",
        "Sanering är beställd.",
    ),
    DemoReport(
        10,
        "skadegorelse",
        "Tjärna Ängar",
        "Lekplatsen vid Tjärna Ängar",
        "Gungorna är sönderskurna.",
        "received",
        "Vi byter gungorna.",
        supporters=2,
    ),
    DemoReport(
        9,
        "nedskrapning",
        "Centrum",
        "Sveatorget",
        "Glassplitter vid bänkarna på torget.",
        "fixed",
        "Torget är städat.",
        email="torget@exempel.se",
    ),
    DemoReport(
        8,
        "belysning",
        "Centrum",
        "Borganäsvägen vid övergångsstället",
        "Belysningen vid övergångsstället är släckt, svårt att se gående.",
        "in_progress",
        "Felsökning pågår.",
        "Troligen fel i styrskåpet; tekniker på plats torsdag.",
    ),
    DemoReport(
        6,
        "otrygg-plats",
        "Jakobsgårdarna",
        "Busshållplatsen Jakobsgårdarna",
        "Grupper samlas vid hållplatsen på kvällarna och det känns otryggt att vänta.",
        "new",
        email="busspendlare@exempel.se",
        supporters=2,
    ),
    DemoReport(
        5,
        "belysning",
        "Tjärna Ängar",
        "Gångvägen mellan Tjärna Ängar och Hagalund",
        "Fyra lampor i rad släckta.",
        "new",
        email="kvallspromenad@exempel.se",
        locale="en",
    ),
    DemoReport(
        4,
        "klotter",
        "Resecentrum",
        "Väntsalen, Resecentrum",
        "Klotter på bänkarna i väntsalen.",
        "new",
        source=ReportSource.OPEN311,
    ),
    DemoReport(
        3,
        "ovrigt",
        "Centrum",
        "Centrumgallerians entré",
        "Trasig dörr som inte går att stänga, blåser in och känns ovårdat.",
        "new",
    ),
    DemoReport(
        2.5,
        "vegetation",
        "Centrum",
        "Parken vid Forssaklack",
        "Häcken har växt så hög att gångvägen inte syns från gatan.",
        "new",
        email="parken@exempel.se",
    ),
    DemoReport(
        2,
        "belysning",
        "Kvarnsveden",
        "Kvarnsvedens skola, skolgården",
        "Belysningen på skolgården är släckt.",
        "received",
        "Vi har tagit emot felanmälan.",
    ),
    DemoReport(
        1,
        "skadegorelse",
        "Resecentrum",
        "Biljettautomaten vid spår 1",
        "Skärmen på biljettautomaten är krossad.",
        "new",
    ),
    DemoReport(
        0.3,
        "belysning",
        "Resecentrum",
        "Parkeringen vid Resecentrum",
        "Flera lampor på parkeringen är släckta.",
        "new",
        email="parkering@exempel.se",
    ),
]

# the marks take turns among the places; every fifth is a place where someone feels safe
DEMO_MARK_PLACES = ["Resecentrum", "Centrum", "Jakobsgårdarna", "Tjärna Ängar", "Kvarnsveden"]
UNSAFE_REASONS = [
    FeelingReason.LIGHTING,
    FeelingReason.DESERTED,
    FeelingReason.GROUPS,
    FeelingReason.DRUGS,
    FeelingReason.VEGETATION,
    FeelingReason.UNTIDY,
]
MARKS = 20


def _spread(n: int, salt: int) -> float:
    """A fixed number in [-1, 1) for the n-th item: points scattered the same way on every
    load, without a random generator."""
    return ((n * 37 + salt * 101) % 97) / 48.5 - 1


def load_demo(
    council: Council,
    users: dict[str, User],
    now: datetime,
    staff: tuple[str, str, Role],
) -> None:
    """Set up the demo council's report service and load its reports and marks as of `now`;
    `staff` (e-mail, name, role) is the energy company's staff member. Safe to repeat."""
    places = _placed(council.id)
    settings = reports.settings_for(council.id)
    for name, value in TERRITORY.items():
        setattr(settings, name, value)
    settings.open311_key_required = True
    if not settings.contact_text:
        settings.contact_text = "Borlänge kommun, kontaktcenter, och Borlänge Energi."
    report_setup.seed_defaults(council.id)
    bodies = _bodies(council)
    _routes(council.id, bodies)
    handler = _body_staff(council, bodies[ENERGY], staff, now)
    _open311_key(council.id, now)
    db.session.flush()
    if db.session.scalar(
        db.select(ResidentReport.id).where(ResidentReport.council_id == council.id).limit(1)
    ):
        return
    coordinator = users[COORDINATOR]
    _reports(council.id, places, bodies, coordinator, handler, now)
    _marks(council.id, places, now)
    _forget_history_mail(council.id, now)
    db.session.flush()


def _placed(council_id: int) -> dict[str, Place]:
    """The demo's places, each with a point and an area (where it had none)."""
    places = {
        place.name: place
        for place in db.session.scalars(db.select(Place).where(Place.council_id == council_id))
    }
    for name, (lat, lon, area) in PLACE_POINTS.items():
        place = places.get(name)
        if place is None or (place.latitude is not None and place.area):
            continue
        update_place(
            place,
            PlaceData(
                place.name,
                place.area or area,
                place.latitude if place.latitude is not None else lat,
                place.longitude if place.longitude is not None else lon,
            ),
            place.version,
        )
    return places


def _bodies(council: Council) -> dict[str, ResponsibleBody]:
    found = {
        body.name: body
        for body in db.session.scalars(
            db.select(ResponsibleBody).where(ResponsibleBody.council_id == council.id)
        )
    }
    for name, kind, contact, partner_name in DEMO_BODIES:
        if name in found:
            continue
        partner = (
            db.session.scalars(
                db.select(PartnerOrganisation).where(
                    PartnerOrganisation.council_id == council.id,
                    PartnerOrganisation.name == partner_name,
                )
            ).first()
            if partner_name
            else None
        )
        body = ResponsibleBody(
            council_id=council.id,
            name=name,
            kind=kind,
            partner=partner,
            contact_email=contact,
            active=True,
        )
        db.session.add(body)
        found[name] = body
    db.session.flush()
    return found


def _routes(council_id: int, bodies: dict[str, ResponsibleBody]) -> None:
    categories = _categories(council_id)
    for code, body_name in DEMO_ROUTES.items():
        category = categories.get(code)
        if category is not None and category.body_id is None:
            category.body = bodies[body_name]
    code, area, body_name = AREA_RULE
    category = categories.get(code)
    if category is None:
        return
    exists = db.session.scalar(
        db.select(RoutingRule.id).where(
            RoutingRule.category_id == category.id, RoutingRule.area == area
        )
    )
    if not exists:
        db.session.add(
            RoutingRule(
                council_id=council_id,
                category_id=category.id,
                area=area,
                body_id=bodies[body_name].id,
            )
        )
    db.session.flush()


def _categories(council_id: int) -> dict[str, ReportCategory]:
    return {
        category.service_code: category
        for category in db.session.scalars(
            db.select(ReportCategory).where(ReportCategory.council_id == council_id)
        )
    }


def _body_staff(
    council: Council, body: ResponsibleBody, staff: tuple[str, str, Role], now: datetime
) -> User:
    """The energy company's staff member, who sees and handles only its reports."""
    email, name, role = staff
    user = user_service.find_user(email)
    if user is not None and user_service.membership_of(user.id, council.id) is not None:
        return user
    return user_service.add_member(council, email, name, PASSWORD, role, now, body_id=body.id).user


def _open311_key(council_id: int, now: datetime) -> None:
    digest = open311_keys.key_hash(OPEN311_KEY)
    if not db.session.scalar(db.select(Open311Key.id).where(Open311Key.key_hash == digest)):
        db.session.add(
            Open311Key(council_id=council_id, name=OPEN311_CLIENT, key_hash=digest, created_at=now)
        )


def _reports(
    council_id: int,
    places: dict[str, Place],
    bodies: dict[str, ResponsibleBody],
    coordinator: User,
    staff: User,
    now: datetime,
) -> None:
    categories = _categories(council_id)
    filed: list[ResidentReport] = []
    for demo in DEMO_REPORTS:
        filed_at = now - timedelta(days=demo.days_ago)
        lat = lon = None
        if demo.place is not None and demo.place in places:
            base_lat, base_lon, _area = PLACE_POINTS[demo.place]
            lat = round(base_lat + 0.0012 * _spread(len(filed), 1), 6)
            lon = round(base_lon + 0.0024 * _spread(len(filed), 2), 6)
        report = reports.submit(
            council_id,
            reports.ReportData(
                category_id=categories[demo.category].id,
                address=demo.address,
                description=demo.description,
                latitude=lat,
                longitude=lon,
                email=demo.email,
                locale=demo.locale,
                source=demo.source,
            ),
            filed_at,
        )
        for n in range(demo.supporters):
            reports.support(
                report,
                f"stod{len(filed)}.{n}@exempel.se" if n % 2 == 0 else "",
                "sv",
                filed_at + timedelta(hours=3 + 5 * n),
            )
        handler = staff if report.body_id == bodies[ENERGY].id else coordinator
        _tell(demo, report, handler, filed, bodies, now)
        filed.append(report)


def _tell(
    demo: DemoReport,
    report: ResidentReport,
    handler: User,
    filed: list[ResidentReport],
    bodies: dict[str, ResponsibleBody],
    now: datetime,
) -> None:
    """What happened to the report after it was filed, step by step from its filing."""
    start = report.created_at
    step = 0

    def at() -> datetime:
        nonlocal step
        step += 1
        moment = start + timedelta(hours=18 * step)
        return min(moment, now - timedelta(minutes=30 - step))

    def status(value: ReportStatus, text: str = "") -> None:
        report_handling.set_status(report, handler, value, text, report.version, at())

    story = demo.story
    if story == "new":
        return
    if demo.comment:
        report_handling.comment(report, handler, demo.comment, at())
    if story == "received":
        status(ReportStatus.RECEIVED, demo.reply)
    elif story == "in_progress":
        status(ReportStatus.RECEIVED)
        status(ReportStatus.IN_PROGRESS, demo.reply)
    elif story in ("fixed", "fixed_asked", "confirmed", "reopened"):
        status(ReportStatus.RECEIVED)
        status(ReportStatus.FIXED, demo.reply)
        if story == "fixed":
            return
        assert report.fixed_at is not None  # just fixed
        asked = min(report.fixed_at + timedelta(weeks=4), now - timedelta(hours=2))
        report.follow_up_sent_at = asked
        if story == "confirmed":
            report_handling.answer_follow_up(report, True, "", asked + timedelta(hours=1))
        elif story == "reopened":
            report_handling.answer_follow_up(
                report, False, "Lampan slocknar fortfarande efter en stund.", asked
            )
    elif story == "not_ours":
        report_handling.close(
            report,
            handler,
            CloseReason.NOT_OURS,
            demo.reply,
            demo.referral,
            None,
            report.version,
            at(),
        )
    elif story == "no_action":
        report_handling.close(
            report, handler, CloseReason.NO_ACTION, demo.reply, "", None, report.version, at()
        )
    elif story == "duplicate":
        original = next(
            earlier
            for earlier in reversed(filed)
            if earlier.category_id == report.category_id and earlier.is_open
        )
        report_handling.close(
            report,
            handler,
            CloseReason.DUPLICATE,
            demo.reply,
            "",
            original,
            report.version,
            at(),
        )
    elif story == "reassigned":
        report_handling.reassign(report, handler, bodies[HOUSING], "", report.version, at())
        status(ReportStatus.RECEIVED, "Bostadsbolaget hämtar det dumpade under veckan.")
    if demo.later:
        report_handling.reply(report, handler, demo.later, report.version, at())
    db.session.flush()


def _marks(council_id: int, places: dict[str, Place], now: datetime) -> None:
    """Marks of perceived safety over six weeks, denser lately (a few since the last EST
    meeting), most of them unsafe, near the places."""
    if db.session.scalar(
        db.select(SafetyMark.id).where(SafetyMark.council_id == council_id).limit(1)
    ):
        return
    for n in range(MARKS):
        name = DEMO_MARK_PLACES[n % len(DEMO_MARK_PLACES)]
        safe = n % 5 == 4
        lat, lon, _area = PLACE_POINTS[name]
        point = name in places
        safety_marks.record_mark(
            council_id,
            safety_marks.MarkData(
                feeling=Feeling.SAFE if safe else Feeling.UNSAFE,
                time_of_day=TimeOfDay.DAYTIME
                if safe
                else (TimeOfDay.EVENING, TimeOfDay.NIGHT)[n % 3 // 2],
                reason=FeelingReason.GOOD if safe else UNSAFE_REASONS[n * 5 % len(UNSAFE_REASONS)],
                address=name,
                latitude=round(lat + 0.001 * _spread(n, 3), 6) if point else None,
                longitude=round(lon + 0.002 * _spread(n, 4), 6) if point else None,
            ),
            now - timedelta(days=0.2 + n**1.6 / 2.65 + 0.05 * _spread(n, 5)),
        )


def _forget_history_mail(council_id: int, now: datetime) -> None:
    """The e-mails of the demo's history (bodies told, receipts, updates) were news weeks
    ago: they are not sent when the demo is loaded."""
    kinds = (
        report_notices.REPORT_NEW,
        report_notices.REPORT_UPDATE,
        report_notices.REPORT_FOLLOW_UP,
    )
    for row in db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.council_id == council_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind.in_(kinds),
            OutboxMessage.created_at <= now,
        )
    ):
        row.status = OutboxStatus.DROPPED
        row.last_error = "demo history: never news to anyone"
