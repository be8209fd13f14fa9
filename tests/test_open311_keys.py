"""Open311 API keys: random, shown once, stored as a hash, revocable; managed by
coordinators and admins on a page that also shows the endpoint and the key rule."""

import hashlib
from datetime import timedelta

import pytest

from brott.errors import DomainError
from brott.extensions import db
from brott.i18n import language
from brott.models import Role, utcnow
from brott.models.reports import Open311Key
from brott.services import open311_keys

from .conftest import PASSWORD, hidden_value, logged_in
from .report_objects import report_setup

PAGE = "/r/borlange/rapporter/open311-nycklar"


def test_a_key_is_shown_once_stored_as_its_hash_and_works_until_revoked(app, council, make_council):
    now = utcnow()
    key, raw = open311_keys.create(council.id, "  Appen   Trygg  ", now)
    _other, other_raw = open311_keys.create(make_council().id, "Annan", now)
    db.session.commit()
    assert len(raw) >= 43 and raw != other_raw  # 256 random bits
    assert key.name == "Appen Trygg"
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest() == open311_keys.key_hash(raw)
    stored = db.session.scalars(db.select(Open311Key.key_hash)).all()
    assert raw not in stored and other_raw not in stored
    assert open311_keys.verify(council.id, raw) == key
    for wrong in ("", other_raw, raw + "x", raw.upper(), "x" * 5000):
        assert open311_keys.verify(council.id, wrong) is None  # nor another council's
    assert open311_keys.keys(council.id) == [key]
    assert open311_keys.revoke(key, now + timedelta(minutes=1))
    assert not open311_keys.revoke(key, now + timedelta(minutes=2))  # once is enough
    assert key.revoked_at == now + timedelta(minutes=1)
    assert open311_keys.verify(council.id, raw) is None
    for name, needle in (("   ", "whose client"), ("x" * 121, "120")):
        with language("en"), pytest.raises(DomainError, match=needle) as refused:
            open311_keys.create(council.id, name, now)
        assert refused.value.field == "name"


def test_coordinators_make_and_revoke_keys_on_a_page_that_shows_the_endpoint(
    app, council, coordinator, member, police, make_user, make_council
):
    client = logged_in(app, coordinator)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Open311-nycklar" in page.text  # in Swedish
    assert "http://localhost/r/borlange/open311/v2" in page.text
    assert "/r/borlange/open311/discovery.json" in page.text
    refused = client.post(PAGE, data={"name": "  "})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.text
    assert db.session.scalar(db.select(db.func.count(Open311Key.id))) == 0
    db.session.rollback()

    made = client.post(PAGE, data={"name": "Felanmälningsappen"})
    assert made.status_code == 200
    key = db.session.scalars(db.select(Open311Key)).one()
    db.session.rollback()
    raw = made.text.split("data-new-key>")[1].split("<")[0]
    assert open311_keys.key_hash(raw) == key.key_hash
    again = client.get(PAGE)
    assert "Felanmälningsappen" in again.text and raw not in again.text  # shown once only

    revoke = f"{PAGE}/{key.id}/aterkalla"
    assert client.get(revoke).status_code == 302  # a reload revokes nothing
    assert db.session.get(Open311Key, key.id).revoked_at is None
    db.session.rollback()
    done = client.post(revoke)
    assert done.status_code == 302 and done.location.endswith(PAGE)
    assert db.session.get(Open311Key, key.id).revoked_at is not None
    db.session.rollback()
    assert 'action="' + revoke not in client.get(PAGE).text  # nothing left to revoke

    # who may: coordinators and admins; other roles are refused, strangers learn nothing
    assert logged_in(app, make_user(Role.ADMIN, council)).get(PAGE).status_code == 200
    for role in (Role.MEMBER, Role.POLICE, Role.BODY_STAFF):
        other = logged_in(app, make_user(role, council))
        assert other.get(PAGE).status_code == 403
        assert other.post(revoke).status_code == 403
    stranger = logged_in(app, make_user(Role.ADMIN, make_council(slug="falun")))
    assert stranger.get(PAGE).status_code == 404
    assert (
        stranger.post(f"/r/falun/rapporter/open311-nycklar/{key.id}/aterkalla").status_code == 404
    )
    anonymous = app.test_client().get(PAGE)
    assert anonymous.status_code == 302 and "/logga-in" in anonymous.location


def test_the_key_form_needs_its_csrf_token_and_a_clients_post_needs_only_its_key(
    csrf_app, council, coordinator
):
    report_setup(council)  # before a page makes the default settings; it has a key
    db.session.commit()
    keys = db.session.scalar(db.select(db.func.count(Open311Key.id)))
    db.session.rollback()
    client = csrf_app.test_client()
    token = hidden_value(client.get("/logga-in").text, "csrf_token")
    login = {"email": coordinator.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/logga-in", data=login).status_code == 302
    refused = client.post(PAGE, data={"name": "Utifrån"})
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("text/html")  # the site's own page
    assert db.session.scalar(db.select(db.func.count(Open311Key.id))) == keys
    db.session.rollback()
    token = hidden_value(client.get(PAGE).text, "csrf_token")
    assert client.post(PAGE, data={"name": "Appen", "csrf_token": token}).status_code == 200

    _key, raw = open311_keys.create(council.id, "Klienten", utcnow())
    db.session.commit()
    posted = csrf_app.test_client().post(
        "/r/borlange/open311/v2/requests.json",
        data={
            "api_key": raw,
            "service_code": "belysning",
            "address_string": "Torget",
            "description": "Mörkt på torget",
        },
    )
    assert posted.status_code == 200, posted.text
