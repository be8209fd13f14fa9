"""The certification register: businesses, checklist, inspections, certificates, chains,
settings, the figures for indicators, and who may do what."""

from datetime import UTC, date, datetime

import pytest

from brott.extensions import db
from brott.models import Role
from brott.models.certification import (
    Business,
    BusinessStatus,
    Certificate,
    ChecklistPoint,
    Inspection,
    Outcome,
)
from brott.services import certification as service
from brott.services import certification_inspections as inspection_service

from .conftest import hidden_value, logged_in

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
ORGNR = "556036-0793"  # a valid check digit
OTHER_ORGNR = "5567037485"


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council)


@pytest.fixture
def make_business(council):
    def make(name="Kiosken", orgnr=ORGNR, **fields) -> Business:
        business = service.add_business(
            fields.pop("council_id", council.id), service.BusinessData(name, orgnr, **fields)
        )
        db.session.commit()
        return business

    return make


def all_pass(council_id: int, **changes: Outcome) -> dict[int, Outcome]:
    outcomes = {p.id: Outcome.PASSED for p in service.points(council_id)}
    for index, outcome in changes.items():
        outcomes[service.points(council_id)[int(index[1:])].id] = outcome
    return outcomes


def form_of(council_id: int, day: str, inspector_id: int, **changes: str) -> dict[str, str]:
    data = {f"point_{p.id}": "passed" for p in service.points(council_id)}
    data.update({"inspected_on": day, "inspector_id": str(inspector_id), "remarks": ""})
    data.update(changes)
    return data


def test_a_coordinator_registers_a_business_with_a_normalised_orgnr_and_the_checklist_is_seeded(
    app, council, coordinator, make_place
):
    place = make_place(council, "Resecentrum")
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/certifiering/nytt",
        data={
            "name": "Pressbyrån",
            "unit": "Resecentrum",
            "orgnr": "5560360793",
            "place_id": str(place.id),
            "chain": "Pressbyrån",
            "offer_sent_on": "2026-02-01",
            "contact_email": "butik@exempel.se",
        },
    )
    assert response.status_code == 302
    business = db.session.scalars(db.select(Business)).one()
    assert (business.orgnr, business.unit, business.place_id) == (ORGNR, "Resecentrum", place.id)
    assert len(service.points(council.id)) == 13
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "556036-0793" in page and "Pressbyrån" in page


def test_a_wrong_check_digit_is_named_on_its_field_in_swedish_and_the_input_is_kept(
    app, council, coordinator
):
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/certifiering/nytt", data={"name": "Kiosken Ost", "orgnr": "556036-0794"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "kontrollsiffra" in page.casefold() or "check digit" in page
    assert 'value="Kiosken Ost"' in page and 'value="556036-0794"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 0


def test_the_same_orgnr_and_unit_is_refused_but_another_unit_of_the_company_is_welcome(
    app, council, make_business
):
    make_business(unit="Torget")
    with pytest.raises(service.DomainError) as refused:
        make_business(orgnr="556036 0793", unit=" torget ")
    assert refused.value.field == "orgnr"
    db.session.rollback()
    make_business(unit="Resecentrum")
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 2


def test_an_edit_from_an_old_version_is_a_conflict(app, council, coordinator, make_business):
    business = make_business()
    client = logged_in(app, coordinator)
    url = f"/r/borlange/certifiering/{business.id}/andra"
    version = hidden_value(client.get(url).get_data(as_text=True), "version")
    data = {"name": "Nytt namn", "orgnr": ORGNR, "version": version}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data={**data, "name": "Tredje"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Business, business.id).name == "Nytt namn"


def test_passing_every_applicable_point_certifies_with_a_decal_and_the_council_interval(
    app, frozen, council, coordinator, police, make_business
):
    business = make_business(offer_sent_on=date(2026, 2, 1))
    settings = service.settings_of(council.id)
    settings.interval_months = 6
    db.session.commit()
    client = logged_in(app, police)
    points = service.points(council.id)
    data = form_of(
        council.id, "2026-02-28", police.id, **{f"point_{points[3].id}": "not_applicable"}
    )
    response = client.post(f"/r/borlange/certifiering/{business.id}/besiktning", data=data)
    assert response.status_code == 302
    certificate = db.session.scalars(db.select(Certificate)).one()
    assert (certificate.issued_on, certificate.valid_until) == (
        date(2026, 2, 28),
        date(2026, 8, 28),
    )
    assert certificate.decal_number == "2026-0001"
    assert service.register(council.id, TODAY).rows[0].status is BusinessStatus.CERTIFIED


def test_failed_points_are_listed_and_a_follow_up_inspection_can_certify(
    app, frozen, council, coordinator, make_business
):
    business = make_business(offer_sent_on=date(2026, 2, 1))
    points = service.points(council.id)
    client = logged_in(app, coordinator)
    url = f"/r/borlange/certifiering/{business.id}/besiktning"
    failed = {f"point_{points[7].id}": "failed"}
    assert (
        client.post(
            url, data=form_of(council.id, "2026-02-20", coordinator.id, **failed)
        ).status_code
        == 302
    )
    first = db.session.scalars(db.select(Inspection)).one()
    assert not first.approved
    page = client.get(f"/r/borlange/certifiering/{business.id}").get_data(as_text=True)
    assert points[7].text in page and f"uppfoljning={first.id}" in page
    follow = client.get(f"{url}?uppfoljning={first.id}").get_data(as_text=True)
    assert hidden_value(follow, "follow_up_of") == str(first.id)
    data = form_of(council.id, "2026-03-01", coordinator.id, follow_up_of=str(first.id))
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    second = db.session.scalars(db.select(Inspection).where(Inspection.id != first.id)).one()
    assert second.approved and second.follow_up_of_id == first.id
    page = client.get(f"/r/borlange/certifiering/{business.id}").get_data(as_text=True)
    assert f"uppfoljning={first.id}" not in page


def test_an_inspection_before_the_offer_is_refused_on_its_date_field(
    app, frozen, council, coordinator, make_business
):
    business = make_business(offer_sent_on=date(2026, 2, 1))
    client = logged_in(app, coordinator)
    data = form_of(council.id, "2026-01-15", coordinator.id, remarks="Bra rutiner")
    response = client.post(f"/r/borlange/certifiering/{business.id}/besiktning", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "inspected_on-error" in page and "2026-02-01" in page
    assert "Bra rutiner" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Inspection)) == 0


def test_a_member_cannot_be_named_inspector(
    app, frozen, council, coordinator, member, make_business
):
    business = make_business()
    with pytest.raises(service.DomainError) as refused:
        inspection_service.record_inspection(
            business,
            inspection_service.InspectionData(date(2026, 3, 1), member.id, all_pass(council.id)),
            TODAY,
        )
    assert "inspector_id" in refused.value.errors


def test_a_sample_inspection_approves_the_rest_of_the_chain(
    app, frozen, council, coordinator, make_business
):
    sampled = make_business(name="Ica Nära", unit="Torget", chain="ICA")
    others = [make_business(name="Ica Nära", unit=u, chain="ica") for u in ("Hagalund", "Tjärna")]
    make_business(name="Fristående", orgnr=OTHER_ORGNR)
    inspection = inspection_service.record_inspection(
        sampled,
        inspection_service.InspectionData(date(2026, 3, 1), coordinator.id, all_pass(council.id)),
        TODAY,
    )
    db.session.commit()
    client = logged_in(app, coordinator)
    response = client.post(f"/r/borlange/certifiering/besiktning/{inspection.id}/kedja")
    assert response.status_code == 302
    by_sample = db.session.scalars(db.select(Certificate).where(Certificate.by_sample)).all()
    assert {c.business_id for c in by_sample} == {b.id for b in others}
    assert all(c.inspection_id == inspection.id for c in by_sample)
    page = client.get(f"/r/borlange/certifiering/{others[0].id}").get_data(as_text=True)
    assert "Torget" in page
    client.post(f"/r/borlange/certifiering/besiktning/{inspection.id}/kedja")  # again: no more
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 3


def test_the_register_filters_by_status_place_and_search_with_counts(
    app, frozen, council, coordinator, make_business, make_place
):
    place = make_place(council, "Centrum")
    make_business(name="Kiosken Ny")
    make_business(
        name="Bageriet", orgnr=OTHER_ORGNR, offer_sent_on=date(2026, 1, 1), place_id=place.id
    )
    certified = make_business(name="Certad", unit="A", offer_sent_on=date(2025, 1, 1))
    expiring = make_business(name="Snart ute", unit="B", offer_sent_on=date(2025, 1, 1))
    for business, day in ((certified, date(2026, 1, 10)), (expiring, date(2025, 4, 10))):
        inspection_service.record_inspection(
            business,
            inspection_service.InspectionData(day, coordinator.id, all_pass(council.id)),
            TODAY,
        )
    db.session.commit()
    register = service.register(council.id, TODAY)
    assert register.counts == {
        BusinessStatus.REGISTERED: 1,
        BusinessStatus.OFFERED: 1,
        BusinessStatus.CERTIFIED: 1,
        BusinessStatus.EXPIRING: 1,
    }
    client = logged_in(app, coordinator)
    page = client.get("/r/borlange/certifiering/?status=expiring").get_data(as_text=True)
    assert "Snart ute" in page and "Kiosken Ny" not in page
    page = client.get(f"/r/borlange/certifiering/?place={place.id}").get_data(as_text=True)
    assert "Bageriet" in page and "Certad" not in page
    page = client.get("/r/borlange/certifiering/?q=5567037").get_data(as_text=True)
    assert "Bageriet" in page and "Certad" not in page
    page = client.get("/r/borlange/certifiering/?status=nonsense").get_data(as_text=True)
    assert "Kiosken Ny" in page
    assert service.certified_counts(council.id, TODAY) == (4, 3, 2)
    assert service.certified_share(council.id, TODAY) == 50.0
    assert service.certified_counts(council.id, date(2026, 4, 11)) == (4, 3, 1)


def test_certified_share_is_none_without_businesses(app, council):
    assert service.certified_share(council.id, TODAY) is None


def test_the_checklist_is_added_to_renamed_reordered_and_taken_out_of_use(
    app, council, coordinator
):
    client = logged_in(app, coordinator)
    assert client.get("/r/borlange/certifiering/checklista").status_code == 200
    first, second = service.points(council.id)[:2]
    assert (
        client.post(
            "/r/borlange/certifiering/checklista", data={"text": "Kameror vid kassan"}
        ).status_code
        == 302
    )
    assert service.points(council.id)[-1].text == "Kameror vid kassan"
    assert (
        client.post("/r/borlange/certifiering/checklista", data={"text": "  "}).status_code == 400
    )
    client.post(f"/r/borlange/certifiering/checklista/{second.id}/upp")
    db.session.expire_all()
    assert [p.id for p in service.points(council.id)[:2]] == [second.id, first.id]
    url = f"/r/borlange/certifiering/checklista/{first.id}"
    version = hidden_value(client.get(url).get_data(as_text=True), "version")
    assert (
        client.post(url, data={"text": "Säkerhetsansvarig utsedd", "version": version}).status_code
        == 302
    )
    client.post(f"{url}/vaxla")
    db.session.expire_all()
    point = db.session.get(ChecklistPoint, first.id)
    assert (point.text, point.active) == ("Säkerhetsansvarig utsedd", False)
    assert len(service.points(council.id)) == 13
    assert client.get(f"{url}/vaxla").status_code == 302  # a reload changes nothing


def test_the_settings_change_the_interval_and_refuse_nonsense(app, council, coordinator):
    client = logged_in(app, coordinator)
    url = "/r/borlange/certifiering/installningar"
    version = hidden_value(client.get(url).get_data(as_text=True), "version")
    response = client.post(url, data={"interval_months": "0", "version": version})
    assert response.status_code == 400 and 'value="0"' in response.get_data(as_text=True)
    assert client.post(url, data={"interval_months": "24", "version": version}).status_code == 302
    db.session.expire_all()
    assert service.settings_of(council.id).interval_months == 24


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert inspection_service.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert inspection_service.add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)


@pytest.fixture
def objects(council, coordinator, make_business):
    business = make_business(chain="K")
    make_business(unit="Två", chain="K")
    inspection = inspection_service.record_inspection(
        business,
        inspection_service.InspectionData(TODAY, coordinator.id, all_pass(council.id)),
        TODAY,
    )
    db.session.commit()
    point = service.points(council.id)[0]
    return {"b": business.id, "i": inspection.id, "p": point.id}


ROUTES = [  # (method, url, may: roles answered 2xx/3xx rather than 403)
    ("GET", "/certifiering/", "all"),
    ("GET", "/certifiering/{b}", "all"),
    ("GET", "/certifiering/export.csv", "all"),
    ("GET", "/certifiering/export.xlsx", "all"),
    ("GET", "/certifiering/nytt", "manage"),
    ("GET", "/certifiering/{b}/andra", "manage"),
    ("GET", "/certifiering/checklista", "manage"),
    ("GET", "/certifiering/checklista/{p}", "manage"),
    ("POST", "/certifiering/checklista/{p}/ned", "manage"),
    ("GET", "/certifiering/installningar", "manage"),
    ("GET", "/certifiering/import", "manage"),
    ("POST", "/certifiering/import/bekrafta", "manage"),
    ("GET", "/certifiering/{b}/besiktning", "inspect"),
    ("POST", "/certifiering/besiktning/{i}/kedja", "inspect"),
]
ALLOWED = {
    "all": {Role.POLICE, Role.MEMBER, Role.COORDINATOR, Role.ADMIN},
    "manage": {Role.COORDINATOR, Role.ADMIN},
    "inspect": {Role.POLICE, Role.COORDINATOR, Role.ADMIN},
}


def test_every_route_answers_each_role_as_the_policy_says(
    app, council, make_council, make_user, objects
):
    outsider_council = make_council()
    people = {role: make_user(role, council) for role in Role}
    clients = {role: logged_in(app, user) for role, user in people.items()}
    outsider = logged_in(app, make_user(Role.ADMIN, outsider_council))
    anonymous = app.test_client()
    for method, path, who in ROUTES:
        url = "/r/borlange" + path.format(**objects)
        for role, client in clients.items():
            status = client.open(url, method=method).status_code
            expected_ok = role in ALLOWED[who]
            assert status in ((200, 302, 400) if expected_ok else (403,)), (url, role, status)
        assert outsider.open(url, method=method).status_code == 404, url
        response = anonymous.open(url, method=method)
        assert response.status_code == 302 and "logga-in" in response.headers["Location"], url


def test_objects_of_another_council_are_not_found(app, council, make_council, make_user, objects):
    other = make_council(slug="falun")
    client = logged_in(app, make_user(Role.ADMIN, other))
    assert client.get(f"/r/falun/certifiering/{objects['b']}").status_code == 404
    assert client.get(f"/r/falun/certifiering/checklista/{objects['p']}").status_code == 404
