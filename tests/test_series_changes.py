"""A series that can change: a new schedule, place, invitees or reminders from a chosen
meeting on, an end, every planned meeting reachable on the list, and a first date on the
wrong weekday refused.

The series is set up on Monday 12 January 2026 (every other Tuesday at 09:00 from the 13th)
and changed on the 14th, after its first meeting: that meeting stays as it was.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import event
from sqlalchemy.orm.attributes import set_committed_value

from brott.errors import ConflictError, DomainError
from brott.extensions import db
from brott.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from brott.services import calendar as calendar_service
from brott.services import meetings as meeting_service
from brott.services import outbox
from brott.services import series_changes as service
from brott.services.mail_preferences import SERIES_INVITATION

from .conftest import hidden_value, logged_in
from .swedish import sv

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # Monday morning; the first meeting is Tuesday
CHANGED_AT = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)  # the first meeting has been held
STOCKHOLM = ZoneInfo("Europe/Stockholm")
THIRD = date(2026, 2, 10)  # the series' third meeting, where the changes start


@pytest.fixture
def make_series(make_series):
    """Set up at NOW: every other Tuesday at 09:00 from 13 January."""
    return partial(make_series, now=NOW, first=date(2026, 1, 13))


@pytest.fixture
def series(frozen, council, coordinator, member, make_series):
    made = make_series(council, invitees=[member], location="Stadshuset")
    frozen.now = CHANGED_AT
    return made


def meeting_on(day: date) -> Meeting:
    return db.session.scalars(db.select(Meeting).where(Meeting.occurrence_date == day)).one()


def local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def change_form(**overrides) -> dict:
    data = {
        "title": "EST Borlänge",
        "weekday": "1",
        "local_time": "09:00",
        "duration_minutes": "90",
        "interval_weeks": "2",
        "first_date": THIRD.isoformat(),
        "until_date": "",
        "location": "Stadshuset",
        "video_url": "",
        "reminder_hours": "48, 2",
    }
    data.update(overrides)
    return data


def open_change(client, meeting_id: int) -> str:
    page = client.get(f"/r/borlange/est/moten/{meeting_id}/serie")
    assert page.status_code == 200
    return page.text


def pending_reminders(meeting_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            db.select(OutboxMessage).where(
                OutboxMessage.meeting_id == meeting_id,
                OutboxMessage.kind == outbox.MEETING_REMINDER,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
    )


# --- a new schedule from a chosen meeting on -------------------------------------------------


def test_a_new_time_from_a_meeting_on_keeps_the_past_and_moves_the_planned_meetings(
    app, series, coordinator, member
):
    third = meeting_on(THIRD)
    third_id, first_id = third.id, meeting_on(date(2026, 1, 13)).id
    old_keys = {row.key for row in pending_reminders(third_id)}
    db.session.rollback()
    client = logged_in(app, coordinator)
    page = open_change(client, third_id)
    assert 'value="2026-02-10"' in page  # the new schedule starts at the chosen meeting

    response = client.post(
        f"/r/borlange/est/moten/{third_id}/serie",
        data=change_form(
            local_time="10:00",
            invitee_ids=[str(member.id)],
            fingerprint=hidden_value(page, "fingerprint"),
        ),
    )
    assert response.status_code == 302, response.text

    old, new = db.session.scalars(db.select(MeetingSeries).order_by(MeetingSeries.id)).all()
    assert old.until_date == THIRD - timedelta(days=1)
    assert (new.first_date, new.local_time, new.until_date) == (THIRD, time(10), None)
    # held and earlier meetings stay in the old series, as they were
    assert [m.id for m in old.meetings] == [first_id, meeting_on(date(2026, 1, 27)).id]
    assert all(local(m.starts_at).time() == time(9) for m in old.meetings)
    # planned meetings moved into the new series: same page (id), the new time
    moved = db.session.get(Meeting, third_id)
    assert moved.series_id == new.id and local(moved.starts_at).time() == time(10)
    assert all(local(m.starts_at).time() == time(10) for m in new.meetings)
    assert len(new.meetings) == 12  # 10 Feb to 14 July, every other week
    # reminders: those of 09:00 dropped, those of 10:00 planned
    pending = pending_reminders(third_id)
    assert pending and not ({row.key for row in pending} & old_keys)
    assert {row.due_at for row in pending} == {
        moved.starts_at - timedelta(hours=48),
        moved.starts_at - timedelta(hours=2),
    }
    assert {row.recipient_id for row in pending} == {coordinator.id, member.id}


def test_a_new_weekday_carries_each_meeting_to_its_week_and_a_longer_interval_cancels(
    app, series, coordinator
):
    third = meeting_on(THIRD)
    third.agenda = "Skolavslutningen"
    db.session.commit()
    change = service.change_series(
        third,
        meeting_service.SeriesData(
            weekday=2,  # Wednesday
            local_time=time(9),
            first_date=THIRD + timedelta(days=1),
            interval_weeks=4,
            location="Polishuset",
        ),
        CHANGED_AT,
        service.fingerprint(third.series),
    )
    db.session.commit()
    # 10 Feb → Wed 11 Feb (its agenda with it); 24 Feb has no slot in its week: cancelled
    assert third.occurrence_date == date(2026, 2, 11) and third.agenda == "Skolavslutningen"
    assert third.series_id == change.series.id and third.location == "Polishuset"
    skipped = meeting_on(date(2026, 2, 24))
    assert skipped.status is MeetingStatus.CANCELLED and not pending_reminders(skipped.id)
    assert change.cancelled == change.carried - 1 >= 4
    # the cancelled ones are out of sight on the list (their series ended before them)
    db.session.rollback()
    listed = logged_in(app, coordinator).get("/r/borlange/est/").text
    assert f'/est/moten/{skipped.id}"' not in listed
    assert f'/est/moten/{third.id}"' in listed


def test_a_meeting_moved_by_hand_keeps_its_own_time_in_the_new_series(series):
    third = meeting_on(THIRD)
    meeting_service.move_meeting(third, date(2026, 2, 12), time(13), CHANGED_AT, "Biblioteket")
    db.session.commit()
    service.change_series(
        third,
        meeting_service.SeriesData(weekday=1, local_time=time(10), first_date=THIRD),
        CHANGED_AT,
        service.fingerprint(third.series),
    )
    assert local(third.starts_at) == datetime(2026, 2, 12, 13, tzinfo=STOCKHOLM)
    assert third.location == "Biblioteket" and third.moved


def test_new_reminder_offsets_and_invitees_reach_the_planned_meetings(
    app, series, coordinator, member, police
):
    third = meeting_on(THIRD)
    service.change_series(
        third,
        meeting_service.SeriesData(
            weekday=1,
            local_time=time(9),
            first_date=THIRD,
            reminder_minutes=[24 * 60],
            invitee_ids=[police.id],
        ),
        CHANGED_AT,
        service.fingerprint(third.series),
    )
    db.session.commit()
    pending = pending_reminders(third.id)
    assert {row.due_at for row in pending} == {third.starts_at - timedelta(hours=24)}
    # the member is no longer invited, the police liaison is; the coordinator always gets them
    assert {row.recipient_id for row in pending} == {coordinator.id, police.id}
    # the meeting before the change keeps its reminders as they were
    kept = pending_reminders(meeting_on(date(2026, 1, 27)).id)
    assert {row.recipient_id for row in kept} == {coordinator.id, member.id}
    # the one added is told she is invited; the others were told when the series began
    invited = db.session.scalars(
        db.select(OutboxMessage.recipient_id).where(OutboxMessage.kind == SERIES_INVITATION)
    ).all()
    assert sorted(invited) == sorted([member.id, police.id])


def test_a_change_before_the_first_meeting_leaves_no_empty_series_behind(
    app, frozen, council, make_series
):
    made = make_series(council)
    first = made.meetings[0]
    change = service.change_series(
        first,
        meeting_service.SeriesData(
            weekday=1, local_time=time(11), first_date=first.occurrence_date
        ),
        NOW,
        service.fingerprint(made),
    )
    db.session.commit()
    assert db.session.scalars(db.select(MeetingSeries.id)).all() == [change.series.id]
    assert local(first.starts_at).time() == time(11)


def test_the_calendar_feed_keeps_the_past_and_follows_the_change(app, client, series, member):
    third = meeting_on(THIRD)
    service.change_series(
        third,
        meeting_service.SeriesData(weekday=3, local_time=time(10), first_date=THIRD + timedelta(2)),
        CHANGED_AT,
        service.fingerprint(third.series),
    )
    token = calendar_service.enable_feed(member)
    db.session.commit()
    feed = Calendar.from_ical(client.get(f"/kalender/{token}.ics").data)
    start = datetime(2026, 1, 1, tzinfo=STOCKHOLM)
    end = datetime(2026, 7, 1, tzinfo=STOCKHOLM)
    expanded = recurring_ical_events.of(feed).between(start, end)
    in_feed = sorted(e.start.astimezone(UTC) for e in expanded)
    in_app = db.session.scalars(
        db.select(Meeting.starts_at)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
        )
        .order_by(Meeting.starts_at)
    ).all()
    assert in_feed == [s.astimezone(UTC) for s in in_app]
    assert local(in_feed[0]) == datetime(2026, 1, 13, 9, tzinfo=STOCKHOLM)  # the past as it was
    assert local(in_feed[2]) == datetime(2026, 2, 12, 10, tzinfo=STOCKHOLM)  # Thursdays at 10


# --- ending a series -------------------------------------------------------------------------


def test_ending_a_series_cancels_the_meetings_after_the_day_and_drops_their_reminders(
    app, series, coordinator
):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    client = logged_in(app, coordinator)
    page = open_change(client, third_id)
    response = client.post(
        f"/r/borlange/est/moten/{third_id}/serie/avsluta",
        data={
            "end-last_date": "2026-02-28",
            "end-fingerprint": hidden_value(page, "end-fingerprint"),
        },
    )
    assert response.status_code == 302, response.text
    ended = db.session.get(MeetingSeries, series.id)
    assert ended.until_date == date(2026, 2, 28)
    after = [m for m in ended.meetings if m.occurrence_date > date(2026, 2, 28)]
    assert after and all(m.cancelled for m in after)
    assert not any(pending_reminders(m.id) for m in after)
    assert pending_reminders(third_id)  # 10 February still takes place
    db.session.rollback()
    listed = client.get("/r/borlange/est/").text
    assert not any(f'/est/moten/{m.id}"' in listed for m in after)


@pytest.mark.parametrize(
    ("last_date", "message"),
    [
        ("2026-01-01", "A series cannot end in the past: choose today or a later day."),
        ("", "Enter the last day of the series."),
        ("inte ett datum", "Not a valid date value."),
    ],
)
def test_a_bad_end_is_refused_at_its_field_and_ends_nothing(
    app, series, coordinator, last_date, message
):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    client = logged_in(app, coordinator)
    page = open_change(client, third_id)
    response = client.post(
        f"/r/borlange/est/moten/{third_id}/serie/avsluta",
        data={"end-last_date": last_date, "end-fingerprint": hidden_value(page, "end-fingerprint")},
    )
    assert response.status_code == 400
    assert 'id="end-last_date"' in response.text and 'aria-invalid="true"' in response.text
    if not message.startswith("Not a valid"):
        assert sv(app, message) in response.text
    assert db.session.get(MeetingSeries, series.id).until_date is None


def test_an_end_after_the_series_end_is_refused(app, series):
    service.end_series(series, date(2026, 3, 31), CHANGED_AT, service.fingerprint(series))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        service.end_series(series, date(2026, 5, 1), CHANGED_AT, service.fingerprint(series))
    assert refused.value.field == "last_date"


# --- version checks: a stale form, and two changes at once ----------------------------------


def test_a_change_from_a_stale_form_is_a_conflict_that_shows_the_series_as_saved(
    app, series, coordinator
):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    client = logged_in(app, coordinator)
    page = open_change(client, third_id)
    stale = hidden_value(page, "fingerprint")
    # someone else ends the series meanwhile
    service.end_series(series, date(2026, 6, 30), CHANGED_AT, service.fingerprint(series))
    db.session.commit()

    response = client.post(
        f"/r/borlange/est/moten/{third_id}/serie",
        data=change_form(local_time="10:00", location="Mitt nya rum", fingerprint=stale),
    )
    assert response.status_code == 409
    assert 'class="conflict"' in response.text
    assert "2026-06-30" in response.text  # what is saved now
    assert 'value="Mitt nya rum"' in response.text  # what the user typed is kept
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 1
    # the form now carries the series as saved: sent again on purpose, it goes through
    again = client.post(
        f"/r/borlange/est/moten/{third_id}/serie",
        data=change_form(
            local_time="10:00",
            until_date="2026-06-30",
            fingerprint=hidden_value(response.text, "fingerprint"),
        ),
    )
    assert again.status_code == 302


def test_two_changes_at_the_same_moment_cannot_both_pass(app, series):
    """The second change read the series before the first was saved: its conditional end
    matches no row."""
    third = meeting_on(THIRD)
    seen = service.fingerprint(series)
    service.end_series(series, date(2026, 6, 30), CHANGED_AT, seen)
    db.session.commit()
    set_committed_value(series, "until_date", None)  # what the second request had read
    with pytest.raises(ConflictError):
        service.change_series(
            third,
            meeting_service.SeriesData(weekday=1, local_time=time(10), first_date=THIRD),
            CHANGED_AT,
            seen,
        )
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 1


# --- refused input and roles -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_date": "2026-02-11"}, "first_date"),  # a Wednesday, the weekday is Tuesday
        ({"first_date": "2026-01-13"}, "first_date"),  # before the last meeting held
        ({"until_date": "2026-02-01"}, "until_date"),
        ({"reminder_hours": "inf"}, "reminder_hours"),
        ({"local_time": ""}, "local_time"),
        ({"interval_weeks": "9"}, "interval_weeks"),
    ],
)
def test_a_bad_change_is_refused_at_its_field_and_changes_nothing(
    app, series, coordinator, overrides, field
):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    client = logged_in(app, coordinator)
    page = open_change(client, third_id)
    response = client.post(
        f"/r/borlange/est/moten/{third_id}/serie",
        data=change_form(fingerprint=hidden_value(page, "fingerprint"), **overrides),
    )
    assert response.status_code == 400
    invalid = rf'aria-invalid="true"[^>]*id="{field}"|id="{field}"[^>]*aria-invalid'
    assert re.search(invalid, response.text)
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 1
    assert db.session.get(MeetingSeries, series.id).until_date is None


def test_a_series_cannot_be_changed_from_a_meeting_that_was_held(app, series, coordinator):
    first_id = meeting_on(date(2026, 1, 13)).id
    db.session.rollback()
    client = logged_in(app, coordinator)
    page = open_change(client, first_id)
    response = client.post(
        f"/r/borlange/est/moten/{first_id}/serie",
        data=change_form(first_date="2026-01-13", fingerprint=hidden_value(page, "fingerprint")),
    )
    assert response.status_code == 400
    assert sv(app, "A series can only be changed from a coming meeting.") in response.text


@pytest.mark.parametrize("role", [Role.POLICE, Role.MEMBER])
def test_only_who_manages_meetings_may_change_or_end_a_series(
    app, series, council, make_user, role
):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    client = logged_in(app, make_user(role, council))
    base = f"/r/borlange/est/moten/{third_id}/serie"
    assert client.get(base).status_code == 403
    assert client.post(base, data=change_form(local_time="10:00")).status_code == 403
    assert client.post(base + "/avsluta", data={"end-last_date": "2026-02-28"}).status_code == 403
    assert db.session.get(MeetingSeries, series.id).until_date is None


def test_a_series_of_another_council_is_a_404(app, series, make_council, make_user):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    stranger = logged_in(app, make_user(Role.ADMIN, make_council(slug="falun")))
    assert stranger.get(f"/r/falun/est/moten/{third_id}/serie").status_code == 404
    assert stranger.post(f"/r/falun/est/moten/{third_id}/serie/avsluta").status_code == 404


def test_a_reload_of_a_refused_end_goes_back_to_the_series_page(app, series, coordinator):
    third_id = meeting_on(THIRD).id
    db.session.rollback()
    reload = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{third_id}/serie/avsluta")
    assert reload.status_code == 302
    assert reload.location.endswith(f"/est/moten/{third_id}/serie#avsluta")


# --- a first date on another weekday ---------------------------------------------------------


def test_a_first_date_on_another_weekday_is_refused_and_names_both_days(
    app, frozen, council, coordinator
):
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/est/serie/ny",
        data={**change_form(first_date="2026-01-13", weekday="3"), "title": "EST"},
    )
    assert response.status_code == 200
    error = re.search(r'<div id="first_date-error">(.*?)</div>', response.text, re.S)
    assert error is not None
    assert "tisdag" in error.group(1) and "torsdag" in error.group(1)  # 13 Jan is a Tuesday
    assert "13 januari 2026" in error.group(1)
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 0


def test_the_service_refuses_a_first_date_off_the_weekday(app, frozen, council):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        meeting_service.create_series(
            council.id,
            meeting_service.SeriesData(weekday=3, local_time=time(9), first_date=date(2026, 1, 13)),
            NOW,
        )
    assert refused.value.field == "first_date"


# --- every meeting reachable -----------------------------------------------------------------


def _weekly_series(council, make_series, count: int) -> None:
    for offset in range(count):
        make_series(council, first=date(2026, 1, 13) + timedelta(days=offset), interval_weeks=1)


def test_every_planned_and_held_meeting_is_reachable_page_by_page(
    app, frozen, council, coordinator, make_series
):
    _weekly_series(council, make_series, 2)  # 52 meetings in 26 weeks
    ids = set(db.session.scalars(db.select(Meeting.id)))
    db.session.rollback()
    client = logged_in(app, coordinator)
    seen: set[int] = set()
    for page in range(1, 4):
        html = client.get(f"/r/borlange/est/?page={page}").text
        found = {int(i) for i in re.findall(r'href="/r/borlange/est/moten/(\d+)"', html)}
        assert len(found) == (20 if page < 3 else 12)
        seen |= found
    assert seen == ids
    # past the last page: the last page; not a number: the first
    assert client.get("/r/borlange/est/?page=99").text.count("/est/moten/") >= 12
    assert client.get("/r/borlange/est/?page=x").status_code == 200
    # held meetings, months later, page by page too
    frozen.now = datetime(2026, 7, 20, tzinfo=UTC)
    client = logged_in(app, coordinator)  # the login of January has long ended
    held = set()
    for page in range(1, 4):
        html = client.get(f"/r/borlange/est/?past_page={page}").text
        section = html.split('id="tidigare"', 1)[1]
        held |= {int(i) for i in re.findall(r'href="/r/borlange/est/moten/(\d+)"', section)}
    assert held == ids


def _statements(app, client, path: str) -> int:
    count = 0

    def counter(*args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_meetings_list_runs_the_same_number_of_queries_for_more_meetings(
    app, frozen, council, coordinator, make_series
):
    _weekly_series(council, make_series, 1)
    db.session.rollback()
    client = logged_in(app, coordinator)
    few = _statements(app, client, "/r/borlange/est/?page=1")
    _weekly_series(council, make_series, 3)
    db.session.rollback()
    assert _statements(app, client, "/r/borlange/est/?page=2") == few
