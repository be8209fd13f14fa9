"""The structure the views stand on: one request base, one policy for every viewer."""

import ast
from pathlib import Path

import pytest

from brott import policy
from brott.extensions import db
from brott.models import Council, Membership, Role
from brott.policy import RULES, Permission, Viewer, ViewerKind

from .conftest import logged_in

BROTT = Path(__file__).parent.parent / "brott"


def test_every_council_view_declares_the_permission_it_needs(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "slug" in rule.arguments
        and getattr(app.view_functions[rule.endpoint], "required_permission", None) is None
    ]
    assert not undeclared, f"council views without @requires: {undeclared}"


def test_no_view_takes_the_council_slug_itself():
    # the request base takes the slug out of the view's arguments and resolves it once
    offenders = []
    for path in BROTT.glob("*/views.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(a.arg == "slug" for a in node.args.args):
                offenders.append(f"{path.name}:{node.name}")
    assert not offenders


def test_roles_are_compared_only_in_the_policy():
    """A role named outside the policy (and the models that define roles, and the demo and
    CLI that create people in roles) is a rule in the wrong place."""
    allowed = {"policy.py", "demo.py", "cli.py"}
    offenders = []
    for path in BROTT.rglob("*.py"):
        if path.name in allowed or path.name.startswith("demo_") or path.parent.name == "models":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Role"
            ):
                offenders.append(f"{path.relative_to(BROTT)}:{node.lineno} Role.{node.attr}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "role"
                and _in_comparison(path, node)
            ):
                offenders.append(f"{path.relative_to(BROTT)}:{node.lineno} .role compared")
    assert not offenders, offenders


def _in_comparison(path: Path, target: ast.Attribute) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            for part in (node.left, *node.comparators):
                if (
                    isinstance(part, ast.Attribute)
                    and part.attr == "role"
                    and part.lineno == target.lineno
                ):
                    return True
    return False


@pytest.mark.parametrize("role", list(Role))
def test_an_api_token_never_exceeds_its_user(role, monkeypatch):
    council = Council(id=1, slug="x", name="x", municipality="x")
    membership = Membership(user_id=7, council_id=1, role=role, council=council)
    member, token = Viewer.member(membership), Viewer.token(membership)
    assert token.permissions <= member.permissions
    # even a token scope that allowed everything gives no more than the user has
    monkeypatch.setitem(RULES, ViewerKind.TOKEN, frozenset(Permission))
    assert Viewer.token(membership).permissions == member.permissions


def test_only_the_public_pages_admit_the_public(app):
    council = Council(id=1, slug="x", name="x", municipality="x")
    public = Viewer.public(council)
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        needed = getattr(view, "required_permission", None)
        if needed is None:
            continue
        if getattr(view, "public_page", False):  # council_scope.public_page: by design
            assert policy.can(public, needed), rule.endpoint
            assert rule.endpoint.startswith(("public_reports.", "open311.", "progress.")), (
                rule.endpoint
            )
            continue
        assert not policy.can(public, needed), rule.endpoint


def test_only_the_api_makes_a_token_viewer():
    """A page finds its viewer from the login (policy.viewer_for: a member or the public);
    a token viewer, with its narrower permissions, is made by the API alone."""
    makers = sorted(
        str(path.relative_to(BROTT.parent))
        for path in BROTT.rglob("*.py")
        if "Viewer.token(" in path.read_text()
    )
    assert makers and all(name.startswith("brott/api/") for name in makers), makers


def test_a_scoped_query_stays_in_the_council_and_in_what_the_viewer_may_read(
    app, council, make_council, make_user, make_measure
):
    from brott.models import Measure

    other = make_council()
    mine, theirs = make_measure(council), make_measure(other)
    user = make_user(Role.POLICE, council)
    membership = db.session.scalars(db.select(Membership).filter_by(user_id=user.id)).one()
    police = Viewer.member(membership)
    assert list(db.session.scalars(policy.scoped(police, Measure))) == [mine]
    # the police may not manage users: memberships are outside what they may read
    assert list(db.session.scalars(policy.scoped(police, Membership))) == []
    assert theirs.id != mine.id
    public = Viewer.public(council)
    assert list(db.session.scalars(policy.scoped(public, Measure))) == []


def test_links_within_a_council_get_its_slug_without_asking(app, council, coordinator):
    client = logged_in(app, coordinator)
    page = client.get("/r/borlange/").text
    assert 'href="/r/borlange/est/"' in page
    assert 'href="/r/borlange/platser/"' in page


def test_an_unknown_council_is_a_404_for_a_member_and_a_login_for_a_visitor(
    app, council, coordinator
):
    assert logged_in(app, coordinator).get("/r/finns-inte/").status_code == 404
    response = app.test_client().get("/r/finns-inte/")
    assert response.status_code == 302 and "/logga-in" in response.location
