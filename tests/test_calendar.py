"""Calendar exports: a meeting's .ics, the private feed, its link, and who may get them."""

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import sqlalchemy as sa
from icalendar import Calendar
from sqlalchemy import event

from brott.extensions import db
from brott.models import ActionStatus, Meeting, MeetingStatus, Membership, Role, User
from brott.services import actions as action_service
from brott.services import calendar as service
from brott.services.meetings import HORIZON, cancel_meeting, move_meeting

from .conftest import PASSWORD, hidden_value, logged_in

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# a Thursday before the first meeting; the horizon then reaches past both DST changes
SET_UP_AT = datetime(2026, 10, 8, 8, 0, tzinfo=UTC)
FIRST_TUESDAY = date(2026, 10, 13)


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture
def council(make_council):
    return make_council(slug="falun", name="Faluns brottsförebyggande råd")


@pytest.fixture
def member(make_user, council):
    return make_user(Role.MEMBER, council, name="Maja Medlem")


@pytest.fixture
def coordinator(make_user, council):
    return make_user(Role.COORDINATOR, council, name="Sam Samordnare")


@pytest.fixture
def make_series(make_series):
    """Biweekly Tuesday 09:00 series from FIRST_TUESDAY, materialised from SET_UP_AT."""
    return partial(make_series, now=SET_UP_AT, first=FIRST_TUESDAY)


@pytest.fixture
def make_decision(make_decision):
    """Decisions recorded at SET_UP_AT."""
    return partial(make_decision, now=SET_UP_AT)


def meeting_on(series, day: date) -> Meeting:
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.series_id == series.id, Meeting.occurrence_date == day)
    ).one()


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def token_of(user: User) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user.id).calendar_token


def feed_path(token: str) -> str:
    return f"/kalender/{token}.ics"


@pytest.fixture
def fixed_clock(app):
    """The app's clock stopped at SET_UP_AT (DTSTAMPs then match between downloads)."""
    before = app.config.get("NOW")
    app.config["NOW"] = lambda: SET_UP_AT
    yield SET_UP_AT
    app.config["NOW"] = before


# --- one meeting as .ics ------------------------------------------------------------------


def test_meeting_ics_is_a_valid_calendar_with_timezone_alarm_and_stable_uid(
    app, council, member, fixed_clock, make_series
):
    series = make_series(council, location="Rådhuset", reminder_minutes=[48 * 60, 90])
    meeting = meeting_on(series, FIRST_TUESDAY)
    client = logged_in(app, member)
    url = f"/r/falun/est/moten/{meeting.id}.ics"

    first = client.get(url)

    assert first.status_code == 200
    assert first.content_type == "text/calendar; charset=utf-8"
    assert first.headers["Content-Disposition"] == 'attachment; filename="est-mote-2026-10-13.ics"'
    calendar = parse(first.data)
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Stockholm"
    [vevent] = events(calendar)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert vevent["DTEND"].params["TZID"] == "Europe/Stockholm"
    assert vevent.start == datetime(2026, 10, 13, 9, 0, tzinfo=STOCKHOLM)
    assert vevent.end - vevent.start == timedelta(minutes=90)
    assert str(vevent["LOCATION"]) == "Rådhuset"
    assert f"http://127.0.0.1:5000/r/falun/est/moten/{meeting.id}" in str(vevent["DESCRIPTION"])
    [alarm] = vevent.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-90)  # the series' last reminder

    # moved, the same meeting keeps its UID, so importing it again updates the event
    move_meeting(meeting, date(2026, 10, 15), time(13, 0), SET_UP_AT, "Stadshuset")
    db.session.commit()
    second = parse(client.get(url).data)
    [moved] = events(second)
    assert moved["UID"] == vevent["UID"] == f"est-series-{series.id}@brott"
    assert moved["RECURRENCE-ID"].dt == vevent["RECURRENCE-ID"].dt == vevent.start
    assert moved["SEQUENCE"] > vevent["SEQUENCE"]
    assert moved.start == datetime(2026, 10, 15, 13, 0, tzinfo=STOCKHOLM)
    assert str(moved["LOCATION"]) == "Stadshuset"


def test_a_cancelled_meeting_downloads_as_cancelled_without_alarm(
    app, council, member, fixed_clock, make_series
):
    series = make_series(council)
    meeting = meeting_on(series, FIRST_TUESDAY)
    cancel_meeting(meeting, SET_UP_AT)
    db.session.commit()

    response = logged_in(app, member).get(f"/r/falun/est/moten/{meeting.id}.ics")

    [vevent] = events(parse(response.data))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["SUMMARY"]).startswith("INSTÄLLT:")
    assert vevent.walk("VALARM") == []


def test_anonymous_meeting_ics_redirects_to_login(app, client, council, make_series):
    meeting = meeting_on(make_series(council), FIRST_TUESDAY)

    response = client.get(f"/r/falun/est/moten/{meeting.id}.ics")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


def test_member_of_another_council_gets_404_on_meeting_ics(
    app, council, make_council, make_user, make_series
):
    meeting = meeting_on(make_series(council), FIRST_TUESDAY)
    other = make_council(slug="borlange")
    outsider = make_user(Role.COORDINATOR, other)
    client = logged_in(app, outsider)

    # neither through the meeting's council nor through their own
    for url in (
        f"/r/falun/est/moten/{meeting.id}.ics",
        f"/r/borlange/est/moten/{meeting.id}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Sidan finns inte" in response.text


def test_meeting_ics_of_an_unknown_meeting_is_404(app, council, member):
    response = logged_in(app, member).get("/r/falun/est/moten/999999.ics")
    assert response.status_code == 404


def test_inactive_membership_gets_404_on_meeting_ics(app, council, member, make_series):
    meeting = meeting_on(make_series(council), FIRST_TUESDAY)
    client = logged_in(app, member)
    db.session.execute(
        sa.update(Membership).where(Membership.user_id == member.id).values(active=False)
    )
    db.session.commit()

    assert client.get(f"/r/falun/est/moten/{meeting.id}.ics").status_code == 404


# --- the feed ----------------------------------------------------------------------------


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), STOCKHOLM)


def test_feed_expands_to_exactly_the_apps_meetings_across_daylight_saving(
    app, client, council, member, fixed_clock, make_series
):
    series = make_series(council)
    # moved across the October change: its slot is 09:00 CEST, its new time 10:00 CET
    moved = meeting_on(series, FIRST_TUESDAY)
    move_meeting(moved, date(2026, 10, 29), time(10, 0), SET_UP_AT, "Stadshuset")
    cancel_meeting(meeting_on(series, date(2026, 12, 8)), SET_UP_AT)
    token = service.enable_feed(member)
    db.session.commit()

    calendar = parse(client.get(feed_path(token)).data)
    window_start = local_midnight(FIRST_TUESDAY - timedelta(days=7))
    # the last day the app has materialised, exclusive
    window_end = local_midnight(SET_UP_AT.astimezone(STOCKHOLM).date() + HORIZON)
    expanded = recurring_ical_events.of(calendar).between(window_start, window_end)

    app_starts = db.session.scalars(
        sa.select(Meeting.starts_at)
        .where(
            Meeting.series_id == series.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at >= window_start,
            Meeting.starts_at < window_end,
        )
        .order_by(Meeting.starts_at)
    ).all()
    feed_starts = sorted(e.start.astimezone(UTC) for e in expanded)
    assert feed_starts == [s.astimezone(UTC) for s in app_starts]
    assert len(feed_starts) >= 10

    moved_start = datetime(2026, 10, 29, 10, 0, tzinfo=STOCKHOLM)
    regular = [e.start.astimezone(STOCKHOLM) for e in expanded if e.start != moved_start]
    assert all(s.time() == time(9, 0) and s.weekday() == 1 for s in regular)
    # both sides of both daylight-saving changes are in the window
    assert {s.utcoffset() for s in regular} == {timedelta(hours=1), timedelta(hours=2)}
    assert {date(2026, 10, 27), date(2027, 3, 30)} <= {s.date() for s in regular}
    assert date(2026, 12, 8) not in {s.date() for s in regular}
    assert FIRST_TUESDAY not in {s.date() for s in regular}
    [moved_event] = [e for e in expanded if e.start == moved_start]
    assert str(moved_event["LOCATION"]) == "Stadshuset"
    assert f"/r/falun/est/moten/{moved.id}" in str(moved_event["DESCRIPTION"])


def test_feed_is_one_recurring_event_per_series_with_exdate_and_override(
    app, client, council, member, fixed_clock, make_series
):
    series = make_series(council, until_date=date(2027, 1, 31))
    moved = meeting_on(series, date(2026, 10, 27))
    move_meeting(moved, date(2026, 10, 29), time(13, 0), SET_UP_AT, "")
    cancel_meeting(meeting_on(series, date(2026, 12, 8)), SET_UP_AT)
    token = service.enable_feed(member)
    db.session.commit()

    body = client.get(feed_path(token)).data
    calendar = parse(body)

    master, override = events(calendar)
    uid = f"est-series-{series.id}@brott"
    assert master["UID"] == override["UID"] == uid
    rule = master["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2] and rule["BYDAY"] == ["TU"]
    assert rule["UNTIL"][0].astimezone(STOCKHOLM).date() == date(2027, 1, 31)
    assert master["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert master.start == datetime(2026, 10, 13, 9, 0, tzinfo=STOCKHOLM)
    assert master.walk("VALARM")
    assert b"EXDATE;TZID=Europe/Stockholm:20261208T090000" in body
    assert override["RECURRENCE-ID"].dt == datetime(2026, 10, 27, 9, 0, tzinfo=STOCKHOLM)
    assert override.start == datetime(2026, 10, 29, 13, 0, tzinfo=STOCKHOLM)
    assert override.walk("VALARM")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    # a later expansion ends at the until date
    later = recurring_ical_events.of(calendar).between(
        local_midnight(date(2027, 1, 1)), local_midnight(date(2027, 6, 1))
    )
    assert [e.start.date() for e in later] == [date(2027, 1, 5), date(2027, 1, 19)]


def test_feed_uids_are_stable_between_fetches(
    app, client, council, member, fixed_clock, make_series
):
    series = make_series(council)
    move_meeting(meeting_on(series, FIRST_TUESDAY), FIRST_TUESDAY, time(11), SET_UP_AT, "")
    token = service.enable_feed(member)
    db.session.commit()

    first = client.get(feed_path(token))
    second = client.get(feed_path(token))

    assert first.status_code == second.status_code == 200
    assert first.content_type == "text/calendar; charset=utf-8"
    assert "no-store" in first.headers["Cache-Control"]
    assert first.data == second.data  # same clock, same data: byte for byte the same
    uids = [str(e["UID"]) for e in events(parse(first.data))]
    assert uids == [f"est-series-{series.id}@brott"] * 2


def test_feed_holds_the_users_open_actions_as_all_day_events(
    app, client, council, member, coordinator, fixed_clock, make_series, make_decision, make_place
):
    series = make_series(council)
    meeting = meeting_on(series, FIRST_TUESDAY)
    decide = partial(make_decision, meeting, coordinator, place=make_place(council, "Centrum"))

    open_action = decide(member, "Belysning vid busshållplatsen", date(2026, 10, 20))
    delayed = decide(member, "Klotter i gångtunneln", date(2026, 10, 27))
    done = decide(member, "Kontakta Jernhusen", date(2026, 10, 14))
    decide(coordinator, "Samordnarens egen", date(2026, 10, 15))
    action_service.set_action_status(delayed, ActionStatus.DELAYED, "Väntar", SET_UP_AT)
    action_service.set_action_status(done, ActionStatus.DONE, "", SET_UP_AT)
    token = service.enable_feed(member)
    db.session.commit()

    calendar = parse(client.get(feed_path(token)).data)

    actions = {str(e["UID"]): e for e in events(calendar) if str(e["UID"]).startswith("action")}
    assert set(actions) == {f"action-{open_action.id}@brott", f"action-{delayed.id}@brott"}
    event_ = actions[f"action-{open_action.id}@brott"]
    assert event_.start == date(2026, 10, 20)
    assert event_["DTSTART"].params["VALUE"] == "DATE"
    assert event_.end == date(2026, 10, 21)
    assert str(event_["TRANSP"]) == "TRANSPARENT"
    assert "Belysning vid busshållplatsen" in str(event_["SUMMARY"])
    assert str(event_["LOCATION"]) == "Centrum"
    assert "Status: Försenad" in str(actions[f"action-{delayed.id}@brott"]["DESCRIPTION"])


def test_feed_holds_only_councils_with_an_active_membership(
    app, client, council, member, make_council, fixed_clock, make_series
):
    own = make_series(council)
    elsewhere = make_council(slug="borlange")
    foreign = make_series(elsewhere)
    left = make_council(slug="ludvika")
    left_series = make_series(left)
    db.session.add(Membership(user=member, council=left, role=Role.MEMBER, active=False))
    token = service.enable_feed(member)
    db.session.commit()

    uids = {str(e["UID"]) for e in events(parse(client.get(feed_path(token)).data))}

    assert uids == {f"est-series-{own.id}@brott"}
    assert foreign.id != own.id and left_series.id != own.id


def test_feed_runs_the_same_number_of_queries_for_more_series_and_actions(
    app, client, council, member, coordinator, fixed_clock, make_series, make_decision, make_place
):
    token = service.enable_feed(member)
    meeting = meeting_on(make_series(council), FIRST_TUESDAY)
    make_decision(meeting, coordinator, member, "Åtgärd", FIRST_TUESDAY, make_place(council))
    few = _statements(client, feed_path(token))

    for weekday in (2, 3):  # Wednesday and Thursday of the first week, at 14:00
        series = make_series(
            council, first=FIRST_TUESDAY + timedelta(days=weekday - 1), at=time(14)
        )
        first = series.meetings[0]
        move_meeting(first, first.occurrence_date, time(15), SET_UP_AT, "")
        cancel_meeting(series.meetings[1], SET_UP_AT)
        # each action at a place of its own: places must not be fetched one by one
        make_decision(
            first, coordinator, member, "Åtgärd", first.occurrence_date, make_place(council)
        )
    db.session.commit()

    assert _statements(client, feed_path(token)) == few


def _statements(client, url: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements)


def test_feed_without_meetings_or_actions_is_still_a_valid_calendar(app, client, member):
    token = service.enable_feed(member)
    db.session.commit()

    calendar = parse(client.get(feed_path(token)).data)

    assert events(calendar) == []
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


# --- the private link --------------------------------------------------------------------


def test_feed_link_can_be_switched_on_rotated_and_switched_off(app, client, member):
    account = logged_in(app, member)
    assert "avstängt" in account.get("/konto/kalender").text
    assert client.get(feed_path("inget-sadant-token")).status_code == 404

    response = account.post("/konto/kalender", data={"operation": "enable"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/konto/kalender"
    first = token_of(member)
    assert first and len(first) >= 40
    page = account.get("/konto/kalender").text
    assert "Kalenderflödet är påslaget." in page
    assert f"http://127.0.0.1:5000/kalender/{first}.ics" in page
    assert client.get(feed_path(first)).status_code == 200  # no login needed

    account.post("/konto/kalender", data={"operation": "enable"})
    second = token_of(member)
    assert second and second != first
    old = client.get(feed_path(first))
    assert old.status_code == 404
    assert "Sidan finns inte" in old.text
    assert client.get(feed_path(second)).status_code == 200
    assert "Den gamla länken fungerar inte längre" in account.get("/konto/kalender").text

    response = account.post("/konto/kalender", data={"operation": "disable"})
    assert response.status_code == 302
    assert token_of(member) is None
    assert client.get(feed_path(second)).status_code == 404
    assert "Kalenderflödet är avstängt" in account.get("/konto/kalender").text


def test_a_deactivated_users_feed_is_404(app, client, member):
    token = service.enable_feed(member)
    db.session.commit()
    assert client.get(feed_path(token)).status_code == 200

    db.session.execute(sa.update(User).where(User.id == member.id).values(active=False))
    db.session.commit()

    assert client.get(feed_path(token)).status_code == 404


def test_calendar_page_needs_login(client):
    for method in ("GET", "POST"):
        response = client.open("/konto/kalender", method=method, data={"operation": "enable"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/logga-in")


@pytest.mark.parametrize("data", [{"operation": "delete-everything"}, {}])
def test_unknown_operation_is_refused_in_swedish(app, member, data):
    account = logged_in(app, member)
    service.enable_feed(member)
    db.session.commit()
    before = token_of(member)

    response = account.post("/konto/kalender", data=data)

    assert response.status_code == 400
    assert "Okänt val" in response.text or "Välj vad som ska göras" in response.text
    assert token_of(member) == before


# --- CSRF --------------------------------------------------------------------------------


def test_calendar_posts_without_csrf_token_are_refused(csrf_app, member):
    client = csrf_app.test_client()
    token = hidden_value(client.get("/logga-in").text, "csrf_token")
    client.post(
        "/logga-in", data={"email": member.email, "password": PASSWORD, "csrf_token": token}
    )

    response = client.post("/konto/kalender", data={"operation": "enable"})

    assert response.status_code == 400
    assert "Felaktig begäran" in response.text
    assert token_of(member) is None

    page = client.get("/konto/kalender").text
    response = client.post(
        "/konto/kalender",
        data={"operation": "enable", "csrf_token": hidden_value(page, "csrf_token")},
    )
    assert response.status_code == 302
    assert token_of(member) is not None


def test_a_meeting_has_one_uid_and_a_rising_sequence_in_the_download_and_the_feed(
    app, council, member, coordinator, fixed_clock, make_series
):
    series = make_series(council)
    meeting = meeting_on(series, date(2026, 10, 27))
    cancelled = meeting_on(series, date(2026, 11, 10))
    token = service.enable_feed(member)
    db.session.commit()
    client = logged_in(app, member)
    slot = datetime(2026, 10, 27, 9, 0, tzinfo=STOCKHOLM)

    def download():
        [event] = events(parse(client.get(f"/r/falun/est/moten/{meeting.id}.ics").data))
        return event

    def feed():
        return events(parse(client.get(feed_path(token)).data))

    before_download, before_feed = download(), feed()
    master_before = before_feed[0]
    assert before_download["UID"] == master_before["UID"] == f"est-series-{series.id}@brott"
    assert before_download["RECURRENCE-ID"].dt == slot
    assert before_download["SEQUENCE"] == master_before["SEQUENCE"] == 0

    move_meeting(
        db.session.get(Meeting, meeting.id), date(2026, 10, 29), time(13, 0), SET_UP_AT, ""
    )
    cancel_meeting(db.session.get(Meeting, cancelled.id), SET_UP_AT)
    db.session.commit()

    after_download, after_feed = download(), feed()
    master_after, override = after_feed
    assert after_download["UID"] == override["UID"] == master_after["UID"]
    assert after_download["RECURRENCE-ID"].dt == override["RECURRENCE-ID"].dt == slot
    assert after_download["SEQUENCE"] == override["SEQUENCE"] > before_download["SEQUENCE"]
    assert master_after["SEQUENCE"] > master_before["SEQUENCE"]  # a new EXDATE
    assert after_download.start == override.start == datetime(2026, 10, 29, 13, 0, tzinfo=STOCKHOLM)
    # expanded, the feed holds the moved meeting once at its new time, the cancelled not at all
    expanded = recurring_ical_events.of(Calendar.from_ical(client.get(feed_path(token)).data))
    starts = [
        e.start for e in expanded.between(slot - timedelta(days=1), slot + timedelta(days=20))
    ]
    assert starts == [datetime(2026, 10, 29, 13, 0, tzinfo=STOCKHOLM)]
