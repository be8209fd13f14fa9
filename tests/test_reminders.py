"""EST reminders: written ahead in the outbox, sent at their instant to a real SMTP server.

Time is never waited for: every planning and dispatch call gets its `now`. Mail goes over
SMTP to an aiosmtpd server on loopback (see smtp_server.py), so what is asserted is what a
mail server accepted.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from brott import jobs
from brott.errors import DomainError
from brott.extensions import db
from brott.mail import FileMailer, SmtpMailer, build_message, mailer_for
from brott.models import (
    Action,
    ActionStatus,
    Meeting,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Role,
    SpentToken,
)
from brott.services import digest, meetings, outbox, tokens

from .smtp_server import TRY_LATER, closed_port

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SECOND = timedelta(seconds=1)
H48, H2 = 48 * 60, 2 * 60
# Series are set up on this instant; their first meeting is Monday 13 October 2025 at 09:00.
SET_UP = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
FIRST_MONDAY = date(2025, 10, 13)

# the reminders and digests are counted here; the notices have their own tests
pytestmark = pytest.mark.usefixtures("without_notices")


@pytest.fixture
def council(make_council):
    return make_council()


@pytest.fixture
def coordinator(make_user, council):
    return make_user(Role.COORDINATOR, council)


@pytest.fixture
def make_series(make_series):
    """Series set up at SET_UP: biweekly on Mondays at 09:00 from FIRST_MONDAY."""
    return partial(make_series, now=SET_UP, first=FIRST_MONDAY)


def meetings_of(series_id: int) -> list[Meeting]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.series_id == series_id).order_by(Meeting.starts_at)
        )
    )


def rows(*criteria) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(*criteria)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    )


def offset_of(row: OutboxMessage) -> int:
    """The reminder's minutes before the meeting, as named in its key."""
    return int(row.key.split(":")[3])


def plain_text(message) -> str:
    """The text part of a multipart (text + HTML) mail."""
    return message.get_body(("plain",)).get_content()


def notifications(**filters) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).filter_by(**filters)))


# --- 1. wall-clock time across daylight saving --------------------------------------------


def test_biweekly_series_across_both_dst_changes_keeps_0900_and_reminders_fire_on_the_instant(
    council, coordinator, smtp, mailer, make_series
):
    series = make_series(council)  # Mondays, every other week, 13 Oct 2025 – 30 Mar 2026
    held = meetings_of(series.id)

    by_day = {m.occurrence_date: m for m in held}
    assert min(by_day) == FIRST_MONDAY
    # after the last Sunday of October (26 Oct 2025) and of March (29 Mar 2026)
    assert date(2025, 10, 27) in by_day
    assert date(2026, 3, 30) in by_day
    for meeting in held:
        local = meeting.starts_at.astimezone(STOCKHOLM)
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
        assert meeting.starts_at.utcoffset() == timedelta(0)
        assert meeting.starts_at.hour == (7 if local.dst() else 8)
    assert by_day[date(2025, 10, 13)].starts_at == datetime(2025, 10, 13, 7, 0, tzinfo=UTC)
    assert by_day[date(2025, 10, 27)].starts_at == datetime(2025, 10, 27, 8, 0, tzinfo=UTC)
    assert by_day[date(2026, 3, 16)].starts_at == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
    assert by_day[date(2026, 3, 30)].starts_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)

    planned = rows()
    assert len(planned) == 2 * len(held)
    starts = {m.id: m.starts_at for m in held}
    for row in planned:
        assert row.due_at == starts[row.meeting_id] - timedelta(minutes=offset_of(row))
        assert row.useful_until == starts[row.meeting_id]
    due = {(row.meeting_id, offset_of(row)): row.due_at for row in planned}
    # 48 h is 48 real hours, across the change: 10:00 summer time on Saturday 25 October,
    # 08:00 winter time on Saturday 28 March
    autumn, spring = by_day[date(2025, 10, 27)].id, by_day[date(2026, 3, 30)].id
    assert due[(autumn, H48)] == datetime(2025, 10, 25, 8, 0, tzinfo=UTC)
    assert due[(autumn, H48)].astimezone(STOCKHOLM).hour == 10
    assert due[(autumn, H2)] == datetime(2025, 10, 27, 6, 0, tzinfo=UTC)
    assert due[(spring, H48)] == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)
    assert due[(spring, H48)].astimezone(STOCKHOLM).hour == 8
    assert due[(spring, H2)] == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)

    expected = [(row.id, row.due_at, row.message_id) for row in planned]
    for sent_so_far, (row_id, due_at, message_id) in enumerate(expected):
        early = jobs.dispatch_due(due_at - SECOND, mailer)
        assert early.sent == 0
        assert len(smtp.inbox.messages) == sent_so_far, "sent before its instant"
        assert db.session.get(OutboxMessage, row_id).status is OutboxStatus.PENDING

        on_time = jobs.dispatch_due(due_at, mailer)

        assert on_time.sent == 1
        received = smtp.inbox.messages
        assert len(received) == sent_so_far + 1
        assert received[-1].message_id == message_id
        assert parsedate_to_datetime(received[-1].message["Date"]) == due_at
        assert received[-1].rcpt_tos == [coordinator.email]
        assert "kl. 09:00" in received[-1].message["Subject"]
        row = db.session.get(OutboxMessage, row_id)
        assert (row.status, row.sent_at) == (OutboxStatus.SENT, due_at)


# --- 2. who is reminded -------------------------------------------------------------------


def test_coordinators_and_invitees_get_mail_and_notice_uninvited_police_gets_nothing(
    council, make_council, make_user, smtp, mailer, make_series
):
    coordinators = [make_user(Role.COORDINATOR, council) for _ in range(2)]
    invited_member = make_user(Role.MEMBER, council)
    invited_police = make_user(Role.POLICE, council)
    police = make_user(Role.POLICE, council)
    member = make_user(Role.MEMBER, council)
    elsewhere = make_user(Role.COORDINATOR, make_council())
    series = make_series(council, invitees=[invited_member, invited_police])
    first = meetings_of(series.id)[0]
    reminders = rows(OutboxMessage.meeting_id == first.id)
    recipients = [*coordinators, invited_member, invited_police]

    for due_at in sorted({row.due_at for row in reminders}):
        jobs.dispatch_due(due_at, mailer)

    expected = {u.email for u in recipients}
    received = smtp.inbox.messages
    assert len(received) == 2 * len(recipients)
    assert {r.rcpt_tos[0] for r in received} == expected
    assert all(len(r.rcpt_tos) == 1 for r in received)
    for user in (police, member, elsewhere):
        assert not rows(OutboxMessage.recipient_id == user.id)
        assert not notifications(user_id=user.id)
        assert all(user.email not in r.rcpt_tos for r in received)
    by_message_id = {r.message_id: r for r in received}
    for row in rows(OutboxMessage.meeting_id == first.id):
        assert row.status is OutboxStatus.SENT
        mail = by_message_id[row.message_id]
        assert mail.message["Message-ID"] == row.message_id
        assert mail.message["To"] == row.recipient_email
        assert mail.rcpt_tos == [row.recipient_email]
    for user in recipients:
        notices = notifications(user_id=user.id)
        sent = rows(
            OutboxMessage.recipient_id == user.id, OutboxMessage.status == OutboxStatus.SENT
        )
        assert len(notices) == len(sent) == 2
        assert {n.outbox_id for n in notices} == {row.id for row in sent}
        assert all(n.council_id == council.id and n.link for n in notices)


# --- 4. moving and cancelling -------------------------------------------------------------


def test_moving_a_meeting_drops_its_pending_reminders_and_plans_new_ones(
    council, coordinator, make_series
):
    series = make_series(council)
    meeting = meetings_of(series.id)[1]  # Monday 27 October 09:00
    old = rows(OutboxMessage.meeting_id == meeting.id)
    old_keys = {row.key for row in old}
    assert len(old) == 2

    meetings.move_meeting(meeting, date(2025, 10, 29), time(13, 30), SET_UP, "Stadshuset")
    db.session.commit()

    new_start = datetime(2025, 10, 29, 12, 30, tzinfo=UTC)  # 13:30 winter time
    assert all(row.status is OutboxStatus.DROPPED for row in rows(OutboxMessage.key.in_(old_keys)))
    pending = rows(
        OutboxMessage.meeting_id == meeting.id, OutboxMessage.status == OutboxStatus.PENDING
    )
    assert len(pending) == 2
    assert not {row.key for row in pending} & old_keys
    assert {(offset_of(r), r.due_at) for r in pending} == {
        (H48, new_start - timedelta(hours=48)),
        (H2, new_start - timedelta(hours=2)),
    }
    assert all(r.useful_until == new_start for r in pending)
    assert "2025-10-29 kl. 13:30" in pending[0].subject
    # the body names the new time and place too, in its text and its HTML part
    for body in (pending[0].body, pending[0].html_body):
        assert "är 2025-10-29 kl. 13:30." in body and "Stadshuset" in body

    # planning again, or extending the series, writes nothing new
    total = len(rows())
    assert outbox.plan_meeting_reminders(db.session.get(Meeting, meeting.id), SET_UP) == 0
    meetings.extend_series(db.session.get(Meeting, meeting.id).series, SET_UP)
    db.session.commit()
    assert len(rows()) == total
    # and the database itself refuses a second row with the same key
    db.session.add(
        OutboxMessage(
            key=pending[0].key,
            kind=outbox.MEETING_REMINDER,
            recipient_email="x@exempel.se",
            subject="dubblett",
            body="",
            due_at=SET_UP,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_moved_away_and_back_the_meeting_has_its_reminders_again(
    council, coordinator, mailer, make_series
):
    series = make_series(council)
    meeting = meetings_of(series.id)[1]
    original = {row.key: row.due_at for row in rows(OutboxMessage.meeting_id == meeting.id)}

    meetings.move_meeting(meeting, date(2025, 10, 29), time(13, 30), SET_UP, "")
    db.session.commit()
    meetings.move_meeting(meeting, date(2025, 10, 27), time(9, 0), SET_UP, "")
    db.session.commit()

    pending = rows(
        OutboxMessage.meeting_id == meeting.id, OutboxMessage.status == OutboxStatus.PENDING
    )
    assert {row.key: row.due_at for row in pending} == original
    assert len(rows(OutboxMessage.meeting_id == meeting.id)) == 4  # 2 dropped, 2 back in use
    report = jobs.dispatch_due(min(original.values()), mailer)
    assert report.sent == 1


def test_cancelling_drops_pending_reminders_and_keeps_what_was_sent(
    council, coordinator, smtp, mailer, make_series
):
    series = make_series(council)
    meeting = meetings_of(series.id)[0]
    first_due, second_due = (row.due_at for row in rows(OutboxMessage.meeting_id == meeting.id))
    jobs.dispatch_due(first_due, mailer)  # the 48 h reminder went out

    meetings.cancel_meeting(db.session.get(Meeting, meeting.id), first_due + timedelta(hours=1))
    db.session.commit()

    statuses = [row.status for row in rows(OutboxMessage.meeting_id == meeting.id)]
    assert statuses == [OutboxStatus.SENT, OutboxStatus.DROPPED]
    assert jobs.dispatch_due(second_due, mailer).sent == 0
    assert len(smtp.inbox.messages) == 1
    assert outbox.plan_meeting_reminders(db.session.get(Meeting, meeting.id), SET_UP) == 0


# --- 5. downtime --------------------------------------------------------------------------


def test_after_downtime_reminders_of_meetings_not_yet_begun_are_sent_the_rest_missed(
    council, coordinator, make_user, smtp, mailer, make_series
):
    make_user(Role.COORDINATOR, council)
    series = make_series(council)
    first, second, third, fourth = meetings_of(series.id)[:4]
    back_up = third.starts_at - timedelta(hours=1)  # nothing ran from SET_UP until now

    report = jobs.dispatch_due(back_up, mailer)

    begun = rows(OutboxMessage.meeting_id.in_([first.id, second.id]))
    not_begun = rows(OutboxMessage.meeting_id == third.id)
    assert len(begun) == 8 and len(not_begun) == 4
    assert (report.missed, report.sent) == (8, 4)
    assert all(row.status is OutboxStatus.MISSED and row.last_error for row in begun)
    assert all(row.status is OutboxStatus.SENT for row in not_begun)
    assert smtp.inbox.message_ids() == {row.message_id: 1 for row in not_begun}
    assert {n.outbox_id for n in notifications()} == {row.id for row in not_begun}
    assert all(
        r.status is OutboxStatus.PENDING for r in rows(OutboxMessage.meeting_id == fourth.id)
    )
    problems = outbox.problems(council.id)
    assert {row.id for row in problems} == {row.id for row in begun}
    assert [row.due_at for row in problems] == sorted((r.due_at for r in begun), reverse=True)
    waiting = len(rows()) - 12
    assert outbox.status_counts(council.id) == {"missed": 8, "sent": 4, "pending": waiting}
    # the missed ones stay missed: a later run sends nothing more
    assert jobs.dispatch_due(back_up + timedelta(minutes=5), mailer).sent == 0


# --- 6. the mail server refuses or is down --------------------------------------------------


@pytest.fixture(params=["451", "down"])
def outage(request, smtp):
    """Make the mail server refuse with 451 or be unreachable; returns the failing mailer."""
    if request.param == "451":
        smtp.inbox.refuse = TRY_LATER
        yield SmtpMailer(smtp.host, smtp.port, timeout=10), "451"
        smtp.inbox.refuse = None
    else:
        yield SmtpMailer("127.0.0.1", closed_port(), timeout=10), "ConnectionRefusedError"


def first_reminder(series) -> OutboxMessage:
    first = meetings_of(series.id)[0]
    return rows(OutboxMessage.meeting_id == first.id)[0]


def test_a_refused_send_is_retried_after_backoff_and_sent_once_when_the_server_is_back(
    council, coordinator, smtp, mailer, outage, make_series
):
    failing, error_text = outage
    row = first_reminder(make_series(council))
    row_id, due_at, message_id = row.id, row.due_at, row.message_id

    report = jobs.dispatch_due(due_at, failing)

    row = db.session.get(OutboxMessage, row_id)
    assert (report.sent, report.retried) == (0, 1)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.due_at == due_at + outbox.backoff(1)
    assert error_text in row.last_error
    assert row.claimed_by is None
    assert not notifications()

    smtp.inbox.refuse = None  # the server is back
    retry_at = due_at + outbox.backoff(1)
    assert jobs.dispatch_due(retry_at - SECOND, mailer).sent == 0
    assert jobs.dispatch_due(retry_at, mailer).sent == 1
    assert jobs.dispatch_due(retry_at + timedelta(minutes=5), mailer).sent == 0

    row = db.session.get(OutboxMessage, row_id)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")
    assert smtp.inbox.message_ids() == {message_id: 1}
    assert len(notifications(outbox_id=row_id)) == 1


def test_after_max_attempts_the_row_is_failed_and_shown_as_a_problem(
    council, coordinator, smtp, outage, make_series
):
    failing, error_text = outage
    row = first_reminder(make_series(council))
    row_id, now = row.id, row.due_at

    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        report = jobs.dispatch_due(now, failing)
        assert report.retried == 1
        row = db.session.get(OutboxMessage, row_id)
        assert row.attempts == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert row.status is OutboxStatus.PENDING
            assert row.due_at == now + outbox.backoff(attempt)
            now = row.due_at

    assert row.status is OutboxStatus.FAILED
    assert error_text in row.last_error
    assert [p.id for p in outbox.problems(council.id)] == [row_id]
    smtp.inbox.refuse = None
    assert jobs.dispatch_due(now + timedelta(hours=1), SmtpMailer(smtp.host, smtp.port)).sent == 0
    assert smtp.inbox.messages == []


def test_a_retry_that_would_come_after_the_meeting_began_is_missed(
    council, coordinator, outage, make_series
):
    failing, _ = outage
    series = make_series(council)
    first = meetings_of(series.id)[0]
    late = first.starts_at - timedelta(seconds=30)  # the 2 h reminder, sent very late

    jobs.dispatch_due(late, failing)

    assert {row.status for row in rows(OutboxMessage.meeting_id == first.id)} == {
        OutboxStatus.MISSED
    }
    assert len(outbox.problems(council.id)) == 2


# --- 7. crash between the server's acceptance and the sent mark ---------------------------


def test_a_send_whose_sent_mark_was_lost_is_sent_again_with_the_same_message_id(
    app, council, coordinator, smtp, mailer, make_series
):
    row = first_reminder(make_series(council))
    row_id, now, message_id = row.id, row.due_at, row.message_id
    # a dispatcher claims the row, the server accepts the mail, and the process dies
    assert outbox.claim(row_id, "crashed:1", now)
    db.session.commit()
    mailer.send(build_message(db.session.get(OutboxMessage, row_id), app.config["MAIL_SENDER"]))
    db.session.rollback()

    within_lease = jobs.dispatch_due(now + outbox.CLAIM_LEASE - timedelta(minutes=1), mailer)
    assert (within_lease.sent, within_lease.released) == (0, 0)
    assert db.session.get(OutboxMessage, row_id).status is OutboxStatus.SENDING

    later = now + outbox.CLAIM_LEASE + timedelta(minutes=1)
    report = jobs.dispatch_due(later, mailer)

    assert (report.released, report.sent) == (1, 1)
    received = smtp.inbox.messages
    assert len(received) == 2
    assert received[0].message["Message-ID"] == received[1].message["Message-ID"] == message_id
    row = db.session.get(OutboxMessage, row_id)
    assert (row.status, row.sent_at) == (OutboxStatus.SENT, later)
    assert len(notifications(outbox_id=row_id)) == 1


# --- 8. the daily digest and its one-click links --------------------------------------------

DIGEST_AT = datetime(2025, 10, 22, 5, 0, tzinfo=UTC)  # Wednesday 07:00 in Stockholm
URL = re.compile(r"https?://\S+")


@pytest.fixture
def digest_case(
    app, council, coordinator, make_user, make_measure, monkeypatch, make_series, make_decision
):
    """An owner with actions and measures, some of them needing attention on DIGEST_AT."""
    monkeypatch.setitem(app.config, "NOW", lambda: DIGEST_AT)  # tokens are signed then
    owner = make_user(Role.MEMBER, council)
    idle = make_user(Role.MEMBER, council)
    meeting = meetings_of(make_series(council).id)[0]  # 13 October

    def action(title: str, due: date, status=ActionStatus.OPEN, who=owner) -> Action:
        made = make_decision(meeting, coordinator, who, title, due, now=SET_UP, commit=False)
        made.status = status
        return made

    action("Ring fastighetsägaren", date(2025, 10, 23))  # due tomorrow
    action("Beskär buskaget vid skolan", date(2025, 10, 20))  # overdue
    action("Boka trygghetsvandring", date(2025, 10, 30))  # later
    action("Klar sedan länge", date(2025, 10, 20), ActionStatus.DONE)
    action("Inget för nu", date(2025, 11, 20), who=idle)
    fresh = DIGEST_AT - timedelta(days=1)
    make_measure(
        council,
        owners=[owner],
        title="Belysning i gångtunneln",
        next_review_date=date(2025, 10, 21),
        updated_at=fresh,
    )
    make_measure(
        council, owners=[owner], title="Grannsamverkan", updated_at=DIGEST_AT - timedelta(days=31)
    )
    make_measure(
        council,
        owners=[owner, idle],
        title="Färsk insats",
        next_review_date=date(2025, 11, 1),
        updated_at=fresh,
    )
    db.session.commit()
    return owner


def test_daily_digest_is_queued_once_and_lists_what_needs_attention(
    app, council, digest_case, smtp, mailer
):
    owner = digest_case

    assert digest.plan_daily_digest(DIGEST_AT) == 1
    db.session.commit()
    assert digest.plan_daily_digest(DIGEST_AT) == 0
    assert digest.plan_daily_digest(DIGEST_AT + timedelta(hours=12)) == 0  # same local day
    db.session.commit()

    queued = rows(OutboxMessage.kind == digest.DIGEST)
    assert [row.recipient_id for row in queued] == [owner.id]
    assert jobs.dispatch_due(DIGEST_AT, mailer).sent == 1
    assert jobs.dispatch_due(DIGEST_AT + timedelta(hours=1), mailer).sent == 0
    (received,) = smtp.inbox.messages
    assert received.rcpt_tos == [owner.email]
    assert received.message_id == queued[0].message_id
    body = plain_text(received.message)
    assert "Ring fastighetsägaren (klar senast 2025-10-23)" in body  # due by, not done on
    assert "FÖRSENAD – Beskär buskaget vid skolan" in body
    assert "Belysning i gångtunneln – uppföljning planerad 2025-10-21" in body
    assert "Grannsamverkan – ingen uppdatering på länge" in body
    for absent in ("Boka trygghetsvandring", "Klar sedan länge", "Färsk insats", "Inget för nu"):
        assert absent not in body
    assert len(notifications(user_id=owner.id)) == 1


def one_click_paths(app, body: str) -> list[str]:
    base = app.config["PUBLIC_URL"].rstrip("/")
    urls = [url for url in URL.findall(body) if "/atgard/" in url]
    assert urls and all(url.startswith(base + "/atgard/") for url in urls)
    return [url.removeprefix(base) for url in urls]


def action_state() -> list[tuple]:
    db.session.expire_all()
    return [
        (a.id, a.status, a.status_comment, a.updated_at, a.closed_at)
        for a in db.session.scalars(sa.select(Action).order_by(Action.id))
    ]


def spent_tokens() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SpentToken))


def test_one_click_links_in_the_digest_change_nothing_on_get(
    app, client, digest_case, smtp, mailer, monkeypatch
):
    digest.plan_daily_digest(DIGEST_AT)
    db.session.commit()
    jobs.dispatch_due(DIGEST_AT, mailer)
    paths = one_click_paths(app, plain_text(smtp.inbox.messages[0].message))
    assert len(paths) == 4  # done and delayed, for the two actions in the digest
    before = action_state()

    for path in paths:
        for _ in range(2):
            page = client.get(path)
            assert page.status_code == 200
            assert "Inget ändras förrän du bekräftar" in page.text

    monkeypatch.setitem(app.config, "NOW", lambda: DIGEST_AT + timedelta(days=8))
    expired = client.get(paths[0])
    assert expired.status_code == 410
    assert "gått ut" in expired.text
    assert action_state() == before
    assert spent_tokens() == 0


def test_one_click_tokens_name_action_and_status_are_single_use_and_expire(
    app, digest_case, smtp, mailer, monkeypatch
):
    digest.plan_daily_digest(DIGEST_AT)
    db.session.commit()
    jobs.dispatch_due(DIGEST_AT, mailer)
    tokens_in_mail = [p.removeprefix("/atgard/") for p in one_click_paths(app, _body(smtp))]
    links = [tokens.read_action_link(token) for token in tokens_in_mail]
    titles = {(link.action.title, link.status) for link in links}
    assert titles == {
        (title, status)
        for title in ("Ring fastighetsägaren", "Beskär buskaget vid skolan")
        for status in (ActionStatus.DONE, ActionStatus.DELAYED)
    }
    assert len({link.token_id for link in links}) == 4

    first = links[0]
    tokens.spend(first.token_id, DIGEST_AT)
    db.session.commit()
    with pytest.raises(DomainError, match="redan använd"):
        tokens.spend(first.token_id, DIGEST_AT)
    db.session.rollback()
    db.session.remove()  # a later request, in a session of its own
    with pytest.raises(DomainError, match="redan använd"):
        tokens.spend(first.token_id, DIGEST_AT)
    db.session.rollback()
    with pytest.raises(DomainError, match="redan använd"):
        tokens.read_action_link(tokens_in_mail[0])
    assert tokens.read_action_link(tokens_in_mail[1]).token_id == links[1].token_id

    monkeypatch.setitem(app.config, "NOW", lambda: DIGEST_AT + timedelta(days=8))
    with pytest.raises(DomainError, match="gått ut"):
        tokens.read_action_link(tokens_in_mail[1])
    with pytest.raises(DomainError, match="ogiltig"):
        tokens.read_action_link(tokens_in_mail[1][:-2] + "xx")


def _body(smtp) -> str:
    (received,) = smtp.inbox.messages
    return plain_text(received.message)


# --- 9. without a mail server: .eml files -------------------------------------------------


def test_without_smtp_each_message_is_written_as_one_eml_file(
    council, coordinator, tmp_path, make_series
):
    series = make_series(council)
    first = meetings_of(series.id)[0]
    due = rows(OutboxMessage.meeting_id == first.id)
    directory = tmp_path / "outbox"

    for row in due:
        jobs.dispatch_due(row.due_at, FileMailer(directory))
    jobs.dispatch_due(first.starts_at, FileMailer(directory))

    files = sorted(directory.glob("*.eml"))
    assert len(files) == len(due) == 2
    written = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert {m["Message-ID"] for m in written} == {row.message_id for row in due}
    assert {m["To"] for m in written} == {coordinator.email}
    assert all(r.status is OutboxStatus.SENT for r in rows(OutboxMessage.meeting_id == first.id))


def test_the_configured_mailer_is_smtp_with_a_server_else_files_in_the_instance_folder(
    app, monkeypatch
):
    default = mailer_for(app)
    assert isinstance(default, FileMailer)
    assert default.directory == Path(app.instance_path) / "outbox"

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 2525)
    smtp = mailer_for(app)
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port) == ("127.0.0.1", 2525)
