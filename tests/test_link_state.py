"""One-click links act only while they still describe the world they were issued in.

Every link here is a real token from `tokens.action_link_token`, used through the page a
mail's link opens. A link works while its owner is an active member of the action's council,
the action is still theirs, and it is still in the status it had when the link was issued.
Nobody needs to log in (the link is the credential), but a logged-in person who is not the
owner is refused. New messages are checked in English (the page's language follows the
browser), refusals in Swedish where the message existed before.
"""

from datetime import UTC, date, datetime

import pytest

from brott.errors import ConflictError
from brott.extensions import db
from brott.models import Action, ActionStatus, Membership, Role, SpentToken
from brott.services import actions as action_service
from brott.services import tokens

from .conftest import logged_in

NOW = datetime(2026, 1, 19, 7, 0, tzinfo=UTC)  # Monday 08:00 in Stockholm
MEETING_DAY = date(2026, 1, 20)
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def action(council, coordinator, member, make_series, make_decision) -> Action:
    """An open action of `member`, decided at a meeting of `council`."""
    meeting = make_series(council, now=NOW, first=MEETING_DAY).meetings[0]
    return make_decision(meeting, coordinator, member, "Städa parken", MEETING_DAY, now=NOW)


def saved(action_id: int) -> Action:
    db.session.expire_all()
    found = db.session.get(Action, action_id)
    db.session.rollback()  # end the read before a request writes (SQLite would lock)
    return found


def spent() -> int:
    count = db.session.scalar(db.select(db.func.count()).select_from(SpentToken))
    db.session.rollback()
    return count


def link(action: Action, status: ActionStatus) -> str:
    token = tokens.action_link_token(action, status)
    db.session.rollback()
    return f"/atgard/{token}"


def switch_off_membership(user, council) -> None:
    membership = db.session.scalars(
        db.select(Membership).where(
            Membership.user_id == user.id, Membership.council_id == council.id
        )
    ).one()
    membership.active = False
    db.session.commit()


# --- who may use a link ----------------------------------------------------------------------


def test_an_anonymous_holder_may_use_the_owners_link_and_the_version_moves_on(
    client, frozen, action
):
    before = action.version
    url = link(action, ActionStatus.DONE)

    assert client.get(url).status_code == 200
    done = client.post(url, data={"comment": "Klart i fredags"})

    assert done.status_code == 200 and "Tack!" in done.text
    after = saved(action.id)
    assert (after.status, after.status_comment) == (ActionStatus.DONE, "Klart i fredags")
    assert after.version == before + 1
    assert spent() == 1


def test_the_owner_logged_in_may_use_the_link(app, frozen, action, member):
    url = link(action, ActionStatus.DELAYED)
    owner = logged_in(app, member)

    response = owner.post(url, data={"comment": "Regn hela veckan", "due_date": "2026-01-27"})

    assert response.status_code == 200 and "Tack!" in response.text
    assert saved(action.id).status is ActionStatus.DELAYED


@pytest.mark.parametrize("who", ["coordinator", "another member", "another council"])
def test_a_logged_in_person_who_is_not_the_owner_is_refused_and_the_link_stays_usable(
    app, client, frozen, action, coordinator, make_user, make_council, council, who
):
    other = {
        "coordinator": lambda: coordinator,
        "another member": lambda: make_user(Role.MEMBER, council),
        "another council": lambda: make_user(Role.COORDINATOR, make_council()),
    }[who]()
    url = link(action, ActionStatus.DONE)
    intruder = logged_in(app, other)

    shown = intruder.get(url, headers=ENGLISH)
    posted = intruder.post(url, data={"comment": ""}, headers=ENGLISH)

    for response in (shown, posted):
        assert response.status_code == 403
        assert "This link was sent to another person." in response.text
        assert "Städa parken" not in response.text
    assert saved(action.id).status is ActionStatus.OPEN
    assert spent() == 0
    assert client.post(url, data={"comment": ""}).status_code == 200  # the owner's still
    assert saved(action.id).status is ActionStatus.DONE


# --- the owner must still be a member -----------------------------------------------------


@pytest.mark.parametrize("what", ["membership", "account"])
def test_a_link_dies_when_its_owner_leaves_the_council(
    client, frozen, action, member, council, what
):
    url = link(action, ActionStatus.DONE)
    if what == "membership":
        switch_off_membership(member, council)
    else:
        db.session.get(type(member), member.id).active = False
        db.session.commit()

    shown = client.get(url, headers=ENGLISH)
    posted = client.post(url, data={"comment": ""}, headers=ENGLISH)

    for response in (shown, posted):
        assert response.status_code == 410
        assert "its owner is no longer a member of the council" in response.text
    assert saved(action.id).status is ActionStatus.OPEN
    assert spent() == 0


def test_membership_of_another_council_does_not_keep_a_link_alive(
    client, frozen, action, member, council, make_council
):
    url = link(action, ActionStatus.DONE)
    elsewhere = make_council()
    db.session.add(Membership(user_id=member.id, council_id=elsewhere.id, role=Role.MEMBER))
    db.session.commit()
    switch_off_membership(member, council)

    assert client.post(url, data={"comment": ""}).status_code == 410
    assert saved(action.id).status is ActionStatus.OPEN


def test_a_link_dies_when_the_action_gets_another_owner(client, frozen, action, make_user, council):
    url = link(action, ActionStatus.DONE)
    heir = make_user(Role.MEMBER, council)
    db.session.get(Action, action.id).owner_id = heir.id
    db.session.commit()

    response = client.post(url, data={"comment": ""})

    assert response.status_code == 410 and "har ny ansvarig" in response.text
    assert saved(action.id).status is ActionStatus.OPEN


# --- the action must still be in the status the link was issued for -----------------------


def test_after_done_the_delayed_link_of_the_same_mail_is_refused(client, frozen, action):
    done_url = link(action, ActionStatus.DONE)
    delayed_url = link(action, ActionStatus.DELAYED)  # the two links of one digest line
    assert client.post(done_url, data={"comment": ""}).status_code == 200

    shown = client.get(delayed_url, headers=ENGLISH)
    posted = client.post(
        delayed_url, data={"comment": "Regn", "due_date": "2026-01-27"}, headers=ENGLISH
    )

    for response in (shown, posted):
        assert response.status_code == 410
        assert "the action has been updated since it was sent" in response.text
        assert "is now marked as Done" in response.text
    after = saved(action.id)
    assert (after.status, after.status_comment, after.closed_at) == (
        ActionStatus.DONE,
        "",
        NOW,
    )
    assert spent() == 1


def test_a_link_issued_before_a_change_made_elsewhere_is_refused(client, frozen, action, member):
    url = link(action, ActionStatus.DONE)
    action_service.set_action_status(
        db.session.get(Action, action.id), ActionStatus.DELAYED, "Väntar på el", NOW
    )
    db.session.commit()

    response = client.post(url, data={"comment": ""}, headers=ENGLISH)

    assert response.status_code == 410 and "is now marked as Delayed" in response.text
    assert saved(action.id).status is ActionStatus.DELAYED


def test_a_postponed_action_keeps_a_working_link_to_postpone_again(client, frozen, action):
    """A digest lists postponed actions too; their links were issued for "delayed"."""
    first = client.post(
        link(action, ActionStatus.DELAYED), data={"comment": "Regn", "due_date": "2026-01-27"}
    )
    assert first.status_code == 200
    url = link(saved(action.id), ActionStatus.DELAYED)

    again = client.post(url, data={"comment": "Snö", "due_date": "2026-02-03"})
    assert again.status_code == 200
    assert (saved(action.id).status_comment, saved(action.id).due_date) == (
        "Snö",
        date(2026, 2, 3),
    )


def test_a_link_from_before_links_named_their_status_is_refused(client, frozen, action):
    legacy = tokens._serializer().dumps(
        {"a": action.id, "u": action.owner_id, "s": "done", "j": "0" * 24}
    )
    db.session.rollback()

    response = client.post(f"/atgard/{legacy}", data={"comment": ""}, headers=ENGLISH)

    assert response.status_code == 410
    assert "The link is no longer valid. Log in to update the action." in response.text
    assert saved(action.id).status is ActionStatus.OPEN


# --- bad input and a save at the same moment ----------------------------------------------


def test_a_too_long_comment_or_a_delay_without_reason_is_refused_and_the_link_kept(
    client, frozen, action
):
    done_url = link(action, ActionStatus.DONE)
    too_long = client.post(done_url, data={"comment": "x" * 2001})
    assert too_long.status_code == 400 and "Högst 2000 tecken" in too_long.text

    delayed = client.post(
        link(action, ActionStatus.DELAYED),
        data={"comment": "  ", "due_date": "2026-01-27"},
        headers=ENGLISH,
    )
    assert delayed.status_code == 400
    assert "Write why the action is postponed." in delayed.text

    assert saved(action.id).status is ActionStatus.OPEN
    assert spent() == 0
    assert client.post(done_url, data={"comment": ""}).status_code == 200


def test_a_save_of_the_action_at_the_same_moment_is_a_conflict_and_changes_nothing(frozen, action):
    opened = tokens.read_action_link(tokens.action_link_token(action, ActionStatus.DONE))
    # someone saves the action between the link being read and its change being written
    db.session.execute(
        db.update(Action)
        .where(Action.id == action.id)
        .values(version=Action.version + 1)
        .execution_options(synchronize_session=False)
    )

    with pytest.raises(ConflictError) as refused:
        tokens.use_action_link(opened, "", NOW)

    assert "Någon annan ändrade åtgärden alldeles nyss" in refused.value.message
    db.session.rollback()
    assert saved(action.id).status is ActionStatus.OPEN
    assert spent() == 0
