"""WCAG 2.1 AA as axe-core measures it: every main page of every role, the public pages
included, has no serious or critical axe finding at desktop width (1280 px), and each role's
first page none at phone width (360 px) with the menu open.

axe-core is the build inside the `axe-playwright-python` package (its `axe.min.js`), injected
by Playwright: no CDN. The pages are a table, `PAGES`: a role and the endpoints it is checked
on, each URL filled with the demo council's oldest object of each kind it names (`values`); a
page added to the app is one more line there. `test_every_page_a_role_reaches_is_checked`
fails when a GET page that some role may open (the matrix of tests/test_permissions.py) is in
neither `PAGES` nor `EXCLUDED`, and each role's test when its menu leads to a page not in its
table.

One browser context per role, logged in once; the demo data and helpers of
test_phone_width's crawl.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from brott.extensions import db
from brott.models import Measure, Membership
from brott.models.activity import ActivityEntry
from brott.models.reports import ResidentReport
from brott.models.user import User
from brott.services.councils import find_council
from brott.services.demo import DEMO_PASSWORD, DEMO_SLUG

from ..test_permissions import MATRIX, OK
from .conftest import LiveServer, log_in
from .test_phone_width import (
    LANDING,
    PHONE,
    ROLES,
    SECOND_FACTOR_USER,
    _ids,
    _second_factor_account,
    _tokens,
    _tracking_tokens,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
# the demo's accounts; the owner is the member, on the measure they own
ACCOUNTS = {**ROLES, "owner": ROLES["member"]}

# role → the endpoints it is checked on. The URL of each is filled with the demo council's
# oldest object of each kind it names, a working token where it takes one, and the role's own
# objects where it sees only some (`_role_values`); a page reached otherwise than by its URL
# is in `REACHED_BY`.
PAGES: dict[str, tuple[str, ...]] = {
    "anonymous": (
        "progress.index",
        "auth.login",
        "accounts.forgot_password",
        "accounts.set_password",  # the e-mailed link, with a working token
        "accounts.accept_invitation",
        "actions.confirm",  # an action's e-mailed one-click link
        "public_reports.report",
        "public_reports.track",  # a fixed report's tracking page, with its question
        "public_reports.mark",
        "public_reports.mark_thanks",
        "about.accessibility",
        "auth.second_factor",  # the login's second step (last: it half logs in)
    ),
    "member": (
        "dashboard.index",
        "scorecard.index",
        "problems.index",
        "problems.show",
        "problems.quarter",
        "api_tokens.index",
        "measures.index",
        "measures.show",
        "meetings.index",
        "meetings.show",
        "meetings.shared",
        "actions.index",
        "notes.index",
        "notes.show",
        "notes.create",
        "reports.index",
        "reports.show",
        "reports.marks",
        "reports.to_note",
        "promises.index",
        "indicators.show",
        "activity.index",
        "certification.index",
        "certification.business",
        "walks.index",
        "walks.show",
        "walks.plan",
        "cameras.index",
        "cameras.show",
        "cameras.need",
        "cameras.balancing",
        "cameras.register",
        "auth.profile",
        "auth.notifications",
        "auth.two_factor",
        "accounts.change_password",
        "calendar.account",
    ),
    "owner": (
        "measures.show",  # their own measure: its status form
        "measures.update",
        "activity.create",
        "activity.make_note",
    ),
    "police": (
        "dashboard.index",
        "problems.index",
        "scorecard.index",
        "problems.show",
        "follow_up_report.show",
        "measures.index",
        "measures.show",
        "meetings.index",
        "meetings.show",
        "actions.index",
        "notes.index",
        "notes.show",
        "notes.create",  # shared notes only
        "reports.index",
        "reports.show",
        "certification.index",
        "certification.inspect",
        "walks.index",
        "cameras.index",
        "promises.index",
    ),
    "body_staff": (
        "reports.index",  # their body's reports only
        "reports.show",
        "auth.profile",
        "auth.notifications",
    ),
    "coordinator": (
        "dashboard.index",
        "scorecard.index",
        "scorecard.judge",
        "scorecard.settings",
        "problems.index",
        "problems.create",
        "problems.edit",
        "problems.quarter",
        "progress.publish",
        "follow_up_report.show",
        "api_tokens.index",
        "measures.index",
        "measures.show",
        "measures.create",
        "measures.edit",
        "measures.update",
        "meetings.index",
        "meetings.show",
        "meetings.create_series",
        "meetings.edit_series",
        "meetings.move",
        "actions.index",
        "actions.create",
        "notes.index",
        "notes.show",
        "notes.create",
        "notes.edit",
        "reports.index",
        "reports.show",
        "reports.to_action",
        "report_setup.index",
        "report_setup.settings",
        "report_setup.create_category",
        "report_setup.edit_category",
        "report_setup.create_body",
        "report_setup.edit_body",
        "open311.keys",
        "admin.partners",
        "admin.edit_partner",
        "admin.outbox",
        "places.index",
        "places.edit",
        "promises.index",
        "promises.create",
        "indicators.show",
        "indicators.create",
        "indicators.edit",
        "activity.index",
        "activity.create",
        "activity.kinds",
        "certification.index",
        "certification.business",
        "certification.new",
        "certification.edit",
        "certification.inspect",
        "certification.checklist",
        "certification.edit_point",
        "certification.settings",
        "certification.import_file",
        "walks.index",
        "walks.show",
        "walks.create",
        "walks.edit",
        "walks.add_finding",
        "cameras.index",
        "cameras.show",
        "cameras.create",
        "cameras.edit",
        "cameras.move",
        "cameras.balance",
        "cameras.guards_create",
        "cameras.guards_edit",
    ),
    "admin": (
        "dashboard.index",
        "scorecard.index",
        "problems.index",
        "measures.index",
        "meetings.index",
        "actions.index",
        "notes.index",
        "report_setup.index",
        "admin.partners",
        "admin.users",
        "admin.create_member",
        "admin.edit_membership",
        "admin.outbox",
        "admin.audit_log",
        "admin.retention",
        "auth.login_settings",
        "places.index",
        "reports.index",
    ),
}

# GET endpoints that are no page to check, each with its reason
EXCLUDED = {
    # files, not pages: style sheets and scripts, calendars, spreadsheets, PDFs, photos
    "static",
    "calendar.feed",
    "calendar.meeting_ics",
    "certification.export",
    "cameras.register_csv",
    "exports.measures",
    "exports.journal",
    "exports.actions",
    "exports.notes",
    "exports.reports",
    "follow_up_report.pdf",
    "activity.photo",
    "walks.photo",
    "reports.photo",
    "public_reports.photo",
    # the probes of load balancers answer JSON
    "health.live",
    "health.ready",
    # Open311 answers JSON or XML to programs
    "open311.discovery",
    "open311.services",
    "open311.service_definition",
    "open311.requests",
    "open311.request",
}
JSON_API = "api."  # the endpoints of the JSON API (brott/api), for programs

# the header's links whose pages are checked for one role only: the start page leads on to
# the council; the account pages, outside the council, differ by role in the header alone
MENU_ELSEWHERE = {"auth.home", "auth.profile", "auth.notifications", "calendar.account"}

# pages a URL alone does not open: how the role gets there
REACHED_BY: dict[str, Callable[[Page, LiveServer], None]] = {}


def _half_logged_in(page: Page, server: LiveServer) -> None:
    log_in(page, server, SECOND_FACTOR_USER, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/logga-in/kod$"))


REACHED_BY["auth.second_factor"] = _half_logged_in

# the impacts that fail a page; "moderate" and "minor" ones are left to judgement
FAILING = ("serious", "critical")
AXE_VERSION = re.search(r"axe v([\d.]+)", AXE_SCRIPT[:200]).group(1)  # type: ignore[union-attr]


@dataclass
class Finding:
    page: str
    rule: str
    impact: str
    targets: list[str]

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} ({self.impact}) at {', '.join(self.targets)}"


def _findings(page: Page, where: str) -> list[Finding]:
    """The page's serious and critical axe findings, each with the elements it names."""
    violations = Axe().run(page).response["violations"]
    return [
        Finding(where, v["id"], v["impact"], [" ".join(n["target"]) for n in v["nodes"][:5]])
        for v in violations
        if v["impact"] in FAILING
    ]


@pytest.fixture(scope="module")
def values(live_app: Flask) -> dict[str, dict[str, object]]:
    """Per role, what fills the URLs of its pages (see `PAGES`)."""
    with live_app.app_context():
        council = find_council(DEMO_SLUG)
        assert council is not None
        common: dict[str, object] = {name: found[0] for name, found in _ids(council.id).items()}
        common["slug"] = DEMO_SLUG
        tokens = {endpoint: found[0] for endpoint, found in _tokens(council).items()}
        tokens["public_reports.track"] = _tracking_tokens(council)[1]  # a fixed report
        _second_factor_account(council)
        by_role = {role: {**common, "tokens": tokens} for role in PAGES}
        for role, own in _role_values(council.id).items():
            by_role[role].update(own)
        db.session.commit()
    return by_role


def _role_values(council_id: int) -> dict[str, dict[str, object]]:
    """The objects of a role that sees only some: the owner's own measure and its activity
    entry, the body staff's body's report."""
    member = db.session.scalars(db.select(User).where(User.email == ROLES["member"])).one()
    owned = Measure.owners.any(User.id == member.id)
    measures = db.select(Measure.id).where(Measure.council_id == council_id).order_by(Measure.id)
    own = db.session.scalars(measures.where(owned)).first()
    entry = db.session.scalars(
        db.select(ActivityEntry.id)
        .where(ActivityEntry.measure_id == own)
        .order_by(ActivityEntry.id)
    ).first()
    staff = db.session.scalars(
        db.select(Membership)
        .join(User)
        .where(User.email == ROLES["body_staff"], Membership.council_id == council_id)
    ).one()
    report = db.session.scalars(
        db.select(ResidentReport.id)
        .where(ResidentReport.council_id == council_id, ResidentReport.body_id == staff.body_id)
        .order_by(ResidentReport.id)
    ).first()
    assert own and entry and report, "the demo lacks a role's own objects"
    return {
        "owner": {"measure_id": own, "entry_id": entry},
        "body_staff": {"report_id": report},
    }


def _path(app: Flask, endpoint: str, values: dict[str, object]) -> str:
    """The endpoint's URL: of its rules, the one whose arguments `values` fill."""
    names = {name for rule in app.url_map.iter_rules(endpoint) for name in rule.arguments}
    arguments = {name: values[name] for name in names & values.keys() if name != "token"}
    if "token" in names:
        arguments["token"] = values["tokens"][endpoint]  # type: ignore[index]
    return app.url_map.bind("localhost").build(endpoint, arguments)


def _open(page: Page, server: LiveServer, endpoint: str, path: str) -> str | None:
    """Open the page; a reason if it is not a page to check (an error, a redirect)."""
    if endpoint in REACHED_BY:
        REACHED_BY[endpoint](page, server)
        return None
    response = page.goto(f"{server.url}{path}")
    assert response is not None
    if response.status != 200 or page.url != f"{server.url}{path}":
        return f"{path} answered {response.status} at {page.url}"
    return None


def _menu(page: Page, app: Flask) -> set[str]:
    """The endpoints the header's links lead to."""
    paths = page.locator("header.site a[href]").evaluate_all("links => links.map(a => a.pathname)")
    adapter = app.url_map.bind("localhost")
    return {adapter.match(path, method="GET")[0] for path in paths}


def _pages_of_account(role: str) -> set[str]:
    """The pages checked for the roles of the role's account (the member is the owner too)."""
    roles = [other for other, account in ACCOUNTS.items() if account == ACCOUNTS[role]]
    return {endpoint for other in roles for endpoint in PAGES[other]}


def _log_in(page: Page, server: LiveServer, role: str) -> None:
    log_in(page, server, ACCOUNTS[role], DEMO_PASSWORD)
    landing = LANDING.get("member" if role == "owner" else role, "")
    expect(page).to_have_url(re.compile(rf"/r/{DEMO_SLUG}/{landing}$"))


@pytest.mark.parametrize("role", PAGES)
def test_the_main_pages_of_a_role_have_no_serious_axe_findings(
    browser, live_app, live_server, values, role
):
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    findings: list[Finding] = []
    broken: list[str] = []
    try:
        if role != "anonymous":
            _log_in(page, live_server, role)
            unlisted = _menu(page, live_app) - _pages_of_account(role) - MENU_ELSEWHERE
            assert not unlisted, f"{role}: add the menu's pages to PAGES: {sorted(unlisted)}"
        for endpoint in PAGES[role]:
            path = _path(live_app, endpoint, values[role])
            if problem := _open(page, live_server, endpoint, path):
                broken.append(problem)
                continue
            findings += _findings(page, f"{role} {path}")
        # at phone width the menu folds: the first page again, with the menu open
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}{_path(live_app, PAGES[role][0], values[role])}")
        if role != "anonymous":
            page.locator("details.menu > summary").click()
        findings += _findings(page, f"{role} {page.url} at {PHONE['width']} px")
    finally:
        context.close()
    assert not broken, f"{role}: pages that did not open: {broken}"
    assert not findings, f"{role}, axe-core {AXE_VERSION}:\n" + "\n".join(map(str, findings))


def test_every_page_a_role_reaches_is_checked(live_app):
    checked = {endpoint for pages in PAGES.values() for endpoint in pages}
    unchecked = []
    for rule in live_app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint.startswith(JSON_API):
            continue
        if rule.endpoint in checked | EXCLUDED:
            continue
        answers = MATRIX.get(rule.endpoint)
        # a route not yet in the matrix counts as reachable
        if answers is None or any(answers.get(role) == OK for role in PAGES):
            unchecked.append(rule.endpoint)
    assert not unchecked, f"add to PAGES (or EXCLUDED, with a reason): {sorted(unchecked)}"
    known = {rule.endpoint for rule in live_app.url_map.iter_rules()}
    assert checked | EXCLUDED <= known, "PAGES or EXCLUDED names no route"
