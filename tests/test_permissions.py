"""The permission matrix: every URL rule of the app × every role, with the expected answer.

A route added without an entry here fails `test_every_rule_is_in_the_matrix`, so no route
escapes the policy unnoticed.
"""

import re
from dataclasses import dataclass

import pytest
from werkzeug.routing import Rule

from brott.extensions import db
from brott.models import (
    ActionStatus,
    Membership,
    NoteSource,
    Role,
    Visibility,
)
from brott.services import calendar as calendar_service
from brott.services import tokens

from .conftest import login
from .report_objects import REPORT_VALUES, report_objects
from .tool_objects import PLAIN_VALUES, ids_of, tool_objects

ROLES = (
    "anonymous",
    "other_council",
    "police",
    "member",
    "owner",
    "coordinator",
    "admin",
    "body_staff",
)

LOGIN = "login"  # a redirect to the login page
OK = 200


def _row(anonymous, other_council, police, member, owner, coordinator, admin, body_staff=None):
    """The answers per role. A responsible body's staff (body_staff) may do nothing in the
    council but their body's reports: unless given, a council page (404 to other councils)
    refuses them with 403, and a page outside councils answers them as a member."""
    if body_staff is None:
        body_staff = 403 if other_council == 404 else member
    return dict(
        zip(
            ROLES,
            (anonymous, other_council, police, member, owner, coordinator, admin, body_staff),
            strict=True,
        )
    )


# Expected answer to a GET (or to the POST of a POST-only rule).
READ_COUNCIL = _row(LOGIN, 404, OK, OK, OK, OK, OK)
UPDATE_MEASURE = _row(LOGIN, 404, 403, 403, OK, OK, OK)
MANAGE_MEASURES = _row(LOGIN, 404, 403, 403, 403, OK, OK)
MANAGE_PARTNERS = MANAGE_MEASURES
MANAGE_USERS = _row(LOGIN, 404, 403, 403, 403, 403, OK)
MANAGE_MEETINGS = MANAGE_MEASURES
ANY_USER = _row(LOGIN, OK, OK, OK, OK, OK, OK)
# a form posted from a meeting's page: a GET (someone reloading) is sent back to the page
RELOAD_MANAGE_MEETINGS = _row(LOGIN, 404, 403, 403, 403, 302, 302)
PUBLIC = _row(OK, OK, OK, OK, OK, OK, OK)
# the measure tools kept by coordinators (register, walks, cameras): same as measures
MANAGE_REGISTER = MANAGE_MEASURES
RELOAD_MANAGE = RELOAD_MANAGE_MEETINGS
INSPECT = _row(LOGIN, 404, OK, 403, 403, OK, OK)  # the police and coordinators inspect
NO_TOKEN = _row(401, 401, 401, 401, 401, 401, 401, 401)  # the API without its token

MATRIX: dict[str, dict[str, object]] = {
    "static": _row(OK, OK, OK, OK, OK, OK, OK),
    "auth.login": _row(OK, OK, OK, OK, OK, OK, OK),
    "auth.logout": _row(302, 302, 302, 302, 302, 302, 302),
    # a user of exactly one council is sent straight to it
    "auth.home": _row(LOGIN, 302, 302, 302, 302, 302, 302),
    # the dashboard, where a login lands: every member but a body's staff (their queue)
    "dashboard.index": READ_COUNCIL,
    "measures.index": READ_COUNCIL,
    "measures.show": READ_COUNCIL,
    "measures.update": UPDATE_MEASURE,
    "measures.create": MANAGE_MEASURES,
    "measures.edit": MANAGE_MEASURES,
    "admin.users": MANAGE_USERS,
    "admin.create_member": MANAGE_USERS,
    "admin.edit_membership": MANAGE_USERS,
    "admin.partners": MANAGE_PARTNERS,
    "admin.edit_partner": MANAGE_PARTNERS,
    "admin.outbox": MANAGE_MEASURES,  # coordinators too: the EST cycle's failed reminders
    "auth.notifications": ANY_USER,
    "meetings.index": READ_COUNCIL,
    "meetings.show": READ_COUNCIL,
    "meetings.create_series": MANAGE_MEETINGS,
    "meetings.move": MANAGE_MEETINGS,
    # forms of the meeting page: a GET (a reload) leads back to the meeting; an empty POST
    # names no version (409) or is an empty decision (400)
    "meetings.agenda": RELOAD_MANAGE_MEETINGS,
    "meetings.decide": RELOAD_MANAGE_MEETINGS,
    "meetings.cancel": RELOAD_MANAGE_MEETINGS,
    "actions.index": READ_COUNCIL,
    # only the action's owner, or who manages meetings; a reload leads back to the list and
    # an empty form is answered with the status page's messages (400)
    "actions.update": _row(LOGIN, 404, 403, 403, 302, 302, 302),
    # the e-mail link: no login, the token itself is the permission; but a logged-in person
    # other than its owner is refused
    "actions.confirm": _row(OK, 403, 403, 403, OK, 403, 403),
    "calendar.meeting_ics": READ_COUNCIL,
    "calendar.feed": PUBLIC,
    "calendar.account": ANY_USER,
    "notes.index": READ_COUNCIL,
    "notes.create": READ_COUNCIL,  # the police write shared notes only
    "notes.show": READ_COUNCIL,  # the world's note is shared; internal ones: see below
    # the author (the coordinator) or who manages the council's notes
    "notes.edit": _row(LOGIN, 404, 403, 403, 403, OK, OK),
    "notes.delete": _row(LOGIN, 404, 403, 403, 403, 302, 302),
    "places.index": MANAGE_MEASURES,
    "places.edit": MANAGE_MEASURES,
    "places.toggle": _row(LOGIN, 404, 403, 403, 403, 302, 302),
    "actions.create": MANAGE_MEETINGS,
    # the language switch: anyone, logged in or not; it redirects back
    "auth.set_language": _row(302, 302, 302, 302, 302, 302, 302),
    "auth.profile": ANY_USER,
    "about.accessibility": PUBLIC,
    # the read-only JSON API: its document for anyone; every call needs a personal token, so
    # a login alone is a 401 whoever has it (the token kinds' matrix: tests/test_api.py)
    "api.openapi": PUBLIC,
    # the probes: no login; the test database is made without migrations, so not ready
    "health.live": PUBLIC,
    "health.ready": _row(503, 503, 503, 503, 503, 503, 503),
    "api.councils": NO_TOKEN,
    "api.promises": NO_TOKEN,
    "api.measures": NO_TOKEN,
    "api.measure": NO_TOKEN,
    "api.meetings": NO_TOKEN,
    "api.actions": NO_TOKEN,
    "api.notes": NO_TOKEN,
    "api.note": NO_TOKEN,
    # the account's API tokens; revoking one that is not the user's (here: none) is a 404
    "api_tokens.index": ANY_USER,
    "api_tokens.revoke": _row(LOGIN, 404, 404, 404, 404, 404, 404, 404),
    # following the promise up: everyone in the council reads the scorecard, the problems
    # and the quarterly analysis; coordinators judge, record problems and publish
    "scorecard.index": READ_COUNCIL,
    "scorecard.judge": MANAGE_MEASURES,
    "scorecard.settings": MANAGE_MEASURES,
    "problems.index": READ_COUNCIL,
    "problems.show": READ_COUNCIL,
    "problems.create": MANAGE_MEASURES,
    "problems.edit": MANAGE_MEASURES,
    "problems.quarter": READ_COUNCIL,
    # the public progress page, as anyone sees it; choosing what it shows
    "progress.index": PUBLIC,
    "progress.publish": MANAGE_MEASURES,
    "admin.audit_log": MANAGE_USERS,
    "admin.retention": MANAGE_USERS,
    # passwords and invitations: the token the matrix passes is an action link's, which
    # no password or invitation page accepts (410, whoever asks)
    "accounts.accept_invitation": _row(410, 410, 410, 410, 410, 410, 410),
    "accounts.set_password": _row(410, 410, 410, 410, 410, 410, 410),
    "accounts.change_password": ANY_USER,
    "accounts.forgot_password": PUBLIC,
    # POST buttons of the users page; a GET (a reload) leads back to that page
    "admin.resend_invitation": _row(LOGIN, 404, 403, 403, 403, 403, 302),
    "admin.resend_member_invitation": _row(LOGIN, 404, 403, 403, 403, 403, 302),
    "admin.withdraw_invitation": _row(LOGIN, 404, 403, 403, 403, 403, 302),
    # two-step login: the code step exists only half-way through a login
    "auth.second_factor": _row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "auth.two_factor": ANY_USER,
    "auth.two_factor_off": _row(LOGIN, 302, 302, 302, 302, 302, 302),
    "auth.login_settings": MANAGE_USERS,
    # EST: the shared view is for everyone at the meeting; series changes for coordinators
    "meetings.shared": READ_COUNCIL,
    "meetings.edit_series": MANAGE_MEETINGS,
    "meetings.end_series": RELOAD_MANAGE_MEETINGS,
    "meetings.move_off_holiday": RELOAD_MANAGE_MEETINGS,
    "promises.index": READ_COUNCIL,
    "promises.create": MANAGE_MEASURES,
    # indicators: all read them; a measure's owners and coordinators enter values;
    # coordinators define them. POST buttons lead back to the indicator on a reload
    "indicators.create": MANAGE_MEASURES,
    "indicators.show": READ_COUNCIL,
    "indicators.edit": MANAGE_MEASURES,
    "indicators.add_value": _row(LOGIN, 404, 403, 403, 302, 302, 302),
    "indicators.delete_value": _row(LOGIN, 404, 403, 403, 302, 302, 302),
    "indicators.delete": RELOAD_MANAGE,
    # activity logs: like indicator values, the measure's owners and coordinators write them
    "activity.index": READ_COUNCIL,
    "activity.create": UPDATE_MEASURE,
    "activity.photo": READ_COUNCIL,
    "activity.delete": _row(LOGIN, 404, 403, 403, 302, 302, 302),
    "activity.make_note": UPDATE_MEASURE,
    "activity.kinds": MANAGE_MEASURES,
    "activity.toggle_kind": RELOAD_MANAGE,
    # the certification register: all members read it; coordinators keep it; the police and
    # coordinators inspect. Forms posted from a page lead back to it on a reload (302)
    "certification.index": READ_COUNCIL,
    "certification.business": READ_COUNCIL,
    "certification.export": READ_COUNCIL,
    # spreadsheets of the lists: as their pages (the rows are the viewer's, tests/test_exports)
    "exports.measures": READ_COUNCIL,
    "exports.journal": READ_COUNCIL,
    "exports.actions": READ_COUNCIL,
    "exports.notes": READ_COUNCIL,
    "exports.reports": _row(LOGIN, 404, OK, OK, OK, OK, OK, OK),
    # the follow-up report, as a page and as a PDF: as the measures (without a period, the
    # council's current follow-up period; bad periods: tests/test_follow_up_report.py)
    "follow_up_report.show": READ_COUNCIL,
    "follow_up_report.pdf": READ_COUNCIL,
    "certification.new": MANAGE_REGISTER,
    "certification.edit": MANAGE_REGISTER,
    "certification.inspect": INSPECT,
    "certification.approve_chain": _row(LOGIN, 404, 302, 403, 403, 302, 302),
    "certification.checklist": MANAGE_REGISTER,
    "certification.edit_point": MANAGE_REGISTER,
    "certification.change_point": RELOAD_MANAGE,
    "certification.settings": MANAGE_REGISTER,
    "certification.import_file": MANAGE_REGISTER,
    "certification.confirm_import": RELOAD_MANAGE,
    # safety walks: all members read them and their action plans; coordinators keep them
    "walks.index": READ_COUNCIL,
    "walks.show": READ_COUNCIL,
    "walks.plan": READ_COUNCIL,
    "walks.photo": READ_COUNCIL,
    "walks.create": MANAGE_REGISTER,
    "walks.edit": MANAGE_REGISTER,
    "walks.add_finding": MANAGE_REGISTER,
    "walks.answer": RELOAD_MANAGE,
    # residents' reports, staff side: all members read them (a body's staff: their body's);
    # the body's staff and coordinators handle them; forms on a report's page lead back to it
    # on a reload; coordinators set the service up
    "reports.index": _row(LOGIN, 404, OK, OK, OK, OK, OK, OK),
    "reports.show": _row(LOGIN, 404, OK, OK, OK, OK, OK, OK),
    "reports.photo": _row(LOGIN, 404, OK, OK, OK, OK, OK, OK),
    "reports.set_status": _row(LOGIN, 404, 403, 403, 403, 302, 302, 302),
    "reports.reply": _row(LOGIN, 404, 403, 403, 403, 302, 302, 302),
    "reports.comment": _row(LOGIN, 404, 403, 403, 403, 302, 302, 302),
    "reports.close": _row(LOGIN, 404, 403, 403, 403, 302, 302, 302),
    "reports.reassign": _row(LOGIN, 404, 403, 403, 403, 302, 302, 302),
    "reports.to_note": READ_COUNCIL,
    "reports.to_action": MANAGE_MEETINGS,
    "reports.marks": READ_COUNCIL,
    "report_setup.index": MANAGE_MEASURES,
    "report_setup.settings": MANAGE_MEASURES,
    "report_setup.create_category": MANAGE_MEASURES,
    "report_setup.edit_category": MANAGE_MEASURES,
    "report_setup.create_body": MANAGE_MEASURES,
    "report_setup.edit_body": MANAGE_MEASURES,
    "report_setup.create_rule": RELOAD_MANAGE,
    "report_setup.delete_rule": RELOAD_MANAGE,
    "open311.keys": MANAGE_MEASURES,
    "open311.revoke_key": RELOAD_MANAGE,
    # the public pages of residents' reports and Open311: everyone, as the public
    "public_reports.report": PUBLIC,
    "public_reports.support": _row(302, 302, 302, 302, 302, 302, 302, 302),
    "public_reports.track": PUBLIC,
    "public_reports.answer": _row(302, 302, 302, 302, 302, 302, 302, 302),
    "public_reports.photo": PUBLIC,
    "public_reports.mark": PUBLIC,
    "public_reports.mark_thanks": PUBLIC,
    "open311.discovery": PUBLIC,
    "open311.services": PUBLIC,
    "open311.service_definition": PUBLIC,
    "open311.requests": PUBLIC,
    "open311.request": PUBLIC,
    # POST-only: the council requires a key, so an empty post is refused whoever sends it
    "open311.create": _row(403, 403, 403, 403, 403, 403, 403, 403),
    "open311.not_found": _row(404, 404, 404, 404, 404, 404, 404, 404),
    # camera sites and guards: all members read them and the register; coordinators keep them
    "cameras.index": READ_COUNCIL,
    "cameras.show": READ_COUNCIL,
    "cameras.balancing": READ_COUNCIL,
    "cameras.need": READ_COUNCIL,
    "cameras.register": READ_COUNCIL,
    "cameras.register_csv": READ_COUNCIL,
    "cameras.create": MANAGE_REGISTER,
    "cameras.edit": MANAGE_REGISTER,
    "cameras.move": MANAGE_REGISTER,
    "cameras.balance": MANAGE_REGISTER,
    "cameras.guards_create": MANAGE_REGISTER,
    "cameras.guards_edit": MANAGE_REGISTER,
}


@dataclass
class World:
    slug: str
    measure_id: int
    membership_id: int
    partner_id: int
    users: dict
    meeting_id: int
    action_id: int
    action_token: str
    feed_token: str
    note_id: int
    internal_note_id: int
    place_id: int
    tools: dict[str, object]  # the measure tools' URL arguments (tests/tool_objects)


@pytest.fixture
def world(
    make_council,
    make_user,
    make_measure,
    make_partner,
    make_meeting,
    make_decision,
    make_place,
    make_category,
    make_note,
) -> World:
    council = make_council(slug="borlange")
    users = {
        "other_council": make_user(Role.COORDINATOR, make_council(slug="falun")),
        "police": make_user(Role.POLICE, council),
        "member": make_user(Role.MEMBER, council),
        "owner": make_user(Role.MEMBER, council),
        "coordinator": make_user(Role.COORDINATOR, council),
        "admin": make_user(Role.ADMIN, council),
        "body_staff": make_user(Role.BODY_STAFF, council),
    }
    measure = make_measure(council, owners=[users["owner"]])
    partner = make_partner(council)
    membership_id = db.session.scalar(
        db.select(Membership.id).filter_by(user_id=users["member"].id)
    )
    meeting = make_meeting(council)
    action = make_decision(meeting, users["coordinator"], users["owner"], "Åtgärd")
    # a "delayed" link: an empty POST is refused for want of a reason, so it stays usable
    token = tokens.action_link_token(action, ActionStatus.DELAYED)
    feed_token = calendar_service.enable_feed(users["member"])
    place = make_place(council, "Resecentrum")
    category = make_category(council, "Klotter")
    notes = [
        make_note(
            council,
            users["coordinator"],
            place,
            category,
            "Mönster",
            visibility=visibility,
            source=NoteSource.CITY_HOST,
        )
        for visibility in (Visibility.SHARED, Visibility.INTERNAL)
    ]
    return World(
        "borlange",
        measure.id,
        membership_id,
        partner.id,
        users,
        meeting.id,
        action.id,
        token,
        feed_token,
        notes[0].id,
        notes[1].id,
        place.id,
        ids_of(tool_objects(council, users, measure))
        | ids_of(report_objects(council, users))
        | REPORT_VALUES,
    )


def _url(rule: Rule, world: World) -> str:
    values = {
        "slug": world.slug,
        "measure_id": world.measure_id,
        "membership_id": world.membership_id,
        "partner_id": world.partner_id,
        "filename": "style.css",
        "meeting_id": world.meeting_id,
        "action_id": world.action_id,
        "token": world.action_token,
        "note_id": world.note_id,
        "kind": "plats",
        "item_id": world.place_id,
        "place_id": world.place_id,
        "council_slug": world.slug,  # the API's
        "token_id": 2_000_000,  # an API token: none of the user's
        **world.tools,
    }
    if rule.endpoint != "places.toggle":
        values.update(PLAIN_VALUES)  # <kind> of the register's export, <change> of a point
    if rule.endpoint == "calendar.feed":
        values["token"] = world.feed_token
    if rule.endpoint.startswith("public_reports."):
        values["token"] = world.tools["report_token"]
    # every argument, whatever its converter (<id>, <int:id>, <any(json, xml):fmt>, <path:x>)
    return re.sub(r"<(?:[^<>]*:)?(\w+)>", lambda found: str(values[found.group(1)]), rule.rule)


def _matches(expected, response) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and "/logga-in" in response.location
    return response.status_code == expected


def test_every_rule_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), "add new routes to MATRIX with their expected answers"


def _deleting_last(rule: Rule) -> tuple[bool, bool]:
    """Rules whose empty POST deletes what later rules name go last; the indicator itself
    after its values."""
    return "delete" in rule.endpoint, rule.endpoint == "indicators.delete"


@pytest.mark.parametrize("role", ROLES)
def test_every_rule_answers_each_role_as_expected(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, world.users[role]).status_code == 302
    mismatches = []
    for rule in sorted(app.url_map.iter_rules(), key=_deleting_last):
        expected = MATRIX[rule.endpoint][role]
        url = _url(rule, world)
        post_only = "GET" not in rule.methods
        response = client.post(url) if post_only else client.get(url)
        response.close()
        if not _matches(expected, response):
            mismatches.append(f"{'POST' if post_only else 'GET'} {url}: {response.status_code}")
        if "POST" in rule.methods and not post_only:
            # a refused role is refused the same way when it posts; an allowed one gets its
            # form back with errors (200/400) or is redirected after saving, never a 500
            response = client.post(url, data={})
            response.close()
            # (a rule whose GET only leads back to its page answers its POST like a form)
            allowed_post = expected in (OK, 302) and response.status_code in (
                200,
                302,
                303,
                400,
                409,
            )
            if not allowed_post and not _matches(expected, response):
                mismatches.append(f"POST {url}: {response.status_code}")
        if rule.endpoint == "auth.logout" and role != "anonymous":
            login(client, world.users[role])
    assert not mismatches, f"{role}: " + "; ".join(mismatches)


def test_a_member_of_another_council_cannot_reach_objects_by_guessing_ids(app, world):
    client = app.test_client()
    login(client, world.users["other_council"])  # coordinator in "falun"
    for path, accepts_post in (
        (f"/r/falun/insatser/{world.measure_id}", False),
        (f"/r/falun/insatser/{world.measure_id}/uppdatera", True),
        (f"/r/falun/insatser/{world.measure_id}/redigera", True),
        (f"/r/falun/admin/partner/{world.partner_id}", True),
        (f"/r/borlange/insatser/{world.measure_id}", False),
    ):
        assert client.get(path).status_code == 404, path
        if accepts_post:
            assert client.post(path, data={"title": "x", "name": "x"}).status_code == 404, path
    assert client.get("/r/falun/").status_code == 200  # their own council works


def test_police_finds_no_edit_controls_on_a_measure(app, world):
    client = app.test_client()
    login(client, world.users["police"])
    page = client.get(f"/r/borlange/insatser/{world.measure_id}").text
    assert "Uppdatera status" not in page and "Redigera" not in page
    owner_client = app.test_client()
    login(owner_client, world.users["owner"])
    assert "Uppdatera status" in owner_client.get(f"/r/borlange/insatser/{world.measure_id}").text


def test_police_get_404_for_internal_notes_by_id_and_do_not_see_them_listed(app, world):
    police = app.test_client()
    login(police, world.users["police"])
    base = f"/r/borlange/lagesbild/{world.internal_note_id}"
    for path in (base, base + "/redigera"):
        assert police.get(path).status_code == 404, path
    assert police.post(base + "/ta-bort").status_code == 404
    listing = police.get("/r/borlange/lagesbild/").text
    assert f"/lagesbild/{world.note_id}" in listing
    assert f"/lagesbild/{world.internal_note_id}" not in listing
    member = app.test_client()
    login(member, world.users["member"])
    assert member.get(base).status_code == 200  # the municipality reads its internal notes
