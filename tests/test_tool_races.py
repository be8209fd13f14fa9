"""Tools under concurrent writes: people saving at the same moment get numbers, values and
settings without a server error, and a double submit of an inspection is refused.

The races run at the service level: several threads, each with its own app context and so
its own database session and connection, are released together by a barrier and commit
their own unit of work. They run on PostgreSQL only; SQLite serialises writers anyway.
"""

import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from brott.extensions import db
from brott.models import Role
from brott.models.cameras import CameraBalancing, CameraSite, CameraStage
from brott.models.certification import Certificate, CertificationSettings, Inspection
from brott.models.indicators import Indicator, IndicatorValue
from brott.services import cameras as camera_service
from brott.services import certification as certification_service
from brott.services import certification_inspections as inspection_service
from brott.services import indicators as indicator_service

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
ORGNR = "556036-0793"
WRITERS = 6
AT_ONCE = True  # see `racing`


def together(app: Flask, act: Callable[[int], None], count: int = WRITERS) -> list[str]:
    """Run `act(i)` in `count` threads released at once, each committing its own session;
    the errors they ended with, by class name."""
    barrier = threading.Barrier(count if AT_ONCE else 1)

    def run(i: int) -> str:
        with app.app_context():
            try:
                barrier.wait()
                act(i)
                db.session.commit()
                return "ok"
            except Exception as error:  # reported, and asserted on
                db.session.rollback()
                return f"{type(error).__name__}: {error}"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(count if AT_ONCE else 1) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def racing(backend, monkeypatch):
    """On PostgreSQL the writers race. SQLite lets one writer at a time, so there they come
    one after another (a double submit) and must end the same way."""
    if backend != "postgresql":
        monkeypatch.setattr(sys.modules[__name__], "AT_ONCE", False)


def _business(council_id: int, unit: str = "") -> int:
    business = certification_service.add_business(
        council_id, certification_service.BusinessData("Kiosken", ORGNR, unit=unit)
    )
    db.session.commit()
    return business.id


def _all_pass(council_id: int):
    return {
        p.id: inspection_service.Outcome.PASSED for p in certification_service.points(council_id)
    }


# --- certificates ---------------------------------------------------------------------------


def test_certificates_issued_at_once_get_distinct_decal_numbers(
    app, frozen, racing, council, coordinator
):
    council_id, inspector_id = council.id, coordinator.id
    businesses = [_business(council_id, f"Enhet {i}") for i in range(WRITERS)]
    outcomes = _all_pass(council_id)
    # no settings row yet: the first inspections make it at once as well
    assert db.session.scalar(db.select(CertificationSettings)) is None

    def inspect(i: int) -> None:
        business = db.session.get(inspection_service.Business, businesses[i])
        inspection_service.record_inspection(
            business,
            inspection_service.InspectionData(date(2026, 3, 1), inspector_id, outcomes),
            TODAY,
        )

    assert together(app, inspect) == ["ok"] * WRITERS
    numbers = db.session.scalars(db.select(Certificate.decal_number)).all()
    assert sorted(numbers) == [f"2026-{n:04d}" for n in range(1, WRITERS + 1)]
    assert db.session.scalar(db.select(db.func.count()).select_from(CertificationSettings)) == 1


def test_settings_made_at_once_are_one_row(app, racing, council):
    council_id = council.id
    results = together(app, lambda _i: certification_service.settings_of(council_id))
    assert results == ["ok"] * WRITERS
    assert db.session.scalar(db.select(db.func.count()).select_from(CertificationSettings)) == 1


def test_a_double_submitted_inspection_is_refused(app, frozen, council, coordinator):
    business_id = _business(council.id)
    business = db.session.get(inspection_service.Business, business_id)
    data = inspection_service.InspectionData(
        date(2026, 3, 1), coordinator.id, _all_pass(council.id)
    )
    first = inspection_service.record_inspection(business, data, TODAY)
    db.session.commit()
    with pytest.raises(inspection_service.DomainError) as refused:
        inspection_service.record_inspection(business, data, TODAY)
    assert "inspected_on" in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 1
    # a follow-up of that inspection on the same day is still welcome, once
    follow_up = inspection_service.InspectionData(
        date(2026, 3, 1), coordinator.id, _all_pass(council.id), follow_up_of_id=first.id
    )
    inspection_service.record_inspection(business, follow_up, TODAY)
    db.session.commit()
    with pytest.raises(inspection_service.DomainError):
        inspection_service.record_inspection(business, follow_up, TODAY)
    db.session.rollback()
    # and another day is another inspection
    inspection_service.record_inspection(
        business,
        inspection_service.InspectionData(date(2026, 3, 2), coordinator.id, _all_pass(council.id)),
        TODAY,
    )
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Inspection)) == 3


def test_a_double_submit_at_once_records_one_inspection(app, frozen, racing, council, coordinator):
    business_id, inspector_id = _business(council.id), coordinator.id
    outcomes = _all_pass(council.id)

    def inspect(_i: int) -> None:
        business = db.session.get(inspection_service.Business, business_id)
        inspection_service.record_inspection(
            business,
            inspection_service.InspectionData(date(2026, 3, 1), inspector_id, outcomes),
            TODAY,
        )

    results = together(app, inspect)
    assert results.count("ok") == 1
    assert all(r.startswith("DomainError") for r in results if r != "ok"), results
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 1


# --- indicator values -----------------------------------------------------------------------


def test_values_entered_at_once_for_one_date_leave_one_value(
    app, frozen, racing, council, make_measure, make_user
):
    owner = make_user(Role.MEMBER, council)
    measure = make_measure(council, owners=[owner], progress=0)
    indicator = Indicator(
        council_id=council.id, measure_id=measure.id, name="Deltagare", unit="st",
        baseline=0.0, target=12.0,
    )  # fmt: skip
    db.session.add(indicator)
    db.session.commit()
    indicator_id, owner_id = indicator.id, owner.id

    def enter(i: int) -> None:
        found = db.session.get(Indicator, indicator_id)
        author = db.session.get(type(owner), owner_id)
        indicator_service.add_value(found, author, date(2026, 3, 1), float(i + 1), "", NOW)

    assert together(app, enter) == ["ok"] * WRITERS
    values = db.session.scalars(db.select(IndicatorValue)).all()
    assert len(values) == 1 and values[0].on_date == date(2026, 3, 1)


# --- camera balancings ----------------------------------------------------------------------


def test_balancings_written_at_once_get_distinct_numbers(
    app, racing, council, coordinator, make_place
):
    from brott.policy import Viewer

    membership = next(m for m in coordinator.memberships if m.council_id == council.id)
    place = make_place(council, "Resecentrum")
    site = camera_service.create_site(
        Viewer.member(membership),
        camera_service.SiteData(place_id=place.id, title="Cykelgaraget"),
        coordinator,
        date(2025, 1, 2),
    )
    db.session.commit()
    assert site.stage is CameraStage.INVESTIGATING
    site_id, author_id = site.id, coordinator.id

    def write(i: int) -> None:
        found = db.session.get(CameraSite, site_id)
        author = db.session.get(type(coordinator), author_id)
        camera_service.add_balancing(
            found,
            camera_service.BalancingData(
                date(2026, 3, 1), f"Syfte {i}", "Påverkan", "Andra", "Slut"
            ),
            author,
            TODAY,
        )

    assert together(app, write) == ["ok"] * WRITERS
    numbers = db.session.scalars(db.select(CameraBalancing.number)).all()
    assert sorted(numbers) == list(range(1, WRITERS + 1))
