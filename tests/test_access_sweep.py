"""Every route × every viewer, answered as `brott/policy.py` says; no object crosses councils.

The sweep is derived, not listed: it walks `app.url_map`, fills each rule with ids of real
objects (one of each kind, built by the factories) and asks the policy what each viewer may
do there. A viewer the policy refuses gets a redirect to the login page (anonymous), 403 or
404 — never a page, never a server error; a viewer the policy admits never gets 403. A route
whose URL names something the sweep cannot fill fails here until it is taught, so no new
route escapes. (`test_permissions.py` keeps the hand-written matrix with exact answers.)

The second sweep takes two councils: every viewer of council A asks for every object URL of
council B, under B's slug and with B's ids under A's slug, and must learn nothing.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from werkzeug.routing import Rule

from brott import policy
from brott.extensions import db
from brott.models import (
    Base,
    Measure,
    Meeting,
    Membership,
    Role,
    SituationNote,
    User,
    Visibility,
)
from brott.policy import Permission

from .conftest import logged_in
from .report_objects import REPORT_VALUES, report_objects, report_sweep_builders
from .security_figures import record_figure
from .tool_objects import PLAIN_VALUES as TOOL_PLAIN_VALUES
from .tool_objects import sweep_builders, tool_objects

pytestmark = pytest.mark.security

# Pages anyone may open without logging in. An endpoint outside a council that answers an
# anonymous visitor with anything but the login page must be listed here, on purpose.
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.logout",
    "auth.set_language",
    "actions.confirm",  # the e-mailed one-click link: the token is the credential
    "calendar.feed",  # the private feed: the token is the credential
    "accounts.forgot_password",  # asks for a reset link; answers alike for any address
    "accounts.set_password",  # the e-mailed reset link: the token is the credential
    "accounts.accept_invitation",  # the e-mailed invitation: the token is the credential
    "about.accessibility",  # the accessibility statement: for everyone, as the law asks
    "api.openapi",  # the API's OpenAPI document: it describes, it holds no data
    # the probes of load balancers: yes or no, in JSON, nothing else (tests/test_health.py)
    "health.live",
    "health.ready",
}

# answers a council's public pages give every viewer by design, though the policy admits
# them all: a path under /open311/ that is no call, and an empty Open311 post to a council
# that requires an API key
BY_DESIGN = {("open311.not_found", "GET"): 404, ("open311.not_found", "POST"): 404}
BY_DESIGN[("open311.create", "POST")] = 403
# the sweep's database is made without migrations: not ready, by design (tests/test_health.py)
BY_DESIGN[("health.ready", "GET")] = 503

# values for URL parts that name no object of the council
PLAIN_VALUES = {
    "token": ["not-a-valid-token"],
    "filename": ["style.css"],
    # the API's council (a login is no token: every call is a 401) and an API token of none
    "council_slug": ["rad-a"],
    "token_id": [2_000_000],
    **{name: [value] for name, value in TOOL_PLAIN_VALUES.items()},
    **{name: [value] for name, value in REPORT_VALUES.items()},
}

# who asks; see `world` for who they are
COUNCIL_ROLES = {
    "admin": Role.ADMIN,
    "coordinator": Role.COORDINATOR,
    "member": Role.MEMBER,
    "police": Role.POLICE,
    "body_staff": Role.BODY_STAFF,  # of the body the council's report is routed to
}
VIEWERS = (
    "anonymous",
    *COUNCIL_ROLES,
    "other council",  # an admin of council B
    "switched off",  # a member whose membership of council A an admin switched off
    "account off",  # a member whose whole account was switched off after logging in
)
MUTED = {"anonymous", "account off"}  # no login will work for them

# URL parts named otherwise than the objects they name
ALIASES = {"note_id": ("shared_note", "internal_note")}


@dataclass
class Objects:
    """One object of each kind in a council, rebuilt when a sweep's POST deletes one."""

    council_slug: str
    builders: dict[str, Callable[[], Base]]
    ids: dict[str, tuple[type, int]] = field(default_factory=dict)
    report_token: str = ""  # the tracking link of the council's report (public pages)

    def build(self, key: str) -> None:
        made = self.builders[key]()
        self.ids[key] = (type(made), made.id)

    def restore(self) -> None:
        """Rebuild what a request deleted (an empty POST may delete a note)."""
        db.session.rollback()
        for key, (model, object_id) in list(self.ids.items()):
            if db.session.get(model, object_id) is None:
                self.build(key)
        db.session.rollback()

    def snapshot(self) -> dict[str, object]:
        """Each object's version (or mere existence), to prove a sweep changed nothing."""
        db.session.rollback()
        seen: dict[str, object] = {}
        for key, (model, object_id) in self.ids.items():
            found = db.session.get(model, object_id)
            seen[key] = getattr(found, "version", found is not None) if found else None
        db.session.rollback()
        return seen

    def fillings(self, rule: Rule) -> list[tuple[dict[str, object], list[tuple[type, int]]]]:
        """Ways to fill the rule's URL: the values and the objects each way names."""
        options: list[tuple[dict[str, object], list[tuple[type, int]]]] = [({}, [])]
        names = sorted(rule.arguments - {"slug"})
        if {"kind", "item_id"} <= set(names):
            names.remove("kind")
            names.remove("item_id")
            options = [
                ({"kind": kind, "item_id": self.ids[key][1]}, [self.ids[key]])
                for kind, key in (("plats", "place"), ("kategori", "category"))
            ]
        for name in names:
            choices = self._choices(rule, name)
            options = [
                ({**values, name: value}, objects + named)
                for values, objects in options
                for value, named in choices
            ]
        return options

    def _choices(self, rule: Rule, name: str) -> list[tuple[object, list[tuple[type, int]]]]:
        if name == "token" and rule.endpoint.startswith("public_reports."):
            return [(self.report_token, [])]
        if name in PLAIN_VALUES:
            return [(value, []) for value in PLAIN_VALUES[name]]
        keys = [
            key for key in self.ids if key in (name.removesuffix("_id"), *ALIASES.get(name, ()))
        ]
        if not keys:
            pytest.fail(
                f"the access sweep cannot fill <{name}> of {rule.rule}: give the world an "
                f"object of that kind (or a value in PLAIN_VALUES) in {__name__}"
            )
        return [(self.ids[key][1], [self.ids[key]]) for key in keys]


@dataclass
class World:
    app: Flask
    a: Objects
    b: Objects
    users: dict[str, User | None]
    clients: dict[str, FlaskClient]
    login_path: str

    def relogin(self, name: str) -> None:
        """A fresh session for a viewer who just logged out (logout ends every session)."""
        user = self.users[name]
        if name not in MUTED and user is not None:
            self.clients[name] = logged_in(self.app, user)

    def viewer(self, name: str, slug: str) -> policy.Viewer | None:
        """Who `name` is in the council `slug`, according to the policy."""
        user = self.users[name]
        if name in MUTED or user is None:
            return policy.viewer_for(AnonymousUserMixin(), slug)
        return policy.viewer_for(db.session.get(User, user.id), slug)


@pytest.fixture
def world(
    app,
    make_council,
    make_user,
    make_partner,
    make_measure,
    make_place,
    make_category,
    make_meeting,
    make_decision,
    make_note,
) -> Iterator[World]:
    def council_objects(slug: str, people: dict[str, User]) -> Objects:
        council = make_council(slug=slug)
        for name, role in COUNCIL_ROLES.items():
            people[name] = make_user(role, council, name=f"{name} {slug}")
        place, category = make_place(council), make_category(council)
        meetings: list[Meeting] = []

        def meeting() -> Meeting:
            meetings.append(make_meeting(council, invitees=[people["member"], people["police"]]))
            return meetings[-1]

        def note(author: str, visibility: Visibility) -> SituationNote:
            return make_note(council, people[author], place, category, visibility=visibility)

        objects = Objects(
            slug,
            {
                "partner": lambda: make_partner(council),
                "measure": lambda: make_measure(council, owners=[people["member"]]),
                "place": lambda: place,
                "category": lambda: category,
                "meeting": meeting,
                # owned by the police liaison: a member may not mark it, its owner may
                "action": lambda: make_decision(
                    meetings[-1], people["coordinator"], owner=people["police"]
                ),
                "shared_note": lambda: note("police", Visibility.SHARED),
                "internal_note": lambda: note("member", Visibility.INTERNAL),
                "membership": lambda: db.session.scalars(
                    db.select(Membership).filter_by(user_id=people["member"].id)
                ).one(),
            },
        )
        for key in objects.builders:
            objects.build(key)
        # the measure tools' objects (an indicator, a walk, a business, a camera site, …);
        # the measure gets the activity log
        measure = db.session.get(Measure, objects.ids["measure"][1])
        tools = sweep_builders(
            tool_objects(council, people, measure), lambda key: objects.ids[key][1]
        )
        objects.builders.update(tools)
        for key in tools:
            objects.build(key)
        # residents' reports: a body, a category, a rule, a key, a report (routed to the
        # body whose staff member is among the people)
        made = report_objects(council, people)
        objects.report_token = made["report"].token  # type: ignore[attr-defined]
        reported = report_sweep_builders(made)
        objects.builders.update(reported)
        for key in reported:
            objects.build(key)
        return objects

    people_a: dict[str, User] = {}
    people_b: dict[str, User] = {}
    a = council_objects("rad-a", people_a)
    b = council_objects("rad-b", people_b)
    a_council = db.session.get(Measure, a.ids["measure"][1]).council
    users: dict[str, User | None] = {"anonymous": None, **people_a}
    users["other council"] = people_b["admin"]
    users["switched off"] = make_user(Role.MEMBER, a_council)
    users["account off"] = make_user(Role.MEMBER, a_council)
    db.session.rollback()

    clients = {name: app.test_client() for name in VIEWERS}
    for name in VIEWERS:
        if name != "anonymous":
            clients[name] = logged_in(app, users[name])
    # switched off after logging in: the removed member still holds a session cookie
    switched = db.session.scalars(
        db.select(Membership).filter_by(user_id=users["switched off"].id)
    ).one()
    switched.active = False
    db.session.get(User, users["account off"].id).active = False
    db.session.commit()
    with app.test_request_context():
        login_path = url_for("auth.login")
    yield World(app, a, b, users, clients, login_path)


@dataclass
class Tally:
    checked: int = 0
    refused: int = 0
    admitted: int = 0
    wrong: list[str] = field(default_factory=list)
    unauthorised: int = 0


def _path(rule: Rule, values: dict[str, object]) -> str:
    def fill(match: re.Match) -> str:
        return str(values[match.group(1)])

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule.rule)


def _methods(rule: Rule) -> list[str]:
    return [method for method in ("GET", "POST") if method in rule.methods]


def _readable(viewer: policy.Viewer, model: type, object_id: int) -> bool:
    """Whether the policy lets the viewer read this object at all (else: 404)."""
    entity: type = model
    if model in policy.READ_PERMISSION:
        stmt = policy.scoped(viewer, model).where(entity.id == object_id)
        return db.session.scalars(stmt).first() is not None
    found = db.session.get(model, object_id)
    return found is not None and getattr(found, "council_id", None) == viewer.council_id


def _admits(
    viewer: policy.Viewer | None, permission: Permission, objects: list[tuple[type, int]]
) -> bool:
    """What the policy says: the permission, and for each object named, reading it and (for
    permissions on one's own objects) being tied to it."""
    if not policy.can(viewer, permission):
        return False
    assert viewer is not None
    for model, object_id in objects:
        if not _readable(viewer, model, object_id):
            return False
        if not policy.can(viewer, permission, db.session.get(model, object_id)):
            return False
    return True


def _is_login_redirect(response, login_path: str) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == login_path


def _check(
    tally: Tally, world: World, name: str, method: str, path: str, response, admitted: bool
) -> None:
    status = response.status_code
    where = f"{name}: {method} {path} → {status}"
    tally.checked += 1
    if status >= 500:
        tally.wrong.append(f"{where} (server error)")
    elif admitted:
        tally.admitted += 1
        designed = BY_DESIGN.get((rule_endpoint(world, path, method), method))
        if designed is not None:
            if status != designed:
                tally.wrong.append(f"{where}, by design {designed}")
        elif status == 403 or (method == "GET" and status >= 400):
            tally.wrong.append(f"{where}, but the policy admits {name}")
    else:
        tally.refused += 1
        refused_well = (
            _is_login_redirect(response, world.login_path)
            if name in MUTED
            else status in (403, 404)
        )
        if not refused_well:
            tally.unauthorised += 1
            tally.wrong.append(f"{where}, but the policy refuses {name}")


def rule_endpoint(world: World, path: str, method: str) -> str:
    adapter = world.app.url_map.bind("localhost")
    return adapter.match(path, method=method)[0]


def _public_check(tally: Tally, world: World, name: str, method: str, path: str, response, rule):
    """Outside a council: no server error; anonymous visitors only reach public pages."""
    status = response.status_code
    where = f"{name}: {method} {path} → {status}"
    tally.checked += 1
    if status >= 500 and BY_DESIGN.get((rule.endpoint, method)) != status:
        tally.wrong.append(f"{where} (server error)")
    elif name in MUTED and rule.endpoint not in PUBLIC_ENDPOINTS:
        if _is_login_redirect(response, world.login_path) or status in (401, 404):
            tally.refused += 1
        else:
            tally.unauthorised += 1
            tally.wrong.append(
                f"{where}: an anonymous visitor got past the login (if {rule.endpoint} is "
                "meant to be public, add it to PUBLIC_ENDPOINTS)"
            )
    else:
        tally.admitted += 1


def _plan(world: World) -> list[tuple[str, Rule, int]]:
    """Every rule, method and way to fill it (by index: ids change when an object is
    rebuilt); all reads first, so that no write spoils them."""
    plan = [
        (method, rule, index)
        for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule)
        for index in range(len(world.a.fillings(rule)))
        for method in _methods(rule)
    ]
    return sorted(plan, key=lambda step: step[0] != "GET")


def test_every_route_answers_every_viewer_as_the_policy_says(world: World):
    tally = Tally()
    slug = world.a.council_slug
    verdicts: dict[tuple, bool] = {}

    def verdict(name: str, permission: Permission, objects: list[tuple[type, int]]) -> bool:
        key = (name, permission, tuple(objects))  # rebuilt objects have new ids
        if key not in verdicts:
            verdicts[key] = _admits(world.viewer(name, slug), permission, objects)
        return verdicts[key]

    for method, rule, index in _plan(world):
        if method == "POST":
            world.a.restore()
        values, objects = world.a.fillings(rule)[index]
        path = _path(rule, {**values, "slug": slug})
        council_rule = "slug" in rule.arguments
        permission = getattr(world.app.view_functions[rule.endpoint], "required_permission", None)
        if council_rule and permission is None:
            tally.wrong.append(f"{rule.rule} is a council page without @requires")
            continue
        if getattr(world.app.view_functions[rule.endpoint], "public_page", False):
            # a public page shows the public part of this council's objects to anyone
            objects = []
        judged = sorted(
            (council_rule and verdict(name, permission, objects), name) for name in VIEWERS
        )
        db.session.rollback()  # end the test's read before a request writes (SQLite)
        for admitted, name in judged:  # the refused first: an admitted POST may delete
            with world.clients[name].open(path, method=method) as response:
                if council_rule:
                    _check(tally, world, name, method, path, response, admitted)
                else:
                    _public_check(tally, world, name, method, path, response, rule)
            if rule.endpoint == "auth.logout":
                world.relogin(name)

    record_figure("access", "routes × viewers checked", tally.checked)
    record_figure("access", "unauthorised answers", tally.unauthorised)
    assert not tally.wrong, f"{len(tally.wrong)} answers break the policy:\n" + "\n".join(
        tally.wrong[:40]
    )
    assert tally.refused > 0 and tally.admitted > 0


def test_no_viewer_of_one_council_reaches_the_objects_of_another(world: World):
    before = world.b.snapshot()
    object_rules = [
        rule
        for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule)
        if "slug" in rule.arguments and any(name.endswith("_id") for name in rule.arguments)
    ]
    insiders = [name for name in VIEWERS if name not in ("anonymous", "other council")]
    swept, leaks = 0, []
    for rule in object_rules:
        for values, _ in world.b.fillings(rule):
            public = getattr(world.app.view_functions[rule.endpoint], "public_page", False)
            # B's public pages are public under B's slug by design; under A's they are 404
            for slug in (
                (world.a.council_slug,)
                if public
                else (
                    world.b.council_slug,
                    world.a.council_slug,
                )
            ):
                path = _path(rule, {**values, "slug": slug})
                for method in _methods(rule):
                    for name in insiders:
                        response = world.clients[name].open(path, method=method)
                        swept += 1
                        back_to_form = public and method == "GET" and response.status_code == 302
                        if not (
                            response.status_code in (403, 404)
                            or back_to_form
                            or _is_login_redirect(response, world.login_path)
                        ):
                            leaks.append(f"{name}: {method} {path} → {response.status_code}")

    record_figure("access", "object ids swept across councils", swept)
    record_figure("access", "leaks", len(leaks))
    assert not leaks, f"{len(leaks)} answers about another council's objects:\n" + "\n".join(
        leaks[:40]
    )
    assert world.b.snapshot() == before, "a request from council A changed council B's objects"
