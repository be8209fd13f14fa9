"""The measure tools joined up: share indicators read the real register and walks, the daily
job plans the tools' reminders, and a measure's page leads to its tool."""

from datetime import UTC, date, datetime, timedelta

import pytest

from brott import jobs
from brott.extensions import db
from brott.models import ActionStatus, MeasureTool, OutboxMessage, Role
from brott.models.certification import Outcome
from brott.services import actions, certification, certification_inspections, places, walks
from brott.services import indicators as indicator_service
from brott.services.indicators import IndicatorData, IndicatorPeriod, IndicatorSource

from .conftest import logged_in

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)


@pytest.fixture
def measure(make_measure, council, coordinator):
    return make_measure(council, owners=[coordinator], start_date=date(2026, 1, 1))


def _share_indicator(measure, source: IndicatorSource):
    indicator = indicator_service.create_indicator(
        measure,
        IndicatorData(
            name="Andel", unit="%", target=100.0, period=IndicatorPeriod.QUARTER, source=source
        ),
        NOW,
    )
    db.session.commit()
    return indicator


def test_the_certified_share_is_read_from_the_register(app, frozen, council, coordinator, measure):
    businesses = [
        certification.add_business(
            council.id, certification.BusinessData(f"Butik {n}", "556036-0793", unit=str(n))
        )
        for n in range(4)
    ]
    outcomes = {p.id: Outcome.PASSED for p in certification.points(council.id)}
    certification_inspections.record_inspection(
        businesses[0],
        certification_inspections.InspectionData(TODAY, coordinator.id, outcomes),
        TODAY,
    )
    indicator = _share_indicator(measure, IndicatorSource.CERTIFIED_SHARE)
    # registered today: the quarter that ended in March had no register yet
    assert indicator_service.points(indicator, TODAY) == [indicator_service.Point(TODAY, 25.0)]


def test_the_share_of_walk_actions_closed_is_read_from_the_walks(
    app, frozen, council, coordinator, member, measure
):
    place = places.add_place(council.id, places.PlaceData("Gångtunneln"))
    category = places.add_category(council.id, "Belysning")
    walk, _warnings = walks.create_walk(
        council.id, coordinator, walks.WalkData(title="Vår", area="Centrum", walk_date=TODAY), NOW
    )
    findings = [
        walks.add_finding(
            walk,
            coordinator,
            walks.FindingData(
                place_id=place.id,
                description=f"Mörkt {n}",
                category_id=category.id,
                action_title=f"Byt lampa {n}",
                owner_id=member.id,
                due_date=TODAY + timedelta(days=14),
            ),
            NOW,
            TODAY,
            None,
        )
        for n in range(2)
    ]
    db.session.commit()
    actions.set_action_status(findings[0].action, ActionStatus.DONE, "Klart", NOW)
    db.session.commit()
    indicator = _share_indicator(measure, IndicatorSource.WALK_ACTIONS_CLOSED)
    assert indicator_service.points(indicator, TODAY)[-1] == indicator_service.Point(TODAY, 50.0)


def test_the_tools_job_plans_certificate_reminders_once(app, frozen, council, coordinator):
    business = certification.add_business(
        council.id,
        certification.BusinessData("Guldsmeden", "556036-0793", contact_email="butik@exempel.se"),
    )
    outcomes = {p.id: Outcome.PASSED for p in certification.points(council.id)}
    issued = TODAY - timedelta(days=335)  # a year's certificate: 30 days left
    certification_inspections.record_inspection(
        business, certification_inspections.InspectionData(issued, coordinator.id, outcomes), TODAY
    )
    db.session.commit()
    first = jobs.plan_tool_reminders(NOW)
    again = jobs.plan_tool_reminders(NOW)
    assert first["certificates"] == 2  # the coordinator and the business's contact
    assert again == {"certificates": 0, "camera_reviews": 0, "derived_progress": 0}
    recipients = set(db.session.scalars(db.select(OutboxMessage.recipient_email)))
    assert recipients == {coordinator.email, "butik@exempel.se"}


@pytest.mark.parametrize(
    ("tool", "path"),
    [
        (MeasureTool.CERTIFICATION, "/r/{slug}/certifiering/"),
        (MeasureTool.SAFETY_WALKS, "/r/{slug}/trygghetsvandringar/"),
        (MeasureTool.CAMERAS, "/r/{slug}/kameror/"),
        (MeasureTool.ACTIVITY_LOG, "/r/{slug}/insatser/{id}/aktiviteter"),
    ],
)
def test_a_measure_page_leads_to_its_tool(app, council, make_measure, make_user, tool, path):
    measure = make_measure(council, tool=tool)
    police = make_user(Role.POLICE, council)
    url = path.format(slug=council.slug, id=measure.id)
    db.session.rollback()
    client = logged_in(app, police)
    page = client.get(f"/r/{council.slug}/insatser/{measure.id}").text
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200


def test_a_measure_without_a_tool_offers_none(app, council, make_measure, coordinator):
    measure = make_measure(council)
    db.session.rollback()
    page = logged_in(app, coordinator).get(f"/r/{council.slug}/insatser/{measure.id}").text
    for path in ("/certifiering/", "/trygghetsvandringar/", "/kameror/", "/aktiviteter"):
        assert path not in page


@pytest.mark.parametrize("typed", ["9" * 400, "1" + "0" * 13, "-" + "9" * 20])
def test_an_indicator_number_too_large_for_a_chart_is_refused(typed):
    with pytest.raises(ValueError):
        indicator_service.parse_number(typed)
    assert indicator_service.parse_number("1 000 000 000 000") == 1e12


@pytest.mark.parametrize("odd", ["²", "٣", "9" * 5000, "2147483648"])
def test_an_odd_id_in_a_query_is_ignored_not_a_server_error(app, council, coordinator, odd):
    db.session.rollback()
    client = logged_in(app, coordinator)
    assert (
        client.get(
            f"/r/{council.slug}/trygghetsvandringar/ny", query_string={"fran": odd}
        ).status_code
        == 200
    )
