"""A resident's report in a real Chromium at phone width (360 px): the resident files it on
the demo council's public page, the energy company's staff member fixes it from their queue,
and the resident's tracking page shows it fixed with the public reply."""

import pytest
from playwright.sync_api import expect

from brott.extensions import db
from brott.models.reports import ReportStatus, ResidentReport
from brott.services.demo import DEMO_PASSWORD

from ..swedish import sv
from .conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESCRIPTION = "Gatlampan vid cykelbanan bakom Kupolen lyser inte sedan i söndags."


def _fits(page) -> None:
    """The page body does not scroll sideways at 360 px."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_resident_files_a_report_the_body_fixes_it_and_the_resident_sees_it_fixed(
    browser, live_server, live_app
):
    def t(message: str) -> str:
        return sv(live_app, message)

    resident = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", viewport=PHONE)
    page = resident.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/r/borlange/rapportera")
    expect(page.get_by_text("112").first).to_be_visible()  # not for emergencies
    _fits(page)
    page.get_by_label("Trasig eller släckt gatubelysning").check()
    page.locator("#address").fill("Cykelbanan bakom Kupolen")
    page.locator("#description").fill(DESCRIPTION)
    page.locator("#email").fill("boende@exempel.se")
    page.locator("#report-form button[type=submit]").first.click()
    expect(page.get_by_text(t("Thank you — your report has been received."))).to_be_visible()
    _fits(page)
    tracking_url = page.locator("#tracking-url").input_value()
    assert "/r/borlange/rapport/" in tracking_url

    with live_app.app_context():
        report = db.session.scalars(
            db.select(ResidentReport).where(ResidentReport.description == DESCRIPTION)
        ).one()
        report_id, body = report.id, report.body.name
        db.session.remove()
    assert body == "Borlänge Energi"  # street lighting is routed to the energy company

    staff = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", viewport=PHONE)
    work = staff.new_page()
    work.set_default_timeout(15_000)
    log_in(work, live_server, "energi@exempel.se", DEMO_PASSWORD)
    work.goto(f"{live_server.url}/r/borlange/rapporter/")
    _fits(work)
    work.locator(f"a[href$='/rapporter/{report_id}']").first.click()
    expect(work.get_by_text(DESCRIPTION)).to_be_visible()
    _fits(work)
    work.locator("#status-status").select_option(ReportStatus.FIXED.value)
    work.locator("#status-text").fill("Lampan är utbytt, tack för felanmälan!")
    work.get_by_role("button", name=t("Save the status")).click()
    expect(work.locator("h1")).to_contain_text(t("Fixed"))
    staff.close()

    page.goto(tracking_url)
    expect(page.locator("main")).to_contain_text(t("Fixed"))
    expect(page.locator("main")).to_contain_text("Lampan är utbytt, tack för felanmälan!")
    expect(page.locator("main")).not_to_contain_text("Anna Ek")  # no staff names
    _fits(page)
    resident.close()
    with live_app.app_context():
        assert db.session.get(ResidentReport, report_id).status is ReportStatus.FIXED
        db.session.remove()
