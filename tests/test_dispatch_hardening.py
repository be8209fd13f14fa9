"""The dispatcher under a slow relay and failing marks: every message reaches the server once.

A real SMTP server on loopback receives the mail; the relay is made slow on the controlled
clock (each message takes SMTP_TIME of app time, nobody sleeps), so one run outlasts the claim
lease and a second dispatcher can run in the middle of it, from inside a send.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from brott import clock, jobs
from brott.extensions import db
from brott.mail import SmtpMailer
from brott.models import Notification, OutboxMessage, OutboxStatus, Role
from brott.services import outbox
from brott.services.emails import Email

from .security_figures import record_figure

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
SMTP_TIME = timedelta(seconds=20)  # the SMTP time-out, spent in full on every message
ROWS = 60  # more than one batch of 50


class SlowRelay:
    """A mailer whose every message takes SMTP_TIME on the app's clock; `during[n]` runs just
    before the n-th message goes out (a second dispatcher, a change to the row, …)."""

    def __init__(self, smtp, frozen) -> None:
        self.inner = SmtpMailer(smtp.host, smtp.port, timeout=10)
        self.frozen = frozen
        self.count = 0
        self.during: dict[int, object] = {}

    def send(self, message) -> None:
        self.frozen.now += SMTP_TIME
        self.count += 1
        hook = self.during.pop(self.count, None)
        if hook is not None:
            hook()
        self.inner.send(message)


def queue_rows(council, people, count: int = ROWS) -> dict[int, str]:
    """`count` due notices to the council's members; {row id: Message-ID}."""
    rows = []
    for n in range(count):
        person = people[n % len(people)]
        email = Email(subject=f"Notis {n}", text=f"Text {n}", html="")
        rows.append(
            outbox.enqueue(f"test:{n}", "notice", person, email, NOW, NOW, council_id=council.id)
        )
    db.session.commit()
    return {row.id: row.message_id for row in rows}


def statuses() -> dict[int, OutboxStatus]:
    db.session.expire_all()
    return dict(db.session.execute(db.select(OutboxMessage.id, OutboxMessage.status)).all())


@pytest.fixture
def people(make_council, make_user):
    council = make_council()
    return council, [make_user(Role.MEMBER, council) for _ in range(6)]


def claims_left() -> int:
    db.session.expire_all()
    return db.session.scalar(
        db.select(db.func.count()).where(OutboxMessage.status == OutboxStatus.SENDING)
    )


def notices_of(row_id: int) -> int:
    return db.session.scalar(db.select(db.func.count()).where(Notification.outbox_id == row_id))


class SecondDispatcher:
    """A second dispatcher run started from inside the first one's send; what it returns or
    raises is kept for the test."""

    def __init__(self, relay: SlowRelay, before=None) -> None:
        self.relay, self.before = relay, before
        self.reports: list[jobs.DispatchReport] = []
        self.errors: list[Exception] = []

    def __call__(self) -> None:
        if self.before is not None:
            self.before()
        try:
            self.reports.append(jobs.dispatch_due(clock.now(), self.relay))
        except Exception as error:
            self.errors.append(error)


# --- a slow relay: one run outlasts the lease ---------------------------------------------


@pytest.mark.security
def test_a_second_dispatcher_in_the_middle_of_a_slow_run_sends_nothing_twice(
    app, frozen, smtp, people
):
    council, members = people
    expected = queue_rows(council, members)
    relay = SlowRelay(smtp, frozen)
    second = SecondDispatcher(relay)
    # after 34 messages of 20 s the run has lasted 11 min 20 s, past the 10-minute lease
    relay.during[35] = second

    first = jobs.dispatch_due(clock.now(), relay)

    received = smtp.inbox.message_ids()
    duplicates = sum(n - 1 for n in received.values())
    record_figure(
        "reminders",
        "slow relay: messages sent / duplicates",
        f"{sum(received.values())} / {duplicates}",
    )
    assert second.errors == []
    assert received == dict.fromkeys(expected.values(), 1)
    assert clock.now() - NOW == ROWS * SMTP_TIME > outbox.CLAIM_LEASE
    assert (first.sent, second.reports[0].sent) == (35, ROWS - 35)
    assert second.reports[0].released == 0  # the first run's only claim was 20 s old
    assert first.discarded == first.errors == second.reports[0].errors == 0
    assert statuses() == dict.fromkeys(expected, OutboxStatus.SENT)
    assert claims_left() == 0
    notices = db.session.scalars(db.select(Notification.outbox_id)).all()
    assert sorted(notices) == sorted(expected)
    # each claim carries the clock's time when it was taken, not the run's start
    claimed = db.session.scalars(
        db.select(OutboxMessage.claimed_at).order_by(OutboxMessage.claimed_at)
    ).all()
    assert claimed == [NOW + n * SMTP_TIME for n in range(ROWS)]


def test_the_second_dispatcher_between_two_sends_takes_only_what_is_left(app, frozen, smtp, people):
    council, members = people
    expected = queue_rows(council, members)
    relay = SlowRelay(smtp, frozen)
    first = jobs.dispatch_due(clock.now(), relay, batch=20)  # not re-entrant: one after the
    frozen.now += outbox.CLAIM_LEASE  # other, a lease apart
    second = jobs.dispatch_due(clock.now(), relay)

    assert (first.sent, second.sent, second.released) == (ROWS, 0, 0)
    assert smtp.inbox.message_ids() == dict.fromkeys(expected.values(), 1)
    assert claims_left() == 0


# --- a claim taken over: the late result is discarded, not fatal ---------------------------


def age_claims() -> None:
    """Make every claim held now older than the lease: its holder seems to hang."""
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING)
        .values(claimed_at=clock.now() - outbox.CLAIM_LEASE - timedelta(seconds=1))
    )
    db.session.commit()


def test_a_run_whose_claim_was_taken_over_discards_its_mark_logs_it_and_goes_on(
    app, frozen, smtp, people, caplog
):
    council, members = people
    expected = queue_rows(council, members, count=5)
    relay = SlowRelay(smtp, frozen)
    # the first run hangs in its third send past the lease; a second run takes the row over
    second = SecondDispatcher(relay, before=age_claims)
    relay.during[3] = second

    first = jobs.dispatch_due(clock.now(), relay)

    assert second.errors == []
    assert second.reports[0].released == 1
    assert (first.sent, first.discarded, first.errors) == (2, 1, 0)
    assert "taken over by another dispatcher" in caplog.text
    # the row both sent is the documented at-least-once case: same Message-ID, one notice
    received = smtp.inbox.message_ids()
    assert sorted(received.values()) == [1, 1, 1, 1, 2]
    assert set(received) == set(expected.values())
    assert statuses() == dict.fromkeys(expected, OutboxStatus.SENT)
    assert claims_left() == 0
    assert all(notices_of(row_id) == 1 for row_id in expected)


class FailingRelay(SlowRelay):
    def send(self, message) -> None:
        super().send(message)
        if self.count == 1:
            raise ConnectionResetError("the relay hung up")


def test_a_failed_attempt_of_a_row_taken_over_does_not_undo_the_other_runs_delivery(
    app, frozen, smtp, people
):
    council, members = people
    (row_id,) = queue_rows(council, members, count=1)
    relay = FailingRelay(smtp, frozen)
    second = SecondDispatcher(relay, before=age_claims)
    relay.during[1] = second

    first = jobs.dispatch_due(clock.now(), relay)

    assert (first.retried, first.discarded, second.reports[0].sent) == (0, 1, 1)
    row = db.session.get(OutboxMessage, row_id)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")


# --- errors while marking or claiming one row ---------------------------------------------


def test_an_integrity_error_while_marking_one_row_does_not_stop_the_others(
    app, frozen, smtp, people, caplog
):
    council, members = people
    expected = queue_rows(council, members, count=5)
    broken = sorted(expected)[1]
    # a notice for the row exists already: writing the delivery's notice breaks the unique
    # constraint, the very error that used to end the dispatcher
    row = db.session.get(OutboxMessage, broken)
    db.session.add(
        Notification(user_id=row.recipient_id, council_id=council.id, outbox_id=broken, text="x")
    )
    db.session.commit()

    report = jobs.dispatch_due(clock.now(), SlowRelay(smtp, frozen))

    assert (report.sent, report.errors) == (5, 1)
    assert "marking outbox" in caplog.text and "IntegrityError" in caplog.text
    assert smtp.inbox.message_ids() == dict.fromkeys(expected.values(), 1)
    # the delivery is recorded without a second notice, so the row is not sent again
    assert statuses() == dict.fromkeys(expected, OutboxStatus.SENT)
    assert notices_of(broken) == 1
    assert claims_left() == 0


def test_a_database_error_in_every_mark_of_one_row_leaves_it_to_the_lease(
    app, frozen, smtp, people, monkeypatch
):
    council, members = people
    expected = queue_rows(council, members, count=4)
    broken = sorted(expected)[0]
    real_mark_sent = outbox.mark_sent

    def mark_sent(row, worker, now, notice=True):
        if row.id == broken:
            raise OperationalError("UPDATE outbox_message", {}, Exception("connection lost"))
        return real_mark_sent(row, worker, now, notice)

    monkeypatch.setattr(outbox, "mark_sent", mark_sent)
    report = jobs.dispatch_due(clock.now(), SlowRelay(smtp, frozen))
    assert (report.sent, report.errors) == (3, 1)
    assert statuses()[broken] is OutboxStatus.SENDING

    monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)
    frozen.now += outbox.CLAIM_LEASE + SMTP_TIME
    later = jobs.dispatch_due(clock.now(), SlowRelay(smtp, frozen))

    # at-least-once: the mail whose mark was lost goes out again, with the same Message-ID
    assert (later.released, later.sent) == (1, 1)
    received = smtp.inbox.message_ids()
    assert received[expected[broken]] == 2
    assert all(received[mid] == 1 for row_id, mid in expected.items() if row_id != broken)
    assert statuses() == dict.fromkeys(expected, OutboxStatus.SENT)


def test_a_database_error_while_claiming_one_row_skips_it_for_this_run_only(
    app, frozen, smtp, people, monkeypatch
):
    council, members = people
    expected = queue_rows(council, members, count=3)
    broken = sorted(expected)[0]
    real_claim = outbox.claim

    def claim(row_id, worker, now):
        if row_id == broken:
            raise OperationalError("UPDATE outbox_message", {}, Exception("deadlock detected"))
        return real_claim(row_id, worker, now)

    monkeypatch.setattr(outbox, "claim", claim)
    report = jobs.dispatch_due(clock.now(), SlowRelay(smtp, frozen), batch=1)
    assert (report.sent, report.errors) == (2, 1)
    assert statuses()[broken] is OutboxStatus.PENDING

    monkeypatch.setattr(outbox, "claim", real_claim)
    assert jobs.dispatch_due(clock.now(), SlowRelay(smtp, frozen)).sent == 1
    assert smtp.inbox.message_ids() == dict.fromkeys(expected.values(), 1)
