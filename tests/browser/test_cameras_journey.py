"""Browser journey of the camera tool: a coordinator records a candidate site, documents
its balancing of interests and moves it to decided; the demo's own site is there too."""

import pytest
from playwright.sync_api import expect

from brott.extensions import db
from brott.models import Measure, User, utcnow
from brott.models.cameras import CameraSite, GuardDeployment
from brott.services import demo_cameras
from brott.services.councils import find_council
from brott.services.demo import DEMO_PASSWORD, DEMO_SLUG

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def camera_demo(live_app):
    """The camera demo, loaded twice into the live app: the second run adds nothing."""
    with live_app.app_context():
        council = find_council(DEMO_SLUG)
        users = {u.email: u for u in db.session.scalars(db.select(User))}
        measures = {m.title: m for m in db.session.scalars(db.select(Measure))}
        for _ in range(2):
            demo_cameras.load_demo(council, users, measures, utcnow())
            db.session.commit()
        assert db.session.scalar(db.select(db.func.count(CameraSite.id))) == 1
        assert db.session.scalar(db.select(db.func.count(GuardDeployment.id))) == 1
        db.session.remove()


def test_coordinator_records_a_site_its_balancing_and_the_decision(page, live_server, camera_demo):
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/{DEMO_SLUG}/kameror/")
    expect(page.get_by_role("link", name="Kameror vid Resecentrums entréer")).to_be_visible()
    expect(page.locator("table.guard-deployments")).to_contain_text("fre–lör 21–03")

    page.get_by_role("link", name="Ny kameraplats").click()
    page.get_by_label("Titel").fill("Kameror vid Kvarnsvedens torg")
    page.get_by_label("Plats", exact=True).select_option(label="Kvarnsveden")
    page.get_by_label("Ansvarig").fill("Gatu- och parkavdelningen")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Kameraplatsen är sparad.")).to_be_visible()
    expect(page.get_by_role("heading", name="Kameror vid Kvarnsvedens torg")).to_be_visible()

    page.get_by_role("link", name="Skriv intresseavvägning").click()
    page.get_by_label("Syfte").fill("Minska skadegörelsen vid torget på helgnätter.")
    page.get_by_label("Integritetspåverkan").fill("Boende och besökare filmas på torget nattetid.")
    page.get_by_label("Mindre ingripande alternativ som övervägts").fill(
        "Ny belysning och fler trygghetsvärdar prövades under våren."
    )
    page.get_by_label("Slutsats").fill("Kameror nattetid fredag och lördag är motiverade.")
    page.get_by_role("button", name="Spara intresseavvägning").click()
    expect(page.get_by_text("Intresseavvägningen är sparad.")).to_be_visible()

    page.get_by_role("link", name="Ändra steg").click()
    page.get_by_label("Nytt steg").select_option(label="Beslutad")
    page.get_by_label("Beslut eller kommentar").fill("Rådet beslutar om två kameror vid torget.")
    page.get_by_role("button", name="Spara steget").click()
    expect(page.get_by_text("Platsen är nu beslutad.")).to_be_visible()
    history = page.locator("table.camera-history")
    expect(history).to_contain_text("Rådet beslutar om två kameror vid torget.")
    expect(history).to_contain_text("Beslutad")
    expect(page.locator(".balancing")).to_contain_text("Minska skadegörelsen vid torget")
