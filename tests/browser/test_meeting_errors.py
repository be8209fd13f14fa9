"""A refused decision on a long meeting page is shown where the user is, in a real Chromium.

The decision form sits at the bottom of the meeting page, below the situation picture and
the follow-up. A refused decision renders the page again: the browser must not stay at the
top with the error far below. Focus is on the error summary (or on the one field in error),
the field says it is invalid, and a reload of the refused page goes back to the meeting.
"""

import re

import pytest
from playwright.sync_api import expect

from brott.services.demo import DEMO_PASSWORD

from .conftest import log_in
from .test_police_journey import ensure_next_meeting

pytestmark = pytest.mark.browser

FOCUSED_ON_THE_ERROR = """() => {
  const active = document.activeElement;
  return active.matches('[data-error-summary]') || active.getAttribute('aria-invalid') === 'true';
}"""


def test_a_refused_decision_brings_focus_to_its_error_and_a_reload_to_the_meeting(
    page, live_server, live_app
):
    ensure_next_meeting(live_app)
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/r/borlange/est/")
    page.locator("table.meetings tbody tr").first.get_by_role("link").click()
    meeting_url = page.url
    decision = page.locator("form[action$='/beslut']")
    form_top = decision.evaluate("form => form.getBoundingClientRect().top + window.scrollY")

    decision.get_by_role("button", name="Registrera beslut").click()  # nothing filled in
    page.wait_for_load_state("load")

    assert page.url.endswith("/beslut")
    assert page.evaluate(FOCUSED_ON_THE_ERROR)
    invalid = page.locator("#beslut [aria-invalid='true']")
    expect(invalid.first).to_be_visible()
    assert invalid.first.get_attribute("aria-invalid") == "true"
    summary = page.locator("#beslut [data-error-summary]")
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link").first).to_be_visible()
    assert form_top > 720  # the form is well below the first screen of the page

    # a reload (a GET of the refused form's address) lands on the meeting, not on a 405
    response = page.goto(page.url)
    assert response is not None and response.status == 200
    assert re.sub(r"#.*$", "", page.url) == meeting_url.split("#")[0]
