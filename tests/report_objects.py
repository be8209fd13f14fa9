"""One object of each kind of residents' reports in a council, for the sweeps that visit
every URL (the permission matrix, the access sweep, no-405, the language sweeps), and the
body-staff user whose body they belong to.

Every text the public must never see is planted with a marker (INTERNAL_MARKERS), so a
sweep can search any public answer for them.
"""

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from brott.extensions import db
from brott.models import Council, Role, User, utcnow
from brott.models.reports import (
    BodyKind,
    Open311Key,
    ReportCategory,
    ReportSettings,
    ReportStatus,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
)
from brott.services import report_handling, reports

# texts that only staff may see: an internal comment, a staff member's name, the reporter's
# address and the tracking secret; none may appear on a public page or in Open311
INTERNAL_COMMENT = "INTERNT-SPÅR-kommentar-4711"
STAFF_NAME = "Hemliga Handläggaren"
REPORTER_EMAIL = "anmalare.spar@exempel.se"
PUBLIC_REPLY = "Lampan byts i veckan"
# URL parts of the report routes that name no object: Open311's format and service code, a
# path under /open311/ that is no call
REPORT_VALUES = {"fmt": "json", "service_code": "belysning", "rest": "v2/ingenting"}
BBOX = dict(min_latitude=60.35, max_latitude=60.62, min_longitude=14.95, max_longitude=15.75)


def _photo() -> FileStorage:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 180, 20)).save(image, "PNG")
    image.seek(0)
    return FileStorage(image, "lampa.png")


def report_setup(council: Council) -> dict[str, object]:
    """A body, a category routed to it, a rule, settings with Borlänge's territory, a key."""
    body = ResponsibleBody(
        council_id=council.id,
        name="Energibolaget",
        kind=BodyKind.PARTNER,
        contact_email="felanmalan@energi.example",
    )
    other_body = ResponsibleBody(
        council_id=council.id,
        name="Gata och park",
        kind=BodyKind.MUNICIPAL_UNIT,
        contact_email="gata@kommun.example",
    )
    db.session.add_all([body, other_body])
    db.session.flush()
    category = ReportCategory(
        council_id=council.id, name="Belysning", service_code="belysning", body=body
    )
    db.session.add(category)
    db.session.add(ReportSettings(council_id=council.id, **BBOX, nearby_metres=250))
    db.session.flush()
    rule = RoutingRule(
        council_id=council.id, category_id=category.id, area="Tjärna", body_id=other_body.id
    )
    key = Open311Key(
        council_id=council.id,
        name="Appen",
        key_hash=hashlib.sha256(f"nyckel-{council.slug}".encode()).hexdigest(),
    )
    db.session.add_all([rule, key])
    db.session.flush()
    return {"body": body, "other_body": other_body, "category": category, "rule": rule, "key": key}


@pytest.fixture
def setup(council):
    """`report_setup` of the council, committed (import it into a test module to use it)."""
    made = report_setup(council)
    db.session.commit()
    return made


def report_objects(council: Council, users: dict[str, User]) -> dict[str, object]:
    """The report setup plus one report with a photo, an e-mail, a public reply and an
    internal comment by the coordinator (name them STAFF_NAME to plant it), and a supporter.
    `users` needs a "coordinator"; a "body_staff" user gets the body as their membership's."""
    setup = report_setup(council)
    now = utcnow() - timedelta(days=1)
    report = reports.submit(
        council.id,
        reports.ReportData(
            category_id=setup["category"].id,  # type: ignore[attr-defined]
            address="Stationsgatan 3",
            description="Gatlampan vid busshållplatsen är släckt",
            latitude=60.4855,
            longitude=15.4360,
            email=REPORTER_EMAIL,
        ),
        now,
        photo=_photo(),
    )
    staff = users["coordinator"]
    report_handling.comment(report, staff, INTERNAL_COMMENT, now)
    report_handling.set_status(
        report, staff, ReportStatus.RECEIVED, PUBLIC_REPLY, report.version, now
    )
    supporter = reports.support(report, "", "sv", now)
    db.session.flush()
    if "body_staff" in users:
        for membership in users["body_staff"].memberships:
            if membership.council_id == council.id:
                membership.body_id = setup["body"].id  # type: ignore[attr-defined]
    db.session.commit()
    return {
        **setup,
        "report_category_id": setup["category"],
        "body_id": setup["body"],
        "rule_id": setup["rule"],
        "key_id": setup["key"],
        "report_id": report,
        "report": report,
        "supporter": supporter,
        "report_token": report.token,
    }


def body_staff_user(make_user, council: Council) -> User:
    """A body-staff member (their body is set by `report_objects`)."""
    return make_user(Role.BODY_STAFF, council)


def report_sweep_builders(objects: dict[str, object]) -> dict[str, Callable[[], object]]:
    """Builders for a sweep that rebuilds what its requests deleted (keyed like the sweep:
    the URL argument without `_id`): each gives its object while it exists; a deleted
    routing rule is made again."""
    rule = objects["rule"]
    assert isinstance(rule, RoutingRule)
    council_id, category_id, body_id, rule_id = (
        rule.council_id,
        rule.category_id,
        rule.body_id,
        rule.id,
    )
    made = {"n": 0}

    def routing_rule() -> RoutingRule:
        found = db.session.get(RoutingRule, rule_id)
        if found is not None:
            return found
        made["n"] += 1
        again = RoutingRule(
            council_id=council_id,
            category_id=category_id,
            area=f"Område {made['n']}",
            body_id=body_id,
        )
        db.session.add(again)
        db.session.commit()
        return again

    builders: dict[str, Callable[[], object]] = {"rule": routing_rule}
    for key in ("report", "report_category", "body", "key"):
        model, object_id = (
            type(objects[key if key != "report_category" else "category"]),
            objects[key if key != "report_category" else "category"].id,
        )
        builders[key] = lambda model=model, object_id=object_id: db.session.get(model, object_id)
    return builders


def reports_in_english(objects: dict[str, object]) -> None:
    """Give the report objects English words, for the sweep that looks for Swedish left on
    English pages (the report was filed, replied to and commented on in Swedish)."""
    body, other, category = objects["body"], objects["other_body"], objects["category"]
    report, rule = objects["report"], objects["rule"]
    assert isinstance(report, ResidentReport) and isinstance(rule, RoutingRule)
    body.name, other.name = "Energy company", "Streets, parks"  # type: ignore[attr-defined]
    category.name = category.name_en = "Lighting"  # type: ignore[attr-defined]
    category.service_code = "lighting"  # type: ignore[attr-defined]
    body.contact_email = "faults@energy.example"  # type: ignore[attr-defined]
    other.contact_email = "streets@town.example"  # type: ignore[attr-defined]
    objects["key"].name = "Fault app"  # type: ignore[attr-defined]
    report.email = "reporter@example.org"
    rule.area = "North"
    report.address, report.description = "Station Street 3", "Street lamp out"
    for event in report.events:
        event.text = "Noted" if event.text else ""
    db.session.commit()
