"""Two-step login with an authenticator app (TOTP): turning it on and off, the second step of
a login, and the roles a council requires it of. Codes are made with pyotp at the frozen
time of the test."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from brott import policy
from brott.extensions import db
from brott.models import AuditEntry, Council, Membership, Role, User

from .conftest import PASSWORD, hidden_value, logged_in, login

NOW = datetime(2025, 3, 10, 9, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SETUP = "/konto/tvastegsinloggning"
CODE_STEP = "/logga-in/kod"
SETTINGS = "/r/borlange/admin/inloggning"


def code(at: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(at)


def fresh(user: User) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


@pytest.fixture
def with_app(member, frozen):
    """The member, with two-step login on."""
    member.totp_secret = SECRET
    db.session.commit()
    return member


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Anna Admin")


def require(council: Council, *roles: Role) -> None:
    council.two_factor_roles = [role.value for role in roles]
    db.session.commit()


def is_logged_in(client) -> bool:
    return client.get("/konto").status_code == 200


# --- turning it on ------------------------------------------------------------------------


def test_the_setup_page_shows_the_key_and_an_inline_qr_code(client, member, frozen):
    login(client, member)
    page = client.get(SETUP).text
    with client.session_transaction() as session:
        secret = session["two_factor.secret"]
    assert f"<code>{secret}</code>" in page
    assert '<img src="data:image/svg+xml' in page
    assert client.get(SETUP).text.count(secret) == 1  # the same key until confirmed


def test_a_current_code_turns_it_on(client, member, frozen):
    login(client, member)
    client.get(SETUP)
    with client.session_transaction() as session:
        secret = session["two_factor.secret"]

    response = client.post(SETUP, data={"code": code(NOW, secret)})

    assert response.status_code == 302
    assert fresh(member).totp_secret == secret
    assert "Tvåstegsinloggning är påslagen" in client.get("/konto").text


@pytest.mark.parametrize("typed", ["123456", "", "12345", "abcdef", "1" * 30])
def test_a_wrong_or_malformed_code_does_not_turn_it_on(client, member, frozen, typed):
    login(client, member)
    client.get(SETUP)
    response = client.post(SETUP, data={"code": typed})
    assert response.status_code == 400
    assert fresh(member).totp_secret is None


def test_the_setup_page_needs_a_login(client, app):
    response = client.get(SETUP)
    assert response.status_code == 302 and "/logga-in" in response.location
    assert client.post(SETUP, data={"code": "123456"}).status_code == 302


# --- the second step of a login -----------------------------------------------------------


def test_a_password_alone_is_not_a_login_for_a_user_with_two_step_login(client, with_app):
    response = login(client, with_app)
    assert response.status_code == 302 and response.location == CODE_STEP
    assert not is_logged_in(client)
    assert db.session.scalars(sa.select(AuditEntry).filter_by(action="login")).all() == []

    assert client.post(CODE_STEP, data={"code": code(NOW)}).status_code == 302
    assert is_logged_in(client)
    [entry] = db.session.scalars(sa.select(AuditEntry).filter_by(action="login"))
    assert entry.actor_id == with_app.id


@pytest.mark.parametrize("offset, accepted", [(-60, False), (-30, True), (30, True), (60, False)])
def test_codes_are_accepted_one_step_either_side(client, with_app, offset, accepted):
    login(client, with_app)
    response = client.post(CODE_STEP, data={"code": code(NOW + timedelta(seconds=offset))})
    assert (response.status_code == 302) is accepted
    assert is_logged_in(client) is accepted


def test_a_code_cannot_be_used_twice(app, with_app):
    first, second = app.test_client(), app.test_client()
    login(first, with_app)
    login(second, with_app)
    used = code(NOW)
    assert first.post(CODE_STEP, data={"code": used}).status_code == 302

    response = second.post(CODE_STEP, data={"code": used})

    assert response.status_code == 400
    assert "Fel kod, eller en kod som redan har använts." in response.text
    assert not is_logged_in(second)


@pytest.mark.parametrize("typed", ["000000", "", "12 34", "x" * 25])
def test_a_wrong_code_is_refused(client, with_app, typed):
    login(client, with_app)
    response = client.post(CODE_STEP, data={"code": typed})
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_the_half_login_expires_after_five_minutes(client, with_app, frozen):
    login(client, with_app)
    frozen.now = NOW + timedelta(minutes=5, seconds=1)
    response = client.post(CODE_STEP, data={"code": code(frozen.now)})
    assert response.status_code == 302 and response.location == "/logga-in"
    assert "Tiden för att ange koden har gått ut" in client.get("/logga-in").text
    assert not is_logged_in(client)
    assert client.get(CODE_STEP).status_code == 302  # nothing is left of it


def test_the_code_step_without_a_password_leads_to_the_login(client, app):
    response = client.get(CODE_STEP)
    assert response.status_code == 302 and response.location == "/logga-in"


def test_wrong_codes_count_as_failed_logins(client, with_app, frozen):
    login(client, with_app)
    answers = [client.post(CODE_STEP, data={"code": "000000"}).status_code for _ in range(5)]
    assert answers == [400] * 5
    response = client.post(CODE_STEP, data={"code": code(NOW)})
    assert response.status_code == 429 and "Försök igen om 15 minuter" in response.text
    assert login(client, with_app).status_code == 429


def test_remember_me_survives_the_second_step(client, with_app):
    client.post("/logga-in", data={"email": with_app.email, "password": PASSWORD, "remember": "y"})
    response = client.post(CODE_STEP, data={"code": code(NOW)})
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_logging_out_everywhere_ends_a_half_login(app, with_app):
    half = app.test_client()
    login(half, with_app)
    full = app.test_client()
    login(full, with_app)
    full.post(CODE_STEP, data={"code": code(NOW)})
    full.post("/logga-ut")
    response = half.post(CODE_STEP, data={"code": code(NOW + timedelta(seconds=30))})
    assert response.status_code == 302 and response.location == "/logga-in"


# --- turning it off -----------------------------------------------------------------------


def logged_in_with_code(app, user):
    client = app.test_client()
    login(client, user)
    client.post(CODE_STEP, data={"code": code(NOW)})
    return client


def test_the_password_and_a_code_turn_it_off(app, with_app, frozen):
    client = logged_in_with_code(app, with_app)
    frozen.now = NOW + timedelta(seconds=30)
    response = client.post(SETUP + "/av", data={"password": PASSWORD, "code": code(frozen.now)})
    assert response.status_code == 302
    assert fresh(with_app).totp_secret is None


@pytest.mark.parametrize(
    "password, use_code, field_error",
    [
        ("fel-lösenord", True, "Fel lösenord."),
        (PASSWORD, False, "Fel kod, eller en kod som redan har använts."),
        ("", True, "Ange ditt lösenord."),
    ],
)
def test_turning_it_off_is_refused_without_both(
    app, with_app, frozen, password, use_code, field_error
):
    client = logged_in_with_code(app, with_app)
    frozen.now = NOW + timedelta(seconds=30)
    typed = code(frozen.now) if use_code else code(NOW)  # NOW's code is used up
    response = client.post(SETUP + "/av", data={"password": password, "code": typed})
    assert response.status_code == 400
    assert field_error in response.text
    assert fresh(with_app).totp_secret == SECRET


def test_it_cannot_be_turned_off_while_the_council_requires_it(app, council, make_user, frozen):
    police = make_user(Role.POLICE, council)
    police.totp_secret = SECRET
    require(council, Role.POLICE)
    client = logged_in_with_code(app, police)
    frozen.now = NOW + timedelta(seconds=30)
    response = client.post(SETUP + "/av", data={"password": PASSWORD, "code": code(frozen.now)})
    assert response.status_code == 400
    assert "kräver tvåstegsinloggning" in response.text
    assert fresh(police).totp_secret == SECRET


# --- what a council requires --------------------------------------------------------------


def test_a_required_role_without_two_step_login_may_do_nothing_but_set_it_up(
    client, council, police, frozen
):
    require(council, Role.POLICE)
    response = login(client, police)
    assert response.status_code == 302 and response.location == SETUP

    for page in ("/r/borlange/", "/r/borlange/est/", "/r/borlange/lagesbild/"):
        refused = client.get(page)
        assert refused.status_code == 302 and refused.location == SETUP, page
    page = client.get(SETUP).text
    assert "kräver tvåstegsinloggning för din roll" in page

    with client.session_transaction() as session:
        secret = session["two_factor.secret"]
    assert client.post(SETUP, data={"code": code(NOW, secret)}).status_code == 302
    assert client.get("/r/borlange/").status_code == 200


def test_the_policy_gives_no_permission_to_a_member_who_must_set_it_up(
    app, council, police, coordinator
):
    def viewer_of(user: User) -> policy.Viewer:
        stmt = sa.select(Membership).filter_by(user_id=user.id)
        return policy.Viewer.member(db.session.scalars(stmt).one())

    require(council, Role.POLICE)
    assert viewer_of(police).permissions == frozenset()
    assert policy.can(viewer_of(coordinator), policy.Permission.VIEW_MEASURES)
    police.totp_secret = SECRET
    db.session.commit()
    assert policy.can(viewer_of(police), policy.Permission.VIEW_MEASURES)


def test_a_role_not_required_is_not_asked(client, council, member, frozen):
    require(council, Role.POLICE, Role.COORDINATOR)
    assert login(client, member).location == "/"
    assert client.get("/r/borlange/").status_code == 200


def test_a_requirement_in_one_council_does_not_block_another(
    client, council, make_council, make_user, frozen
):
    other = make_council(slug="falun")
    user = make_user(Role.POLICE, council)
    db.session.add(Membership(user=user, council=other, role=Role.MEMBER))
    db.session.commit()
    require(council, Role.POLICE)
    login(client, user)
    assert client.get("/r/falun/").status_code == 200
    assert client.get("/r/borlange/").location == SETUP


# --- the admins' settings page ------------------------------------------------------------


def test_an_admin_chooses_the_roles_that_must_use_it(app, council, admin, frozen):
    client = logged_in(app, admin)
    page = client.get(SETTINGS).text
    for label in ("Samordnare", "Administratör", "Kommunpolis"):
        assert label in page
    assert 'value="member"' not in page
    version = hidden_value(page, "version")

    response = client.post(SETTINGS, data={"roles": ["police", "coordinator"], "version": version})

    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Council, council.id).two_factor_roles == ["police", "coordinator"]


@pytest.mark.parametrize("roles", [["member"], ["police", "bogus"], ["x" * 500]])
def test_the_settings_refuse_roles_that_cannot_be_required(app, council, admin, frozen, roles):
    client = logged_in(app, admin)
    version = hidden_value(client.get(SETTINGS).text, "version")
    response = client.post(SETTINGS, data={"roles": roles, "version": version})
    assert response.status_code == 400
    assert "Välj bland rollerna i listan." in response.text
    db.session.rollback()
    assert db.session.get(Council, council.id).two_factor_roles == []


def test_a_stale_settings_form_is_a_conflict_showing_what_is_saved(app, council, admin, frozen):
    client = logged_in(app, admin)
    version = hidden_value(client.get(SETTINGS).text, "version")
    other_admin = logged_in(app, admin)
    other_admin.post(SETTINGS, data={"roles": ["coordinator"], "version": version})

    response = client.post(SETTINGS, data={"roles": ["police"], "version": version})

    assert response.status_code == 409
    assert "Sparat nu:" in response.text
    # what the admin chose is kept
    assert re.search(r'<input checked [^>]*value="police"', response.text)
    assert not re.search(r'<input checked [^>]*value="coordinator"', response.text)
    db.session.rollback()
    assert db.session.get(Council, council.id).two_factor_roles == ["coordinator"]
    newer = hidden_value(response.text, "version")
    again = client.post(SETTINGS, data={"roles": ["police"], "version": newer})
    assert again.status_code == 302


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEMBER, Role.POLICE])
def test_only_admins_may_open_the_settings(app, council, make_user, role):
    client = logged_in(app, make_user(role, council))
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, data={"roles": ["police"], "version": "1"}).status_code == 403
    db.session.rollback()
    assert db.session.get(Council, council.id).two_factor_roles == []


def test_the_settings_of_another_council_are_not_found(app, council, make_council, make_user):
    other_admin = make_user(Role.ADMIN, make_council(slug="falun"))
    client = logged_in(app, other_admin)
    assert client.get(SETTINGS).status_code == 404


def test_a_visitor_is_sent_to_log_in_for_the_settings(client, council):
    response = client.get(SETTINGS)
    assert response.status_code == 302 and "/logga-in" in response.location


def test_the_settings_list_who_has_not_set_it_up(app, council, admin, police, frozen):
    admin.totp_secret = SECRET
    require(council, Role.POLICE, Role.ADMIN)
    client = app.test_client()
    login(client, admin)
    client.post(CODE_STEP, data={"code": code(NOW)})
    page = client.get(SETTINGS).text
    assert police.email in page and admin.email not in page


def test_an_admins_profile_links_to_the_settings(app, council, admin):
    page = logged_in(app, admin).get("/konto").text
    assert f'href="{SETTINGS}"' in page
