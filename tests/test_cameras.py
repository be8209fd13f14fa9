"""Camera sites and guard deployments: the decision path, the balancing of interests, the
need assessment, the register and its export, the yearly review reminder, the guards."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from brott import jobs
from brott.extensions import db
from brott.models import OutboxMessage, Role, Visibility
from brott.models.cameras import (
    CameraBalancing,
    CameraSite,
    CameraStage,
    GuardDeployment,
    add_years,
)
from brott.policy import Viewer
from brott.services import camera_need, camera_register
from brott.services import cameras as service

from .conftest import hidden_value, logged_in

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 16)
BALANCING = {
    "written_on": "2026-03-10",
    "purpose": "Minska skadegörelse vid cykelgaraget kvällstid.",
    "privacy_impact": "Resenärer filmas när de passerar entrén.",
    "alternatives": "Bättre belysning och väktarrond prövades under hösten.",
    "conclusion": "Intresset av kameror väger tyngre under kvällar och nätter.",
}


@pytest.fixture
def places(make_place, council):
    return {
        "station": make_place(council, "Resecentrum", latitude=60.4840, longitude=15.4330),
        "near": make_place(council, "Busstorget", latitude=60.4855, longitude=15.4340),
        "far": make_place(council, "Tjärna ängar", latitude=60.5000, longitude=15.3900),
    }


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council)


def _viewer(user, council) -> Viewer:
    membership = next(m for m in user.memberships if m.council_id == council.id)
    return Viewer.member(membership)


@pytest.fixture
def make_site(council, coordinator, places):
    def make(stage: CameraStage = CameraStage.INVESTIGATING, **fields) -> CameraSite:
        data = service.SiteData(place_id=places["station"].id, title="Cykelgaraget", **fields)
        site = service.create_site(
            _viewer(coordinator, council), data, coordinator, date(2025, 1, 2)
        )
        path = [CameraStage.DECIDED, CameraStage.INSTALLED, CameraStage.REVIEWED]
        if stage is not CameraStage.INVESTIGATING:
            service.add_balancing(
                site,
                service.BalancingData(date(2025, 1, 3), "Syfte", "Påverkan", "Andra", "Slutsats"),
                coordinator,
                TODAY,
            )
            site.camera_count, site.coverage = 3, "Entrén och cykelställen"
            site.recording_hours, site.storage_days = "22–06", 14
        for number, step in enumerate(path[: path.index(stage) + 1] if stage in path else []):
            service.move_site(
                site, step, date(2025, 2, 1 + number), "Beslut", coordinator, TODAY, site.version
            )
        db.session.commit()
        return site

    return make


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- sites and their decision path ----------------------------------------------------------


def test_a_coordinator_creates_a_site_edits_it_and_sees_it_listed_by_stage(
    app, frozen, council, coordinator, places
):
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/kameror/ny",
        data={"title": "Perrongerna", "place_id": places["station"].id, "operator": "Kommunen"},
    )
    assert response.status_code == 302
    site = db.session.scalars(db.select(CameraSite)).one()
    assert (site.stage, site.place_id) == (CameraStage.INVESTIGATING, places["station"].id)
    assert [(e.stage, e.happened_on) for e in site.events] == [(CameraStage.INVESTIGATING, TODAY)]
    db.session.rollback()

    url = f"/r/borlange/kameror/{site.id}/redigera"
    version = hidden_value(_page(client, url), "version")
    response = client.post(
        url,
        data={
            "title": "Perrongerna",
            "place_id": places["near"].id,
            "camera_count": "4",
            "coverage": "Perrong 1–3",
            "version": version,
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(CameraSite, site.id).camera_count == 4

    index = _page(client, "/r/borlange/kameror/")
    assert "Perrongerna" in index and "Busstorget" in index
    assert "<td>1</td>" in index  # one site under investigation

    stale = client.post(
        url, data={"title": "Annat", "place_id": places["near"].id, "version": version}
    )
    assert stale.status_code == 409
    assert "Annat" in stale.get_data(as_text=True)


def test_bad_site_input_gets_swedish_messages_and_keeps_what_was_typed(
    app, council, coordinator, places, make_council, make_place
):
    other_place = make_place(make_council(), "Annan kommuns torg")
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/kameror/ny",
        data={
            "title": "",
            "place_id": places["station"].id,
            "camera_count": "noll",
            "storage_days": "9999",
            "coverage": "Entrén mot parkeringen",
        },
    )
    page = response.get_data(as_text=True)
    assert "Ange en titel." in page
    assert "Ange en lagringstid mellan 1 och 3650 dagar." in page
    assert "Entrén mot parkeringen" in page
    response = client.post(
        "/r/borlange/kameror/ny", data={"title": "Torget", "place_id": other_place.id}
    )
    assert "Torget" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(CameraSite.id))) == 0


def test_a_decision_needs_a_balancing_of_interests_and_a_decision_text(
    app, frozen, council, coordinator, make_site
):
    site = make_site()
    client = logged_in(app, coordinator)
    url = f"/r/borlange/kameror/{site.id}/steg"
    version = hidden_value(_page(client, url), "version")
    refused = client.post(
        url, data={"stage": "decided", "happened_on": "2026-03-12", "text": "", "version": version}
    )
    page = refused.get_data(as_text=True)
    assert "Dokumentera intresseavvägningen före beslutet." in page
    assert "Skriv beslutet." in page

    response = client.post(f"/r/borlange/kameror/{site.id}/intresseavvagning", data=BALANCING)
    assert response.status_code == 302
    decided = client.post(
        url,
        data={
            "stage": "decided",
            "happened_on": "2026-03-12",
            "version": version,
            "text": "Rådet beslutar att sätta upp kameror vid cykelgaraget.",
        },
    )
    assert decided.status_code == 302
    shown = _page(client, f"/r/borlange/kameror/{site.id}")
    assert "Rådet beslutar att sätta upp kameror vid cykelgaraget." in shown
    assert "Minska skadegörelse vid cykelgaraget kvällstid." in shown
    db.session.rollback()
    assert db.session.get(CameraSite, site.id).stage is CameraStage.DECIDED


def test_the_decision_path_keeps_its_rules_and_dates(
    frozen, council, coordinator, places, make_site
):
    site = make_site(CameraStage.DECIDED)
    for day, message in (
        (TODAY + timedelta(days=1), "framtiden"),
        (date(2025, 1, 15), "föregående"),
    ):
        with pytest.raises(service.DomainError) as error:
            service.move_site(
                site, CameraStage.INSTALLED, day, "", coordinator, TODAY, site.version
            )
        assert message in " ".join(error.value.errors["happened_on"])
    with pytest.raises(service.DomainError) as error:
        service.move_site(site, CameraStage.REVIEWED, TODAY, "", coordinator, TODAY, site.version)
    assert "stage" in error.value.errors
    viewer = _viewer(coordinator, council)
    data = service.SiteData(places["station"].id, "Torget", permit_needed=True)
    site = service.create_site(viewer, data, coordinator, date(2025, 1, 2))
    service.add_balancing(
        site, service.BalancingData(date(2025, 1, 3), "a", "b", "c", "d"), coordinator, TODAY
    )
    service.move_site(
        site, CameraStage.DECIDED, date(2025, 2, 1), "Ja", coordinator, TODAY, site.version
    )
    with pytest.raises(service.DomainError) as error:
        service.move_site(
            site, CameraStage.INSTALLED, date(2025, 3, 1), "", coordinator, TODAY, site.version
        )
    assert len(error.value.errors[None]) == 2
    db.session.rollback()

    site = make_site(CameraStage.INSTALLED)
    assert site.installed_on == date(2025, 2, 2)
    assert site.next_review_on == date(2026, 2, 2)
    service.move_site(
        site,
        CameraStage.REVIEWED,
        date(2026, 2, 10),
        "Behovet kvarstår.",
        coordinator,
        TODAY,
        site.version,
    )
    assert site.next_review_on == date(2027, 2, 10)
    service.move_site(
        site, CameraStage.ENDED, TODAY, "Nedmonterade.", coordinator, TODAY, site.version
    )
    assert (site.ended_on, site.keep_until, site.next_review_on) == (TODAY, date(2031, 3, 16), None)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_a_new_balancing_keeps_the_earlier_version_and_bad_parts_are_refused(
    app, council, coordinator, make_site
):
    site = make_site()
    client = logged_in(app, coordinator)
    url = f"/r/borlange/kameror/{site.id}/intresseavvagning"
    assert client.post(url, data=BALANCING).status_code == 302
    form = _page(client, url)
    assert BALANCING["purpose"] in form  # the new version starts from the latest
    changed = {**BALANCING, "conclusion": "Kameror endast fredag och lördag natt."}
    assert client.post(url, data=changed).status_code == 302
    db.session.rollback()
    versions = db.session.scalars(db.select(CameraBalancing).order_by(CameraBalancing.number)).all()
    assert [(b.number, b.conclusion) for b in versions] == [
        (1, BALANCING["conclusion"]),
        (2, "Kameror endast fredag och lördag natt."),
    ]
    first = _page(client, f"/r/borlange/kameror/{site.id}/intresseavvagning/{versions[0].id}")
    assert BALANCING["conclusion"] in first

    response = client.post(url, data={**BALANCING, "alternatives": " "})
    assert "Fyll i den här delen av avvägningen." in response.get_data(as_text=True)
    response = client.post(url, data={**BALANCING, "purpose": "Gäller 19121212-1212 särskilt."})
    page = response.get_data(as_text=True)
    assert "personnummer" in page.lower()
    assert BALANCING["conclusion"] in page
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(CameraBalancing.id))) == 2


# --- the need assessment ---------------------------------------------------------------------


def test_the_need_assessment_counts_notes_at_and_near_the_place_per_category_and_month(
    app, frozen, council, coordinator, police, places, make_site, make_note, make_category
):
    site = make_site()
    damage, noise = make_category(council, "Skadegörelse"), make_category(council, "Oro")
    for place, category, day, visibility in (
        (places["station"], damage, datetime(2026, 1, 5, 20, tzinfo=UTC), Visibility.SHARED),
        (places["station"], damage, datetime(2026, 1, 20, 20, tzinfo=UTC), Visibility.INTERNAL),
        (places["near"], noise, datetime(2026, 2, 7, 22, tzinfo=UTC), Visibility.SHARED),
        (places["far"], noise, datetime(2026, 2, 8, 22, tzinfo=UTC), Visibility.SHARED),
        (places["station"], noise, datetime(2024, 2, 8, 22, tzinfo=UTC), Visibility.SHARED),
    ):
        make_note(
            council,
            coordinator,
            place,
            damage if category is damage else noise,
            observed_from=day,
            visibility=visibility,
        )
    assessment = camera_need.need_assessment(
        _viewer(coordinator, council), site, *camera_need.default_period(TODAY), 300
    )
    assert [p.name for p, _d in assessment.places] == ["Resecentrum", "Busstorget"]
    assert assessment.counts == {("Skadegörelse", (2026, 1)): 2, ("Oro", (2026, 2)): 1}
    assert len(assessment.months) == 13 and assessment.total == 3

    police_view = camera_need.need_assessment(
        _viewer(police, council), site, *camera_need.default_period(TODAY), 300
    )
    assert police_view.total == 2  # the internal note is not the police's to see
    wide = camera_need.need_assessment(
        _viewer(coordinator, council), site, TODAY - timedelta(days=90), TODAY, 5000
    )
    assert wide.total == 4

    page = _page(logged_in(app, police), f"/r/borlange/kameror/{site.id}/behov")
    assert "Busstorget" in page and "Tjärna ängar" not in page
    bad = _page(
        logged_in(app, police),
        f"/r/borlange/kameror/{site.id}/behov?radius=-5&start=2026-03-01&end=2026-01-01",
    )
    assert "Ange en radie mellan 0 och 5000 meter." in bad


# --- the register --------------------------------------------------------------------------------


def test_the_register_lists_running_and_recently_ended_sites_and_exports_csv(
    app, frozen, council, coordinator, police, make_site
):
    running = make_site(CameraStage.INSTALLED, operator="Gatukontoret")
    make_site(CameraStage.DECIDED)  # never installed: not surveillance
    old = make_site(CameraStage.INSTALLED)
    service.move_site(old, CameraStage.ENDED, date(2025, 3, 1), "", coordinator, TODAY, old.version)
    old.ended_on = date(2020, 3, 1)  # ended more than five years ago
    db.session.commit()
    assert [s.id for s in camera_register.register(_viewer(police, council), TODAY)] == [running.id]

    client = logged_in(app, police)
    assert "Gatukontoret" in _page(client, "/r/borlange/kameror/register")
    response = client.get("/r/borlange/kameror/register.csv")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Kameraplats", "Plats", "Steg", "Kameror"]
    assert rows[1][3:8] == ["3", "Entrén och cykelställen", "22–06", "14", "Gatukontoret"]
    assert rows[1][8] == "2025-02-02" and len(rows) == 2
    make_site(CameraStage.INSTALLED, operator='=HYPERLINK("x")')
    body = camera_register.register_csv(
        camera_register.register(_viewer(coordinator, council), TODAY)
    )
    assert "'=HYPERLINK" in body.decode("utf-8-sig")


# --- the yearly review -----------------------------------------------------------------------


def test_review_reminders_go_once_to_each_coordinator_within_30_days(
    app, council, coordinator, member, make_user, make_site, smtp, mailer
):
    second = make_user(Role.COORDINATOR, council, name="Lena Ek")
    site = make_site(CameraStage.INSTALLED)  # review due 2026-02-02
    make_site(CameraStage.DECIDED)
    early = datetime(2025, 12, 1, 8, tzinfo=UTC)
    assert camera_register.plan_camera_reviews(early) == 0
    on_time = datetime(2026, 1, 10, 8, tzinfo=UTC)
    assert camera_register.plan_camera_reviews(on_time) == 2
    assert camera_register.plan_camera_reviews(on_time + timedelta(days=1)) == 0
    db.session.commit()
    jobs.dispatch_due(on_time, mailer)
    received = smtp.inbox.messages
    assert sorted(r.rcpt_tos[0] for r in received) == sorted([coordinator.email, second.email])
    assert "Årlig granskning av kameraplats: Cykelgaraget" in received[0].message["Subject"]
    assert jobs.dispatch_due(on_time + timedelta(hours=1), mailer).sent == 0

    service.move_site(
        site, CameraStage.REVIEWED, date(2026, 1, 20), "", coordinator, TODAY, site.version
    )  # the next review is a year later: a new reminder then
    assert camera_register.plan_camera_reviews(datetime(2027, 1, 1, tzinfo=UTC)) == 2
    keys = db.session.scalars(db.select(OutboxMessage.key)).all()
    assert len(set(keys)) == 4


# --- guard deployments ---------------------------------------------------------------------


def test_guard_deployments_are_recorded_edited_listed_and_bad_input_refused(
    app, council, coordinator, member, places
):
    client = logged_in(app, coordinator)
    data = {
        "starts_on": "2026-05-01",
        "ends_on": "2026-08-31",
        "hours": "fre–lör 21–03",
        "company": "Vaktbolaget AB",
        "place_ids": [places["station"].id, places["near"].id],
        "decision_reference": "KS 2026/114",
    }
    assert client.post("/r/borlange/kameror/vakter/ny", data=data).status_code == 302
    deployment = db.session.scalars(db.select(GuardDeployment)).one()
    url = f"/r/borlange/kameror/vakter/{deployment.id}"
    version = hidden_value(_page(client, url), "version")
    db.session.rollback()
    edited = {**data, "place_ids": [], "area": "Centrum", "version": version}
    assert client.post(url, data=edited).status_code == 302
    page = _page(logged_in(app, member), "/r/borlange/kameror/")
    assert "fre–lör 21–03" in page and "Vaktbolaget AB" in page and "Centrum" in page
    assert "Resecentrum" not in page

    response = client.post(
        "/r/borlange/kameror/vakter/ny",
        data={
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "hours": "fre 22–02",
            "company": "Vakt AB",
        },
    )
    page = response.get_data(as_text=True)
    assert "Perioden kan inte sluta innan den börjar." in page
    assert "Välj minst en plats eller beskriv området." in page
    assert "fre 22–02" in page
    response = client.post(
        "/r/borlange/kameror/vakter/ny",
        data={"starts_on": "2026-13-01", "ends_on": "", "hours": "", "company": "Vakt AB"},
    )
    assert "Ange den sista dagen." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(GuardDeployment.id))) == 1
