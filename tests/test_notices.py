"""Notices: an owner is told of an action given to them, an invitee of the series they are
invited to, and everyone who gets a meeting's reminders of its move or cancellation (with the
new calendar entry); each person chooses the e-mails the council does not require.

Mail goes over SMTP to an aiosmtpd server on loopback and is read back as received. Time is
never waited for: services and dispatches get their `now`, pages run on the frozen clock.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from brott import i18n, jobs
from brott.extensions import db
from brott.models import (
    Action,
    Meeting,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
)
from brott.services import actions as action_service
from brott.services import calendar, digest, mail_preferences, meetings, notices, outbox
from brott.services.mail_preferences import OPTIONAL, REQUIRED

from .conftest import logged_in

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Series are set up on this instant; their first meeting is Monday 13 October 2025 at 09:00.
NOW = SET_UP = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
FIRST_MONDAY = date(2025, 10, 13)
SETTINGS = "/konto"


@pytest.fixture
def make_series(make_series):
    """Series set up at SET_UP: biweekly on Mondays at 09:00 from FIRST_MONDAY."""
    return partial(make_series, now=SET_UP, first=FIRST_MONDAY)


# --- helpers -------------------------------------------------------------------------------


def rows(*criteria) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(*criteria).order_by(OutboxMessage.id))
    )


def notices_of(user: User, kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification)
            .join(OutboxMessage, OutboxMessage.id == Notification.outbox_id)
            .where(Notification.user_id == user.id, OutboxMessage.kind == kind)
        )
    )


def mail_to(smtp, user: User, kind: str) -> list:
    """The messages the server accepted for `user` whose outbox row is of `kind`."""
    ids = {row.message_id for row in rows(OutboxMessage.kind == kind)}
    return [
        r.message for r in smtp.inbox.messages if r.message_id in ids and user.email in r.rcpt_tos
    ]


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def dispatch_twice(now: datetime, mailer) -> tuple[jobs.DispatchReport, jobs.DispatchReport]:
    """Two dispatcher runs one after the other: the second must find nothing left to send."""
    return jobs.dispatch_due(now, mailer), jobs.dispatch_due(now, mailer)


def calendar_entries(message) -> tuple[str, Calendar, Calendar]:
    """The METHOD of the text/calendar alternative, that part parsed, and the invite.ics
    attachment parsed."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    attached = next(p for p in message.iter_attachments() if p.get_filename() == "invite.ics")
    assert attached.get_content_type() == "application/ics"
    return (
        part.get_param("method"),
        Calendar.from_ical(part.get_content()),
        Calendar.from_ical(attached.get_content()),
    )


def event_of(entry: Calendar):
    (event,) = entry.walk("VEVENT")
    return event


def entry_before(meeting: Meeting):
    """The meeting's calendar entry as a calendar holds it now (its download)."""
    return event_of(Calendar.from_ical(calendar.meeting_ics(meeting, SET_UP)))


def meetings_of(series_id: int) -> list[Meeting]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Meeting).where(Meeting.series_id == series_id).order_by(Meeting.starts_at)
        )
    )


def manual_action(council, author: User, owner: User, title: str = "Byt trasig lampa") -> Action:
    data = action_service.ActionData(title, owner.id, date(2025, 10, 20))
    action = action_service.record_manual(council.id, author, data, SET_UP, SET_UP.date())
    db.session.commit()
    return action


# --- an action assigned --------------------------------------------------------------------


def test_an_owner_gets_one_email_and_one_notice_of_an_action_decided_at_a_meeting(
    council, coordinator, member, smtp, mailer, make_series, make_decision
):
    meeting = make_series(council).meetings[0]
    action = make_decision(meeting, coordinator, owner=member, title="Klipp buskarna", now=SET_UP)
    assert not notices.action_assigned(action, coordinator, SET_UP)  # told already
    db.session.commit()

    first, second = dispatch_twice(SET_UP, mailer)

    assert (first.sent, second.sent) == (1, 0)
    (message,) = mail_to(smtp, member, mail_preferences.ACTION_ASSIGNED)
    assert "Klipp buskarna" in message["Subject"]
    text = plain_text(message)
    assert coordinator.name in text and "Klipp buskarna" in text
    assert f"/r/{council.slug}/atgarder" in text
    (row,) = rows(OutboxMessage.kind == mail_preferences.ACTION_ASSIGNED)
    assert row.key == f"assigned:{action.id}:{member.id}"
    (notice,) = notices_of(member, mail_preferences.ACTION_ASSIGNED)
    assert (notice.text, notice.link) == (row.subject, row.link)
    assert not mail_to(smtp, coordinator, mail_preferences.ACTION_ASSIGNED)


def test_an_action_entered_by_hand_tells_its_owner_in_their_language(
    frozen, app, council, coordinator, member, police, smtp, mailer, make_place
):
    member.locale = "en"
    db.session.commit()
    place = make_place(council, "Gångtunneln")
    client = logged_in(app, coordinator)
    for owner, title in ((member, "Report the lamp"), (police, "Patrullera tunneln")):
        db.session.rollback()
        answer = client.post(
            f"/r/{council.slug}/atgarder/ny",
            data={
                "title": title,
                "owner_id": str(owner.id),
                "due_date": "2025-10-20",
                "place_id": str(place.id),
            },
        )
        assert answer.status_code == 302, answer.text

    jobs.dispatch_due(NOW, mailer)

    (english,) = mail_to(smtp, member, mail_preferences.ACTION_ASSIGNED)
    assert english["Subject"] == "New action for you: Report the lamp"
    assert "Place: Gångtunneln" in plain_text(english)
    assert '<html lang="en">' in english.get_body(("html",)).get_content()
    (swedish,) = mail_to(smtp, police, mail_preferences.ACTION_ASSIGNED)
    assert "Plats: Gångtunneln" in plain_text(swedish)
    assert '<html lang="sv">' in swedish.get_body(("html",)).get_content()


def test_assigning_an_action_to_yourself_tells_nobody(council, coordinator, mailer):
    manual_action(council, coordinator, coordinator)

    assert not rows(OutboxMessage.kind == mail_preferences.ACTION_ASSIGNED)
    assert jobs.dispatch_due(SET_UP, mailer).sent == 0


def test_giving_an_action_to_someone_else_tells_the_new_owner_once(
    council, coordinator, member, police
):
    action = manual_action(council, coordinator, member)

    action.owner = police
    db.session.flush()
    assert notices.action_assigned(action, coordinator, SET_UP + timedelta(days=1))
    assert not notices.action_assigned(action, coordinator, SET_UP + timedelta(days=2))
    db.session.commit()

    keys = [row.key for row in rows(OutboxMessage.kind == mail_preferences.ACTION_ASSIGNED)]
    assert keys == [f"assigned:{action.id}:{member.id}", f"assigned:{action.id}:{police.id}"]


def test_the_longest_title_fits_the_subject_and_is_whole_in_the_message(
    council, coordinator, member
):
    title = "Å" * action_service.MAX_TITLE
    manual_action(council, coordinator, member, title=title)

    (row,) = rows(OutboxMessage.kind == mail_preferences.ACTION_ASSIGNED)
    assert len(row.subject) <= 300 and row.subject.endswith("…")
    assert title in row.body


# --- invited to a series ---------------------------------------------------------------------


def test_the_invitees_of_a_new_series_are_invited_once_each(
    council, coordinator, member, police, smtp, mailer, make_series
):
    series = make_series(council, invitees=[member, police], location="Stadshuset")
    assert notices.invited_to_series(series, series.invitees, SET_UP) == 0
    db.session.commit()

    first, second = dispatch_twice(SET_UP, mailer)

    assert (first.sent, second.sent) == (2, 0)
    for person in (member, police):
        (message,) = mail_to(smtp, person, mail_preferences.SERIES_INVITATION)
        text = plain_text(message)
        assert "måndag" in text and "09:00" in text and "2025-10-13" in text
        assert "Plats: Stadshuset" in text
        assert f"/r/{council.slug}/est/" in text and "/konto" in text
        assert len(notices_of(person, mail_preferences.SERIES_INVITATION)) == 1
    assert not mail_to(smtp, coordinator, mail_preferences.SERIES_INVITATION)
    keys = {row.key for row in rows(OutboxMessage.kind == mail_preferences.SERIES_INVITATION)}
    assert keys == {f"invited:{series.id}:{member.id}", f"invited:{series.id}:{police.id}"}


def test_someone_added_to_a_series_later_is_invited_once(council, member, make_user, make_series):
    series = make_series(council, invitees=[member])
    newcomer = make_user(Role.POLICE, council)

    assert notices.invited_to_series(series, [member, newcomer], SET_UP) == 1
    assert notices.invited_to_series(series, [newcomer], SET_UP) == 0
    db.session.commit()

    recipients = [r.recipient_id for r in rows(OutboxMessage.kind == "series_invitation")]
    assert sorted(recipients) == sorted([member.id, newcomer.id])


# --- a meeting moved -----------------------------------------------------------------------


def test_a_moved_meeting_tells_coordinators_and_invitees_once_with_the_new_calendar_entry(
    council, coordinator, member, police, smtp, mailer, make_series
):
    series = make_series(council, invitees=[member])
    meeting = meetings_of(series.id)[1]  # Monday 27 October, 09:00
    before = entry_before(meeting)

    for _ in range(2):  # the same call twice
        meetings.move_meeting(meeting, date(2025, 10, 29), time(13, 30), SET_UP, "Polishuset")
        db.session.commit()
    _, second = dispatch_twice(SET_UP, mailer)

    assert second.sent == 0
    assert not mail_to(smtp, police, mail_preferences.MEETING_MOVED)  # not invited
    for person in (coordinator, member):
        (message,) = mail_to(smtp, person, mail_preferences.MEETING_MOVED)
        assert "2025-10-29" in message["Subject"] and "13:30" in message["Subject"]
        assert "Plats: Polishuset" in plain_text(message)
        method, part, attached = calendar_entries(message)
        assert method == "REQUEST"
        for entry in (part, attached):
            assert str(entry["METHOD"]) == "REQUEST"
            event = event_of(entry)
            assert str(event["UID"]) == str(before["UID"])
            assert event.decoded("RECURRENCE-ID") == before.decoded("RECURRENCE-ID")
            assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
            assert event.decoded("DTSTART") == datetime(2025, 10, 29, 13, 30, tzinfo=STOCKHOLM)
            assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
            assert str(event["ORGANIZER"]).startswith("mailto:")
        assert len(notices_of(person, mail_preferences.MEETING_MOVED)) == 1


def test_a_second_move_replaces_the_unsent_notice_and_the_same_time_again_tells_nobody(
    council, coordinator, smtp, mailer, make_series
):
    meeting = meetings_of(make_series(council).id)[1]
    meetings.move_meeting(meeting, date(2025, 10, 29), time(13, 30), SET_UP, "")
    db.session.commit()
    meetings.move_meeting(meeting, date(2025, 10, 30), time(10, 0), SET_UP + timedelta(hours=1), "")
    db.session.commit()

    jobs.dispatch_due(SET_UP + timedelta(hours=1), mailer)
    meetings.move_meeting(meeting, date(2025, 10, 30), time(10, 0), SET_UP + timedelta(hours=2), "")
    db.session.commit()
    later = jobs.dispatch_due(SET_UP + timedelta(hours=2), mailer)

    assert later.sent == 0
    statuses = [row.status for row in rows(OutboxMessage.kind == mail_preferences.MEETING_MOVED)]
    assert statuses == [OutboxStatus.DROPPED, OutboxStatus.SENT]
    (message,) = mail_to(smtp, coordinator, mail_preferences.MEETING_MOVED)
    assert "2025-10-30" in message["Subject"] and "10:00" in message["Subject"]


# --- a meeting cancelled -------------------------------------------------------------------


def test_a_cancelled_meeting_tells_everyone_once_with_the_cancellation_for_their_calendar(
    frozen, app, council, coordinator, member, smtp, mailer, make_series
):
    series = make_series(council, invitees=[member])
    meeting = meetings_of(series.id)[2]
    meetings.move_meeting(meeting, date(2025, 11, 12), time(9, 0), SET_UP, "")  # not sent yet
    db.session.commit()
    before = entry_before(meeting)
    version = meeting.version
    db.session.rollback()

    client = logged_in(app, coordinator)
    url = f"/r/{council.slug}/est/moten/{meeting.id}/stall-in"
    assert client.post(url, data={"version": str(version)}).status_code == 302
    db.session.expire_all()
    meetings.cancel_meeting(db.session.get(Meeting, meeting.id), NOW)  # once more, by a script
    db.session.commit()
    _, second = dispatch_twice(NOW, mailer)

    assert second.sent == 0
    moved = rows(OutboxMessage.kind == mail_preferences.MEETING_MOVED)
    assert {row.status for row in moved} == {OutboxStatus.DROPPED}
    assert all(row.last_error == "the meeting is cancelled" for row in moved)
    for person in (coordinator, member):
        (message,) = mail_to(smtp, person, mail_preferences.MEETING_CANCELLED)
        assert "2025-11-12" in message["Subject"]
        method, part, attached = calendar_entries(message)
        assert method == "CANCEL"
        for entry in (part, attached):
            event = event_of(entry)
            assert str(entry["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
            assert str(event["UID"]) == str(before["UID"])
            assert event.decoded("RECURRENCE-ID") == before.decoded("RECURRENCE-ID")
            assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
        assert len(notices_of(person, mail_preferences.MEETING_CANCELLED)) == 1
        assert not mail_to(smtp, person, mail_preferences.MEETING_MOVED)


# --- choices -------------------------------------------------------------------------------


def test_an_email_switched_off_is_not_sent_and_its_notice_is_left(
    council, member, smtp, mailer, make_series
):
    mail_preferences.set_chosen(member, [mail_preferences.MEETING_REMINDER])
    db.session.commit()
    make_series(council, invitees=[member])

    report = jobs.dispatch_due(SET_UP, mailer)

    assert (report.sent, report.dropped) == (0, 1)
    assert not mail_to(smtp, member, mail_preferences.SERIES_INVITATION)
    (row,) = rows(OutboxMessage.kind == mail_preferences.SERIES_INVITATION)
    assert row.status is OutboxStatus.DROPPED
    assert row.last_error == "the recipient switched this e-mail off"
    (notice,) = notices_of(member, mail_preferences.SERIES_INVITATION)
    assert notice.text == row.subject
    assert jobs.dispatch_due(SET_UP, mailer).dropped == 0  # the notice is left once


def test_the_emails_the_council_requires_go_out_whatever_was_chosen(
    council, coordinator, member, smtp, mailer, make_series
):
    mail_preferences.set_chosen(member, [])
    db.session.commit()
    meeting = meetings_of(make_series(council, invitees=[member]).id)[1]
    manual_action(council, coordinator, member)
    meetings.move_meeting(meeting, date(2025, 10, 29), time(13, 30), SET_UP, "")
    db.session.commit()
    jobs.dispatch_due(SET_UP, mailer)
    meetings.cancel_meeting(meeting, SET_UP + timedelta(hours=1))
    db.session.commit()
    jobs.dispatch_due(SET_UP + timedelta(hours=1), mailer)

    for kind in mail_preferences.REQUIRED:
        assert len(mail_to(smtp, member, kind)) == 1, kind
    assert not mail_to(smtp, member, mail_preferences.SERIES_INVITATION)


def test_reminders_follow_the_choice_when_they_fall_due(
    council, coordinator, member, smtp, mailer, make_series
):
    meeting = meetings_of(make_series(council, invitees=[member]).id)[0]
    due = sorted({row.due_at for row in rows(OutboxMessage.meeting_id == meeting.id)})
    mail_preferences.set_chosen(member, [])  # after the reminders were planned
    db.session.commit()

    jobs.dispatch_due(due[0], mailer)  # 48 hours before
    assert not mail_to(smtp, member, mail_preferences.MEETING_REMINDER)
    assert len(mail_to(smtp, coordinator, mail_preferences.MEETING_REMINDER)) == 1
    assert len(notices_of(member, mail_preferences.MEETING_REMINDER)) == 1

    mail_preferences.set_chosen(member, [mail_preferences.MEETING_REMINDER])
    db.session.commit()
    jobs.dispatch_due(due[1], mailer)  # 2 hours before
    assert len(mail_to(smtp, member, mail_preferences.MEETING_REMINDER)) == 1
    assert len(notices_of(member, mail_preferences.MEETING_REMINDER)) == 2


def test_the_daily_digest_follows_the_choice(frozen, council, coordinator, member, smtp, mailer):
    manual_action(council, coordinator, member)  # due 20 October
    manual_action(council, member, coordinator)
    mail_preferences.set_chosen(member, [mail_preferences.SERIES_INVITATION])
    db.session.commit()
    day = datetime(2025, 10, 20, 5, 0, tzinfo=UTC)

    assert digest.plan_daily_digest(day) == 2
    db.session.commit()
    jobs.dispatch_due(day, mailer)

    assert not mail_to(smtp, member, digest.DIGEST)
    assert len(notices_of(member, digest.DIGEST)) == 1
    assert len(mail_to(smtp, coordinator, digest.DIGEST)) == 1


def test_a_preference_is_named_after_the_outbox_kind_of_its_messages():
    assert mail_preferences.MEETING_REMINDER == outbox.MEETING_REMINDER
    assert mail_preferences.DAILY_DIGEST == digest.DIGEST
    assert not set(mail_preferences.REQUIRED) & set(mail_preferences.OPTIONAL)


# --- the profile page ----------------------------------------------------------------------


def checked(html: str) -> set[str]:
    import re

    found = re.findall(r'<input[^>]*name="emails"[^>]*>', html)
    return {re.search(r'value="([^"]+)"', tag).group(1) for tag in found if "checked" in tag}


def test_the_profile_offers_the_optional_emails_and_names_the_required_ones(app, member):
    member.locale = "en"
    mail_preferences.set_chosen(member, [mail_preferences.DAILY_DIGEST])
    db.session.commit()

    page = logged_in(app, member).get(SETTINGS)

    assert page.status_code == 200
    assert checked(page.text) == {mail_preferences.DAILY_DIGEST}
    with i18n.language("en"):
        labels = [str(label) for label in (*REQUIRED.values(), *OPTIONAL.values())]
    assert all(label in page.text for label in labels)
    assert 'value="action_assigned"' not in page.text  # a required e-mail is not a choice


def test_switching_emails_off_and_on_in_the_profile(app, member):
    client = logged_in(app, member)
    assert checked(client.get(SETTINGS).text) == set(mail_preferences.OPTIONAL)  # all on

    answer = client.post(SETTINGS, data={"language": "sv", "emails": ["meeting_reminder"]})

    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).email_preferences == {
        "series_invitation": False,
        "meeting_reminder": True,
        "daily_digest": False,
    }
    assert checked(client.get(SETTINGS).text) == {"meeting_reminder"}
    client.post(SETTINGS, data={"language": "sv", "emails": list(mail_preferences.OPTIONAL)})
    assert checked(client.get(SETTINGS).text) == set(mail_preferences.OPTIONAL)


@pytest.mark.parametrize(
    "emails",
    [["nonsense"], ["meeting_reminder", "action_assigned"], ["x" * 5000]],
    ids=["unknown", "required", "long"],
)
def test_unknown_email_choices_are_refused_and_nothing_is_saved(app, member, emails):
    member.locale = "en"
    db.session.commit()
    client = logged_in(app, member)

    answer = client.post(SETTINGS, data={"language": "sv", "emails": emails})

    assert answer.status_code == 400
    assert "Choose among the e-mails offered." in answer.text
    db.session.expire_all()
    saved = db.session.get(User, member.id)
    assert (saved.email_preferences, saved.locale) == ({}, "en")


def test_a_visitor_can_neither_see_nor_change_any_choice(client, member):
    assert client.get(SETTINGS).status_code == 302
    answer = client.post(SETTINGS, data={"language": "en", "emails": []})

    assert answer.status_code == 302 and "/logga-in" in answer.headers["Location"]
    db.session.expire_all()
    assert db.session.get(User, member.id).email_preferences == {}
