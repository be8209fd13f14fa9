"""The dashboard as the demo's people meet it after logging in, on a phone: nothing scrolls
sideways, axe finds nothing serious, the headings step down one level at a time; in Swedish
and, after the header's switch, in English."""

import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from brott.services.demo import DEMO_PASSWORD, DEMO_SLUG

from .conftest import log_in
from .test_places_actions_language import PHONE
from .test_places_actions_language import _problems as axe_and_width

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "coordinator": "samordnare@exempel.se",
    "police": "polis@exempel.se",
    "member": "ledamot@exempel.se",
    "admin": "admin@exempel.se",
}
# the parts each one sees (templates/dashboard/index.html names each part's section)
PARTS = {
    "coordinator": ("mine", "next-meeting", "by-status", "stale", "new-reports", "expiring"),
    "police": ("next-meeting", "shared-notes", "police-actions"),
    "member": ("mine",),
    "admin": ("next-meeting", "by-status", "mail-problems"),
}


def _problems(page) -> list[str]:
    """Serious or critical axe findings, sideways scrolling, headings that skip a level."""
    found = axe_and_width(page)
    levels = page.eval_on_selector_all(
        "main h1, main h2, main h3, main h4", "found => found.map(h => Number(h.tagName[1]))"
    )
    if levels[:1] != [1] or any(b - a > 1 for a, b in pairwise(levels)):
        found.append(f"headings out of order: {levels}")
    return found


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_the_dashboard_fits_a_phone_and_passes_axe_in_both_languages(browser, live_server, role):
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, ACCOUNTS[role], DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/r/{DEMO_SLUG}/oversikt$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    for part in PARTS[role]:
        expect(page.locator(f"section[aria-labelledby={part}]")).to_have_count(1)
    problems = {"sv": _problems(page)}

    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    assert page.url.endswith(f"/r/{DEMO_SLUG}/oversikt")  # the same page, now in English
    problems["en"] = _problems(page)

    page.get_by_label("Language").select_option("sv")  # the choice is saved: leave it Swedish
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    context.close()
    assert problems == {"sv": [], "en": []}, problems
