"""Every page on a phone: at 360 px no page of the app scrolls sideways, for every role and
for the pages nobody needs to be logged in for; a sample of them has no serious axe findings.

The pages are derived, not listed: every GET rule of `app.url_map` is filled with the ids of
the demo council's objects (its EST series, decisions, notes, places …) and real one-click
tokens, so a new page is measured the day it is added. A rule whose URL names something the
crawl cannot fill fails here until the crawl is taught. Error pages, the second login step
and forms refused for empty input are measured too; a page answering 5xx fails the crawl.
One browser serves the module, one page each role.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask, render_template
from playwright.sync_api import Page, expect

from brott.errors import ERROR_TEXTS, ERROR_TITLES
from brott.extensions import db
from brott.models import (
    Action,
    ActionStatus,
    Council,
    Measure,
    Meeting,
    Membership,
    NoteCategory,
    OutboxMessage,
    PartnerOrganisation,
    Place,
    Role,
    SituationNote,
    utcnow,
)
from brott.models.activity import ActivityEntry, ActivityKind
from brott.models.cameras import CameraBalancing, CameraSite, GuardDeployment
from brott.models.certification import Business, ChecklistPoint, Inspection
from brott.models.follow_up import Problem
from brott.models.indicators import Indicator, IndicatorValue
from brott.models.reports import (
    Open311Key,
    ReportCategory,
    ReportStatus,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
)
from brott.models.walks import SafetyWalk, WalkFinding
from brott.policy import viewer_for
from brott.services import invitations, passwords, tokens, two_factor
from brott.services import users as user_service
from brott.services.councils import create_council, find_council
from brott.services.demo import DEMO_PASSWORD, DEMO_SLUG

from .conftest import LiveServer, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
ROLES = {
    "admin": "admin@exempel.se",
    "coordinator": "samordnare@exempel.se",
    "member": "ledamot@exempel.se",
    "police": "polis@exempel.se",
    "body_staff": "energi@exempel.se",  # Borlänge Energi's: their body's reports only
}
# where each role lands after logging in: the council's dashboard, or the report queue
LANDING = {role: "oversikt" for role in ROLES} | {"body_staff": "rapporter/"}
SECOND_FACTOR_USER = "tvasteg@exempel.se"  # an account with an authenticator app
INVITED_USER = "inbjuden@exempel.se"  # an account of another council, invited to the demo's

# URL parts naming an object of the demo council, and the model it is found in
OBJECTS = {
    "measure_id": Measure,
    "meeting_id": Meeting,
    "note_id": SituationNote,
    "partner_id": PartnerOrganisation,
    "membership_id": Membership,
    "place_id": Place,
    "action_id": Action,
    "category_id": NoteCategory,  # named <item_id> with <kind> "kategori"
    "problem_id": Problem,
}
# the measure tools' objects: their pages repeat one layout, so two of each are visited
TOOL_OBJECTS = {
    "indicator_id": Indicator,
    "value_id": IndicatorValue,
    "entry_id": ActivityEntry,
    "kind_id": ActivityKind,
    "business_id": Business,
    "inspection_id": Inspection,
    "point_id": ChecklistPoint,
    "walk_id": SafetyWalk,
    "finding_id": WalkFinding,
    "site_id": CameraSite,
    "balancing_id": CameraBalancing,
    "deployment_id": GuardDeployment,
    "report_id": ResidentReport,
    "report_category_id": ReportCategory,
    "body_id": ResponsibleBody,
    "rule_id": RoutingRule,
    "key_id": Open311Key,
}
OBJECTS.update(TOOL_OBJECTS)
TOOL_SAMPLE = 2
# URL parts that are a word: the register's export format, a checklist point's move
WORDS = {"kind": ["csv", "xlsx"], "change": ["ned"], "fmt": ["json"], "rest": ["v2/x"]}
WORDS["service_code"] = ["belysning"]
WORDS["lang"] = ["en"]  # the public progress page's address in English
KINDS = {"plats": "place_id", "kategori": "category_id"}  # <kind>/<item_id> of places.toggle
SAMPLE = 3  # objects of each kind whose pages are visited: the oldest two and the newest
# endpoints answering with something other than a page (files to download)
NOT_PAGES = {"static", "certification.export", "cameras.register_csv"}
NOT_PAGES |= {f"exports.{name}" for name in ("measures", "journal", "actions", "notes", "reports")}
NOT_PAGES |= {"follow_up_report.pdf"}  # the follow-up report as a PDF file
NOT_PAGES |= {"health.live", "health.ready"}  # the probes answer JSON
# the JSON API, for programs; revoking an API token only leads back to the tokens page
API_CALLS = ("openapi", "councils", "promises", "measures", "measure", "meetings", "actions")
NOT_PAGES |= {f"api.{name}" for name in (*API_CALLS, "notes", "note")} | {"api_tokens.revoke"}
# … Open311's JSON, photos, and the GETs that only lead back to a page visited anyway
NOT_PAGES |= {
    "open311.discovery",
    "open311.services",
    "open311.service_definition",
    "open311.requests",
    "open311.request",
    "open311.not_found",
    "reports.photo",
    "public_reports.photo",
    "public_reports.support",
    "public_reports.answer",
}
BAD_TOKEN = "not-a-valid-token"
# forms sent empty, to see their error messages fit too (the admin may open every one)
REFUSED_FORMS = (
    f"/r/{DEMO_SLUG}/insatser/ny",
    f"/r/{DEMO_SLUG}/lagesbild/ny",
    f"/r/{DEMO_SLUG}/est/serie/ny",
    f"/r/{DEMO_SLUG}/atgarder/ny",
    f"/r/{DEMO_SLUG}/medborgarloften/ny",
    f"/r/{DEMO_SLUG}/admin/anvandare/ny",
    f"/r/{DEMO_SLUG}/admin/partner/ny",
    f"/r/{DEMO_SLUG}/certifiering/nytt",
    f"/r/{DEMO_SLUG}/trygghetsvandringar/ny",
    f"/r/{DEMO_SLUG}/kameror/ny",
    "/konto/losenord",
)


@dataclass
class Site:
    """The paths to visit: inside the council (for its members) and outside it (the account,
    the login, the e-mailed links: for anyone, logged in or not)."""

    council: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    public: list[str] = field(default_factory=list)  # the council's public pages
    rendered: dict[str, str] = field(default_factory=dict)  # path → a page rendered here

    def for_role(self) -> list[str]:
        return [*self.council, *self.outside, *self.errors()]

    def without_login(self) -> list[str]:
        return [*self.outside, *self.public, *self.errors(), *self.rendered]

    def errors(self) -> list[str]:
        return [
            f"/r/{DEMO_SLUG}/insatser/2000000000",  # 404
            f"/r/{DEMO_SLUG}/?q=%01",  # 400: a control character
            "/logga-ut",  # 405: only POST
            "/finns-inte",  # 404 outside a council
        ]


def _ids(council_id: int) -> dict[str, list[int]]:
    """Ids of each kind of the council's objects: the oldest few (the demo's held meetings,
    their decisions, the first measures) and the newest."""
    found = {}
    for name, model in OBJECTS.items():
        ids = list(
            db.session.scalars(
                db.select(model.id).where(model.council_id == council_id).order_by(model.id)
            )
        )
        assert ids, f"the demo council has no {model.__name__}"
        sample = TOOL_SAMPLE if name in TOOL_OBJECTS else SAMPLE
        found[name] = ids if len(ids) <= sample else [*ids[: sample - 1], ids[-1]]
    return {**found, **WORDS}


def _tokens(council: Council) -> dict[str, list[str]]:
    """Working one-click tokens of each kind, and a forged one."""
    now = utcnow()
    action = db.session.scalars(
        db.select(Action)
        .where(Action.council_id == council.id, Action.status != ActionStatus.DONE)
        .order_by(Action.id)
    ).first()
    assert action is not None, "the demo has no open action"
    member = user_service.find_user(ROLES["member"])
    assert member is not None
    admin = viewer_for(user_service.find_user(ROLES["admin"]), DEMO_SLUG)
    elsewhere = create_council("falun-telefon", "Falun", "Falun")
    user_service.add_member(elsewhere, INVITED_USER, "Ina Bjud", DEMO_PASSWORD, Role.MEMBER)
    invitations.invite(admin, INVITED_USER, "Ina Bjud", Role.POLICE, now)
    body = db.session.scalars(
        db.select(OutboxMessage.body).where(OutboxMessage.recipient_email == INVITED_USER)
    ).one()
    invitation = re.search(r"/inbjudan/([^\s/?]+)", body)
    assert invitation is not None, body
    return {
        "actions.confirm": [tokens.action_link_token(action, ActionStatus.DONE), BAD_TOKEN],
        "accounts.set_password": [passwords.link_token(member, passwords.RESET), BAD_TOKEN],
        "accounts.accept_invitation": [invitation.group(1), BAD_TOKEN],
        # a report's tracking page: a reporter's link, a "me too" link, a wrong one (404)
        "public_reports.track": [*_tracking_tokens(council), BAD_TOKEN],
    }


def _tracking_tokens(council: Council) -> list[str]:
    """The tracking links of the demo's oldest open and oldest fixed report."""
    found = []
    for statuses in ([ReportStatus.NEW, ReportStatus.IN_PROGRESS], [ReportStatus.FIXED]):
        token = db.session.scalars(
            db.select(ResidentReport.token)
            .where(ResidentReport.council_id == council.id, ResidentReport.status.in_(statuses))
            .order_by(ResidentReport.id)
        ).first()
        assert token is not None, f"the demo has no report in {statuses}"
        found.append(token)
    return found


def _second_factor_account(council: Council) -> None:
    membership = user_service.add_member(
        council, SECOND_FACTOR_USER, "Tove Steg", DEMO_PASSWORD, Role.MEMBER
    )
    membership.user.totp_secret = two_factor.new_secret()


def _fill(rule, ids: dict[str, list[int]], tokens_by_endpoint) -> list[dict[str, object]]:
    """Every way to fill the rule with the sampled objects and tokens."""
    fillings: list[dict[str, object]] = [{}]
    names = set(rule.arguments) - {"slug"}
    if {"kind", "item_id"} <= names:
        names -= {"kind", "item_id"}
        fillings = [
            {"kind": kind, "item_id": item} for kind, key in KINDS.items() for item in ids[key]
        ]
    for name in sorted(names):
        if name == "token":
            values: list[object] = tokens_by_endpoint.get(rule.endpoint, [BAD_TOKEN])
        elif name in ids:
            values = list(ids[name])
        else:
            pytest.fail(f"the phone crawl cannot fill <{name}> of {rule.rule}: teach {__name__}")
        fillings = [{**filling, name: value} for filling in fillings for value in values]
    return fillings


@pytest.fixture(scope="module")
def site(live_app: Flask) -> Site:
    """Every page of the app, built from its URL map and the demo council's objects; the
    pages a broken database shows are rendered here, as no request can make them."""
    found = Site()
    with live_app.app_context():
        council = find_council(DEMO_SLUG)
        assert council is not None
        ids = _ids(council.id)
        one_click = _tokens(council)
        _second_factor_account(council)
        db.session.commit()
        adapter = live_app.url_map.bind("localhost")
        for rule in sorted(live_app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES:
                continue
            if rule.rule.endswith(".ics"):  # calendar files
                continue
            for values in _fill(rule, ids, one_click):
                if "slug" in rule.arguments:
                    values["slug"] = DEMO_SLUG
                path = adapter.build(rule.endpoint, values, method="GET")
                (found.council if path.startswith("/r/") else found.outside).append(path)
                if getattr(live_app.view_functions[rule.endpoint], "public_page", False):
                    found.public.append(path)
        with live_app.test_request_context("/", headers={"Accept-Language": "sv"}):
            for code in (500, 503):
                found.rendered[f"/fel-{code}"] = render_template(
                    "errors/plain.html",
                    code=code,
                    title=ERROR_TITLES[code],
                    text=ERROR_TEXTS[code],
                    reference="0123456789abcdef",
                )
    return found


@pytest.fixture
def phone(browser) -> Iterator[Page]:
    """One page at phone size; each test logs in (or not) once and visits every page in it."""
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@dataclass
class Crawl:
    """What a crawl found: pages wider than the phone and pages that failed."""

    too_wide: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    seen: int = 0
    refusals: set[int] = field(default_factory=set)  # the refusal pages already laid out

    def visit(self, page: Page, server: LiveServer, path: str) -> None:
        # a role meets the same refusal page (403, 404) on many paths: it is laid out in the
        # browser once; the others are asked for without rendering, to see they are refusals
        asked = page.request.get(f"{server.url}{path}", max_redirects=0)
        if asked.status in (403, 404) and asked.status in self.refusals:
            self.seen += 1
            return
        if asked.status in (403, 404):
            self.refusals.add(asked.status)
        response = page.goto(f"{server.url}{path}")
        assert response is not None, path
        if not response.headers.get("content-type", "").startswith("text/html"):
            return
        self.seen += 1
        if response.status >= 500:
            self.failed[path] = response.status
        self.check(page, path)

    def check(self, page: Page, path: str) -> None:
        if (width := _width(page)) > PHONE["width"]:
            self.too_wide[path] = width

    def verdict(self, who: str) -> str:
        return (
            f"{who}, {self.seen} pages: wider than {PHONE['width']} px (path: width) "
            f"{self.too_wide}; server errors {self.failed}"
        )

    @property
    def fine(self) -> bool:
        return not self.too_wide and not self.failed


def _crawl(page: Page, server: LiveServer, paths: list[str]) -> Crawl:
    crawl = Crawl()
    for path in dict.fromkeys(paths):
        crawl.visit(page, server, path)
    return crawl


def _serve_rendered(page: Page, server: LiveServer, rendered: dict[str, str]) -> None:
    """Answer the made-up paths of the pages rendered in `site` with those pages."""

    def serve(html: str):
        return lambda route: route.fulfill(
            status=200, body=html, content_type="text/html; charset=utf-8"
        )

    for path, html in rendered.items():
        page.route(f"{server.url}{path}", serve(html))


def _log_in(page: Page, server: LiveServer, role: str) -> None:
    log_in(page, server, ROLES[role], DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/r/{DEMO_SLUG}/{LANDING.get(role, '')}$"))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_page_of_a_role_scrolls_sideways_at_phone_width(phone, live_server, site, role):
    _log_in(phone, live_server, role)
    crawl = _crawl(phone, live_server, site.for_role())
    assert crawl.seen > len(site.council), crawl.verdict(role)
    assert crawl.fine, crawl.verdict(role)


def test_no_page_without_a_login_scrolls_sideways_at_phone_width(phone, live_server, site):
    _serve_rendered(phone, live_server, site.rendered)
    crawl = _crawl(phone, live_server, site.without_login())
    # the second step of a login, for an account with an authenticator app
    log_in(phone, live_server, SECOND_FACTOR_USER, DEMO_PASSWORD)
    expect(phone).to_have_url(re.compile(r"/logga-in/kod$"))
    crawl.seen += 1
    crawl.check(phone, "/logga-in/kod")
    assert crawl.seen == len(set(site.without_login())) + 1
    assert crawl.fine, crawl.verdict("without a login")


def test_refused_forms_keep_their_fields_and_messages_within_a_phone(phone, live_server):
    _log_in(phone, live_server, "admin")
    crawl = Crawl()
    for path in REFUSED_FORMS:
        phone.goto(f"{live_server.url}{path}")
        form = phone.locator("main form[method=post][novalidate]").first
        with phone.expect_navigation():
            form.evaluate("form => form.requestSubmit()")
        expect(phone.locator(".form-errors").first).to_be_visible()  # refused, not saved
        crawl.seen += 1
        crawl.check(phone, path)
    assert crawl.fine, crawl.verdict("refused forms")


def test_the_menu_folds_behind_one_button_on_a_phone_and_is_one_row_on_a_wide_screen(
    phone, live_server
):
    _log_in(phone, live_server, "admin")
    menu = phone.get_by_role("navigation", name="Rådet")
    links = ["Insatser", "EST-möten", "Åtgärder", "Lägesbild", "Användare", "Logg"]
    button = phone.locator("details.menu > summary")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44
    for name in links:
        expect(phone.get_by_role("link", name=name, exact=True)).to_be_hidden()

    button.click()
    for name in [*links, "Notiser", "Kalender"]:
        link = phone.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["height"] >= 44, f"{name}: a {box['height']} px high target"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    expect(phone.get_by_role("button", name="Logga ut")).to_be_visible()
    assert _width(phone) <= PHONE["width"]
    menu.get_by_role("link", name="Lägesbild").click()
    expect(phone.get_by_role("heading", name="Lägesbildsanteckningar")).to_be_visible()

    phone.set_viewport_size({"width": 1280, "height": 800})
    expect(button).to_be_hidden()
    for name in links:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(phone.get_by_role("button", name="Logga ut")).to_be_visible()


def test_a_list_shows_one_card_per_row_each_value_under_its_column_name_on_a_phone(
    phone, live_server
):
    _log_in(phone, live_server, "member")
    phone.goto(f"{live_server.url}/r/{DEMO_SLUG}/")  # the measures
    row = phone.locator("main table tbody tr").first
    status = row.locator("td").nth(2)
    expect(status).to_have_attribute("data-label", "Status")  # copied by static/tables.js
    label = status.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "Status" in label, label
    assert row.evaluate("row => getComputedStyle(row).display") == "block"
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # a screen reader still meets a table, each cell named by its column header alone
    expect(phone.get_by_role("columnheader", name="Status")).to_be_attached()
    expect(row.get_by_role("cell", name="Pågår", exact=True)).to_be_attached()

    phone.set_viewport_size({"width": 1280, "height": 800})
    assert row.evaluate("row => getComputedStyle(row).display") == "table-row"


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# a sample for axe: each role's main pages (measured with the menu open on the first)
AXE_SAMPLE = {
    "admin": (
        "measures.index",
        "admin.users",
        "admin.audit_log",
        "places.index",
        "auth.login_settings",
        "certification.checklist",
        "certification.import_file",
        "walks.add_finding",
        "cameras.move",
    ),
    "coordinator": (
        "measures.index",
        "measures.show",
        "indicators.show",
        "activity.create",
        "certification.business",
        "walks.show",
        "cameras.show",
        "notes.create",
        "actions.index",
        "promises.create",
        "meetings.edit_series",
    ),
    "member": (
        "measures.index",
        "meetings.index",
        "notes.index",
        "auth.profile",
        "promises.index",
        "accounts.change_password",
        "auth.two_factor",
        "activity.index",
        "walks.plan",
        "cameras.need",
        "certification.index",
    ),
    "police": (
        "measures.index",
        "meetings.show",
        "notes.create",
        "notes.index",
        "meetings.shared",
        "certification.inspect",
        "cameras.register",
        "reports.show",
    ),
    "body_staff": ("reports.index", "reports.show"),
}
AXE_SAMPLE["coordinator"] += ("reports.index", "reports.show", "report_setup.index")
AXE_SAMPLE["admin"] += ("report_setup.settings", "open311.keys", "reports.marks")


def test_a_sample_of_pages_has_no_serious_axe_findings_at_phone_width(
    browser, live_server, live_app
):
    with live_app.app_context():
        council = find_council(DEMO_SLUG)
        assert council is not None
        ids = _ids(council.id)
    adapter = live_app.url_map.bind("localhost")
    paths = {
        role: [adapter.build(endpoint, _values(live_app, endpoint, ids)) for endpoint in endpoints]
        for role, endpoints in AXE_SAMPLE.items()
    }
    paths["anonymous"] = ["/logga-in", "/glomt-losenord", "/losenord/x", "/finns-inte"]
    paths["anonymous"].append("/tillganglighet")
    with live_app.app_context():
        tracking = _tracking_tokens(council)[1]
    paths["anonymous"] += [
        f"/r/{DEMO_SLUG}/rapportera",
        f"/r/{DEMO_SLUG}/trygghet",
        f"/r/{DEMO_SLUG}/rapport/{tracking}",  # a fixed one, with its question
    ]
    found = {}
    for role, role_paths in paths.items():
        context = browser.new_context(locale="sv-SE", viewport=PHONE)
        page = context.new_page()
        if role != "anonymous":
            _log_in(page, live_server, role)
        for number, path in enumerate(role_paths):
            page.goto(f"{live_server.url}{path}")
            if number == 0 and role != "anonymous":
                page.locator("details.menu > summary").click()
            if problems := _serious(page):
                found[f"{role} {path}"] = problems
        context.close()
    assert not found, found


def _values(app: Flask, endpoint: str, ids: dict[str, list[int]]) -> dict[str, object]:
    """The endpoint's URL filled with the oldest object of each kind (a held meeting …)."""
    rule = next(iter(app.url_map.iter_rules(endpoint)))
    values: dict[str, object] = {name: ids[name][0] for name in rule.arguments if name in ids}
    if "slug" in rule.arguments:
        values["slug"] = DEMO_SLUG
    return values
