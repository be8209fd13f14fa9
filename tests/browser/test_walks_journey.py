"""A safety walk in a real Chromium: record the walk with two findings and close one action."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from brott.extensions import db
from brott.models import ActionOrigin, ActionStatus, utcnow
from brott.models.walks import SafetyWalk
from brott.services.demo import DEMO_PASSWORD

from ..swedish import sv
from .conftest import log_in

pytestmark = pytest.mark.browser


def test_coordinator_records_a_walk_with_two_findings_and_closes_one_action(
    page, live_server, live_app
):
    def t(message: str) -> str:
        return sv(live_app, message)

    today = utcnow().date()
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/trygghetsvandringar/")
    page.get_by_role("link", name=t("New walk")).click()
    page.get_by_label(t("Name of the walk")).fill("Kvällsvandring kring Resecentrum")
    page.get_by_label(t("Area"), exact=True).fill("Centrum")
    page.get_by_label(t("Date of the walk")).fill(today.isoformat())
    page.get_by_label(t("Follow-up meeting")).fill((today + timedelta(days=17)).isoformat())
    page.get_by_label("Sara Holm").check()
    page.get_by_label(t("Other participants (residents and others)")).fill("6")
    page.get_by_role("button", name=t("Save walk")).click()
    expect(page.get_by_text(t("The walk is saved."))).to_be_visible()

    for place, title in (
        ("Resecentrum", "Sätt upp belysning vid cykelstället"),
        ("Centrum", "Ta bort klottret i gångtunneln"),
    ):
        page.get_by_role("link", name=t("New finding")).click()
        page.get_by_label(t("Place"), exact=True).select_option(label=place)
        page.get_by_label(t("Category"), exact=True).select_option(index=1)
        page.get_by_label(t("What the walk found")).fill(f"Otryggt vid {place} på kvällen.")
        page.get_by_label(t("What is to be done")).fill(title)
        page.get_by_label(t("Responsible"), exact=True).select_option(label="Sara Holm")
        page.get_by_label(t("Due by")).fill((today + timedelta(days=30)).isoformat())
        page.get_by_role("button", name=t("Save finding")).click()
        expect(page.get_by_text(t("The finding and its action are saved."))).to_be_visible()

    findings = page.locator("#fynd + p + .table-scroll tbody tr")
    expect(findings).to_have_count(2)
    row = findings.filter(has_text="Ta bort klottret i gångtunneln")
    status = row.locator("form.inline-status")
    status.locator("select[name=status]").select_option(ActionStatus.DONE.value)
    status.get_by_role("button").click()
    row = page.locator("tr").filter(has_text="Ta bort klottret i gångtunneln")
    expect(row.locator(".status-done").first).to_be_visible()

    with live_app.app_context():
        walk = db.session.scalars(
            db.select(SafetyWalk).where(SafetyWalk.title == "Kvällsvandring kring Resecentrum")
        ).one()
        states = {f.action.title: f.action.status for f in walk.findings}
        assert states == {
            "Sätt upp belysning vid cykelstället": ActionStatus.OPEN,
            "Ta bort klottret i gångtunneln": ActionStatus.DONE,
        }
        assert {f.action.origin for f in walk.findings} == {ActionOrigin.WALK}
        assert walk.participant_count == 7
        db.session.remove()

    page.get_by_role("link", name=t("Action plan")).click()
    expect(page.locator("table")).to_contain_text("Sätt upp belysning vid cykelstället")
