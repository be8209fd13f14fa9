"""Places as things of their own, and actions from any origin."""

from datetime import date, timedelta

from brott.extensions import db
from brott.models import Action, ActionOrigin, Place, Role
from brott.services import actions as action_service

from .conftest import logged_in

NOW_DAY = date.today()


def test_a_coordinator_enters_an_action_outside_a_meeting(
    app, council, coordinator, member, make_place
):
    place = make_place(council, "Resecentrum")
    client = logged_in(app, coordinator)
    assert client.get("/r/borlange/atgarder/ny").status_code == 200
    due = (NOW_DAY + timedelta(days=14)).isoformat()
    response = client.post(
        "/r/borlange/atgarder/ny",
        data={
            "title": "Byt lampor i tunneln",
            "place_id": str(place.id),
            "owner_id": str(member.id),
            "due_date": due,
            "measure_id": "",
        },
    )
    assert response.status_code == 302
    action = db.session.scalars(db.select(Action)).one()
    assert action.origin is ActionOrigin.MANUAL and action.meeting_id is None
    assert action.place_id == place.id
    db.session.rollback()
    page = logged_in(app, member).get("/r/borlange/atgarder").text
    assert "Byt lampor i tunneln" in page and "Resecentrum" in page


def test_bad_input_on_a_manual_action_is_answered_field_by_field_at_once(
    app, council, coordinator, make_council, make_place
):
    foreign = make_place(make_council(), "Annanstans")
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/atgarder/ny",
        data={
            "title": "Laga staketet",
            "place_id": str(foreign.id),
            "owner_id": "999999",
            "due_date": (NOW_DAY - timedelta(days=3)).isoformat(),
            "measure_id": "",
        },
    )
    assert response.status_code == 200
    page = response.text
    assert 'value="Laga staketet"' in page  # the input is kept
    # a place of another council and an unknown owner are not among the choices offered
    field_errors = page.split("data-error-summary", 1)[1].split("</div>", 1)[1]
    assert field_errors.count("Inte ett giltigt val") == 2  # each at its field
    assert "2 fält behöver rättas" in page  # and both in the summary atop the form
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 0


def test_several_field_errors_come_back_together_from_the_service(app, council, coordinator):
    from brott.errors import DomainError

    data = action_service.ActionData(title="", owner_id=None, due_date=None, place_id=123456)
    try:
        action_service.record_manual(council.id, coordinator, data, None, NOW_DAY)
    except DomainError as error:
        fields = {field for field, _message in error.field_errors}
    else:
        raise AssertionError("refused input was accepted")
    assert fields == {"title", "owner_id", "due_date", "place_id"}


def test_who_may_not_manage_meetings_cannot_enter_actions(app, council, member, police):
    for user in (member, police):
        client = logged_in(app, user)
        assert client.get("/r/borlange/atgarder/ny").status_code == 403
        assert client.post("/r/borlange/atgarder/ny", data={"title": "x"}).status_code == 403


def test_places_have_an_area_and_show_what_refers_to_them(app, council, coordinator, member):
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/platser/",
        data={
            "place-name": "Gångtunneln",
            "place-area": "Centrum",
            "place-latitude": "",
            "place-longitude": "",
        },
    )
    assert response.status_code == 302
    place = db.session.scalars(db.select(Place)).one()
    assert place.area == "Centrum"
    action_service.record_manual(
        council.id,
        coordinator,
        action_service.ActionData("Tänd", member.id, NOW_DAY + timedelta(days=1), place.id),
        None,
        NOW_DAY,
    )
    db.session.commit()
    page = client.get("/r/borlange/platser/").text
    assert "Gångtunneln" in page and "Centrum" in page
    assert "<td>1</td>" in page  # one open action at the place


def test_a_place_name_is_unique_whatever_its_case_also_when_renamed(
    app, council, coordinator, make_place
):
    make_place(council, "Ängen")
    other = make_place(council, "Torget")
    client = logged_in(app, coordinator)
    response = client.post("/r/borlange/platser/", data={"place-name": "ÄNGEN", "place-area": ""})
    assert response.status_code == 400
    assert "Det finns redan en plats med det namnet." in response.text
    response = client.post(
        f"/r/borlange/platser/{other.id}",
        data={"name": "ängen", "area": "", "version": str(other.version)},
    )
    assert response.status_code == 200 and 'value="ängen"' in response.text
    assert "Det finns redan en plats med det namnet." in response.text
    db.session.rollback()
    assert db.session.get(Place, other.id).name == "Torget"


def test_a_place_of_another_council_is_not_found(
    app, council, coordinator, make_council, make_place
):
    foreign = make_place(make_council(), "Annanstans")
    client = logged_in(app, coordinator)
    assert client.get(f"/r/borlange/platser/{foreign.id}").status_code == 404
    assert client.post(f"/r/borlange/platser/plats/{foreign.id}/vaxla").status_code == 404
    assert client.post(f"/r/borlange/platser/okand/{foreign.id}/vaxla").status_code == 404


def test_members_and_police_cannot_manage_places(app, council, make_user, make_place):
    place = make_place(council, "Resecentrum")
    for role in (Role.MEMBER, Role.POLICE):
        client = logged_in(app, make_user(role, council))
        assert client.get("/r/borlange/platser/").status_code == 403
        assert client.post(f"/r/borlange/platser/{place.id}", data={"name": "x"}).status_code == 403
