"""Passwords: the rule a new one must meet, changing one, and resetting a forgotten one.

Reset links go over SMTP to a server on loopback; time is moved, never waited for.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from brott import jobs
from brott.errors import DomainError
from brott.extensions import db
from brott.models import AuditEntry, Council, Invitation, Membership, OutboxMessage, Role, User
from brott.services import passwords
from brott.services.demo import DEMO_PASSWORD, DEMO_USERS

from .conftest import PASSWORD, logged_in, login
from .security_figures import record_figure

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "blåbär-i-novembermörkret"
TOO_EASY = "Lösenordet är för lätt att gissa."


@pytest.fixture
def member(make_user, council):
    return make_user(Role.MEMBER, council, name="Sara Holm", email="sara.holm@exempel.se")


def fresh_user(user: User) -> User:
    db.session.expire_all()
    found = db.session.get(User, user.id)
    db.session.rollback()
    return found


def count(model) -> int:
    db.session.expire_all()
    value = db.session.scalar(sa.select(sa.func.count()).select_from(model))
    db.session.rollback()
    return value


def deliver(mailer, smtp, now) -> list:
    jobs.dispatch_due(now, mailer)
    return [received.message for received in smtp.inbox.messages]


def reset_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"http://127\.0\.0\.1:5000(/losenord/[\w.\-]+)", text)
    assert found, text
    return found.group(1)


def ask_for_reset(client, email: str):
    return client.post("/glomt-losenord", data={"email": email})


def new_password(password: str = NEW_PASSWORD, **fields) -> dict:
    return {"password": password, "confirm": password, **fields}


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort", "Lösenordet måste ha minst 12 tecken."),
        ("elva-tecken", "Lösenordet måste ha minst 12 tecken."),
        ("x" * 201, "Lösenordet får ha högst 200 tecken."),
        ("0123456789ab", TOO_EASY),
        ("aaaaaaaaaaaa", TOO_EASY),
        ("qwertyuiopasdf", TOO_EASY),
        ("password1234", TOO_EASY),
        ("Lösenord12345", TOO_EASY),  # judged without diacritics, so Swedish words count too
        (
            "sara.holm@exempel.se!",
            "Lösenordet får inte innehålla din e-postadress eller ditt namn.",
        ),
        ("SaraHolm-2026-xyz", "Lösenordet får inte innehålla din e-postadress eller ditt namn."),
        (
            "mitt namn är sara holm",
            "Lösenordet får inte innehålla din e-postadress eller ditt namn.",
        ),
    ],
)
def test_weak_passwords_are_refused_with_a_swedish_reason(app, password, message):
    with pytest.raises(DomainError) as refused:
        passwords.check_policy(password, "sara.holm@exempel.se", "Sara Holm")

    assert refused.value.field == "password"
    assert refused.value.message.startswith(message)
    assert password not in refused.value.message


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,  # the tests' own password, 17 characters
        NEW_PASSWORD,
        "ett-långt-lösenord",
        "korrekt häst batteri häftklammer",
        # long: zxcvbn judges the first 72 characters
        "Det var en gång en räv som bodde i skogen vid älven och sprang fort när det "
        "snöade, ända tills våren kom tillbaka",
    ],
)
def test_strong_passwords_pass(app, password):
    passwords.check_policy(password, "sara.holm@exempel.se", "Sara Holm")


def test_the_demo_password_passes_for_every_demo_user(app):
    for email, name, _role in DEMO_USERS:
        passwords.check_policy(DEMO_PASSWORD, email, name)


# --- changing it ----------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(app, member, frozen):
    client = logged_in(app, member)

    response = client.post(
        "/konto/losenord", data={"current_password": "inte-det-här", **new_password()}
    )

    assert response.status_code == 400
    assert "Det nuvarande lösenordet är fel." in response.text
    assert "inte-det-här" not in response.text and NEW_PASSWORD not in response.text
    assert fresh_user(member).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (new_password("kort"), "Lösenordet måste ha minst 12 tecken."),
        (new_password("0123456789ab"), TOO_EASY),
        (new_password("sara.holm@exempel.se-2026"), "får inte innehålla din e-postadress"),
        ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "inte likadana"),
        ({"password": "", "confirm": ""}, "Skriv ett nytt lösenord."),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused_and_never_echoed(
    app, member, frozen, data, message
):
    client = logged_in(app, member)

    response = client.post("/konto/losenord", data={"current_password": PASSWORD, **data})

    assert response.status_code == 400
    assert message in response.text
    for typed in (PASSWORD, data["password"], data["confirm"]):
        if typed:
            assert f'value="{typed}"' not in response.text
    assert fresh_user(member).check_password(PASSWORD)


def test_changing_the_password_keeps_this_device_and_logs_out_the_others(app, member, frozen):
    here, elsewhere = logged_in(app, member), logged_in(app, member)

    response = here.post("/konto/losenord", data={"current_password": PASSWORD, **new_password()})

    assert response.status_code == 302 and response.location == "/konto"
    assert "Ditt lösenord är bytt." in here.get("/konto").text
    assert here.get("/r/borlange/").status_code == 200
    gone = elsewhere.get("/r/borlange/")
    assert gone.status_code == 302 and "/logga-in" in gone.location
    assert login(app.test_client(), member).status_code == 200  # the old one is refused
    assert login(app.test_client(), member, password=NEW_PASSWORD).status_code == 302
    user = fresh_user(member)
    assert user.password_set_at == NOW
    db.session.expire_all()
    summaries = db.session.scalars(
        sa.select(AuditEntry.summary).where(AuditEntry.action == "password")
    ).all()
    db.session.rollback()
    assert summaries == ["Password changed"]


@pytest.mark.security
def test_a_session_cookie_replayed_after_a_password_change_is_refused(app, member, frozen):
    stolen = logged_in(app, member).get_cookie("session").value
    owner = logged_in(app, member)
    assert (
        owner.post(
            "/konto/losenord", data={"current_password": PASSWORD, **new_password()}
        ).status_code
        == 302
    )

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/konto")

    assert response.status_code == 302 and "/logga-in" in response.location
    record_figure("sessions", "replayed cookie after password change", "refused")


def test_the_change_page_asks_a_visitor_to_log_in(client):
    for response in (client.get("/konto/losenord"), client.post("/konto/losenord", data={})):
        assert response.status_code == 302 and "/logga-in" in response.location


def test_the_profile_and_the_login_page_link_to_the_password_pages(app, member):
    assert 'href="/konto/losenord"' in logged_in(app, member).get("/konto").text
    login_page = app.test_client().get("/logga-in").text
    assert 'href="/glomt-losenord"' in login_page and "Glömt lösenordet?" in login_page


# --- forgetting it --------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_any_address_and_mails_only_a_real_account(
    app, member, make_user, council, frozen
):
    switched_off = make_user(Role.MEMBER, council, email="avstangd@exempel.se", active=False)
    answers = []
    for address in ("sara.holm@exempel.se", "ingen@exempel.se", switched_off.email):
        client = app.test_client()
        response = ask_for_reset(client, address)
        answers.append((response.status_code, response.location, response.data))
        followed = client.get(response.location).text
        assert "Om adressen hör till ett konto är en länk" in followed
        assert address not in followed

    assert answers[0] == answers[1] == answers[2]
    db.session.expire_all()
    queued = db.session.execute(sa.select(OutboxMessage.kind, OutboxMessage.recipient_email)).all()
    db.session.rollback()
    assert queued == [("password_reset", "sara.holm@exempel.se")]
    record_figure("passwords", "forgot-password answers for known / unknown address", "identical")


@pytest.mark.parametrize(("email", "message"), [("inte-en-adress", "Ange en giltig e-postadress.")])
def test_forgot_password_refuses_a_malformed_address_and_keeps_it(client, email, message):
    response = ask_for_reset(client, email)

    assert response.status_code == 400
    assert message in response.text
    assert f'value="{email}"' in response.text


def test_a_reset_link_arrives_by_mail_works_once_and_logs_in_on_that_device(
    app, member, frozen, smtp, mailer
):
    other_device = logged_in(app, member)
    ask_for_reset(app.test_client(), "Sara.Holm@Exempel.se")

    [message] = deliver(mailer, smtp, NOW)

    assert message["To"] == "sara.holm@exempel.se"
    assert message["Subject"] == "Välj ett nytt lösenord"
    assert "gäller i 2 timmar" in message.get_body(("plain",)).get_content()
    link = reset_link(message)
    visitor = app.test_client()
    form = visitor.get(link)
    assert form.status_code == 200 and 'name="name"' not in form.text

    done = visitor.post(link, data=new_password())

    assert done.status_code == 302 and done.location == "/"
    assert visitor.get("/r/borlange/").status_code == 200
    gone = other_device.get("/r/borlange/")
    assert gone.status_code == 302 and "/logga-in" in gone.location
    assert login(app.test_client(), member, password=NEW_PASSWORD).status_code == 302
    again = app.test_client().post(link, data=new_password("ytterligare-ett-nytt-lösen"))
    assert again.status_code == 410
    assert "Länken är redan använd." in again.text
    assert fresh_user(member).check_password(NEW_PASSWORD)


def test_an_account_with_two_step_login_is_not_logged_in_by_a_reset_link(
    app, member, frozen, smtp, mailer
):
    """A link proves the mailbox only: the login page still asks for the second factor."""
    member.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()
    ask_for_reset(app.test_client(), member.email)
    link = reset_link(deliver(mailer, smtp, NOW)[0])
    visitor = app.test_client()

    done = visitor.post(link, data=new_password())

    assert done.status_code == 302 and done.location == "/logga-in"
    assert "Ditt lösenord är sparat. Logga in med det." in visitor.get("/logga-in").text
    assert "/logga-in" in visitor.get("/r/borlange/").location
    assert fresh_user(member).check_password(NEW_PASSWORD)


def test_a_reset_link_expires_after_two_hours_or_as_configured(
    app, member, frozen, smtp, mailer, monkeypatch
):
    ask_for_reset(app.test_client(), member.email)
    link = reset_link(deliver(mailer, smtp, NOW)[0])
    visitor = app.test_client()

    frozen.now = NOW + timedelta(hours=2) - timedelta(seconds=1)
    assert visitor.get(link).status_code == 200
    frozen.now = NOW + timedelta(hours=2, seconds=1)
    expired = visitor.post(link, data=new_password())
    assert expired.status_code == 410
    assert "Länken har gått ut." in expired.text

    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE_HOURS", 24)
    assert visitor.get(link).status_code == 200
    assert fresh_user(member).check_password(PASSWORD)


def test_a_reset_link_dies_when_the_password_changes(app, member, frozen, smtp, mailer):
    ask_for_reset(app.test_client(), member.email)
    link = reset_link(deliver(mailer, smtp, NOW)[0])
    changed = logged_in(app, member).post(
        "/konto/losenord", data={"current_password": PASSWORD, **new_password()}
    )
    assert changed.status_code == 302

    stale = app.test_client().post(link, data=new_password("ytterligare-ett-nytt-lösen"))

    assert stale.status_code == 410
    assert "ett nytt lösenord har ersatt den" in stale.text
    assert fresh_user(member).check_password(NEW_PASSWORD)


def test_a_weak_password_on_the_reset_page_is_refused_and_the_link_still_works(
    app, member, frozen, smtp, mailer
):
    ask_for_reset(app.test_client(), member.email)
    link = reset_link(deliver(mailer, smtp, NOW)[0])
    visitor = app.test_client()

    weak = visitor.post(link, data=new_password("0123456789ab"))

    assert weak.status_code == 400
    assert TOO_EASY in weak.text and 'value="0123456789ab"' not in weak.text
    assert visitor.post(link, data=new_password()).status_code == 302


def test_the_invitation_page_keeps_the_typed_name_when_the_password_is_refused(
    app, make_user, council, frozen
):
    newcomer = make_user(Role.MEMBER, council, name="Ny Person")
    newcomer.password_hash = passwords.unusable_hash()
    db.session.commit()
    with app.test_request_context():
        link = "/losenord/" + passwords.link_token(newcomer, passwords.SET)
    db.session.rollback()

    weak = app.test_client().post(link, data=new_password("kort", name="Ny Persson"))

    assert weak.status_code == 400
    assert 'value="Ny Persson"' in weak.text
    assert "Lösenordet måste ha minst 12 tecken." in weak.text
    assert fresh_user(newcomer).name == "Ny Person"


def test_someone_else_logged_in_is_refused_a_reset_link(app, member, coordinator, frozen):
    with app.test_request_context():
        link = "/losenord/" + passwords.link_token(member, passwords.RESET)
    db.session.rollback()
    client = logged_in(app, coordinator)

    for response in (client.get(link), client.post(link, data=new_password())):
        assert response.status_code == 403
        assert "Länken gäller ett annat konto" in response.text
    assert fresh_user(member).check_password(PASSWORD)


def test_resets_asked_for_in_a_burst_send_one_mail(app, member, frozen, smtp, mailer):
    for _ in range(3):
        ask_for_reset(app.test_client(), member.email)
    frozen.now = NOW + passwords.RESET_INTERVAL + timedelta(seconds=1)
    ask_for_reset(app.test_client(), member.email)

    assert len(deliver(mailer, smtp, frozen.now)) == 2


def test_an_account_with_a_waiting_invitation_may_reset_while_switched_off(
    app, make_user, make_council, council, frozen
):
    person = make_user(Role.MEMBER, make_council(), email="paus@exempel.se", active=False)
    db.session.add(Invitation(council_id=council.id, email=person.email, role=Role.MEMBER))
    db.session.commit()

    ask_for_reset(app.test_client(), person.email)

    assert count(OutboxMessage) == 1
    assert login(app.test_client(), person).status_code == 200  # still no login


# --- the operator's shell -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort", "minst 12 tecken"), ("0123456789ab", TOO_EASY)],
)
def test_create_user_in_the_shell_applies_the_rule(app, make_council, password, message):
    make_council(slug="falun")
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=["create-user", "--email", "chef@exempel.se", "--name", "Chef", "--council", "falun"],
        input=f"{password}\n{password}\n",
    )

    assert result.exit_code != 0
    assert message in result.output
    assert password not in result.output
    assert count(User) == 0 and count(Membership) == 0


def test_create_user_in_the_shell_makes_the_first_admin_with_a_chosen_password(app, frozen):
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "chef@exempel.se",
            "--name",
            "Chef",
            "--council",
            "ludvika",
            "--council-name",
            "Ludvikas råd",
        ],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalars(sa.select(User)).one()
    assert user.password_set_at == NOW and user.check_password(NEW_PASSWORD)
    assert db.session.scalar(sa.select(Council.slug)) == "ludvika"
    db.session.rollback()
    client = app.test_client()
    assert login(client, user, password=NEW_PASSWORD).status_code == 302
    assert client.get("/r/ludvika/admin/anvandare").status_code == 200
