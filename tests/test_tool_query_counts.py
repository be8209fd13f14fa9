"""No N+1 on the tools' detail pages either: a measure with many indicators, an indicator with
many values, a walk with many findings run as many statements as with a few."""

from datetime import UTC, date, datetime, timedelta

import pytest

from brott.extensions import db
from brott.models.indicators import Indicator, IndicatorValue
from brott.services import places, walks

from .conftest import logged_in
from .test_query_counts import counted_statements

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def _statements(client, url: str) -> int:
    with counted_statements() as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


@pytest.fixture
def measure(make_measure, council, coordinator):
    return make_measure(council, owners=[coordinator])


def _indicators(measure, first: int, last: int, values: int = 3) -> list[Indicator]:
    made = []
    for n in range(first, last):
        indicator = Indicator(
            council_id=measure.council_id, measure_id=measure.id, name=f"Mått {n}", target=12.0
        )
        indicator.values = [
            IndicatorValue(
                council_id=measure.council_id,
                on_date=date(2025, 1, 1) + timedelta(days=30 * k),
                value=float(k),
            )
            for k in range(values)
        ]
        made.append(indicator)
    db.session.add_all(made)
    db.session.commit()
    return made


def test_the_measure_page_is_flat_from_2_to_20_indicators(
    app, frozen, measure, coordinator, council
):
    client = logged_in(app, coordinator)
    url = f"/r/{council.slug}/insatser/{measure.id}"
    _indicators(measure, 0, 2)
    at_2 = _statements(client, url)
    _indicators(measure, 2, 20)
    assert _statements(client, url) == at_2
    assert client.get(url).text.count('class="point"') == 20 * 3


def test_the_indicator_page_is_flat_from_10_to_200_values(
    app, frozen, measure, coordinator, council
):
    (indicator,) = _indicators(measure, 0, 1, values=10)
    client = logged_in(app, coordinator)
    url = f"/r/{council.slug}/indikatorer/{indicator.id}"
    at_10 = _statements(client, url)
    indicator = db.session.get(Indicator, indicator.id)
    indicator.values.extend(
        IndicatorValue(council_id=council.id, on_date=date(2020, 1, 1) + timedelta(days=k), value=1)
        for k in range(190)
    )
    db.session.commit()
    assert _statements(client, url) == at_10


def test_a_walk_and_its_action_plan_are_flat_from_2_to_40_findings(
    app, frozen, council, coordinator, member
):
    place = places.add_place(council.id, places.PlaceData("Gångtunneln"))
    category = places.add_category(council.id, "Belysning")
    walk, _warnings = walks.create_walk(
        council.id, coordinator, walks.WalkData(title="Vår", area="Centrum", walk_date=TODAY), NOW
    )
    db.session.commit()

    def add(first: int, last: int) -> None:
        for n in range(first, last):
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
        db.session.commit()

    client = logged_in(app, coordinator)
    pages = [
        f"/r/{council.slug}/trygghetsvandringar/{walk.id}",
        f"/r/{council.slug}/trygghetsvandringar/{walk.id}/handlingsplan",
    ]
    add(0, 2)
    few = [_statements(client, url) for url in pages]
    add(2, 40)
    assert [_statements(client, url) for url in pages] == few


def test_derived_share_indicators_read_their_register_once_per_page(
    app, frozen, measure, coordinator, council
):
    from brott.services import indicators as indicator_service

    measure.start_date = date(2024, 1, 1)
    db.session.commit()

    def add(n: int) -> None:
        for source in (
            indicator_service.IndicatorSource.CERTIFIED_SHARE,
            indicator_service.IndicatorSource.WALK_ACTIONS_CLOSED,
        ):
            for _ in range(n):
                indicator_service.create_indicator(
                    measure,
                    indicator_service.IndicatorData(
                        name="Andel",
                        unit="%",
                        target=100.0,
                        period=indicator_service.IndicatorPeriod.MONTH,
                        source=source,
                    ),
                    NOW,
                )
        db.session.commit()

    client = logged_in(app, coordinator)
    url = f"/r/{council.slug}/insatser/{measure.id}"
    add(1)
    at_2 = _statements(client, url)  # two monthly charts over two years: 48 points
    add(4)
    assert _statements(client, url) == at_2
