"""Inviting people: the admin types an address, the person agrees and chooses a password.

A new address gets an account that cannot log in until its owner follows the e-mailed link;
an address that already has an account (in any council) gets an invitation to accept, and
the inviting council learns nothing about the account until then. Mail goes over SMTP to a
server on loopback, so the links tested are the ones a mail server accepted. Time is moved,
never waited for.
"""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from brott import jobs
from brott.extensions import db
from brott.models import AuditEntry, Invitation, Membership, OutboxMessage, Role, User
from brott.services import users as user_service

from .conftest import PASSWORD, hidden_value, logged_in, login
from .security_figures import record_figure

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "blåbär-i-novembermörkret"
COUNCIL_NAME = "Faluns brottsförebyggande råd"


@pytest.fixture
def council(make_council):
    return make_council(slug="falun", name=COUNCIL_NAME)


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Ada Admin")


@pytest.fixture
def admin_client(app, admin):
    return logged_in(app, admin)


@pytest.fixture
def elsewhere(make_council, make_user):
    """An account of another council."""
    other = make_council(slug="mora", name="Moras råd")
    return make_user(Role.COORDINATOR, other, name="Hemlig Person", email="hemlig@exempel.se")


@pytest.fixture
def deactivated(elsewhere):
    """The account of another council, with its only membership switched off."""
    membership = db.session.scalars(sa.select(Membership).filter_by(user_id=elsewhere.id)).one()
    membership.active, elsewhere.active = False, False
    db.session.commit()
    return elsewhere


# --- helpers ------------------------------------------------------------------------------


def invite(client, email="ny.person@exempel.se", name="Ny Person", role="member"):
    return client.post(
        "/r/falun/admin/anvandare/ny", data={"email": email, "name": name, "role": role}
    )


def deliver(mailer, smtp, now) -> list:
    """Run the dispatcher at `now`; the messages the SMTP server has received so far."""
    jobs.dispatch_due(now, mailer)

    return [received.message for received in smtp.inbox.messages]


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message) -> str:
    """The path of the one-time link in a mail's text and HTML parts (the same in both)."""
    found = re.search(
        r"http://127\.0\.0\.1:5000(/(?:losenord|inbjudan)/[\w.\-]+)", plain_text(message)
    )
    assert found, plain_text(message)
    assert found.group(0) in message.get_body(("html",)).get_content()
    return found.group(1)


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    found = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
    db.session.rollback()
    return found


def memberships_of(user: User) -> dict[str, tuple[Role, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id)).all()
    found = {m.council.slug: (m.role, m.active) for m in rows}
    db.session.rollback()
    return found


def count(model) -> int:
    db.session.expire_all()
    value = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    db.session.rollback()
    return value


def invitation_rows() -> list[tuple[str, Role]]:
    db.session.expire_all()
    found = db.session.execute(sa.select(Invitation.email, Invitation.role)).all()
    db.session.rollback()
    return [tuple(row) for row in found]


def flashed(client, response) -> str:
    """The page a redirect leads to, as the client sees it next."""
    assert response.status_code == 302, response.text
    return client.get(response.location).text


# --- a new address ------------------------------------------------------------------------


def test_a_new_address_gets_an_account_without_a_usable_password_and_a_mailed_link(
    app, frozen, admin_client, council, smtp, mailer
):
    response = invite(admin_client, email="Ny.Person@Exempel.se", role="coordinator")

    assert response.location == "/r/falun/admin/anvandare"
    page = flashed(admin_client, response)
    assert "Inbjudan skickad till ny.person@exempel.se." in page
    assert "Har inte valt lösenord än" in page
    user = user_by_email("ny.person@exempel.se")
    assert (user.name, user.active, user.password_set_at) == ("Ny Person", True, None)
    assert memberships_of(user) == {"falun": (Role.COORDINATOR, True)}
    assert login(app.test_client(), user).status_code == 200  # no password works yet

    [message] = deliver(mailer, smtp, NOW)

    assert message["To"] == "ny.person@exempel.se"
    assert message["Subject"] == f"Du är inbjuden till {COUNCIL_NAME}"
    text = plain_text(message)
    assert "Hej Ny Person!" in text
    assert f"Ada Admin har bjudit in dig till {COUNCIL_NAME} som Samordnare" in text
    assert "gäller i 7 dagar" in text
    link = link_in(message)

    newcomer = app.test_client()
    form = newcomer.get(link)
    assert form.status_code == 200
    assert 'value="Ny Person"' in form.text  # they may correct the name the admin typed
    chosen = newcomer.post(
        link, data={"name": "Ny Persson", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert chosen.status_code == 302 and chosen.location == "/"
    assert newcomer.get("/r/falun/").status_code == 200  # logged in on this device
    user = user_by_email("ny.person@exempel.se")
    assert (user.name, user.password_set_at) == ("Ny Persson", NOW)
    assert login(app.test_client(), user, password=NEW_PASSWORD).status_code == 302
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "Länken är redan använd." in again.text


def test_the_password_link_of_an_invitation_expires_after_the_configured_days(
    app, frozen, admin_client, council, smtp, mailer, monkeypatch
):
    invite(admin_client)
    link = link_in(deliver(mailer, smtp, NOW)[0])
    visitor = app.test_client()

    frozen.now = NOW + timedelta(days=7) - timedelta(minutes=1)
    assert visitor.get(link).status_code == 200
    frozen.now = NOW + timedelta(days=7, seconds=1)
    expired = visitor.get(link)
    assert expired.status_code == 410
    assert "Länken har gått ut." in expired.text
    refused = visitor.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 410
    assert user_by_email("ny.person@exempel.se").password_set_at is None

    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE_DAYS", 1)
    frozen.now = NOW + timedelta(hours=23)
    assert visitor.get(link).status_code == 200
    frozen.now = NOW + timedelta(hours=25)
    assert visitor.get(link).status_code == 410


def test_sending_the_invitation_again_makes_a_new_link_and_retires_the_first(
    app, frozen, admin_client, council, smtp, mailer
):
    flashed(admin_client, invite(admin_client))
    first = link_in(deliver(mailer, smtp, NOW)[0])
    user = user_by_email("ny.person@exempel.se")
    membership_id = db.session.scalar(sa.select(Membership.id).filter_by(user_id=user.id))
    db.session.rollback()
    frozen.now = NOW + timedelta(minutes=30)

    again = admin_client.post(f"/r/falun/admin/medlemskap/{membership_id}/skicka-igen")

    assert "Inbjudan skickad till ny.person@exempel.se." in flashed(admin_client, again)
    second = link_in(deliver(mailer, smtp, frozen.now)[1])
    assert second != first
    stale = app.test_client().get(first)
    assert stale.status_code == 410
    assert "en nyare länk eller ett nytt lösenord har ersatt den" in stale.text
    assert app.test_client().get(second).status_code == 200


def test_a_member_who_has_chosen_a_password_gets_no_new_invitation(
    admin_client, make_user, council, frozen
):
    member = make_user(Role.MEMBER, council)
    member.password_set_at = NOW - timedelta(days=30)
    db.session.commit()
    membership_id = db.session.scalar(sa.select(Membership.id).filter_by(user_id=member.id))
    hash_before = member.password_hash
    db.session.rollback()

    response = admin_client.post(f"/r/falun/admin/medlemskap/{membership_id}/skicka-igen")

    assert "Personen har redan valt ett lösenord." in flashed(admin_client, response)
    assert user_by_email(member.email).password_hash == hash_before
    assert count(OutboxMessage) == 0


# --- an address that already has an account -----------------------------------------------


def test_an_account_of_another_council_is_invited_and_the_admin_learns_nothing_of_it(
    app, frozen, admin_client, council, deactivated
):
    new_answer = invite(admin_client, email="okand@exempel.se", name="Skrivet Namn")
    existing_answer = invite(admin_client, email="HEMLIG@exempel.se", name="Skrivet Namn")

    # the same answer for both: a redirect to the list, with the typed address flashed
    assert (existing_answer.status_code, existing_answer.location) == (
        new_answer.status_code,
        new_answer.location,
    )
    assert existing_answer.data == new_answer.data
    page = flashed(admin_client, existing_answer)
    assert "Inbjudan skickad till hemlig@exempel.se." in page
    # nothing of the account: no membership, not re-activated, its name nowhere
    assert memberships_of(deactivated) == {"mora": (Role.COORDINATOR, False)}
    person = user_by_email("hemlig@exempel.se")
    assert (person.name, person.active) == ("Hemlig Person", False)
    assert invitation_rows() == [("hemlig@exempel.se", Role.MEMBER)]
    for url in ("/r/falun/admin/anvandare", "/r/falun/admin/logg", "/r/falun/admin/utskick"):
        shown = admin_client.get(url).text
        assert "Hemlig Person" not in shown, url
        assert "Moras råd" not in shown, url
    users_page = admin_client.get("/r/falun/admin/anvandare").text
    assert "hemlig@exempel.se" in users_page.split("Inbjudningar som inte besvarats än")[1]
    # the invitation is queued to the address, outside the council's own outbox
    db.session.expire_all()
    row = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient_email == "hemlig@exempel.se")
    ).one()
    assert (row.kind, row.council_id, row.due_at) == ("council_invitation", None, NOW)
    db.session.rollback()


def test_an_account_of_another_council_gets_the_invitation_by_mail(
    frozen, admin_client, council, elsewhere, smtp, mailer
):
    invite(admin_client, email="hemlig@exempel.se", name="Skrivet Namn")

    [message] = deliver(mailer, smtp, NOW)

    assert message["To"] == "hemlig@exempel.se"
    assert message["Subject"] == f"Inbjudan till {COUNCIL_NAME}"
    text = plain_text(message)
    assert f"Ada Admin har bjudit in dig till {COUNCIL_NAME} som Rådsledamot." in text
    assert "Ingenting ändras förrän du tackar ja" in text
    assert "Skrivet Namn" not in text
    assert link_in(message).startswith("/inbjudan/")
    assert "Hemlig Person" not in admin_client.get("/r/falun/admin/anvandare").text


@pytest.mark.parametrize("account", ["elsewhere", "deactivated"])
def test_an_account_not_logged_in_accepts_with_its_password_and_only_that_council_opens(
    app, frozen, admin_client, council, smtp, mailer, request, account
):
    person = request.getfixturevalue(account)
    mora_before = memberships_of(person)["mora"]
    invite(admin_client, email="hemlig@exempel.se", role="police")
    link = link_in(deliver(mailer, smtp, NOW)[0])
    visitor = app.test_client()

    page = visitor.get(link)
    assert page.status_code == 200
    assert COUNCIL_NAME in page.text and "Kommunpolis" in page.text
    assert 'name="password"' in page.text
    wrong = visitor.post(link, data={"password": "inte-mitt-lösenord"})
    assert wrong.status_code == 400
    assert "Fel lösenord." in wrong.text
    assert "inte-mitt-lösenord" not in wrong.text
    assert memberships_of(person) == {"mora": mora_before}

    accepted = visitor.post(link, data={"password": PASSWORD})

    assert accepted.status_code == 302 and accepted.location == "/logga-in"
    assert f"Nu är du medlem i {COUNCIL_NAME}." in visitor.get("/logga-in").text
    # the inviting council's membership only; Mora's stays as it was (switched off or on)
    assert memberships_of(person) == {"mora": mora_before, "falun": (Role.POLICE, True)}
    assert user_by_email("hemlig@exempel.se").active is True
    assert invitation_rows() == []
    client = logged_in(app, person)
    assert client.get("/r/falun/").status_code == 200
    assert client.get("/r/mora/").status_code == (200 if mora_before[1] else 404)
    assert "Hemlig Person" in admin_client.get("/r/falun/admin/anvandare").text
    db.session.expire_all()
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "invitation_accepted" in actions
    db.session.rollback()
    assert app.test_client().get(link).status_code == 410


def test_a_logged_in_person_accepts_with_one_click(
    app, frozen, admin_client, council, make_council, make_user, smtp, mailer
):
    person = make_user(Role.MEMBER, make_council(slug="mora"), email="aktiv@exempel.se")
    invite(admin_client, email="aktiv@exempel.se", role="coordinator")
    link = link_in(deliver(mailer, smtp, NOW)[0])
    client = logged_in(app, person)

    page = client.get(link)
    assert page.status_code == 200 and 'name="password"' not in page.text
    accepted = client.post(link)

    assert accepted.status_code == 302 and accepted.location == "/r/falun/"
    assert client.get("/r/falun/").status_code == 200
    assert memberships_of(person)["falun"] == (Role.COORDINATOR, True)


def test_someone_else_logged_in_is_refused_the_invitation_link(
    app, frozen, admin_client, council, elsewhere, smtp, mailer
):
    invite(admin_client, email="hemlig@exempel.se")
    link = link_in(deliver(mailer, smtp, NOW)[0])

    for response in (admin_client.get(link), admin_client.post(link)):
        assert response.status_code == 403
        assert "Länken gäller ett annat konto" in response.text
    assert "falun" not in memberships_of(elsewhere)
    assert invitation_rows() == [("hemlig@exempel.se", Role.MEMBER)]


def test_an_invitation_sent_again_retires_the_first_link_and_a_withdrawn_one_is_dead(
    app, frozen, admin_client, council, elsewhere, smtp, mailer
):
    flashed(admin_client, invite(admin_client, email="hemlig@exempel.se"))
    first = link_in(deliver(mailer, smtp, NOW)[0])
    invitation_id = db.session.scalar(sa.select(Invitation.id))
    db.session.rollback()
    frozen.now = NOW + timedelta(minutes=30)

    again = admin_client.post(
        "/r/falun/admin/anvandare/inbjudan/skicka-igen", data={"invitation_id": invitation_id}
    )

    assert "Inbjudan skickad till hemlig@exempel.se." in flashed(admin_client, again)
    second = link_in(deliver(mailer, smtp, frozen.now)[1])
    visitor = app.test_client()
    assert visitor.get(first).status_code == 410
    assert visitor.get(second).status_code == 200

    withdrawn = admin_client.post(
        "/r/falun/admin/anvandare/inbjudan/aterkalla", data={"invitation_id": invitation_id}
    )

    assert "Inbjudan till hemlig@exempel.se är återkallad." in flashed(admin_client, withdrawn)
    assert invitation_rows() == []
    dead = visitor.post(second, data={"password": PASSWORD})
    assert dead.status_code == 410
    assert "den har redan besvarats eller återkallats" in dead.text
    assert "falun" not in memberships_of(elsewhere)
    # a button of a row that is gone meanwhile: a notice, not an error page
    late = admin_client.post(
        "/r/falun/admin/anvandare/inbjudan/aterkalla", data={"invitation_id": invitation_id}
    )
    assert "Inbjudan är redan besvarad eller återkallad." in flashed(admin_client, late)


def test_the_accept_link_expires(
    app, frozen, admin, admin_client, council, elsewhere, smtp, mailer
):
    invite(admin_client, email="hemlig@exempel.se")
    link = link_in(deliver(mailer, smtp, NOW)[0])

    frozen.now = NOW + timedelta(days=7, seconds=1)
    expired = app.test_client().post(link, data={"password": PASSWORD})

    assert expired.status_code == 410
    assert "Inbjudan har gått ut." in expired.text
    assert "falun" not in memberships_of(elsewhere)
    shown = logged_in(app, admin).get("/r/falun/admin/anvandare").text
    assert "Länken har gått ut" in shown.split("Inbjudningar som inte besvarats än")[1]


@pytest.mark.parametrize("token", ["", "inte-en-token", "eyJpIjoxfQ.forfalskad.signatur"])
def test_a_forged_link_is_refused(client, council, token):
    for path in (f"/inbjudan/{token}x", f"/losenord/{token}x"):
        response = client.get(path)
        assert response.status_code == 410, path
        assert "Länken är ogiltig." in response.text


# --- refusals on the form -----------------------------------------------------------------


def test_inviting_an_address_twice_or_a_member_is_a_form_error_keeping_the_input(
    admin_client, make_user, council, elsewhere, frozen
):
    member = make_user(Role.MEMBER, council, email="redan@exempel.se")
    assert invite(admin_client, email="hemlig@exempel.se").status_code == 302

    twice = invite(admin_client, email="Hemlig@Exempel.se", name="Skrivet Namn")
    already = invite(admin_client, email=member.email, name="Annat Namn", role="police")

    assert twice.status_code == 400
    assert "Adressen är redan inbjuden." in twice.text
    assert 'value="Hemlig@Exempel.se"' in twice.text and 'value="Skrivet Namn"' in twice.text
    assert already.status_code == 400
    assert "Personen är redan medlem i rådet." in already.text
    assert 'value="Annat Namn"' in already.text
    assert invitation_rows() == [("hemlig@exempel.se", Role.MEMBER)]
    assert memberships_of(member) == {"falun": (Role.MEMBER, True)}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "inte-en-adress"}, "Ange en giltig e-postadress."),
        ({"email": ""}, "Ange en e-postadress."),
        ({"name": "  "}, "Ange ett namn."),
        ({"role": "superadmin"}, "Inte ett giltigt val"),
    ],
)
def test_invalid_invitation_input_is_refused_in_swedish(admin_client, council, fields, message):
    data = {"email": "ny@exempel.se", "name": "Ny Person", "role": "member", **fields}

    response = admin_client.post("/r/falun/admin/anvandare/ny", data=data)

    assert response.status_code == 400
    assert message in response.text
    assert count(User) == 1 and count(Invitation) == 0 and count(OutboxMessage) == 0


# --- two admins at once -------------------------------------------------------------------


@pytest.mark.parametrize("address", ["ny.samtidig@exempel.se", "hemlig@exempel.se"])
def test_two_admins_inviting_one_address_at_once_get_one_invitation_and_a_form_message(
    app, frozen, admin, make_user, council, elsewhere, monkeypatch, address
):
    clients = [logged_in(app, admin), logged_in(app, make_user(Role.ADMIN, council))]
    db.session.rollback()
    # both requests look the address up before either writes: the race the unique
    # constraints must decide
    looked_up = threading.Barrier(2, timeout=10)
    find_user = user_service.find_user

    def find_then_wait(email):
        found = find_user(email)
        looked_up.wait()
        return found

    monkeypatch.setattr(user_service, "find_user", find_then_wait)
    answers: list = []

    def post(client):
        response = invite(client, email=address)
        answers.append((response.status_code, response.text))

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in answers) == [302, 400]
    refused = next(text for status, text in answers if status == 400)
    assert "Adressen är redan inbjuden." in refused
    monkeypatch.undo()
    user = user_by_email(address)
    if user.email == "hemlig@exempel.se":
        assert invitation_rows() == [(address, Role.MEMBER)]
    else:
        assert memberships_of(user) == {"falun": (Role.MEMBER, True)}
    assert count(OutboxMessage) == 1
    record_figure(
        "invitations", f"two concurrent invitations ({address.split('@')[0]})", "302 + 400"
    )


# --- the membership form ------------------------------------------------------------------


def test_a_stale_membership_edit_is_a_conflict_that_shows_what_is_saved_now(
    app, admin_client, make_user, council
):
    member = make_user(Role.MEMBER, council, name="Sara Holm")
    membership_id = db.session.scalar(sa.select(Membership.id).filter_by(user_id=member.id))
    db.session.rollback()
    url = f"/r/falun/admin/medlemskap/{membership_id}"
    opened = hidden_value(admin_client.get(url).text, "version")
    other_admin = logged_in(app, make_user(Role.ADMIN, council))
    saved = other_admin.post(url, data={"role": "coordinator", "active": "y", "version": opened})
    assert saved.status_code == 302

    stale = admin_client.post(url, data={"role": "police", "active": "y", "version": opened})

    assert stale.status_code == 409
    assert "Medlemskapet har ändrats av någon annan" in stale.text
    assert "Samordnare" in stale.text.split("Sparat nu:")[1]
    assert memberships_of(member) == {"falun": (Role.COORDINATOR, True)}
    # having seen it, the admin may save deliberately on the new version
    fresh = hidden_value(stale.text, "version")
    assert fresh != opened
    again = admin_client.post(url, data={"role": "police", "active": "y", "version": fresh})
    assert again.status_code == 302
    assert memberships_of(member) == {"falun": (Role.POLICE, True)}


def test_a_membership_form_without_its_version_is_refused(admin_client, make_user, council):
    member = make_user(Role.MEMBER, council)
    membership_id = db.session.scalar(sa.select(Membership.id).filter_by(user_id=member.id))
    db.session.rollback()

    response = admin_client.post(
        f"/r/falun/admin/medlemskap/{membership_id}", data={"role": "admin", "active": "y"}
    )

    assert response.status_code == 409
    assert memberships_of(member) == {"falun": (Role.MEMBER, True)}


@pytest.mark.security
def test_switching_off_the_last_membership_ends_sessions_and_reactivation_revives_none(
    app, admin_client, make_user, council
):
    member = make_user(Role.MEMBER, council)
    person = logged_in(app, member)
    cookie = person.get_cookie("session").value
    membership_id = db.session.scalar(sa.select(Membership.id).filter_by(user_id=member.id))
    db.session.rollback()
    url = f"/r/falun/admin/medlemskap/{membership_id}"

    def save(active: bool) -> None:
        version = hidden_value(admin_client.get(url).text, "version")
        data = {"role": "member", "version": version} | ({"active": "y"} if active else {})
        assert admin_client.post(url, data=data).status_code == 302

    save(active=False)
    save(active=True)

    replayed = app.test_client()
    replayed.set_cookie("session", cookie)
    response = replayed.get("/r/falun/")
    assert response.status_code == 302 and "/logga-in" in response.location
    assert logged_in(app, member).get("/r/falun/").status_code == 200
    record_figure("sessions", "old cookie after deactivation and reactivation", "refused")


# --- who may do it ------------------------------------------------------------------------


def invitation_requests(membership_id: int, invitation_id: int, slug: str = "falun"):
    base = f"/r/{slug}/admin"
    return [
        ("GET", f"{base}/anvandare/ny", None),
        ("POST", f"{base}/anvandare/ny", {"email": "x@exempel.se", "name": "X", "role": "admin"}),
        ("POST", f"{base}/medlemskap/{membership_id}/skicka-igen", {}),
        ("POST", f"{base}/anvandare/inbjudan/skicka-igen", {"invitation_id": invitation_id}),
        ("POST", f"{base}/anvandare/inbjudan/aterkalla", {"invitation_id": invitation_id}),
    ]


def snapshot() -> tuple:
    db.session.expire_all()
    found = (
        db.session.execute(sa.select(User.id, User.password_hash, User.active)).all(),
        db.session.execute(sa.select(Membership.id, Membership.role, Membership.active)).all(),
        db.session.execute(sa.select(Invitation.id, Invitation.created_at)).all(),
        count(OutboxMessage),
    )
    db.session.rollback()
    return found


@pytest.fixture
def targets(admin_client, make_user, council, elsewhere, frozen):
    """A new member without a password and a pending invitation, for the buttons."""
    invite(admin_client, email="ny@exempel.se")
    invite(admin_client, email="hemlig@exempel.se")
    newcomer = user_by_email("ny@exempel.se")
    membership_id = db.session.scalar(sa.select(Membership.id).filter_by(user_id=newcomer.id))
    invitation_id = db.session.scalar(sa.select(Invitation.id))
    db.session.rollback()
    return membership_id, invitation_id


@pytest.mark.parametrize("role", [Role.MEMBER, Role.POLICE, Role.COORDINATOR])
def test_roles_without_user_administration_are_refused_every_invitation_path(
    app, make_user, council, targets, role
):
    client = logged_in(app, make_user(role, council))
    before = snapshot()

    for method, url, data in invitation_requests(*targets):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)
        assert "Åtkomst nekad" in response.text

    assert snapshot() == before


def test_an_admin_of_another_council_gets_404_and_a_visitor_the_login(
    app, make_user, make_council, council, targets
):
    other = make_council(slug="ludvika")
    intruder = logged_in(app, make_user(Role.ADMIN, other))
    before = snapshot()

    for method, url, data in invitation_requests(*targets):
        assert intruder.open(url, method=method, data=data).status_code == 404, (method, url)
    # under their own slug the ids of another council are not found either
    for method, url, data in invitation_requests(*targets, slug="ludvika")[2:]:
        response = intruder.open(url, method=method, data=data)
        assert response.status_code in (302, 404), (method, url)
    for method, url, data in invitation_requests(*targets):
        response = app.test_client().open(url, method=method, data=data)
        assert response.status_code == 302 and "/logga-in" in response.location, (method, url)

    assert snapshot() == before
