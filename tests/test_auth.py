"""Logging in and out, and where a user lands."""

import pytest

from brott.models import Role, User
from brott.services.auth import safe_next_url

from .conftest import PASSWORD, login


def test_login_with_right_password_leads_to_the_users_council(client, make_user, make_council):
    council = make_council(slug="borlange")
    user = make_user(Role.MEMBER, council)

    response = login(client, user)

    assert response.status_code == 302
    assert client.get("/").location == "/r/borlange/oversikt"
    assert client.get("/r/borlange/oversikt").status_code == 200


def test_wrong_password_is_refused_in_swedish_and_keeps_the_email(client, make_user):
    user = make_user()

    response = login(client, user, password="fel")

    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord." in response.text
    assert f'value="{user.email}"' in response.text
    assert client.get("/").status_code == 302  # still anonymous


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, app):
    response = client.post("/logga-in", data={"email": "ingen@exempel.se", "password": "x"})
    assert "Fel e-postadress eller lösenord." in response.text


def test_empty_login_form_gets_field_errors(client, app):
    response = client.post("/logga-in", data={"email": "", "password": ""})
    assert "Ange din e-postadress." in response.text
    assert "Ange ditt lösenord." in response.text


def test_deactivated_account_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = login(client, user)
    assert "Fel e-postadress eller lösenord." in response.text


def test_passwords_are_stored_as_scrypt_hashes():
    user = User(email="a@exempel.se", name="A")
    user.set_password(PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD) and not user.check_password("annat")


def test_login_follows_a_local_next_and_ignores_a_foreign_one(client, make_user):
    user = make_user()
    response = client.post(
        "/logga-in?next=/r/x/",
        data={"email": user.email, "password": PASSWORD, "next": "https://ond.example/"},
    )
    assert response.location == "/"
    client.post("/logga-ut")
    response = client.post(
        "/logga-in", data={"email": user.email, "password": PASSWORD, "next": "/r/x/insatser/1"}
    )
    assert response.location == "/r/x/insatser/1"


@pytest.mark.parametrize(
    "target",
    [
        "https://ond.example/",
        "//ond.example/",
        "/\\ond.example",
        "\\\\ond.example",
        "javascript:alert(1)",
        "r/x",
        "/\tond",
        "",
        None,
    ],
)
def test_safe_next_url_refuses_anything_off_site(target):
    assert safe_next_url(target) is None


def test_safe_next_url_keeps_local_paths_with_query():
    assert safe_next_url("/r/borlange/?status=done") == "/r/borlange/?status=done"


def test_logout_is_a_post_and_ends_the_session(client, make_user):
    login(client, make_user())
    reload = client.get("/logga-ut")  # a reload or a link answers, and logs nobody out
    assert reload.status_code == 302 and "/logga-in" not in reload.location
    assert "/logga-in" not in (client.get("/").location or "")
    assert client.post("/logga-ut").status_code == 302
    assert client.get("/").status_code == 302
    assert "/logga-in" in client.get("/").location


def test_user_without_memberships_sees_an_explanation(client, make_user, app):
    from brott.extensions import db
    from brott.models import Membership

    user = make_user()
    for membership in db.session.scalars(db.select(Membership).filter_by(user_id=user.id)):
        membership.active = False
    db.session.commit()
    login(client, user)
    assert "inget aktivt medlemskap" in client.get("/").text


def test_user_of_two_councils_chooses_between_them(client, make_user, make_council, app):
    from brott.extensions import db
    from brott.models import Membership

    first, second = make_council(name="Första rådet"), make_council(name="Andra rådet")
    user = make_user(Role.MEMBER, first)
    db.session.add(Membership(user=user, council=second, role=Role.POLICE))
    db.session.commit()
    login(client, user)
    page = client.get("/").text
    assert "Första rådet" in page and "Andra rådet" in page
