"""Every response carries the protective headers; cookies and the production switch.

The pages of each role (and the anonymous ones, the one-click action page among them) are
fetched through the real app; each must carry the Content-Security-Policy, the framing and
sniffing refusals and the referrer policy, and nothing dynamic may be stored by a cache.
`BROTT_PRODUCTION=true` makes the cookies Secure and adds HSTS; HttpOnly and SameSite=Lax
hold in every mode. The templates themselves hold nothing the policy would block.
"""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask, url_for

from brott import create_app
from brott.config import PRODUCTION_SETTINGS, load_config
from brott.extensions import db
from brott.models import ActionStatus, Role
from brott.services import tokens

from .conftest import PASSWORD, IsolatedClient, logged_in, test_config
from .security_figures import record_figure

NOW = datetime(2026, 1, 19, 7, 0, tzinfo=UTC)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
COUNCIL_PAGES = [
    "/r/borlange/",
    "/r/borlange/est/",
    "/r/borlange/atgarder",
    "/r/borlange/lagesbild/",
    "/r/borlange/platser/",
    "/r/borlange/admin/anvandare",
    "/r/borlange/admin/partner",
    "/r/borlange/admin/logg",
]
PERSONAL_PAGES = ["/", "/konto", "/konto/kalender", "/notiser"]
ANONYMOUS_PAGES = ["/logga-in", "/r/borlange/", "/kalender/okand.ics", "/finns-inte"]


def assert_protected(response, path: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in policy, f"{path}: no {directive!r} in {policy!r}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
    assert headers.get("X-Frame-Options") == "DENY", path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") == "same-origin", path
    assert "no-store" in headers.get("Cache-Control", ""), f"{path}: may be cached"
    assert "Strict-Transport-Security" not in headers, f"{path}: HSTS outside production"


@pytest.fixture
def people(council, coordinator, member, police, make_user):
    return {
        "admin": make_user(Role.ADMIN, council, name="Maja Lind"),
        "coordinator": coordinator,
        "member": member,
        "police": police,
    }


@pytest.fixture
def action_link(council, coordinator, member, make_series, make_decision) -> str:
    meeting = make_series(council, now=NOW, first=date(2026, 1, 20)).meetings[0]
    action = make_decision(meeting, coordinator, member, "Städa parken", date(2026, 1, 20), now=NOW)
    token = tokens.action_link_token(action, ActionStatus.DONE)
    db.session.rollback()
    return f"/atgard/{token}"


@pytest.mark.security
def test_every_page_of_every_role_carries_the_protective_headers(
    app, backend, frozen, people, action_link
):
    checked = 0
    anonymous = app.test_client()
    for path in [*ANONYMOUS_PAGES, action_link]:
        response = anonymous.get(path)
        assert response.status_code < 500, path
        assert_protected(response, path)
        checked += 1
    for role, user in people.items():
        client = logged_in(app, user)
        for path in [*PERSONAL_PAGES, *COUNCIL_PAGES]:
            response = client.get(path)
            assert response.status_code < 500, (role, path)
            assert_protected(response, f"{role} {path}")
            checked += 1

    record_figure("headers", f"responses checked ({backend})", checked)
    assert checked == len(ANONYMOUS_PAGES) + 1 + 4 * (len(PERSONAL_PAGES) + len(COUNCIL_PAGES))


def test_pages_carrying_a_secret_are_never_stored(app, frozen, member, action_link):
    action_page = app.test_client().get(action_link)
    assert action_page.status_code == 200
    assert action_page.headers["Cache-Control"] == "no-store"

    calendar_page = logged_in(app, member).get("/konto/kalender")
    assert calendar_page.status_code == 200
    assert calendar_page.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_and_a_views_own_cache_rule_is_kept(app, client, member):
    with client.get("/static/style.css") as stylesheet:
        assert stylesheet.status_code == 200
        assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
        assert stylesheet.headers["X-Content-Type-Options"] == "nosniff"

    calendar = logged_in(app, member)
    calendar.post("/konto/kalender", data={"operation": "enable"})
    feed = re.search(r"/kalender/[^\"<]+\.ics", calendar.get("/konto/kalender").text)
    assert feed, "no feed link on the calendar page"
    ics = client.get(feed.group(0))
    assert ics.status_code == 200
    assert ics.headers["Cache-Control"] == "private, no-store"


def test_cookies_are_http_only_and_same_site_lax_but_not_secure_outside_production(
    app, client, member
):
    response = client.post(
        "/logga-in", data={"email": member.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", "remember_token"):
        cookie = next(c for c in cookies if c.startswith(f"{name}="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert "Secure" not in cookie, cookie


@pytest.fixture
def production_app(app):
    production = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], PRODUCTION=True))
    production.test_client_class = IsolatedClient
    yield production
    with production.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_makes_cookies_secure_and_sends_hsts(production_app, member):
    client = production_app.test_client()
    response = client.post(
        "https://localhost/logga-in",
        data={"email": member.email, "password": PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(("https://", "/"))
    for name in ("session", "remember_token"):
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    page = client.get("https://localhost/konto")
    assert page.status_code == 200, "the secure cookie is sent back over HTTPS"
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert page.headers["Cache-Control"] == "no-store"
    with production_app.test_request_context():
        assert url_for("auth.login", _external=True).startswith("https://")


def bare_app(instance: Path) -> Flask:
    return Flask(__name__, instance_path=str(instance), instance_relative_config=True)


@pytest.mark.parametrize(
    ("written", "production"),
    [("true", True), ("1", True), ("false", False), ("False", False), ("0", False)],
)
def test_the_production_switch_is_read_from_the_environment(
    tmp_path, monkeypatch, written, production
):
    monkeypatch.setenv("BROTT_PRODUCTION", written)
    app = bare_app(tmp_path)
    load_config(app, None)

    assert app.config["PRODUCTION"] is production
    for key, value in PRODUCTION_SETTINGS.items():
        assert (app.config.get(key) == value) is production, key
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == app.config["REMEMBER_COOKIE_SAMESITE"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_a_production_switch_that_is_neither_on_nor_off_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("BROTT_PRODUCTION", "maybe")
    with pytest.raises(ValueError, match="PRODUCTION must be true or false"):
        load_config(bare_app(tmp_path), None)


HANDLERS = (
    "abort|blur|change|click|contextmenu|copy|cut|dblclick|drag\\w*|drop|error|focus\\w*|input|"
    "invalid|key\\w+|load|mouse\\w+|paste|pointer\\w+|reset|scroll|select|submit|toggle|touch\\w+|"
    "unload|wheel"
)
INLINE = re.compile(
    rf"<script(?![^>]*\bsrc=)|<style|\sstyle\s*=|\son(?:{HANDLERS})\s*=|javascript:", re.I
)


def test_no_page_template_holds_what_the_policy_would_block():
    """Inline scripts, styles and handlers; e-mails are no pages (their inline styles stay)."""
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "email" not in path.relative_to(TEMPLATES).parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []
