"""Sessions that end: logout ends every session and remember cookie of the user, and a login
ends after a configurable idle time (the clock is moved, never waited for)."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import session
from flask_login import login_user

from brott import create_app
from brott.extensions import db
from brott.models import User

from .conftest import IsolatedClient, hidden_value, login, test_config
from .security_figures import record_figure

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
IDLE = "Du har loggats ut efter en tids inaktivitet."


def remember_login(client, user):
    return client.post(
        "/logga-in", data={"email": user.email, "password": "rätt-lösenord-123", "remember": "y"}
    )


def is_logged_in(client) -> bool:
    response = client.get("/konto")
    return response.status_code == 200


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


@pytest.fixture
def app_with(app):
    """Another app on the same database with some settings changed."""
    made = []

    def build(**settings):
        other = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], **settings))
        other.test_client_class = IsolatedClient
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


# --- logout ends every session ------------------------------------------------------------


@pytest.mark.security
def test_a_session_cookie_replayed_after_logout_is_refused(client, member):
    login(client, member)
    captured = client.get_cookie("session").value
    assert is_logged_in(client)

    assert client.post("/logga-ut").status_code == 302
    client.set_cookie("session", captured)
    response = client.get("/konto")

    assert response.status_code == 302 and "/logga-in" in response.location
    record_figure("sessions", "replayed cookie after logout", "refused")


@pytest.mark.security
def test_a_remember_cookie_replayed_after_logout_is_refused(app, member):
    device = app.test_client()
    remember_login(device, member)
    remembered = device.get_cookie("remember_token").value
    # a browser that kept only the remember cookie is logged in by it
    restarted = app.test_client()
    restarted.set_cookie("remember_token", remembered)
    assert is_logged_in(restarted)

    device.post("/logga-ut")
    replay = app.test_client()
    replay.set_cookie("remember_token", remembered)
    response = replay.get("/konto")

    assert response.status_code == 302 and "/logga-in" in response.location
    assert not is_logged_in(restarted)  # its session came from the same login: ended too
    record_figure("sessions", "replayed remember-me cookie after logout", "refused")


def test_logging_out_on_one_device_ends_the_login_on_the_others(app, member):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, member)
    login(laptop, member)

    phone.post("/logga-ut")

    assert not is_logged_in(laptop)
    login(laptop, member)  # a new login works as before
    assert is_logged_in(laptop)


def test_logout_clears_the_remember_cookie_in_the_browser(client, member):
    remember_login(client, member)
    response = client.post("/logga-ut")
    assert any(c.startswith("remember_token=;") for c in set_cookies(response))
    assert client.get_cookie("remember_token") is None


def test_logout_needs_the_csrf_token(csrf_app, member):
    client = csrf_app.test_client()
    login_page = client.get("/logga-in").text
    token = hidden_value(login_page, "csrf_token")
    client.post(
        "/logga-in",
        data={"email": member.email, "password": "rätt-lösenord-123", "csrf_token": token},
    )
    assert client.post("/logga-ut").status_code == 400  # no token: refused, still logged in
    assert is_logged_in(client)
    assert client.post("/logga-ut", data={"csrf_token": token}).status_code == 302
    assert not is_logged_in(client)


def test_logging_out_without_a_login_just_leads_to_the_login_page(client, app):
    response = client.post("/logga-ut")
    assert response.status_code == 302 and "/logga-in" in response.location


# --- remember me --------------------------------------------------------------------------


def test_the_login_form_offers_remember_me(client, app):
    page = client.get("/logga-in").text
    assert 'name="remember"' in page and "Kom ihåg mig" in page


def test_without_remember_me_no_remember_cookie_is_set(client, member):
    response = login(client, member)
    assert not any(c.startswith("remember_token=") for c in set_cookies(response))


def test_the_remember_cookie_lasts_14_days_by_default(client, member, frozen):
    response = remember_login(client, member)
    [cookie] = [c for c in set_cookies(response) if c.startswith("remember_token=")]
    assert "HttpOnly" in cookie
    expires = datetime.strptime(
        cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT"
    )
    lasts = expires.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(days=13, hours=23) < lasts <= timedelta(days=14)


def test_the_remember_cookie_duration_is_configurable(app_with, member):
    client = app_with(REMEMBER_COOKIE_DURATION=timedelta(days=3)).test_client()
    response = remember_login(client, member)
    [cookie] = [c for c in set_cookies(response) if c.startswith("remember_token=")]
    expires = datetime.strptime(
        cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT"
    )
    assert expires.replace(tzinfo=UTC) - datetime.now(UTC) <= timedelta(days=3)


# --- idle timeout -------------------------------------------------------------------------


def test_a_login_ends_after_an_hour_without_requests(client, member, frozen):
    login(client, member)
    frozen.now = NOW + timedelta(minutes=45)
    assert is_logged_in(client)  # active: the idle time starts again
    frozen.now = NOW + timedelta(minutes=45 + 59)
    assert is_logged_in(client)

    frozen.now = NOW + timedelta(minutes=45 + 59 + 61)
    response = client.get("/r/borlange/?status=done")

    assert response.status_code == 302
    assert response.location == "/logga-in?next=/r/borlange/?status%3Ddone"
    assert IDLE in client.get(response.location).text
    assert not is_logged_in(client)


def test_an_idle_post_is_not_carried_out(client, member, frozen):
    login(client, member)
    frozen.now = NOW + timedelta(minutes=61)
    response = client.post("/konto", data={"language": "en"})
    assert response.status_code == 302 and response.location == "/logga-in"
    db.session.rollback()
    assert db.session.get(User, member.id).locale != "en"


def test_the_idle_time_is_configurable_and_the_cookie_lifetime_follows_it(app_with, member):
    short = app_with(SESSION_IDLE_MINUTES=10)
    assert short.permanent_session_lifetime == timedelta(minutes=10, hours=12)
    moment = {"now": NOW}
    short.config["NOW"] = lambda: moment["now"]
    client = short.test_client()
    login(client, member)
    moment["now"] = NOW + timedelta(minutes=9)
    assert is_logged_in(client)
    moment["now"] = NOW + timedelta(minutes=20)
    assert not is_logged_in(client)


def test_the_session_cookie_is_no_longer_accepted_for_31_days(app):
    assert app.permanent_session_lifetime == timedelta(minutes=60, hours=12)


def test_remember_me_starts_a_new_session_after_an_idle_end(client, member, frozen):
    remember_login(client, member)
    frozen.now = NOW + timedelta(hours=5)
    response = client.get("/konto")
    assert response.status_code == 200
    assert IDLE not in response.text
    frozen.now = NOW + timedelta(hours=5, minutes=30)
    assert is_logged_in(client)  # the restored login is seen like any other


def test_every_login_starts_the_idle_clock(app, member, frozen):
    # also logins outside the login form (a password chosen from a link, for example)
    with app.test_request_context():
        login_user(member)
        assert session["seen"] == NOW.timestamp()


def test_a_session_without_a_last_seen_time_is_ended(client, member, frozen):
    login(client, member)
    with client.session_transaction() as stored:
        stored.pop("seen")
    assert client.get("/konto").status_code == 302
    assert not is_logged_in(client)


def test_static_files_and_quick_requests_do_not_rewrite_the_session_cookie(client, member, frozen):
    login(client, member)
    client.get("/konto")  # the first page stores the CSRF token of its forms
    assert not any(c.startswith("session=") for c in set_cookies(client.get("/konto")))
    with client.get("/static/style.css") as static:
        assert static.status_code == 200 and not set_cookies(static)
    frozen.now = NOW + timedelta(seconds=30)
    assert not any(c.startswith("session=") for c in set_cookies(client.get("/konto")))
    frozen.now = NOW + timedelta(minutes=2)  # worth noting the new last-seen time
    assert any(c.startswith("session=") for c in set_cookies(client.get("/konto")))


def test_a_logged_out_visitor_is_not_told_about_inactivity(client, app, frozen):
    client.get("/logga-in")
    frozen.now = NOW + timedelta(hours=3)
    assert IDLE not in client.get("/logga-in").text
