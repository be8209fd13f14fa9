"""The pages this structure added, as people meet them: at phone width, checked by axe, in
both languages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from brott.services.demo import DEMO_PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
NEW_PAGES = ("/r/borlange/platser/", "/r/borlange/atgarder/ny", "/konto", "/r/borlange/atgarder")


def _problems(page) -> list[str]:
    """Serious or critical axe findings, and sideways scrolling of the whole page."""
    found = [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        found.append(f"the page is {width} px wide at {PHONE['width']} px")
    return found


def test_the_new_pages_work_at_phone_width_without_serious_axe_findings(page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/platser/")
    page.get_by_role("link", name="Resecentrum").click()
    paths = [*NEW_PAGES, page.url.removeprefix(live_server.url)]
    problems = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        if found := _problems(page):
            problems[path] = found
    assert not problems, problems


def test_a_coordinator_adds_a_place_and_an_action_there_from_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/platser/")
    page.get_by_label("Namn").first.fill("Gångtunneln vid Hagalund")
    page.get_by_label("Område (valfritt)").fill("Hagalund")
    page.get_by_role("button", name="Lägg till plats").click()
    expect(page.get_by_text("Listan är uppdaterad.")).to_be_visible()
    expect(page.get_by_role("cell", name="Hagalund", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/r/borlange/atgarder")
    page.get_by_role("link", name="Ny åtgärd").click()
    page.get_by_role("button", name="Spara").click()  # nothing filled in
    expect(page.locator("p.error", has_text="Beskriv vad som ska göras.")).to_be_visible()
    page.get_by_label("Beslut / åtgärd").fill("Byt trasiga armaturer")
    page.get_by_label("Var", exact=True).select_option(label="Gångtunneln vid Hagalund")
    page.get_by_label("Ansvarig").select_option(label="Erik Sandberg")
    page.get_by_label("Klart senast").fill("2099-01-31")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Åtgärden är sparad.")).to_be_visible()
    row = page.locator("tr", has_text="Byt trasiga armaturer").first
    expect(row).to_contain_text("Gångtunneln vid Hagalund")
    expect(row).to_contain_text("Inlagd för hand")


def test_the_header_switch_turns_the_pages_english_and_back(page, live_server):
    log_in(page, live_server, "ledamot@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/")
    expect(page.get_by_role("heading", name="Insatser")).to_be_visible()
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt språk").click()
    expect(page.get_by_role("heading", name="Measures")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert re.search(r"/r/borlange/$", page.url)  # the same page, now in English
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name="Insatser")).to_be_visible()
