"""Shell commands: `demo` and `create-user`."""

import html

import pytest
import sqlalchemy as sa

from brott.extensions import db
from brott.models import (
    CitizenPromise,
    Council,
    Measure,
    MeasureStatus,
    MeasureUpdate,
    Membership,
    PartnerOrganisation,
    Role,
    User,
)
from brott.services import demo as demo_service

from .conftest import PASSWORD, login

NEW_PASSWORD = "ett-långt-lösenord"
TABLES = (Council, CitizenPromise, PartnerOrganisation, User, Membership, Measure, MeasureUpdate)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def counts() -> dict[str, int]:
    return {model.__name__: count(model) for model in TABLES}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def create_user(runner, *args, password: str = NEW_PASSWORD, confirm: str | None = None):
    confirm = password if confirm is None else confirm
    return runner.invoke(args=["create-user", *args], input=f"{password}\n{confirm}\n")


def assert_refused(result, message: str) -> None:
    """A clean refusal: a click error with a message, not a crash."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert message in result.output


# --- demo ---------------------------------------------------------------------------------


def test_demo_loads_one_council_with_thirteen_measures_and_five_users(runner):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "Demo data ready" in result.output
    assert demo_service.DEMO_PASSWORD in result.output
    assert count(Council) == 1
    assert count(CitizenPromise) == 1
    assert count(Measure) == 13
    assert count(PartnerOrganisation) == len(demo_service.DEMO_PARTNERS)
    council = db.session.scalars(sa.select(Council)).one()
    assert council.slug == "borlange"
    roles = {
        m.user.email: m.role
        for m in db.session.scalars(sa.select(Membership).where(Membership.active.is_(True)))
    }
    assert roles == {
        "admin@exempel.se": Role.ADMIN,
        "samordnare@exempel.se": Role.COORDINATOR,
        "ledamot@exempel.se": Role.MEMBER,
        "polis@exempel.se": Role.POLICE,
        "energi@exempel.se": Role.BODY_STAFF,
    }


def test_demo_writes_a_journal_entry_for_every_measure(runner):
    runner.invoke(args=["demo"])

    measures = db.session.scalars(sa.select(Measure)).all()
    assert len(measures) == 13
    for measure in measures:
        comments = [entry.comment for entry in measure.updates]
        assert "Insatsen skapades." in comments, measure.title
    expected = {d.title: (d.status, d.progress) for d in demo_service.DEMO_MEASURES}
    assert {m.title: (m.status, m.progress) for m in measures} == expected
    # the creation entry, one for each measure that is not untouched-planned, and one for
    # choosing what the public progress page shows of it (services/demo_follow_up)
    touched = sum(
        1 for d in demo_service.DEMO_MEASURES if d.status is not MeasureStatus.PLANNED or d.progress
    )
    assert count(MeasureUpdate) == 13 + touched + 13


def test_demo_twice_changes_nothing(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    first = counts()

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert counts() == first


def test_demo_if_empty_does_nothing_when_a_council_exists(runner, make_council):
    make_council(slug="falun")
    before = counts()

    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert "already holds data" in result.output
    assert counts() == before
    assert db.session.scalars(sa.select(Council.slug)).all() == ["falun"]


def test_demo_if_empty_loads_into_an_empty_database(runner):
    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert count(Measure) == 13


def test_demo_council_member_logs_in_and_sees_the_thirteen_measures(runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0

    response = client.post(
        "/logga-in",
        data={"email": "ledamot@exempel.se", "password": demo_service.DEMO_PASSWORD},
    )

    assert response.status_code == 302
    page = client.get("/r/borlange/")
    assert page.status_code == 200
    assert "13 insatser." in page.text
    for demo in demo_service.DEMO_MEASURES:
        assert html.escape(demo.title, quote=False) in page.text


# --- create-user --------------------------------------------------------------------------


def test_create_user_makes_an_admin_in_an_existing_council(runner, client, make_council):
    council = make_council(slug="falun")

    result = create_user(
        runner, "--email", "Chef@Exempel.se", "--name", "Chef", "--council", "falun"
    )

    assert result.exit_code == 0, result.output
    assert "created admin chef@exempel.se in falun." in result.output.lower()
    user = db.session.scalars(sa.select(User).where(User.email == "chef@exempel.se")).one()
    assert user.name == "Chef"
    assert [(m.council_id, m.role, m.active) for m in user.memberships] == [
        (council.id, Role.ADMIN, True)
    ]
    assert login(client, user, password=NEW_PASSWORD).status_code == 302
    assert client.get("/r/falun/admin/anvandare").status_code == 200


def test_create_user_with_a_role_option(runner, make_council):
    make_council(slug="falun")

    result = create_user(
        runner, "--email", "p@exempel.se", "--name", "P", "--council", "falun", "--role", "police"
    )

    assert result.exit_code == 0, result.output
    membership = db.session.scalars(sa.select(Membership)).one()
    assert membership.role is Role.POLICE


def test_create_user_creates_the_council_when_its_name_is_given(runner):
    result = create_user(
        runner,
        "--email",
        "chef@exempel.se",
        "--name",
        "Chef",
        "--council",
        "ludvika",
        "--council-name",
        "Ludvikas brottsförebyggande råd",
        "--municipality",
        "Ludvika kommun",
    )

    assert result.exit_code == 0, result.output
    council = db.session.scalars(sa.select(Council)).one()
    assert (council.slug, council.name, council.municipality) == (
        "ludvika",
        "Ludvikas brottsförebyggande råd",
        "Ludvika kommun",
    )
    membership = db.session.scalars(sa.select(Membership)).one()
    assert (membership.council_id, membership.user.email, membership.role) == (
        council.id,
        "chef@exempel.se",
        Role.ADMIN,
    )


def test_create_user_refuses_an_unknown_council_without_council_name(runner, make_council):
    make_council(slug="falun")
    before = counts()

    result = create_user(runner, "--email", "x@exempel.se", "--name", "X", "--council", "okand")

    assert_refused(result, "No council 'okand'; give --council-name to create it.")
    assert counts() == before


def test_create_user_refuses_an_email_already_in_the_council(runner, make_user, make_council):
    council = make_council(slug="falun")
    existing = make_user(Role.MEMBER, council, name="Redan Här", email="redan@exempel.se")
    old_hash = existing.password_hash
    before = counts()

    result = create_user(
        runner, "--email", "REDAN@exempel.se", "--name", "Annan", "--council", "falun"
    )

    assert_refused(result, "Personen är redan medlem i rådet.")
    assert counts() == before
    db.session.refresh(existing)
    assert (existing.name, existing.password_hash) == ("Redan Här", old_hash)
    assert db.session.scalars(sa.select(Membership.role)).all() == [Role.MEMBER]


@pytest.mark.parametrize("password", ["kort", "123456789"])
def test_create_user_refuses_a_short_password(runner, make_council, password):
    make_council(slug="falun")
    before = counts()

    result = create_user(
        runner, "--email", "x@exempel.se", "--name", "X", "--council", "falun", password=password
    )

    assert_refused(result, "Lösenordet måste ha minst 12 tecken.")
    assert counts() == before


def test_create_user_with_a_short_password_does_not_leave_a_new_council_behind(runner):
    result = create_user(
        runner,
        "--email",
        "x@exempel.se",
        "--name",
        "X",
        "--council",
        "ludvika",
        "--council-name",
        "Ludvikas råd",
        password="kort",
    )

    assert_refused(result, "Lösenordet måste ha minst 12 tecken.")
    assert count(Council) == 0
    assert count(User) == 0


def test_create_user_refuses_a_mistyped_confirmation(runner, make_council):
    make_council(slug="falun")

    result = create_user(
        runner,
        "--email",
        "x@exempel.se",
        "--name",
        "X",
        "--council",
        "falun",
        password=NEW_PASSWORD,
        confirm=NEW_PASSWORD + "x",
    )

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count(User) == 0


def test_create_user_password_is_not_echoed(runner, make_council):
    make_council(slug="falun")

    result = create_user(runner, "--email", "x@exempel.se", "--name", "X", "--council", "falun")

    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    assert PASSWORD not in result.output
