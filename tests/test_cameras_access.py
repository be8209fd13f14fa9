"""Who may reach each camera and guard page, and that the lists stay flat in queries."""

from datetime import date

import pytest

from brott.extensions import db
from brott.models import Role
from brott.models.cameras import CameraSite, CameraStage, CameraStageEvent, GuardDeployment
from brott.policy import Viewer
from brott.services import cameras as service
from brott.services import places as place_service

from .conftest import logged_in
from .test_query_counts import counted_statements

VIEW = ["index", "show", "balancing", "need", "register", "register_csv"]
MANAGE = ["create", "edit", "move", "balance", "guards_create", "guards_edit"]


def camera_objects(council, users, measure=None) -> dict[str, str]:
    """A site with a balancing and a guard deployment in `council`; the URLs that name them."""
    coordinator = users["coordinator"]
    membership = next(m for m in coordinator.memberships if m.council_id == council.id)
    viewer = Viewer.member(membership)
    place = place_service.add_place(council.id, place_service.PlaceData("Kameratorget"))
    site = service.create_site(
        viewer, service.SiteData(place.id, "Torgkameran"), coordinator, date(2026, 1, 2)
    )
    balancing = service.add_balancing(
        site,
        service.BalancingData(date(2026, 1, 3), "a", "b", "c", "d"),
        coordinator,
        date(2026, 1, 3),
    )
    guards = service.create_guard_deployment(
        viewer, service.GuardData(date(2026, 5, 1), date(2026, 5, 2), "21–03", "Vakt AB", "Torget")
    )
    db.session.commit()
    base = f"/r/{council.slug}/kameror"
    return {
        "index": f"{base}/",
        "create": f"{base}/ny",
        "show": f"{base}/{site.id}",
        "edit": f"{base}/{site.id}/redigera",
        "move": f"{base}/{site.id}/steg",
        "balance": f"{base}/{site.id}/intresseavvagning",
        "balancing": f"{base}/{site.id}/intresseavvagning/{balancing.id}",
        "need": f"{base}/{site.id}/behov",
        "register": f"{base}/register",
        "register_csv": f"{base}/register.csv",
        "guards_create": f"{base}/vakter/ny",
        "guards_edit": f"{base}/vakter/{guards.id}",
    }


@pytest.fixture
def setting(council, coordinator, member, police, make_user, make_council, make_measure):
    stranger = make_user(Role.ADMIN, make_council())
    owner = make_user(Role.MEMBER, council)
    users = {
        "coordinator": coordinator,
        "admin": make_user(Role.ADMIN, council),
        "member": member,
        "owner": owner,
        "police": police,
        "other_council": stranger,
    }
    make_measure(council, owners=[owner])
    return users, camera_objects(council, users)


EXPECTED = {
    "coordinator": (200, 200),
    "admin": (200, 200),
    "member": (200, 403),
    "owner": (200, 403),
    "police": (200, 403),
    "other_council": (404, 404),
}


def test_each_page_answers_each_kind_of_viewer(app, setting):
    users, urls = setting
    for who in [*EXPECTED, "anonymous"]:
        client = app.test_client() if who == "anonymous" else logged_in(app, users[who])
        for name, url in urls.items():
            response = client.get(url)
            if who == "anonymous":
                assert response.status_code == 302 and "/logga-in" in response.location, name
                continue
            view, manage = EXPECTED[who]
            assert response.status_code == (view if name in VIEW else manage), (who, name)
            if name in MANAGE and manage != 200:  # a hand-made POST is refused as well
                posted = client.post(url, data={"title": "Försök", "hours": "x", "company": "y"})
                assert posted.status_code == manage, (who, name)
    db.session.rollback()
    assert db.session.scalars(db.select(CameraSite.title)).all() == ["Torgkameran"]


def test_the_camera_page_and_the_register_stay_flat_from_10_to_200_sites(
    app, council, coordinator, make_place
):
    places = [make_place(council) for _ in range(3)]
    client = logged_in(app, coordinator)

    def add(n: int) -> None:  # rows as stored, written at once: the pages are measured
        for i in range(n):
            site = CameraSite(
                council_id=council.id,
                place_id=places[i % 3].id,
                title=f"Plats {i}",
                stage=CameraStage.INSTALLED,
                installed_on=date(2025, 2, 1),
            )
            site.events.append(
                CameraStageEvent(
                    council_id=council.id,
                    stage=CameraStage.INSTALLED,
                    happened_on=date(2025, 2, 1),
                )
            )
            guards = GuardDeployment(
                council_id=council.id,
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 2, 1),
                hours="21–03",
                company="Vakt AB",
                places=[places[i % 3], places[(i + 1) % 3]],
            )
            db.session.add_all([site, guards])
        db.session.commit()

    def statements(url: str) -> int:
        with counted_statements() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    add(10)
    small = [statements(f"/r/{council.slug}/kameror/{page}") for page in ("", "register")]
    add(190)
    large = [statements(f"/r/{council.slug}/kameror/{page}") for page in ("", "register")]
    assert large == small
