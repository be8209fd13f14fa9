"""The register's demo data, and the register page's query count from 10 to 200 businesses."""

from datetime import UTC, datetime

from brott.extensions import db
from brott.models import Role
from brott.models.certification import Business, BusinessStatus, Outcome
from brott.services import certification as service
from brott.services import certification_inspections as inspection_service
from brott.services.demo_certification import DEMO_BUSINESSES, load_demo

from .conftest import logged_in
from .test_query_counts import counted_statements

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_demo_has_each_status_one_expiring_certificate_and_a_failed_inspection(
    app, council, coordinator, police, make_place
):
    for name in ("Resecentrum", "Centrum", "Jakobsgårdarna", "Tjärna Ängar", "Kvarnsveden"):
        make_place(council, name)
    users = {"samordnare@exempel.se": coordinator, "polis@exempel.se": police}
    load_demo(council, users, {}, NOW)
    db.session.commit()
    load_demo(council, users, {}, NOW)  # a second run adds nothing
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == len(
        DEMO_BUSINESSES
    )
    register = service.register(council.id, NOW.date())
    assert register.counts[BusinessStatus.EXPIRING] == 1
    assert register.counts[BusinessStatus.CERTIFIED] == 3  # one of them by sample
    assert (
        register.counts[BusinessStatus.OFFERED] == 3
        and register.counts[BusinessStatus.REGISTERED] == 1
    )
    failed = [
        b
        for b in db.session.scalars(db.select(Business))
        if inspection_service.awaiting_follow_up(inspection_service.inspections_of(b))
    ]
    assert [b.name for b in failed] == ["Tobak & Spel Tjärna"]


def test_the_register_page_runs_as_many_statements_for_200_businesses_as_for_10(
    app, council, make_user, make_place
):
    inspector = make_user(Role.COORDINATOR, council)
    places = [make_place(council, f"Plats {n}") for n in range(3)]
    service.ensure_checklist(council.id)
    outcomes = {p.id: Outcome.PASSED for p in service.points(council.id)}
    db.session.commit()

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            business = service.add_business(
                council.id,
                service.BusinessData(
                    f"Butik {n}", "5560360793", unit=f"Enhet {n}", place_id=places[n % 3].id
                ),
            )
            if n % 2:
                inspection_service.record_inspection(
                    business,
                    inspection_service.InspectionData(NOW.date(), inspector.id, outcomes),
                    NOW.date(),
                )
        db.session.commit()

    client = logged_in(app, inspector)

    def statements() -> int:
        with counted_statements() as seen:
            assert client.get("/r/borlange/certifiering/").status_code == 200
        return len(seen)

    add(0, 10)
    at_10 = statements()
    add(10, 200)
    assert statements() == at_10
