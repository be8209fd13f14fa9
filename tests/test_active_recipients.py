"""Mail goes only to active members: an account switched on and a membership of the council.

Someone removed from a council (their membership switched off) or whose account was switched
off gets no EST reminder, no daily digest and no in-app notice of that council from then on:
planning leaves them out, and rows queued before the removal are dropped when they come up
for sending. Mail is received by a real SMTP server on loopback.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from brott import jobs
from brott.extensions import db
from brott.models import (
    Membership,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
    utcnow,
)
from brott.services import digest, outbox
from brott.services.emails import Email

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)  # Monday 08:00 in Stockholm
FIRST_MEETING = date(2026, 2, 10)  # a Tuesday; its 48 h reminder is due on 8 February


@pytest.fixture
def kept(make_user, council) -> User:
    return make_user(Role.MEMBER, council, name="Kvar Kvist")


@pytest.fixture
def removed(make_user, council) -> User:
    return make_user(Role.MEMBER, council, name="Borta Bengtsson")


def switch_off(user: User, council, what: str = "membership") -> None:
    """End the person's membership of `council`, or switch their account off."""
    if what == "account":
        db.session.get(User, user.id).active = False
    else:
        db.session.scalars(
            db.select(Membership).where(
                Membership.user_id == user.id, Membership.council_id == council.id
            )
        ).one().active = False
    db.session.commit()


def rows_of(user: User) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.recipient_id == user.id)
            .order_by(OutboxMessage.id)
        )
    )


def mail_to(smtp, user: User) -> int:
    return sum(user.email in received.rcpt_tos for received in smtp.inbox.messages)


def notices_of(user: User) -> int:
    return db.session.scalar(db.select(db.func.count()).where(Notification.user_id == user.id))


# --- EST reminders ---------------------------------------------------------------------------


@pytest.fixture
def meeting(council, coordinator, kept, removed, make_series):
    series = make_series(
        council, now=NOW, first=FIRST_MEETING, until_date=FIRST_MEETING, invitees=[kept, removed]
    )
    # this module is about reminders and digests: the invitation notices of the set-up are
    # taken out of the way (tests/test_notices.py covers them)
    db.session.execute(
        db.delete(OutboxMessage).where(OutboxMessage.kind != outbox.MEETING_REMINDER)
    )
    db.session.commit()
    return series.meetings[0]


@pytest.mark.parametrize("what", ["membership", "account"])
def test_an_invitee_who_left_is_no_longer_among_the_meetings_recipients(
    council, coordinator, kept, removed, meeting, what
):
    assert {u.id for u in outbox.meeting_recipients(meeting)} == {
        coordinator.id,
        kept.id,
        removed.id,
    }
    switch_off(removed, council, what)

    assert {u.id for u in outbox.meeting_recipients(meeting)} == {coordinator.id, kept.id}


def test_a_coordinator_who_left_gets_no_reminders(council, coordinator, kept, meeting):
    switch_off(coordinator, council)
    assert coordinator.id not in {u.id for u in outbox.meeting_recipients(meeting)}


def test_an_invitee_active_only_in_another_council_gets_nothing_of_this_one(
    council, removed, meeting, make_council
):
    elsewhere = make_council()
    db.session.add(Membership(user_id=removed.id, council_id=elsewhere.id, role=Role.MEMBER))
    db.session.commit()
    switch_off(removed, council)

    assert removed.id not in {u.id for u in outbox.meeting_recipients(meeting)}


def test_planning_again_drops_the_pending_reminders_of_someone_who_left(council, removed, meeting):
    assert {row.status for row in rows_of(removed)} == {OutboxStatus.PENDING}
    switch_off(removed, council)

    outbox.plan_meeting_reminders(db.session.get(type(meeting), meeting.id), NOW)
    db.session.commit()

    assert {row.status for row in rows_of(removed)} == {OutboxStatus.DROPPED}


@pytest.mark.parametrize("what", ["membership", "account"])
def test_reminders_queued_before_a_removal_are_dropped_when_they_come_up(
    council, coordinator, kept, removed, meeting, smtp, mailer, what
):
    queued = rows_of(removed)
    assert len(queued) == 2  # 48 h and 2 h before, planned while they were a member
    switch_off(removed, council, what)

    report = jobs.dispatch_due(meeting.starts_at - timedelta(hours=1), mailer)

    assert report.dropped == 2
    assert report.sent == 4  # the coordinator's and the remaining invitee's two each
    assert {row.status for row in rows_of(removed)} == {OutboxStatus.DROPPED}
    assert all("no longer an active member" in row.last_error for row in rows_of(removed))
    assert mail_to(smtp, removed) == 0 and notices_of(removed) == 0
    assert (mail_to(smtp, kept), notices_of(kept)) == (2, 2)
    assert (mail_to(smtp, coordinator), notices_of(coordinator)) == (2, 2)


def test_a_removal_during_a_run_is_seen_by_the_rows_still_to_come(
    council, coordinator, kept, removed, meeting, smtp, mailer
):
    """The check is made for each row when it is claimed, not once per run."""
    removed_id, council_id = removed.id, council.id

    class RemovingMailer:
        def send(self, message) -> None:
            mailer.send(message)
            switch_off(db.session.get(User, removed_id), db.session.get(type(council), council_id))

    report = jobs.dispatch_due(meeting.starts_at - timedelta(hours=1), RemovingMailer())

    # the rows go out oldest first, the first one to the coordinator: the removal follows it
    assert report.sent + report.dropped == 6 and report.dropped == 2
    assert mail_to(smtp, removed) == 0


# --- the daily digest ----------------------------------------------------------------------


@pytest.fixture
def owner_in_two_councils(council, coordinator, removed, make_council, make_user, make_series):
    """`removed` owns an action due today in `council` and another in a second council."""
    from brott.services import actions as action_service

    second = make_council()
    db.session.add(Membership(user_id=removed.id, council_id=second.id, role=Role.MEMBER))
    db.session.commit()
    chair = make_user(Role.COORDINATOR, second)
    for where, author in ((council, coordinator), (second, chair)):
        day = NOW.date()
        meeting = make_series(
            where, now=NOW - timedelta(days=10), first=day, until_date=day
        ).meetings[0]
        data = action_service.ActionData(
            title=f"Åtgärd i {where.slug}", owner_id=removed.id, due_date=NOW.date()
        )
        action_service.record_decision(meeting, author, data, NOW - timedelta(days=10))
    db.session.commit()
    # the notices of being assigned went out long ago: only the digest is tested here
    db.session.execute(
        db.delete(OutboxMessage).where(OutboxMessage.kind != outbox.MEETING_REMINDER)
    )
    db.session.commit()
    return second


def digests_of(user: User) -> list[OutboxMessage]:
    return [row for row in rows_of(user) if row.kind == digest.DIGEST]


def test_the_digest_goes_only_to_active_members_of_each_council(
    frozen, council, removed, owner_in_two_councils
):
    second = owner_in_two_councils
    switch_off(removed, council)

    assert digest.plan_daily_digest(NOW) == 1
    db.session.commit()

    (only,) = digests_of(removed)
    assert only.council_id == second.id
    assert f"Åtgärd i {second.slug}" in only.body
    assert f"Åtgärd i {council.slug}" not in only.body


def test_an_account_switched_off_gets_no_digest_at_all(
    frozen, council, removed, owner_in_two_councils
):
    switch_off(removed, council, "account")
    assert digest.plan_daily_digest(NOW) == 0


def test_a_measure_owner_who_left_is_not_reminded_of_the_measure(
    frozen, council, kept, removed, make_measure
):
    stale = utcnow() - timedelta(days=400)
    make_measure(council, owners=[kept, removed], updated_at=stale, next_review_date=None)
    switch_off(removed, council)

    assert digest.plan_daily_digest(NOW) == 1
    db.session.commit()
    assert digests_of(removed) == [] and len(digests_of(kept)) == 1


def test_a_digest_queued_before_the_removal_is_dropped_when_it_comes_up(
    frozen, council, removed, owner_in_two_councils, smtp, mailer
):
    second = owner_in_two_councils
    assert digest.plan_daily_digest(NOW) == 2
    db.session.commit()
    switch_off(removed, council)

    report = jobs.dispatch_due(NOW, mailer)

    assert report.dropped == 1  # (the meetings' own reminders go to their coordinators)
    statuses = {row.council_id: row.status for row in digests_of(removed)}
    assert statuses == {council.id: OutboxStatus.DROPPED, second.id: OutboxStatus.SENT}
    assert mail_to(smtp, removed) == 1 and notices_of(removed) == 1


# --- mail about the account itself ---------------------------------------------------------


def test_mail_of_no_council_is_not_held_to_a_membership(council, removed, smtp, mailer):
    """An invitation to accept or a password link goes to the account, whoever the account
    belongs to now: the service writing it decides (an invitation may reach an account that is
    switched off); only a council's mail is checked against its membership."""
    switch_off(removed, council, "account")
    email = Email(subject="Inbjudan", text="Acceptera här", html="")
    row = outbox.enqueue("invitation:test", "council_invitation", removed, email, NOW, NOW)
    db.session.commit()

    report = jobs.dispatch_due(NOW, mailer)

    assert (report.sent, report.dropped) == (1, 0)
    assert db.session.get(OutboxMessage, row.id).status is OutboxStatus.SENT
    assert mail_to(smtp, removed) == 1
