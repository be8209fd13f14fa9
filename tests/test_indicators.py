"""Indicators: defining them, entering values (Swedish numbers), derived values per period,
and the measure progress an indicator drives."""

from datetime import UTC, date, datetime

import pytest

from brott.extensions import db
from brott.models import MeasureTool, MeasureUpdate, Role
from brott.models.indicators import (
    Indicator,
    IndicatorDirection,
    IndicatorPeriod,
    IndicatorSource,
    IndicatorValue,
)
from brott.services import indicators as service

from .conftest import hidden_value, logged_in

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def owner(make_user, council):
    return make_user(Role.MEMBER, council, name="Anna Ägare")


@pytest.fixture
def measure(make_measure, council, owner):
    return make_measure(council, owners=[owner], title="Människan bakom uniformen", progress=0)


@pytest.fixture
def make_indicator(app):
    def make(measure, **fields) -> Indicator:
        values = {"name": "Deltagare", "unit": "deltagare", "baseline": 0.0, "target": 12.0}
        values.update(fields)
        indicator = Indicator(council_id=measure.council_id, measure_id=measure.id, **values)
        db.session.add(indicator)
        db.session.commit()
        return indicator

    return make


def _indicator_form(**overrides) -> dict:
    data = {
        "name": "Deltagare per halvår",
        "unit": "deltagare",
        "baseline": "0",
        "target": "12",
        "direction": "higher",
        "source": "manual",
        "period": "half_year",
        "activity_kind_id": "",
    }
    data.update(overrides)
    return data


def test_numbers_are_read_as_people_type_them():
    assert service.parse_number("12,5") == 12.5
    assert service.parse_number(" 12.5 ") == 12.5
    assert service.parse_number("1 250,75") == 1250.75
    assert service.parse_number("-3") == -3.0
    assert service.parse_number("") is None
    for bad in ("tolv", "12,5,1", "1e5", "nan", "12 %"):
        with pytest.raises(ValueError):
            service.parse_number(bad)


def test_period_ends_run_to_today_with_the_running_period_last():
    ends = service.period_ends(IndicatorPeriod.HALF_YEAR, date(2024, 3, 1), date(2025, 6, 15))
    assert ends == [date(2024, 6, 30), date(2024, 12, 31), date(2025, 6, 15)]
    ends = service.period_ends(IndicatorPeriod.QUARTER, date(2025, 1, 1), date(2025, 6, 30))
    assert ends == [date(2025, 3, 31), date(2025, 6, 30)]


def test_progress_is_the_share_of_the_way_from_baseline_to_target(measure, make_indicator):
    higher = make_indicator(measure, baseline=2.0, target=12.0)
    assert service.progress_for(higher, 7.0) == 50
    assert service.progress_for(higher, 20.0) == 100
    assert service.progress_for(higher, 0.0) == 0
    lower = make_indicator(measure, baseline=40.0, target=20.0, direction=IndicatorDirection.LOWER)
    assert service.progress_for(lower, 30.0) == 50
    assert service.progress_for(lower, 10.0) == 100


def test_a_coordinator_defines_an_indicator_and_the_owner_enters_a_swedish_value(
    app, frozen, coordinator, owner, measure
):
    client = logged_in(app, coordinator)
    url = f"/r/borlange/insatser/{measure.id}/indikatorer/ny"
    assert client.get(url).status_code == 200
    response = client.post(url, data=_indicator_form(drives_progress="y"))
    assert response.status_code == 302
    indicator = db.session.scalars(db.select(Indicator)).one()
    assert (indicator.target, indicator.period) == (12.0, IndicatorPeriod.HALF_YEAR)
    assert indicator.drives_progress
    db.session.rollback()

    owner_client = logged_in(app, owner)
    response = owner_client.post(
        f"/r/borlange/indikatorer/{indicator.id}/varden",
        data={"on_date": "2025-06-01", "value": "4,5", "comment": "Vårens kull"},
    )
    assert response.status_code == 302
    value = db.session.scalars(db.select(IndicatorValue)).one()
    assert (value.on_date, value.value, value.entered_by_id) == (date(2025, 6, 1), 4.5, owner.id)
    # the progress follows the driving indicator, journalled with its name
    db.session.refresh(measure)
    assert measure.progress == 38  # 4.5 of 12
    journal = db.session.scalars(db.select(MeasureUpdate)).all()[-1]
    assert "Deltagare per halvår" in journal.comment and journal.new_progress == 38
    db.session.rollback()
    page = owner_client.get(f"/r/borlange/indikatorer/{indicator.id}").text
    assert "4,5" in page and "<svg" in page


def test_a_second_value_on_the_same_date_replaces_the_first(
    app, frozen, owner, measure, make_indicator
):
    indicator = make_indicator(measure)
    client = logged_in(app, owner)
    for typed in ("3", "5"):
        client.post(
            f"/r/borlange/indikatorer/{indicator.id}/varden",
            data={"on_date": "2025-05-01", "value": typed},
        )
    assert [v.value for v in db.session.scalars(db.select(IndicatorValue))] == [5.0]


BAD_VALUES = [
    ({"value": "tolv"}, "value", "Ange ett tal, till exempel 12,5."),
    ({"on_date": "2025-02-30"}, "on_date", "datum"),
    ({"value": "120"}, "value", "En procentsats ligger mellan 0 och 100."),
    ({"on_date": "2025-07-01"}, "on_date", "Datumet kan inte ligga i framtiden."),
]


def test_bad_values_get_a_message_at_their_field_and_the_input_is_kept(
    app, frozen, owner, measure, make_indicator
):
    indicator = make_indicator(measure, unit="%", target=80.0)
    client = logged_in(app, owner)
    for typed, field, message in BAD_VALUES:
        data = {"on_date": "2025-06-01", "value": "55,5", "comment": "Enkät"} | typed
        response = client.post(f"/r/borlange/indikatorer/{indicator.id}/varden", data=data)
        assert response.status_code == 200
        page = response.text
        error = page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
        assert message in error
        assert f'value="{data["value"]}"' in page and "Enkät" in page
    assert db.session.scalars(db.select(IndicatorValue)).all() == []


def test_a_driving_indicator_needs_a_target_other_than_its_baseline(app, coordinator, measure):
    response = logged_in(app, coordinator).post(
        f"/r/borlange/insatser/{measure.id}/indikatorer/ny",
        data=_indicator_form(name="Veckor", baseline="6", target="6,0", drives_progress="y"),
    )
    assert response.status_code == 200
    error = response.text.split('id="target-error"', 1)[1].split("</div>", 1)[0]
    assert "målet skilja sig från utgångsläget" in error
    assert 'value="Veckor"' in response.text and 'value="6,0"' in response.text
    assert db.session.scalars(db.select(Indicator)).all() == []


def test_bad_definitions_are_answered_field_by_field(app, coordinator, measure):
    response = logged_in(app, coordinator).post(
        f"/r/borlange/insatser/{measure.id}/indikatorer/ny",
        data=_indicator_form(
            unit="%", baseline="x", target="150", source="activity_entries", period="none"
        ),
    )
    page = response.text
    assert 'id="baseline-error"' in page and 'value="x"' in page
    # the service's rules come after the form's: fix the number and they show
    response = logged_in(app, coordinator).post(
        f"/r/borlange/insatser/{measure.id}/indikatorer/ny",
        data=_indicator_form(unit="%", target="150", source="activity_entries", period="none"),
    )
    page = response.text
    assert "En procentsats ligger mellan 0 och 100." in page
    assert 'id="period-error"' in page


def test_only_one_indicator_drives_the_progress(app, frozen, coordinator, measure, make_indicator):
    first = make_indicator(measure, drives_progress=True)
    client = logged_in(app, coordinator)
    client.post(
        f"/r/borlange/insatser/{measure.id}/indikatorer/ny",
        data=_indicator_form(name="Veckor", target="6", drives_progress="y"),
    )
    drivers = db.session.scalars(db.select(Indicator).where(Indicator.drives_progress)).all()
    assert [i.name for i in drivers] == ["Veckor"]
    assert first.id != drivers[0].id


def test_the_update_form_shows_derived_progress_instead_of_a_field(
    app, frozen, owner, measure, make_indicator
):
    indicator = make_indicator(measure, drives_progress=True)
    db.session.add(
        IndicatorValue(
            council_id=measure.council_id, indicator=indicator, on_date=date(2025, 6, 1), value=6
        )
    )
    measure.progress = 50
    db.session.commit()
    client = logged_in(app, owner)
    page = client.get(f"/r/borlange/insatser/{measure.id}/uppdatera").text
    assert 'name="progress"' not in page and "Deltagare" in page
    response = client.post(
        f"/r/borlange/insatser/{measure.id}/uppdatera",
        data={
            "status": "ongoing",
            "progress": "90",  # ignored: the indicator decides
            "comment": "Halvvägs",
            "version": hidden_value(page, "version"),
        },
    )
    assert response.status_code == 302
    db.session.refresh(measure)
    assert measure.progress == 50


def test_an_edit_keeps_the_version_and_refuses_a_stale_form(
    app, frozen, coordinator, measure, make_indicator
):
    indicator = make_indicator(measure)
    client = logged_in(app, coordinator)
    url = f"/r/borlange/indikatorer/{indicator.id}/redigera"
    page = client.get(url).text
    version = hidden_value(page, "version")
    assert 'value="12"' in page  # the target as Swedish text
    assert client.post(url, data=_indicator_form(target="10", version=version)).status_code == 302
    stale = client.post(url, data=_indicator_form(target="8", version=version))
    assert stale.status_code == 409
    db.session.refresh(indicator)
    assert indicator.target == 10.0


def test_activity_indicators_count_entries_per_period(
    app, frozen, coordinator, measure, make_indicator, make_place
):
    from brott.models.activity import ActivityEntry
    from brott.services import activity

    measure.tool = MeasureTool.ACTIVITY_LOG
    measure.start_date = date(2024, 7, 1)
    kinds = activity.kinds(measure.council_id)
    for day, people in ((date(2024, 9, 1), 5), (date(2024, 11, 1), 7), (date(2025, 3, 1), 4)):
        db.session.add(
            ActivityEntry(
                council_id=measure.council_id,
                measure_id=measure.id,
                on_date=day,
                kind_id=kinds[0].id,
                people_reached=people,
            )
        )
    db.session.commit()
    people = make_indicator(
        measure, source=IndicatorSource.ACTIVITY_PEOPLE, period=IndicatorPeriod.HALF_YEAR
    )
    entries = make_indicator(
        measure, source=IndicatorSource.ACTIVITY_ENTRIES, period=IndicatorPeriod.HALF_YEAR
    )
    today = date(2025, 6, 15)
    assert [(p.on_date, p.value) for p in service.points(people, today)] == [
        (date(2024, 12, 31), 12.0),
        (date(2025, 6, 15), 4.0),
    ]
    assert [p.value for p in service.points(entries, today)] == [2.0, 1.0]


def test_share_indicators_ask_their_tool_and_the_daily_refresh_moves_progress(
    app, frozen, measure, make_indicator, monkeypatch
):
    asked: list[date] = []

    def certified_shares(council_id: int, days) -> dict[date, float | None]:
        asked.extend(days)
        return {on: 25.0 if on < date(2025, 6, 1) else 50.0 for on in days}

    monkeypatch.setattr(service, "_share_function", lambda source: certified_shares)
    measure.start_date = date(2025, 1, 1)
    db.session.commit()
    make_indicator(
        measure,
        name="Andel certifierade",
        unit="%",
        target=100.0,
        source=IndicatorSource.CERTIFIED_SHARE,
        period=IndicatorPeriod.QUARTER,
        drives_progress=True,
    )
    assert service.refresh_derived_progress(NOW) == 1
    assert asked == [date(2025, 3, 31), date(2025, 6, 15)]
    db.session.commit()
    db.session.refresh(measure)
    assert measure.progress == 50
    journal = db.session.scalars(db.select(MeasureUpdate)).all()[-1]
    assert journal.author_id is None and "Andel certifierade" in journal.comment
    assert service.refresh_derived_progress(NOW) == 0  # nothing changed: nothing journalled


def test_the_demo_loads_once_with_charts_on_its_measures(
    app, frozen, council, make_measure, make_user, monkeypatch
):
    from brott.models.activity import ActivityEntry
    from brott.services import demo_indicators

    monkeypatch.setattr(
        service,
        "_share_function",
        lambda source: lambda council_id, days: dict.fromkeys(days, 50.0),
    )
    users = {
        "samordnare@exempel.se": make_user(Role.COORDINATOR, council),
        "ledamot@exempel.se": make_user(Role.MEMBER, council),
    }
    titles = {d.measure for d in demo_indicators.DEMO_INDICATORS}
    measures = {
        t: make_measure(council, title=t, start_date=date(2018, 1, 1), end_date=date(2019, 12, 31))
        for t in titles
    }
    for _ in range(2):
        demo_indicators.load_demo(council, users, measures, NOW)
        db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Indicator.id))) == len(titles)
    assert db.session.scalar(db.select(db.func.count(ActivityEntry.id))) == 11
    summer_school = measures["Sommarskola"]  # its weeks held drive its progress: 6 of 6
    db.session.refresh(summer_school)
    assert summer_school.progress == 100
    dialogues = db.session.scalars(
        db.select(Indicator).where(Indicator.name == "Dialogmöten per halvår")
    ).one()
    assert [p.value for p in service.points(dialogues, NOW.date())] == [1, 1, 1, 1]
