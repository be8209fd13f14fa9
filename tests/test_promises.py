"""Citizen-promise periods: a coordinator starts the next period and carries measures over;
new measures land in the current promise; measures of an ended period are flagged."""

from datetime import UTC, date, datetime

import pytest

from brott.extensions import db
from brott.models import CitizenPromise, Measure, MeasureStatus, Role

from .conftest import logged_in

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def make_promise(app):
    def make(council, start: date, end: date, title: str | None = None) -> CitizenPromise:
        promise = CitizenPromise(
            council_id=council.id,
            title=title or f"Medborgarlöfte {start.year}–{end.year}",
            municipality="Borlänge kommun",
            police_area="Lokalpolisområde Borlänge",
            period_start=start,
            period_end=end,
        )
        db.session.add(promise)
        db.session.commit()
        return promise

    return make


def _form(**overrides) -> dict:
    data = {
        "title": "Medborgarlöfte 2027–2028",
        "goal": "Tryggare centrum kvällstid.",
        "municipality": "Borlänge kommun",
        "police_area": "Lokalpolisområde Borlänge",
        "period_start": "2027-01-01",
        "period_end": "2028-12-31",
        "signed_on": "2026-12-10",
        "chair_signatory": "Rådets ordförande",
        "police_signatory": "Lokalpolisområdeschefen",
    }
    data.update(overrides)
    return data


def test_a_coordinator_starts_a_new_period_and_carries_measures_over(
    app, frozen, council, coordinator, member, make_promise, make_measure, make_partner
):
    old = make_promise(council, date(2025, 1, 1), date(2026, 12, 31))
    partner = make_partner(council)
    going_on = make_measure(
        council, owners=[member], partners=[partner], promise_id=old.id, progress=60
    )
    finished = make_measure(council, promise_id=old.id, status=MeasureStatus.DONE)
    client = logged_in(app, coordinator)

    form = client.get(f"/r/{council.slug}/medborgarloften/ny").get_data(as_text=True)
    assert going_on.title in form and finished.title in form
    response = client.post(
        f"/r/{council.slug}/medborgarloften/ny", data=_form(carry_over=[str(going_on.id)])
    )

    assert response.status_code == 302
    db.session.rollback()
    new = db.session.scalars(
        db.select(CitizenPromise).where(CitizenPromise.title == "Medborgarlöfte 2027–2028")
    ).one()
    assert (new.period_start, new.period_end, new.signed_on) == (
        date(2027, 1, 1),
        date(2028, 12, 31),
        date(2026, 12, 10),
    )
    copies = db.session.scalars(db.select(Measure).where(Measure.promise_id == new.id)).all()
    assert [m.title for m in copies] == [going_on.title]
    (copy,) = copies
    assert copy.status is MeasureStatus.PLANNED and copy.progress == 0
    assert [u.id for u in copy.owners] == [member.id]
    assert [p.id for p in copy.partners] == [partner.id]
    assert copy.number not in (going_on.number, finished.number)
    assert db.session.get(Measure, going_on.id).promise_id == old.id  # the old one stays


def test_new_measures_land_in_the_promise_that_covers_today(
    app, frozen, council, coordinator, make_promise
):
    make_promise(council, date(2018, 1, 1), date(2019, 12, 31))
    covering = make_promise(council, date(2026, 1, 1), date(2027, 12, 31))
    make_promise(council, date(2028, 1, 1), date(2029, 12, 31))  # signed ahead
    client = logged_in(app, coordinator)

    response = client.post(f"/r/{council.slug}/insatser/ny", data={"title": "Ny insats"})

    assert response.status_code == 302
    db.session.rollback()
    created = db.session.scalars(db.select(Measure).where(Measure.title == "Ny insats")).one()
    assert created.promise_id == covering.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Fyll i fältet."),
        ({"period_start": ""}, "Ange ett datum."),
        ({"period_end": "2026-06-01", "period_start": "2027-01-01"}, "Perioden måste sluta"),
        ({"period_start": "0001-01-01"}, "Ange ett datum mellan år 1900 och 2100."),  # form
        ({"period_end": "9999-12-31"}, "Ange ett datum mellan år 1900 och 2100."),
        ({"period_start": "1999-01-01"}, "Ange ett datum mellan 2000 och 2100."),  # service
        ({"period_start": "2026-06-01"}, "Perioden överlappar Medborgarlöfte 2025–2026"),
        ({"goal": "Ring 070-123 45 67"}, "telefonnummer"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_input_kept(
    app, frozen, council, coordinator, make_promise, overrides, message
):
    make_promise(council, date(2025, 1, 1), date(2026, 12, 31))
    client = logged_in(app, coordinator)

    response = client.post(f"/r/{council.slug}/medborgarloften/ny", data=_form(**overrides))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Lokalpolisområdeschefen" in html  # what the user typed is still there
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(CitizenPromise)) == 1


def test_a_measure_of_another_council_cannot_be_carried_over(
    app, frozen, council, coordinator, make_council, make_promise, make_measure
):
    other = make_council(slug="falun")
    foreign = make_measure(
        other, promise_id=make_promise(other, date(2025, 1, 1), date(2026, 12, 31)).id
    )
    client = logged_in(app, coordinator)

    response = client.post(
        f"/r/{council.slug}/medborgarloften/ny", data=_form(carry_over=[str(foreign.id)])
    )

    assert response.status_code == 400
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Measure)) == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.POLICE])
def test_only_who_manages_measures_may_start_a_period(app, council, make_user, role):
    client = logged_in(app, make_user(role, council))
    assert client.get(f"/r/{council.slug}/medborgarloften/ny").status_code == 403
    assert client.post(f"/r/{council.slug}/medborgarloften/ny", data=_form()).status_code == 403
    assert client.get(f"/r/{council.slug}/medborgarloften/").status_code == 200


def test_outsiders_do_not_see_the_promises(app, council, make_council, make_user, client):
    outsider = logged_in(app, make_user(Role.ADMIN, make_council(slug="falun")))
    assert outsider.get(f"/r/{council.slug}/medborgarloften/").status_code == 404
    assert client.get(f"/r/{council.slug}/medborgarloften/").status_code == 302


def test_unfinished_measures_of_an_ended_period_are_flagged(
    app, frozen, council, member, make_promise, make_measure
):
    ended = make_promise(council, date(2018, 1, 1), date(2019, 12, 31))
    ongoing = make_measure(council, promise_id=ended.id, status=MeasureStatus.ONGOING)
    done = make_measure(council, promise_id=ended.id, status=MeasureStatus.DONE)
    client = logged_in(app, member)

    listing = client.get(f"/r/{council.slug}/").get_data(as_text=True)
    assert listing.count("Löftesperioden är slut") == 1
    row = listing.split(ongoing.title, 1)[1].split("</tr>", 1)[0]
    assert "Löftesperioden är slut" in row
    page = client.get(f"/r/{council.slug}/insatser/{ongoing.id}").get_data(as_text=True)
    assert "Löftesperioden är slut" in page
    page = client.get(f"/r/{council.slug}/insatser/{done.id}").get_data(as_text=True)
    assert "Löftesperioden är slut" not in page
