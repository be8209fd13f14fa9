"""Hostile or malformed input gets a 4xx answer with a readable message, never a server error.

Each case here was a 500 once: ids beyond what PostgreSQL's integer holds, a NUL byte in any
text reaching PostgreSQL, a file part named like a text field, reminder hours that are not a
finite number, dates far outside any meeting or note, and line breaks in a single-line title
that were stored and then broke the series' calendar file and e-mail reminders.
tests/test_fuzz.py looks for more of them with generated input.
"""

import importlib
import inspect
import pkgutil
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from io import BytesIO

import pytest
from flask_babel import force_locale, gettext
from flask_wtf import FlaskForm
from icalendar import Calendar

import brott
from brott import jobs
from brott.extensions import db
from brott.mail import SmtpMailer, build_message
from brott.models import (
    Action,
    ActionStatus,
    Measure,
    MeetingSeries,
    OutboxMessage,
    OutboxStatus,
    Place,
    Role,
    SituationNote,
)
from brott.services import calendar as calendar_service

from .conftest import logged_in
from .smtp_server import running_smtp

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # a Monday morning
BEYOND_INT = 2**31  # one more than PostgreSQL's integer holds
GUARD_TEXT = (
    "The address or the form contains characters that cannot be used, such as "
    "control characters. Remove them and try again."
)
ONE_LINE = "Write this on one line."
YEARS = "Enter a date between the years %(first)d and %(last)d."
REMINDER_RANGE = (
    "Give each reminder in hours before the meeting: more than 0 and at most "
    "14 days (%(hours)d hours)."
)


def swedish(msgid: str, **values) -> str:
    """A message as a Swedish page shows it (the English id until the catalog has it)."""
    with force_locale("sv"):
        return gettext(msgid, **values)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def series_form(**overrides) -> dict:
    data = {
        "title": "EST Borlänge",
        "weekday": "1",
        "local_time": "09:00",
        "duration_minutes": "90",
        "interval_weeks": "2",
        "first_date": "2026-01-13",
        "location": "Stadshuset",
        "reminder_hours": "48, 2",
    }
    data.update(overrides)
    return data


# --- every form reads only the form body, through the app's base form ----------------------


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(brott.__path__, "brott."):
        importlib.import_module(module.name)
    found = []
    for name in list(importlib.sys.modules):
        if name == "brott" or name.startswith("brott."):
            module = importlib.sys.modules[name]
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, FlaskForm) and cls.__module__ == name:
                    found.append(cls)
    return found


def test_every_form_of_the_app_inherits_the_base_form():
    from brott.forms import Form

    classes = _form_classes()
    assert len(classes) > 15  # the walk found the app's forms
    strays = [f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, Form)]
    assert strays == []


# --- ids the database cannot hold ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/r/borlange/insatser/{BEYOND_INT}",
        f"/r/borlange/insatser/{BEYOND_INT}/redigera",
        f"/r/borlange/est/moten/{BEYOND_INT}",
        f"/r/borlange/est/moten/{BEYOND_INT}.ics",
        f"/r/borlange/lagesbild/{'9' * 40}",
        f"/r/borlange/platser/{BEYOND_INT}",
        f"/r/borlange/insatser/{BEYOND_INT - 1}",  # the largest that fits: simply not there
    ],
)
def test_an_id_in_the_address_beyond_what_the_database_holds_is_not_found(
    app, council, coordinator, path
):
    response = logged_in(app, coordinator).get(path)
    assert response.status_code == 404
    assert "finns inte" in response.text


@pytest.mark.parametrize("meeting_id", [str(BEYOND_INT), "9" * 30, "²"])
def test_an_id_in_a_form_beyond_what_the_database_holds_is_not_found(
    app, frozen, council, coordinator, make_meeting, make_decision, meeting_id
):
    meeting = make_meeting(council, now=NOW, first=date(2026, 1, 13))
    action = make_decision(meeting, coordinator, now=NOW)
    response = logged_in(app, coordinator).post(
        f"/r/borlange/atgarder/{action.id}",
        data={"status": "done", "comment": "", "meeting_id": meeting_id},
    )
    assert response.status_code == 404
    assert db.session.get(Action, action.id).status is ActionStatus.OPEN


@pytest.mark.parametrize("version", [str(BEYOND_INT), "-78435160525890", "9" * 400])
def test_a_version_beyond_what_the_database_holds_is_a_bad_request(
    app, council, coordinator, make_measure, version
):
    measure = make_measure(council, title="Trygghetsvandring")
    response = logged_in(app, coordinator).post(
        f"/r/borlange/insatser/{measure.id}/redigera",
        data={"title": "Ny titel", "version": version, "comment": ""},
    )
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.get(Measure, measure.id).title == "Trygghetsvandring"


# --- NUL and other control characters ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/kalender/%00.ics", None),
        ("get", "/kalender/ab%01cd.ics", None),
        ("get", "/logga-in?next=%00", None),
        ("post", "/logga-in", {"email": "a\x00b", "password": "x"}),
        ("post", "/logga-in", {"email": "a@b.se", "password": "x\x1b"}),
        ("get", "/atgard/abc%00def", None),
    ],
)
def test_a_control_character_from_an_anonymous_visitor_is_a_readable_400(
    client, method, path, data
):
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 400
    assert swedish(GUARD_TEXT) in response.text


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/r/bor%00lange/", None),
        ("get", "/r/borlange/lagesbild/?start=%00", None),
        ("get", "/r/borlange/admin/logg?handelse=a%00b", None),
        ("post", "/r/borlange/insatser/ny", {"title": "Trygg\x00het"}),
        ("post", "/r/borlange/est/serie/ny", series_form(title="EST\x07")),
        ("post", "/r/borlange/insatser/ny", {"title": "Trygghet\ufffe"}),
        ("post", "/r/borlange/insatser/ny", {"title": "Trygghet", "description": "slut\uffff"}),
        ("get", "/r/borlange/lagesbild/?start=%EF%BF%BE", None),
    ],
)
def test_a_control_character_from_a_member_is_a_readable_400_and_nothing_is_saved(
    app, council, coordinator, make_user, method, path, data
):
    make_user(Role.ADMIN, council)
    response = getattr(logged_in(app, coordinator), method)(path, data=data)
    assert response.status_code == 400
    assert swedish(GUARD_TEXT) in response.text
    assert count(Measure) == count(MeetingSeries) == 0


def test_tabs_and_line_breaks_in_a_text_area_are_kept(app, frozen, council, coordinator):
    client = logged_in(app, coordinator)
    response = client.post(
        "/r/borlange/insatser/ny",
        data={"title": "Trygghetsvandring", "description": "Steg 1\r\n\tSteg 2\nSteg 3"},
    )
    assert response.status_code == 302
    measure = db.session.scalars(db.select(Measure)).one()
    assert measure.description.replace("\r\n", "\n") == "Steg 1\n\tSteg 2\nSteg 3"


# --- bodies that are not the form they should be -------------------------------------------


def test_a_file_part_named_like_the_login_fields_is_ignored(client, coordinator):
    response = client.post(
        "/logga-in",
        data={"email": (BytesIO(coordinator.email.encode()), "email.txt"), "password": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Ange din e-postadress." in response.text


def test_a_file_part_named_like_a_series_field_is_ignored_and_nothing_is_saved(
    app, frozen, council, coordinator
):
    data = series_form()
    data["first_date"] = (BytesIO(b"2026-01-13"), "first_date.txt")
    response = logged_in(app, coordinator).post(
        "/r/borlange/est/serie/ny", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "Ange första datum." in response.text
    assert count(MeetingSeries) == 0


@pytest.mark.parametrize("body", [{"email": 5, "password": ["x"]}, [1, 2], "text", None])
def test_a_json_body_is_not_read_as_a_form(client, coordinator, body):
    response = client.post("/logga-in", json=body)
    assert response.status_code == 200
    assert "Ange din e-postadress." in response.text


def test_a_plain_text_body_is_not_read_as_a_form(client, coordinator):
    response = client.post(
        "/logga-in", data=f"email={coordinator.email}&password=x", content_type="text/plain"
    )
    assert response.status_code == 200
    assert "Ange din e-postadress." in response.text


# --- numbers and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("inf", "Skriv timmar som tal"),
        ("-inf", "Skriv timmar som tal"),
        ("nan", "Skriv timmar som tal"),
        ("1e309", "Skriv timmar som tal"),
        ("48, infinity", "Skriv timmar som tal"),
        ("-2", REMINDER_RANGE),
        ("0", REMINDER_RANGE),
        ("1e300", REMINDER_RANGE),
        ("2.9961552247705265e+306", REMINDER_RANGE),  # finite, but not in minutes
        ("-3e307", REMINDER_RANGE),
        ("9" * 80, REMINDER_RANGE),
    ],
)
def test_reminder_hours_that_are_not_a_sensible_number_get_a_field_error(
    app, frozen, council, coordinator, hours, message
):
    client = logged_in(app, coordinator)
    response = client.post("/r/borlange/est/serie/ny", data=series_form(reminder_hours=hours))
    assert response.status_code == 200
    assert (swedish(message, hours=336) if message == REMINDER_RANGE else message) in response.text
    assert f'value="{hours}"' in response.text  # the input is kept
    assert count(MeetingSeries) == 0


def test_a_role_that_may_not_set_up_series_is_refused_before_its_input_is_read(
    app, frozen, council, member
):
    response = logged_in(app, member).post(
        "/r/borlange/est/serie/ny", data=series_form(reminder_hours="inf")
    )
    assert response.status_code == 403
    assert count(MeetingSeries) == 0


@pytest.mark.parametrize(
    "query",
    ["end=9999-12-31", "start=0001-01-01", "start=1899-12-31&end=2101-01-01", "end=2100-12-31"],
)
def test_the_notes_filter_refuses_dates_outside_sensible_years(
    app, frozen, council, police, make_note, query
):
    make_note(council, author=police, observed_from=NOW - timedelta(days=2), text="Klotter")
    response = logged_in(app, police).get(f"/r/borlange/lagesbild/?{query}")
    assert response.status_code == 200
    refused = "Ett filter hade ett ogiltigt värde och användes inte." in response.text
    assert refused is (query != "end=2100-12-31")  # the last day allowed is like any other
    assert "Klotter" in response.text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_dates_outside_sensible_years_get_a_field_error_on_every_form(
    app, frozen, council, coordinator, police, make_place, make_category, day
):
    place, category = make_place(council), make_category(council)
    client = logged_in(app, coordinator)
    measure = client.post("/r/borlange/insatser/ny", data={"title": "Trygghet", "start_date": day})
    series = client.post("/r/borlange/est/serie/ny", data=series_form(first_date=day))
    action = client.post(
        "/r/borlange/atgarder/ny",
        data={"title": "Laga lampan", "owner_id": str(coordinator.id), "due_date": day},
    )
    note = logged_in(app, police).post(
        "/r/borlange/lagesbild/ny",
        data={
            "observed_from": f"{day}T10:00",
            "place_id": str(place.id),
            "category_id": str(category.id),
            "source": "police",
            "text": "Klotter",
            "visibility": "shared",
        },
    )
    for response in (measure, series, action, note):
        assert response.status_code in (200, 400)
        assert swedish(YEARS, first=1900, last=2100) in response.text
    assert count(Measure) == count(MeetingSeries) == count(Action) == count(SituationNote) == 0


def test_moving_a_meeting_to_a_far_year_gets_a_field_error(
    app, frozen, council, coordinator, make_meeting
):
    meeting = make_meeting(council, now=NOW, first=date(2026, 1, 13))
    response = logged_in(app, coordinator).post(
        f"/r/borlange/est/moten/{meeting.id}/flytta",
        data={"day": "0001-01-01", "time": "00:00", "location": ""},
    )
    assert response.status_code == 200
    assert swedish(YEARS, first=1900, last=2100) in response.text


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309"])
def test_coordinates_must_be_finite_numbers(app, council, coordinator, value):
    response = logged_in(app, coordinator).post(
        "/r/borlange/platser/", data={"place-name": "Torget", "place-latitude": value}
    )
    assert response.status_code == 400
    assert count(Place) == 0


# --- line breaks in single-line fields -----------------------------------------------------


@pytest.mark.parametrize("title", ["EST\r\nBcc: x@exempel.se", "EST\nandra raden", "EST\r"])
def test_a_line_break_in_a_series_name_is_refused_and_the_input_kept(
    app, frozen, council, coordinator, title
):
    client = logged_in(app, coordinator)
    response = client.post("/r/borlange/est/serie/ny", data=series_form(title=title))
    assert response.status_code == 200
    assert swedish(ONE_LINE) in response.text
    assert "EST" in response.text and "Stadshuset" in response.text
    assert count(MeetingSeries) == 0


def test_a_line_break_in_any_single_line_field_is_refused(app, council, coordinator):
    client = logged_in(app, coordinator)
    measure = client.post("/r/borlange/insatser/ny", data={"title": "Trygg\nhet"})
    place = client.post("/r/borlange/platser/", data={"place-name": "Tor\r\nget"})
    assert swedish(ONE_LINE) in measure.text and swedish(ONE_LINE) in place.text
    assert count(Measure) == count(Place) == 0


# --- line breaks and control characters already stored -------------------------------------

STORED_TITLE = "EST\r\nBcc: x@exempel.se\x0b\x1b"


def _stored_series(make_series, council, coordinator):
    return make_series(
        council,
        now=NOW,
        first=date(2026, 1, 13),
        invitees=[coordinator],
        title=STORED_TITLE,
        location="Stadshuset\r\nrum 3",
    )


def test_a_stored_title_with_line_breaks_still_gives_valid_calendar_files(
    app, frozen, council, coordinator, make_series
):
    series = _stored_series(make_series, council, coordinator)
    client = logged_in(app, coordinator)
    download = client.get(f"/r/borlange/est/moten/{series.meetings[0].id}.ics")
    client.post("/konto/kalender", data={"operation": "enable"})
    db.session.rollback()
    feed = client.get(calendar_service.feed_url(db.session.merge(coordinator)))
    for response in (download, feed):
        assert response.status_code == 200
        event = next(c for c in Calendar.from_ical(response.data).walk("VEVENT"))
        assert "\n" not in str(event["SUMMARY"]) and "\r" not in str(event["SUMMARY"])
        assert str(event["SUMMARY"]).startswith("EST Bcc: x@exempel.se")
        assert str(event["LOCATION"]) == "Stadshuset rum 3"


@pytest.mark.usefixtures("without_notices")  # only the reminders are counted
def test_a_stored_title_with_line_breaks_still_sends_every_reminder_on_one_subject_line(
    app, council, coordinator, make_series
):
    series = _stored_series(make_series, council, coordinator)
    due = series.meetings[0].starts_at - timedelta(minutes=1)  # both reminders are due
    with running_smtp() as smtp:
        report = jobs.dispatch_due(due, SmtpMailer(smtp.host, smtp.port, timeout=10))
        received = smtp.inbox.messages
    assert report.retried == 0 and report.sent == len(received) > 0
    for message in received:
        assert message.message["Subject"].startswith("Påminnelse: EST Bcc: x@exempel.se")
        assert message.message["Bcc"] is None
    db.session.rollback()
    statuses = {row.status for row in db.session.scalars(db.select(OutboxMessage))}
    assert OutboxStatus.FAILED not in statuses


def test_a_subject_is_made_one_line_when_the_message_is_built():
    row = OutboxMessage(
        id=1,
        key="test:1",
        recipient_email="a@exempel.se",
        subject="Rad ett\r\nRad två\x00\tslut",
        due_at=NOW,
        body="Text",
        html_body="",
    )
    message = build_message(row, "brott@exempel.se")
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Rad ett Rad två slut"


def test_dates_far_out_are_still_far_from_overflowing():
    # the bounds the forms enforce leave room for a day's arithmetic and any time zone
    assert date(2100, 12, 31) + timedelta(days=366) < date.max
    assert date(1900, 1, 1) - timedelta(days=366) > date.min
