"""Browser journey of the certification register: register a business, then pass its
inspection and see its certificate."""

import re

import pytest
from playwright.sync_api import expect

from brott.services.demo import DEMO_PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_coordinator_registers_a_business_and_it_passes_its_inspection(page, live_server):
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/certifiering/nytt")
    page.locator("#name").fill("Blomsterhandeln Tuppen")
    page.locator("#orgnr").fill("556036-0794")  # a wrong check digit first
    page.locator("#offer_sent_on").fill("2020-01-10")
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect(page.locator("#orgnr-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("Blomsterhandeln Tuppen")

    page.locator("#orgnr").fill("5560360793")
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect(page.get_by_role("heading", name="Blomsterhandeln Tuppen")).to_be_visible()
    expect(page.get_by_text("556036-0793")).to_be_visible()

    page.locator("a[href*='/besiktning']").first.click()
    radios = page.locator("input[type=radio][value=passed]")
    expect(radios).to_have_count(13)
    for index in range(13):
        radios.nth(index).check()
    page.locator("main form[method=post] button[type=submit]").last.click()

    expect(page.get_by_role("heading", name="Blomsterhandeln Tuppen")).to_be_visible()
    expect(page.locator("table td").first).to_have_text(re.compile(r"\d{4}-\d{4}"))
    page.goto(f"{live_server.url}/r/borlange/certifiering/?q=Tuppen")
    expect(page.locator("table.register tbody tr")).to_have_count(1)
    expect(page.locator("table.register .status-certified")).to_be_visible()
