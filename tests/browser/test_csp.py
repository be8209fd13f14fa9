"""The Content-Security-Policy in a real Chromium: no page of any role breaks it.

Every page a role reaches from its header (and the first measure, meeting and note it can
open) is loaded while a listener, installed before any page script, collects each
`securitypolicyviolation` event and each console message about the policy. The page
behaviour that moved out of inline handlers into static/app.js is exercised: the delete
question, the print button and the calendar address that selects itself.
"""

import io
import re

import pytest
from PIL import Image

from brott.services.demo import DEMO_PASSWORD, DEMO_USERS

from ..security_figures import record_figure
from .conftest import log_in
from .test_police_journey import ensure_next_meeting

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""
DETAIL_PAGES = [
    r"/insatser/\d+$",
    r"/est/moten/\d+$",
    r"/lagesbild/\d+$",
    # the measure tools' pages, reached from their lists below
    r"/certifiering/\d+$",
    r"/trygghetsvandringar/\d+$",
    r"/kameror/\d+$",
]
ALWAYS = [
    "/konto",
    "/konto/kalender",
    "/notiser",
    "/r/borlange/certifiering/",
    "/r/borlange/trygghetsvandringar/",
    "/r/borlange/kameror/",
    "/r/borlange/kameror/register",
    "/r/borlange/insatser/1/aktiviteter",
    "/r/borlange/indikatorer/1",
    "/r/borlange/rapporter/trygghet",
]
# a tile the map pages are served instead of the tile server's (no network in tests): the
# browser still asks the configured tile host, so the page's policy must admit it
TILE = io.BytesIO()
Image.new("RGB", (256, 256), (220, 230, 220)).save(TILE, "PNG")


class Watched:
    """A page whose policy violations, console complaints and script errors are kept."""

    def __init__(self, page) -> None:
        self.page = page
        self.complaints: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.complaints.append(f"script error: {error}"))

    def _console(self, message) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the app has none; the browser asks anyway
        if "Content Security Policy" in message.text or message.type == "error":
            self.complaints.append(f"console {message.type}: {message.text}")

    def visit(self, url: str) -> list[str]:
        """Load `url`; what it broke."""
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        self.page.wait_for_load_state("load")
        found = self.page.evaluate("window.__violations") + self.complaints
        self.complaints = []
        return [f"{url}: {problem}" for problem in found]

    def links(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(selector, "els => els.map(e => e.href)")


def test_the_listener_sees_a_violation(page, live_server):
    """The check itself works: an inline style attribute set by script is reported."""
    watched = Watched(page)
    assert watched.visit(f"{live_server.url}/logga-in") == []

    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("window.__violations.length > 0")

    assert "style-src" in page.evaluate("window.__violations")[0]


@pytest.mark.security
def test_no_page_of_any_role_breaks_the_content_security_policy(page, live_server, live_app):
    ensure_next_meeting(live_app)
    watched = Watched(page)
    problems = watched.visit(f"{live_server.url}/logga-in")
    loaded = 1
    for email, _name, _role in DEMO_USERS:
        log_in(page, live_server, email, DEMO_PASSWORD)
        home = page.url
        problems += watched.visit(home)
        pages = watched.links("header.site nav a, header.site .logout a")
        pages += [f"{live_server.url}{path}" for path in ALWAYS]
        for url in dict.fromkeys(pages):
            problems += watched.visit(url)
            loaded += 1
            for pattern in DETAIL_PAGES:
                detail = next((u for u in watched.links("main a") if re.search(pattern, u)), None)
                if detail:
                    problems += watched.visit(detail)
                    loaded += 1
        page.get_by_role("button", name="Logga ut").click()

    record_figure("headers", "pages loaded in Chromium, all roles", loaded)
    record_figure("headers", "Content-Security-Policy violations in Chromium", len(problems))
    assert problems == []
    assert loaded >= 30


def test_the_behaviour_moved_to_app_js_still_works(page, live_server, live_app):
    ensure_next_meeting(live_app)
    watched = Watched(page)
    log_in(page, live_server, "samordnare@exempel.se", DEMO_PASSWORD)

    # a note's delete button asks first; answering no keeps the note
    watched.visit(f"{live_server.url}/r/borlange/lagesbild/")
    note = next(u for u in watched.links("main a") if re.search(r"/lagesbild/\d+$", u))
    assert watched.visit(note) == []
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Ta bort").click()
    assert questions == ["Ta bort anteckningen?"]
    assert page.url == note and page.get_by_role("button", name="Ta bort").is_visible()

    # a meeting's print button prints
    watched.visit(re.sub(r"/lagesbild/\d+$", "/est/", note))
    meeting = next(u for u in watched.links("main a") if re.search(r"/est/moten/\d+$", u))
    assert watched.visit(meeting) == []
    page.get_by_role("button", name="Skriv ut").click()
    assert page.evaluate("window.__printed") == 1

    # the calendar address selects itself for copying
    watched.visit(f"{live_server.url}/konto/kalender")
    if page.locator("#feed-url").count() == 0:
        # wait for the page after the redirect to load, with its deferred app.js
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name=re.compile("Slå på")).click()
    page.locator("#feed-url").focus()
    selected = page.evaluate(
        "(() => { const f = document.getElementById('feed-url');"
        " return [f.selectionStart, f.selectionEnd, f.value.length]; })()"
    )
    assert selected[0] == 0 and selected[1] == selected[2] > 0
    assert watched.complaints == []


@pytest.mark.security
def test_the_public_map_pages_load_their_tiles_within_their_policy(page, live_server):
    """The report and safety-mark pages admit the tile server in img-src, and nothing else
    breaks the policy there; a resident's map shows tiles."""
    asked: list[str] = []

    def tile(route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, body=TILE.getvalue(), content_type="image/png")

    page.route("https://tile.openstreetmap.org/**", tile)
    watched = Watched(page)
    for path in ("/r/borlange/rapportera", "/r/borlange/trygghet"):
        assert watched.visit(f"{live_server.url}{path}") == []
        page.wait_for_function(
            "[...document.querySelectorAll('img.leaflet-tile')]"
            ".some(i => i.complete && i.naturalWidth === 256)"
        )
        assert watched.visit(f"{live_server.url}{path}") == []  # no late violation either
    assert asked and all(url.endswith(".png") for url in asked)
