"""One object of each measure tool in a council, for the sweeps that visit every URL (the
permission matrix, the access sweep, no-405, the language sweeps): URL argument → object.

`users` needs a "coordinator" and a "member" of the council; `measure` becomes the measure
with an activity log and an indicator.
"""

import io
from collections.abc import Callable
from datetime import date, timedelta

from PIL import Image
from werkzeug.datastructures import FileStorage

from brott.extensions import db
from brott.models import AuditEntry, Base, Council, Measure, MeasureTool, User, utcnow
from brott.models.activity import ActivityEntry
from brott.models.certification import Business, Outcome
from brott.models.follow_up import Problem
from brott.models.indicators import Indicator, IndicatorValue
from brott.policy import Viewer
from brott.services import activity, photos, places, walks
from brott.services import cameras as camera_service
from brott.services import certification as cert
from brott.services import certification_inspections as cert_inspections

# URL parts that name no object but a choice among a few words
# the register's export format, a checklist point's move, the progress page's language
PLAIN_VALUES = {"kind": "csv", "change": "ned", "lang": "en"}


def tool_objects(council: Council, users: dict[str, User], measure: Measure) -> dict[str, object]:
    """The objects the measure tools' URLs name, keyed by URL argument."""
    objects: dict[str, object] = {}
    objects.update(_indicators(council, measure))
    objects.update(_certification(council, users))
    objects.update(_walks(council, users))
    objects.update(_cameras(council, users))
    # a problem of the situation analysis, addressed by the measure
    objects["problem_id"] = Problem(council_id=council.id, title="Otryggt", measures=[measure])
    db.session.add(objects["problem_id"])
    db.session.commit()
    return objects


def ids_of(objects: dict[str, object]) -> dict[str, object]:
    """URL argument → value, ready for a URL."""
    return {name: getattr(found, "id", found) for name, found in objects.items()}


def _photo(council: Council, kind: str = "PNG"):
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 90)).save(image, kind)
    image.seek(0)
    return FileStorage(image, f"foto.{kind.lower()}")


def _indicators(council: Council, measure: Measure) -> dict[str, object]:
    measure.tool = MeasureTool.ACTIVITY_LOG  # the activity pages answer 404 for other tools
    indicator = Indicator(
        council_id=council.id, measure_id=measure.id, name="Deltagare", target=12.0
    )
    value = IndicatorValue(council_id=council.id, on_date=date(2025, 1, 1), value=4)
    indicator.values = [value]
    kind = activity.kinds(council.id)[0]
    entry = ActivityEntry(
        council_id=council.id,
        measure_id=measure.id,
        on_date=date(2025, 1, 1),
        kind_id=kind.id,
        people_reached=3,
        text="Kvällspass i centrum",
        photo=photos.save_upload(council.id, _photo(council, "JPEG"), utcnow()),
    )
    db.session.add_all([indicator, entry])
    db.session.flush()
    return {"indicator_id": indicator, "value_id": value, "entry_id": entry, "kind_id": kind}


def _certification(council: Council, users: dict[str, User]) -> dict[str, object]:
    business = cert.add_business(
        council.id, cert.BusinessData("Kiosken", "556036-0793", chain="Kedjan")
    )
    cert.add_business(
        council.id, cert.BusinessData("Kiosken", "556036-0793", unit="Två", chain="Kedjan")
    )
    outcomes = {p.id: Outcome.PASSED for p in cert.points(council.id)}
    today = date.today()
    inspection = cert_inspections.record_inspection(
        business, cert_inspections.InspectionData(today, users["coordinator"].id, outcomes), today
    )
    return {
        "business_id": business,
        "inspection_id": inspection,
        "point_id": cert.points(council.id)[0],
    }


def _walks(council: Council, users: dict[str, User]) -> dict[str, object]:
    now = utcnow()
    place = places.add_place(council.id, places.PlaceData("Vandringsplats"))
    category = places.add_category(council.id, "Vandringskategori")
    walk, _ = walks.create_walk(
        council.id,
        users["coordinator"],
        walks.WalkData(title="Vandring", area="Centrum", walk_date=now.date()),
        now,
    )
    finding = walks.add_finding(
        walk,
        users["coordinator"],
        walks.FindingData(
            place_id=place.id,
            description="Mörkt vid gången",
            category_id=category.id,
            action_title="Tänd lamporna",
            owner_id=users["member"].id,
            due_date=now.date() + timedelta(days=7),
        ),
        now,
        now.date(),
        _photo(council),
    )
    return {"walk_id": walk, "finding_id": finding}


def _cameras(council: Council, users: dict[str, User]) -> dict[str, object]:
    coordinator = users["coordinator"]
    membership = next(m for m in coordinator.memberships if m.council_id == council.id)
    viewer = Viewer.member(membership)
    place = places.add_place(council.id, places.PlaceData("Kameratorget"))
    site = camera_service.create_site(
        viewer, camera_service.SiteData(place.id, "Torgkameran"), coordinator, date(2026, 1, 2)
    )
    balancing = camera_service.add_balancing(
        site,
        camera_service.BalancingData(date(2026, 1, 3), "a", "b", "c", "d"),
        coordinator,
        date(2026, 1, 3),
    )
    guards = camera_service.create_guard_deployment(
        viewer,
        camera_service.GuardData(date(2026, 5, 1), date(2026, 5, 2), "21–03", "Vakt AB", "Torget"),
    )
    return {"site_id": site, "balancing_id": balancing, "deployment_id": guards}


def sweep_builders(
    objects: dict[str, object], current_id: Callable[[str], int]
) -> dict[str, Callable[[], object]]:
    """Builders for a sweep that rebuilds what its requests deleted: each first gives its
    object, later a new one like it (`current_id(key)` is the sweep's id of an object now,
    e.g. of a rebuilt indicator). Keyed like the sweep: the URL argument without `_id`."""
    entry = objects["entry_id"]
    indicator = objects["indicator_id"]
    assert isinstance(entry, ActivityEntry) and isinstance(indicator, Indicator)
    council_id, measure_id, kind_id = entry.council_id, entry.measure_id, entry.kind_id

    def saved(made: Base) -> Base:
        db.session.add(made)
        db.session.commit()
        return made

    remakes: dict[str, Callable[[], Base]] = {
        "entry": lambda: saved(
            ActivityEntry(
                council_id=council_id,
                measure_id=measure_id,
                on_date=date(2025, 1, 1),
                kind_id=kind_id,
                people_reached=1,
                text="Kvällspass",
            )
        ),
        "indicator": lambda: saved(
            Indicator(council_id=council_id, measure_id=measure_id, name="Nya", target=12.0)
        ),
        "value": lambda: saved(
            IndicatorValue(
                council_id=council_id,
                indicator_id=current_id("indicator"),
                on_date=date(2025, 1, 1),
                value=4,
            )
        ),
    }
    builders: dict[str, Callable[[], object]] = {}
    for name, found in objects.items():
        key = name.removesuffix("_id")
        first = [found]
        remake = remakes.get(key)

        def build(first=first, remake=remake) -> object:
            if first:
                return first.pop()
            assert remake is not None, "only entries, values and indicators are deleted"
            return remake()

        builders[key] = build
    return builders


def in_english(council: Council, objects: dict[str, object]) -> None:
    """Give the tools' data English words, for a sweep that looks for Swedish left on
    English pages (the seeded activity kinds and checklist are in the council's language)."""
    for number, kind in enumerate(activity.kinds(council.id, active_only=False), 1):
        kind.name = f"Kind {number}"
    for point in cert.points(council.id):
        point.text = f"Point {point.position}"
    for business in db.session.scalars(
        db.select(Business).where(Business.council_id == council.id)
    ):
        business.name, business.chain = "Kiosk", "Chain"
        business.unit = "Two" if business.unit else ""
    for place in places.places(council.id, active_only=False):
        place.name = f"Place {place.id}"
    for category in places.categories(council.id, active_only=False):
        category.name = f"Category {category.id}"
    indicator, entry = objects["indicator_id"], objects["entry_id"]
    walk, finding = objects["walk_id"], objects["finding_id"]
    site = objects["site_id"]
    assert isinstance(indicator, Indicator) and isinstance(entry, ActivityEntry)
    indicator.name, entry.text = "Participants", "Evening round"
    walk.title, walk.area = "Night walk", "Centre"  # type: ignore[attr-defined]
    finding.description = "Dark path"  # type: ignore[attr-defined]
    site.title = "Square camera"  # type: ignore[attr-defined]
    objects["problem_id"].title = "Unsafe station"  # type: ignore[attr-defined]
    # the log kept the Swedish names they were created with
    db.session.execute(db.delete(AuditEntry).where(AuditEntry.council_id == council.id))
    db.session.commit()
