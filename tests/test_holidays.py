"""Swedish public holidays: a meeting on one is flagged on the list and its page, with a
one-click move to the next working day; the series form warns of them.

The series is set up on 1 December 2026: every Friday at 09:00 from the 4th, so Christmas
Day (Friday 25 December) and New Year's Day (Friday 1 January 2027) are among its meetings.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from brott.extensions import db
from brott.models import Meeting, MeetingSeries, OutboxMessage, OutboxStatus, Role
from brott.services import holidays, outbox
from brott.services import meetings as meeting_service

from .conftest import PASSWORD, hidden_value, logged_in
from .swedish import sv, sv_plural

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
CHRISTMAS = date(2026, 12, 25)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def make_series(make_series):
    """Set up at NOW: every Friday at 09:00 from 4 December."""
    return partial(make_series, now=NOW, first=date(2026, 12, 4), interval_weeks=1)


@pytest.fixture
def christmas(frozen, council, coordinator, police, make_series) -> Meeting:
    series = make_series(council, invitees=[police])
    found = next(m for m in series.meetings if m.occurrence_date == CHRISTMAS)
    db.session.rollback()
    return found


def flag(app, name: str) -> str:
    return sv(app, "%(holiday)s – public holiday", holiday=name)


# --- the calendar --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 25), "Juldagen"),
        (date(2026, 12, 26), "Annandag jul"),
        (date(2027, 1, 1), "Nyårsdagen"),
        (date(2026, 6, 6), "Nationaldagen"),
        (date(2026, 4, 5), "Påskdagen"),  # a Sunday, and a public holiday by name
        (date(2026, 5, 24), "Pingstdagen"),
        (date(2026, 12, 24), None),  # Christmas Eve: a day off by custom, not by law
        (date(2026, 6, 19), None),  # Midsummer Eve
        (date(2026, 12, 6), None),  # a plain Sunday is not flagged
        (date(2026, 12, 27), None),
        (date(2026, 12, 23), None),
    ],
)
def test_only_named_public_holidays_are_flagged(app, day, name):
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        assert holidays.holiday_name(day) == name


def test_no_plain_sunday_of_a_year_is_a_holiday(app):
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        found = holidays.holidays_between(date(2026, 1, 1), date(2026, 12, 31))
    sundays = [d for d in found if d.weekday() == 6]
    assert {found[d] for d in sundays} <= {"Påskdagen", "Pingstdagen"}
    assert len(found) == 13


def test_a_calendar_that_lists_every_sunday_still_flags_only_holidays(monkeypatch):
    """Some versions of the package count every Sunday as a Swedish holiday (as the law
    does); those are not flagged, the named holidays on a Sunday are."""
    real = holidays.calendar_data.country_holidays

    def with_sundays(*args, **options):
        return real(*args, **{**options, "include_sundays": True})

    monkeypatch.setattr(holidays.calendar_data, "country_holidays", with_sundays)
    holidays._year.cache_clear()
    try:
        found = holidays.holidays_between(date(2026, 1, 1), date(2026, 12, 31), "sv")
        assert len(found) == 13
        assert found[date(2026, 4, 5)] == "Påskdagen"
        assert holidays.holiday_name(date(2026, 12, 6), "sv") is None
    finally:
        holidays._year.cache_clear()


def test_holiday_names_follow_the_page_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert holidays.holiday_name(CHRISTMAS) == "Christmas Day"


@pytest.mark.parametrize(
    ("day", "next_day"),
    [
        (date(2026, 12, 25), date(2026, 12, 28)),  # over Boxing Day and the weekend
        (date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday: Easter Monday is one too
        (date(2027, 1, 1), date(2027, 1, 4)),
        (date(2026, 5, 14), date(2026, 5, 15)),  # Ascension Day, a Thursday
    ],
)
def test_the_next_working_day_skips_weekends_and_holidays(day, next_day):
    assert holidays.next_working_day(day) == next_day


# --- flagged on the list and the meeting page ----------------------------------------------


def test_the_list_flags_meetings_on_public_holidays_with_a_move_for_coordinators(
    app, christmas, coordinator, police
):
    page = logged_in(app, coordinator).get("/r/borlange/est/").text
    assert flag(app, "Juldagen") in page and flag(app, "Nyårsdagen") in page
    # Christmas Day, New Year's Day and Good Friday (26 March 2027) are Fridays
    assert page.count('class="holiday-flag"') == 3
    assert f'action="/r/borlange/est/moten/{christmas.id}/helgdag"' in page
    seen_by_police = logged_in(app, police).get("/r/borlange/est/").text
    assert flag(app, "Juldagen") in seen_by_police
    assert "/helgdag" not in seen_by_police  # the police may not move meetings


def test_the_meeting_page_flags_the_holiday_and_names_the_next_working_day(
    app, christmas, coordinator
):
    page = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{christmas.id}").text
    assert flag(app, "Juldagen") in page
    assert 'id="helgdag"' in page
    assert "måndag 28 december" in page


def test_one_click_moves_the_meeting_to_the_next_working_day_at_the_same_time(
    app, christmas, coordinator, police
):
    client = logged_in(app, coordinator)
    page = client.get(f"/r/borlange/est/moten/{christmas.id}").text
    response = client.post(
        f"/r/borlange/est/moten/{christmas.id}/helgdag",
        data={"version": hidden_value(page, "version"), "back": "show"},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/est/moten/{christmas.id}")
    db.session.rollback()  # end the test's earlier read: see what the request saved
    moved = db.session.get(Meeting, christmas.id)
    assert moved.starts_at.astimezone(STOCKHOLM) == datetime(2026, 12, 28, 9, tzinfo=STOCKHOLM)
    assert moved.moved and moved.occurrence_date == CHRISTMAS
    pending = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.meeting_id == christmas.id,
            OutboxMessage.kind == outbox.MEETING_REMINDER,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    ).all()
    assert {row.due_at for row in pending} == {
        moved.starts_at - timedelta(hours=48),
        moved.starts_at - timedelta(hours=2),
    }
    assert {row.recipient_id for row in pending} == {coordinator.id, police.id}
    db.session.rollback()
    after = client.get(f"/r/borlange/est/moten/{christmas.id}").text
    assert flag(app, "Juldagen") not in after


def test_from_the_list_the_move_returns_to_the_list(app, christmas, coordinator):
    client = logged_in(app, coordinator)
    response = client.post(
        f"/r/borlange/est/moten/{christmas.id}/helgdag",
        data={"version": str(christmas.version), "back": "index"},
    )
    assert response.status_code == 302 and response.location.endswith("/r/borlange/est/")


def test_a_move_from_a_stale_page_is_a_conflict_shown_at_the_holiday(app, christmas, coordinator):
    client = logged_in(app, coordinator)
    stale = hidden_value(client.get(f"/r/borlange/est/moten/{christmas.id}").text, "version")
    meeting = db.session.get(Meeting, christmas.id)
    meeting_service.update_agenda(meeting, "Julfrid", "", NOW)
    db.session.commit()
    response = client.post(
        f"/r/borlange/est/moten/{christmas.id}/helgdag", data={"version": stale, "back": "show"}
    )
    assert response.status_code == 409
    section = response.text.split('id="helgdag"', 1)[1].split("</section>", 1)[0]
    assert "data-error-summary" in section
    assert db.session.get(Meeting, christmas.id).starts_at.astimezone(STOCKHOLM).date() == CHRISTMAS


def test_a_meeting_not_on_a_holiday_is_not_moved(app, christmas, coordinator):
    ordinary = db.session.scalars(
        db.select(Meeting).where(Meeting.occurrence_date == date(2026, 12, 18))
    ).one()
    before = ordinary.starts_at
    db.session.rollback()
    client = logged_in(app, coordinator)
    response = client.post(
        f"/r/borlange/est/moten/{ordinary.id}/helgdag",
        data={"version": str(ordinary.version), "back": "show"},
    )
    assert response.status_code == 400
    assert sv(app, "The meeting is no longer on a public holiday.") in response.text
    assert db.session.get(Meeting, ordinary.id).starts_at == before


def test_the_police_may_not_move_a_meeting_and_another_council_finds_none(
    app, christmas, police, make_council, make_user
):
    path = f"/r/borlange/est/moten/{christmas.id}/helgdag"
    assert logged_in(app, police).post(path, data={"version": "1"}).status_code == 403
    stranger = logged_in(app, make_user(Role.ADMIN, make_council(slug="falun")))
    assert stranger.post(f"/r/falun/est/moten/{christmas.id}/helgdag").status_code == 404
    assert db.session.get(Meeting, christmas.id).moved is False


def test_the_move_needs_the_pages_csrf_token(csrf_app, christmas, coordinator):
    client = csrf_app.test_client()
    login_page = client.get("/logga-in").text
    signed_in = client.post(
        "/logga-in",
        data={
            "email": coordinator.email,
            "password": PASSWORD,
            "csrf_token": hidden_value(login_page, "csrf_token"),
        },
    )
    assert signed_in.status_code == 302
    page = client.get(f"/r/borlange/est/moten/{christmas.id}").text
    path = f"/r/borlange/est/moten/{christmas.id}/helgdag"
    forged = client.post(path, data={"version": hidden_value(page, "version"), "back": "show"})
    assert forged.status_code == 400
    assert db.session.get(Meeting, christmas.id).moved is False
    db.session.rollback()
    section = page.split('id="helgdag"', 1)[1]
    token = section.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    sent = client.post(
        path, data={"version": hidden_value(page, "version"), "back": "show", "csrf_token": token}
    )
    assert sent.status_code == 302
    assert db.session.get(Meeting, christmas.id).moved is True


def test_a_reload_of_the_move_goes_back_to_the_meeting(app, christmas, coordinator):
    reload = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{christmas.id}/helgdag")
    assert reload.status_code == 302
    assert reload.location.endswith(f"/est/moten/{christmas.id}#helgdag")


# --- the series form warns ------------------------------------------------------------------


def test_a_new_series_warns_which_of_its_meetings_fall_on_holidays(
    app, frozen, council, coordinator
):
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/est/serie/ny",
        data={
            "title": "EST",
            "weekday": "4",
            "local_time": "09:00",
            "duration_minutes": "90",
            "interval_weeks": "1",
            "first_date": "2026-12-04",
            "reminder_hours": "48, 2",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    days = ", ".join(
        sv(app, "%(date)s (%(holiday)s)", date=day, holiday=name)
        for day, name in [
            ("25 december 2026", "Juldagen"),
            ("1 januari 2027", "Nyårsdagen"),
            ("26 mars 2027", "Långfredagen"),
        ]
    )
    expected = sv_plural(
        app,
        "A coming meeting falls on a public holiday: %(days)s. Move it from the list.",
        "%(num)d coming meetings fall on public holidays: %(days)s. Move them from the list.",
        3,
        days=days,
    )
    assert expected in response.text
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 1


def test_the_series_page_lists_its_coming_meetings_on_holidays(app, christmas, coordinator):
    first = db.session.scalars(
        db.select(Meeting).where(Meeting.occurrence_date == date(2026, 12, 4))
    ).one()
    db.session.rollback()
    page = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{first.id}/serie").text
    notice = page.split('class="notice"', 1)[1].split("</div>", 1)[0]
    assert flag(app, "Juldagen") in notice and flag(app, "Nyårsdagen") in notice
    assert f"/est/moten/{christmas.id}#helgdag" in notice


def test_a_holiday_in_the_past_or_a_cancelled_meeting_is_not_flagged(app, christmas, coordinator):
    meeting_service.cancel_meeting(db.session.get(Meeting, christmas.id), NOW)
    db.session.commit()
    page = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{christmas.id}").text
    assert 'id="helgdag"' not in page
    assert time(9) == christmas.starts_at.astimezone(STOCKHOLM).time()
