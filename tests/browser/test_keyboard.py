"""The main journeys by keyboard alone (WCAG 2.1: 2.1.1 Keyboard, 2.4.1 Bypass Blocks,
2.4.7 Focus Visible, 3.3.1 Error Identification): Tab, Shift+Tab, Enter and Space move and act,
letters are typed into fields; nothing is clicked. Every element the journeys focus shows
that it has the focus (an outline or a shadow)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from brott.services.demo import DEMO_PASSWORD, DEMO_SLUG

from ..swedish import sv
from .conftest import LiveServer

pytestmark = pytest.mark.browser

COORDINATOR = "samordnare@exempel.se"
MOST_TABS = 120  # more than any page here has focusable elements before the one sought

# the element in focus, described for a failure message, and whether it shows its focus.
# Exempt: the skip link's target, <main>, which takes the focus only to move the reading point
# (base.html: an outline around the whole content would say nothing); and a date field's
# calendar button, the browser's own part of the field, which the browser rings itself (the
# field is then the active element without matching :focus)
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.tagName === "MAIN") return null;
  if (el.type === "date" && !el.matches(":focus")) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
  const box = el.getBoundingClientRect();
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
  return {
    what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name.slice(0, 40)}"`,
    shown: (outline || shadow) && box.width > 0 && box.height > 0,
  };
}"""


class Keyboard:
    """A person with a keyboard only: every element they pass is checked for a visible focus."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unseen: list[str] = []  # focused elements that did not show it

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self._check_focus()

    def follow(self, key: str = "Enter") -> None:
        """Press a key that opens another page (a link, a form's button), and wait for it."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self._check_focus()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def tab_to(self, target: Locator, backwards: bool = False) -> None:
        """Tab (or Shift+Tab) until the target has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MOST_TABS):
            self.press(key)
            if target.evaluate("el => el === document.activeElement"):
                return
        pytest.fail(f"{MOST_TABS} × {key} on {self.page.url} never reached {target}")

    def arrow_to(self, target: Locator) -> None:
        """Move with the down arrow through a group of radio buttons until the target."""
        for _ in range(MOST_TABS):
            if target.evaluate("el => el === document.activeElement"):
                return
            self.press("ArrowDown")
        pytest.fail(f"the arrows on {self.page.url} never reached {target}")

    def _check_focus(self) -> None:
        focus = self.page.evaluate(FOCUS_JS)
        if focus and not focus["shown"]:
            self.unseen.append(f"{self.page.url}: {focus['what']}")

    def assert_focus_was_always_visible(self) -> None:
        assert not self.unseen, f"focus not visible on: {self.unseen}"


@pytest.fixture
def keys(page) -> Keyboard:
    return Keyboard(page)


def _log_in_by_keyboard(keys: Keyboard, server: LiveServer, email: str) -> None:
    page = keys.page
    page.goto(f"{server.url}/logga-in")
    expect(page.get_by_label("E-post")).to_be_focused()  # the first field has the focus
    keys.type(email)
    keys.press("Tab")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    keys.type(DEMO_PASSWORD)
    keys.tab_to(page.get_by_role("button", name="Logga in"))
    keys.follow()
    expect(page).to_have_url(re.compile(rf"/r/{DEMO_SLUG}/"))  # the council's start page


def _open_measures(keys: Keyboard) -> None:
    """From any council page, by the menu's link."""
    menu = keys.page.get_by_role("navigation", name="Rådet")
    keys.tab_to(menu.get_by_role("link", name="Insatser", exact=True))
    keys.follow()
    expect(keys.page.get_by_role("heading", name="Insatser", exact=True)).to_be_visible()


def test_the_skip_link_comes_first_shows_on_focus_and_leads_to_the_content(
    page, keys, live_app, live_server
):
    page.goto(f"{live_server.url}/r/{DEMO_SLUG}/rapportera")  # a public page with a header
    skip = page.get_by_role("link", name=sv(live_app, "Skip to content"))
    hidden = skip.bounding_box()
    assert hidden is not None and hidden["y"] + hidden["height"] <= 0, hidden  # above the page
    keys.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, box  # on screen
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # the next Tab goes on inside the content, past the header
    keys.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    keys.assert_focus_was_always_visible()


def test_a_member_logs_in_by_keyboard(page, keys, live_app, live_server):
    _log_in_by_keyboard(keys, live_server, "ledamot@exempel.se")
    _open_measures(keys)
    # a council page, with the whole menu: the skip link still comes first
    skip = page.get_by_role("link", name=sv(live_app, "Skip to content"))
    keys.press("Tab")
    expect(skip).to_be_focused()
    keys.tab_to(page.get_by_role("button", name="Logga ut"))
    keys.tab_to(skip, backwards=True)  # and back through the menu
    keys.assert_focus_was_always_visible()


def test_a_coordinator_updates_a_measure_by_keyboard(page, keys, live_server):
    _log_in_by_keyboard(keys, live_server, COORDINATOR)
    _open_measures(keys)
    keys.tab_to(page.get_by_role("link", name="Samverkan med civilsamhället", exact=True))
    keys.follow()
    keys.tab_to(page.get_by_role("link", name="Uppdatera status"))
    keys.follow()
    status = page.get_by_label("Status")
    keys.tab_to(status)
    keys.type("Pågår")  # a closed list picks the option whose name is typed
    expect(status).to_have_value("ongoing")
    keys.press("Tab")
    expect(page.get_by_label("Framsteg (%)")).to_be_focused()
    keys.press("Control+a")
    keys.type("25")
    keys.tab_to(page.get_by_label("Kommentar"))
    keys.type("Tre föreningar har sökt stöd för kvällsverksamhet.")
    keys.tab_to(page.get_by_role("button", name="Spara uppdatering"))
    keys.follow("Space")
    expect(page.get_by_text("Uppdateringen är sparad.")).to_be_visible()
    entry = page.locator("#historik .entry").first
    expect(entry).to_contain_text("Tre föreningar har sökt stöd för kvällsverksamhet.")
    expect(entry).to_contain_text("Pågår")
    keys.assert_focus_was_always_visible()


def test_a_refused_form_leads_the_keyboard_to_its_errors(page, keys, live_server):
    _log_in_by_keyboard(keys, live_server, COORDINATOR)
    page.goto(f"{live_server.url}/r/{DEMO_SLUG}/insatser/ny")
    keys.tab_to(page.get_by_role("button", name="Spara"))
    keys.follow()  # nothing filled in: one field in error, and the focus is on it
    expect(page.get_by_label("Titel")).to_be_focused()
    page.goto(f"{live_server.url}/r/{DEMO_SLUG}/")
    keys.tab_to(page.get_by_role("link", name="Medborgardialog", exact=True))
    keys.follow()
    keys.tab_to(page.get_by_role("link", name="Uppdatera status"))
    keys.follow()
    keys.tab_to(page.get_by_label("Framsteg (%)"))
    keys.press("Control+a")
    keys.press("Backspace")  # no progress and no comment: two fields in error
    keys.tab_to(page.get_by_role("button", name="Spara uppdatering"))
    keys.follow()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()  # the summary, read aloud, its links lead to the fields
    expect(summary).to_have_attribute("role", "alert")
    # each error is tied to its field: marked invalid, described by its message, labelled
    ties = page.evaluate(
        """() => [...document.querySelectorAll("main p.error")].map(error => {
          const box = error.closest("[id$='-error']");
          const field = box && document.querySelector(`[aria-describedby~="${box.id}"]`);
          return {
            error: error.textContent.trim(),
            field: field ? field.id : null,
            invalid: field ? field.getAttribute("aria-invalid") : null,
            label: field && field.labels && field.labels.length
              ? field.labels[0].textContent : null,
          };
        })"""
    )
    assert ties, "the refused form shows no error next to a field"
    for tie in ties:
        assert tie["field"] and tie["invalid"] == "true" and tie["label"], tie
    # the summary names every field in error and leads to it
    links = summary.get_by_role("link")
    expect(links).to_have_count(len(ties))
    keys.press("Tab")
    expect(links.first).to_be_focused()
    keys.press("Enter")
    expect(page.locator(f"#{ties[0]['field']}")).to_be_focused()
    keys.type("30")
    keys.assert_focus_was_always_visible()


def test_a_resident_files_a_report_by_keyboard(page, keys, live_app, live_server):
    page.goto(f"{live_server.url}/r/{DEMO_SLUG}/rapportera")
    lighting = page.get_by_label("Trasig eller släckt gatubelysning")
    keys.tab_to(page.locator("input[name=category_id]").first)  # a group is one Tab stop
    keys.press("Space")
    keys.arrow_to(lighting)  # inside the group the arrows move, and choose
    expect(lighting).to_be_checked()
    keys.tab_to(page.get_by_label(sv(live_app, "Where is it?")))
    keys.type("Gångvägen vid Sportfältet")
    keys.tab_to(page.get_by_label(sv(live_app, "What is wrong?")))
    keys.type("Två lampor längs gångvägen är släckta sedan i fredags.")
    keys.tab_to(page.get_by_role("button", name=sv(live_app, "Send report")))
    keys.follow()
    thanks = sv(live_app, "Thank you — your report has been received.")
    expect(page.get_by_text(thanks)).to_be_visible()
    keys.assert_focus_was_always_visible()
