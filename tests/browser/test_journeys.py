"""Browser journeys in a real Chromium against the demo data."""

import pytest
from playwright.sync_api import expect

from brott.extensions import db
from brott.models import Measure
from brott.services.demo import DEMO_PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_council_member_updates_a_measure_they_own_and_sees_it_in_the_history(
    page,
    live_server,
):
    log_in(page, live_server, "ledamot@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/")  # the measures
    expect(page.get_by_role("heading", name="Insatser")).to_be_visible()
    expect(page.locator("table.measures tbody tr")).to_have_count(13)

    page.get_by_role("link", name="Trygghetsvärdar", exact=True).click()
    page.get_by_role("link", name="Uppdatera status").click()
    page.get_by_label("Status").select_option(label="Pausad")
    page.get_by_label("Framsteg (%)").fill("65")
    page.get_by_label("Kommentar").fill("Kvällspassen pausas under sommaren.")
    page.get_by_role("button", name="Spara uppdatering").click()

    expect(page.get_by_text("Uppdateringen är sparad.")).to_be_visible()
    history = page.locator("#historik")
    expect(history.locator(".entry").first).to_contain_text("Kvällspassen pausas under sommaren.")
    expect(history.locator(".entry").first).to_contain_text("Pågår")
    expect(history.locator(".entry").first).to_contain_text("Pausad")
    expect(history.locator(".entry").first).to_contain_text("Sara Holm")


def test_bad_input_in_the_browser_keeps_what_was_typed(page, live_server):
    log_in(page, live_server, "ledamot@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/")  # the measures
    page.get_by_role("link", name="Medborgardialog", exact=True).click()
    page.get_by_role("link", name="Uppdatera status").click()
    page.get_by_label("Framsteg (%)").fill("140")
    page.get_by_label("Kommentar").fill("Tre dialoger hållna.")
    page.get_by_role("button", name="Spara uppdatering").click()

    expect(page.locator("p.error", has_text="Framsteget anges i procent, 0–100.")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_contain_text("Framsteg (%)")
    # the only field in error is marked and has the focus: the user lands on what is wrong
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.get_by_label("Framsteg (%)")).to_be_focused()
    expect(page.get_by_label("Kommentar")).to_have_value("Tre dialoger hållna.")


def test_police_liaison_finds_no_edit_control_and_is_refused_on_a_direct_post(
    page,
    live_server,
    live_app,
):
    log_in(page, live_server, "polis@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/")  # the measures
    page.get_by_role("link", name="Cityvärdar", exact=True).click()
    expect(page.get_by_role("heading", name="Cityvärdar")).to_be_visible()
    expect(page.get_by_role("link", name="Uppdatera status")).to_have_count(0)
    expect(page.get_by_role("link", name="Redigera")).to_have_count(0)
    expect(page.get_by_role("link", name="Ny insats")).to_have_count(0)

    # a hand-made POST with the session's valid CSRF token reaches the policy and is refused
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    update_url = page.url.rstrip("/") + "/uppdatera"
    with live_app.app_context():
        before = db.session.scalars(db.select(Measure).filter_by(title="Cityvärdar")).one()
        before_state = (before.status, before.progress, before.version)
    response = page.request.post(
        update_url,
        form={
            "csrf_token": token,
            "status": "done",
            "progress": "100",
            "comment": "Försök",
            "version": str(before_state[2]),
        },
    )
    assert response.status == 403
    assert "Åtkomst nekad" in response.text()
    with live_app.app_context():
        after = db.session.scalars(db.select(Measure).filter_by(title="Cityvärdar")).one()
        assert (after.status, after.progress, after.version) == before_state
