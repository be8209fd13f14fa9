"""EST meetings through the browser-facing routes: series, meeting page, decisions, actions."""

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import pytest

from brott.extensions import db
from brott.models import (
    Action,
    ActionStatus,
    MeasureStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from brott.services import actions as action_service
from brott.services import measures as measure_service
from brott.services import meetings as meeting_service
from brott.services import tokens

from .conftest import hidden_value, login

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)  # a Monday morning in winter


def series_form(**overrides) -> dict:
    data = {
        "title": "EST Borlänge",
        "weekday": "1",  # Tuesday
        "local_time": "09:00",
        "duration_minutes": "90",
        "interval_weeks": "2",
        "first_date": "2026-01-13",
        "until_date": "",
        "location": "Stadshuset, rum 3",
        "video_url": "",
        "reminder_hours": "48, 2",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_series(make_series):
    """Series set up at NOW: biweekly on Tuesdays at 09:00 from 13 January."""
    return partial(make_series, now=NOW, first=date(2026, 1, 13))


@pytest.fixture
def make_decision(make_decision):
    """Decisions recorded at NOW."""
    return partial(make_decision, now=NOW)


def meetings_of(series_id: int) -> list[Meeting]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(Meeting).filter_by(series_id=series_id).order_by(Meeting.starts_at)
        )
    )


# --- setting up a series -------------------------------------------------------------------


def test_coordinator_sets_up_a_biweekly_series_and_sees_every_planned_meeting(
    client, frozen, council, coordinator, member
):
    login(client, coordinator)
    response = client.post(
        "/r/borlange/est/serie/ny",
        data=series_form(invitee_ids=[str(member.id)]),
    )
    assert response.status_code == 302
    series = db.session.scalars(db.select(MeetingSeries)).one()
    assert series.reminder_minutes == [2880, 120]
    assert [u.id for u in series.invitees] == [member.id]

    page = client.get("/r/borlange/est/").text
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page)
    assert len(rows) == 13  # every other Tuesday of the 26 weeks planned ahead, on one page
    assert rows[0] == ("tisdag 13 januari 2026", "09:00–10:30")
    assert rows[1][0] == "tisdag 27 januari 2026"
    assert all(r[1] == "09:00–10:30" for r in rows)


def test_series_keeps_nine_o_clock_local_time_across_the_spring_change(
    app, frozen, council, coordinator, make_series
):
    series = make_series(council)
    starts = [m.starts_at for m in meetings_of(series.id)]
    assert datetime(2026, 3, 24, 8, 0, tzinfo=UTC) in starts  # 09:00 CET
    assert datetime(2026, 4, 7, 7, 0, tzinfo=UTC) in starts  # 09:00 CEST
    for start in starts:
        assert start.astimezone(meeting_service.ZoneInfo("Europe/Stockholm")).time() == time(9)


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"first_date": "2026-01-01", "until_date": "2026-01-05"}, "inga kommande möten"),
        ({"first_date": "2025-12-02"}, "förflutna"),
        (
            {"weekday": "6", "local_time": "02:30", "first_date": "2026-03-29"},
            "finns inte i Stockholm",
        ),
        ({"local_time": ""}, "Ange ett klockslag."),
        ({"interval_weeks": "0"}, "var 1:a till var 8:e vecka"),
        ({"duration_minutes": "5"}, "mellan 15 och 480"),
        ({"reminder_hours": "snart"}, "Skriv timmar som tal"),
        ({"reminder_hours": ""}, "minst en påminnelse"),
        ({"reminder_hours": "400"}, "högst 14 dygn"),
        ({"video_url": "inte en länk"}, "fullständig adress"),
        ({"first_date": "2026-02-30"}, "Inte ett giltigt datum"),
    ],
)
def test_bad_series_input_gets_a_swedish_error_keeps_input_and_saves_nothing(
    client, frozen, council, coordinator, overrides, field_text
):
    login(client, coordinator)
    response = client.post("/r/borlange/est/serie/ny", data=series_form(**overrides))
    assert response.status_code == 200
    assert field_text in response.text
    assert 'value="Stadshuset, rum 3"' in response.text
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_an_invitee_from_another_council_is_refused(
    client, frozen, council, coordinator, make_user, make_council
):
    outsider = make_user(Role.MEMBER, make_council())
    login(client, coordinator)
    response = client.post(
        "/r/borlange/est/serie/ny", data=series_form(invitee_ids=[str(outsider.id)])
    )
    assert "inte ett giltigt val" in response.text
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 0


def test_members_and_police_may_not_set_up_series(client, frozen, council, member, police):
    for user in (member, police):
        login(client, user)
        assert client.get("/r/borlange/est/serie/ny").status_code == 403
        assert client.post("/r/borlange/est/serie/ny", data=series_form()).status_code == 403
        client.post("/logga-ut")
    assert db.session.scalar(db.select(db.func.count(MeetingSeries.id))) == 0


# --- moving and cancelling -----------------------------------------------------------------


def test_moving_one_meeting_moves_its_reminders_and_leaves_the_series(
    client, frozen, council, coordinator, make_series
):
    series = make_series(council)
    first, second = meetings_of(series.id)[:2]
    login(client, coordinator)

    url = f"/r/borlange/est/moten/{second.id}/flytta"
    version = hidden_value(client.get(url).text, "version")
    response = client.post(
        url,
        data={
            "day": "2026-01-28",
            "time": "13:00",
            "location": "Polisstationen",
            "version": version,
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Meeting, second.id)
    assert moved.starts_at == datetime(2026, 1, 28, 12, 0, tzinfo=UTC)
    assert moved.moved and moved.location == "Polisstationen"
    assert meetings_of(series.id)[0].starts_at == first.starts_at
    rows = db.session.scalars(db.select(OutboxMessage).filter_by(meeting_id=second.id)).all()
    pending = [r for r in rows if r.status is OutboxStatus.PENDING]
    dropped = [r for r in rows if r.status is OutboxStatus.DROPPED]
    assert {r.due_at for r in pending} == {
        moved.starts_at - timedelta(hours=48),
        moved.starts_at - timedelta(hours=2),
    }
    assert dropped and all("20260127T0800Z" in r.key for r in dropped)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-03-29", "time": "02:30"}, "finns inte i Stockholm"),
        ({"day": "2026-01-01", "time": "10:00"}, "redan har passerat"),
        ({"day": "", "time": "10:00"}, "Ange ett datum."),
    ],
)
def test_bad_move_input_is_refused_and_keeps_the_input(
    client, frozen, council, coordinator, data, message, make_series
):
    series = make_series(council)
    meeting = meetings_of(series.id)[1]
    login(client, coordinator)
    url = f"/r/borlange/est/moten/{meeting.id}/flytta"
    version = hidden_value(client.get(url).text, "version")
    response = client.post(url, data={**data, "location": "Någonstans", "version": version})
    assert response.status_code == 200
    assert message in response.text
    assert 'value="Någonstans"' in response.text
    assert db.session.get(Meeting, meeting.id).moved is False


def test_cancelling_a_meeting_drops_its_reminders_but_not_the_series(
    client, frozen, council, coordinator, make_series
):
    series = make_series(council)
    meeting = meetings_of(series.id)[1]
    login(client, coordinator)
    version = hidden_value(client.get(f"/r/borlange/est/moten/{meeting.id}").text, "version")
    cancelled = client.post(
        f"/r/borlange/est/moten/{meeting.id}/stall-in", data={"version": version}
    )
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.CANCELLED
    statuses = db.session.scalars(
        db.select(OutboxMessage.status).filter_by(meeting_id=meeting.id)
    ).all()
    assert statuses and set(statuses) == {OutboxStatus.DROPPED}
    others = db.session.scalars(
        db.select(OutboxMessage.status).where(OutboxMessage.meeting_id != meeting.id)
    ).all()
    assert OutboxStatus.PENDING in others
    assert "Inställt" in client.get("/r/borlange/est/").text


# --- the meeting page ----------------------------------------------------------------------


def test_meeting_page_compiles_the_situation_picture_since_the_previous_meeting(
    client, frozen, council, coordinator, member, make_measure, make_series
):
    series = make_series(council)
    first, second = meetings_of(series.id)[:2]
    measure = make_measure(council, owners=[member], title="Trygghetsvandringar")
    frozen.now = first.starts_at + timedelta(days=3)
    db.session.expire_all()
    measure = db.session.get(type(measure), measure.id)
    entry = measure_service.record_update(
        measure,
        member,
        MeasureStatus.PAUSED,
        40,
        "Vandring i centrum flyttad",
        frozen.now,
        seen_version=measure.version,
    )
    entry.created_at = frozen.now
    db.session.commit()
    login(client, member)

    page = client.get(f"/r/borlange/est/moten/{second.id}").text
    assert "Trygghetsvandringar" in page
    assert "Pågår → Pausad" in page and "Vandring i centrum flyttad" in page
    first_page = client.get(f"/r/borlange/est/moten/{first.id}").text
    assert "Vandring i centrum flyttad" not in first_page  # outside the first meeting's span


def test_coordinator_records_a_decision_and_the_next_meeting_follows_it_up(
    client, frozen, council, coordinator, police, make_series, make_place
):
    series = make_series(council)
    first, second = meetings_of(series.id)[:2]
    place = make_place(council, "Resecentrum")
    login(client, coordinator)
    response = client.post(
        f"/r/borlange/est/moten/{first.id}/beslut",
        data={
            "title": "Extra kvällsrond vid Resecentrum",
            "place_id": str(place.id),
            "owner_id": str(police.id),
            "due_date": "2026-01-20",
            "measure_id": "",
        },
    )
    assert response.status_code == 302
    action = db.session.scalars(db.select(Action)).one()
    assert (action.owner_id, action.meeting_id) == (police.id, first.id)
    assert action.place_id == place.id

    follow = client.get(f"/r/borlange/est/moten/{second.id}").text
    assert "Extra kvällsrond vid Resecentrum" in follow

    # closed from the next meeting's follow-up
    client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={
            "status": "done",
            "comment": "Genomförd",
            "meeting_id": str(second.id),
            "next": f"/r/borlange/est/moten/{second.id}",
            "version": str(action.version),
        },
    )
    db.session.expire_all()
    closed = db.session.get(Action, action.id)
    assert closed.status is ActionStatus.DONE and closed.closed_in_meeting_id == second.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Beskriv vad som ska göras."),
        ({"due_date": "2026-01-01"}, "före mötet"),
        ({"due_date": ""}, "Ange ett datum."),
        ({"owner_id": "999999"}, "inte ett giltigt val"),
    ],
)
def test_bad_decision_input_is_refused_with_input_kept(
    client, frozen, council, coordinator, member, data, message, make_series, make_place
):
    series = make_series(council)
    meeting = meetings_of(series.id)[0]
    place = make_place(council, "Tunneln")
    login(client, coordinator)
    form = {
        "title": "Rensa klotter i tunneln",
        "place_id": str(place.id),
        "owner_id": str(member.id),
        "due_date": "2026-01-30",
        "measure_id": "",
        **data,
    }
    response = client.post(f"/r/borlange/est/moten/{meeting.id}/beslut", data=form)
    assert response.status_code == 400
    assert message.lower() in response.text.lower()
    assert f'<option selected value="{place.id}">Tunneln</option>' in response.text
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 0


def test_an_owner_outside_the_council_is_refused_by_the_service(
    app, frozen, council, coordinator, make_user, make_council, make_series
):
    from brott.errors import DomainError

    outsider = make_user(Role.MEMBER, make_council())
    meeting = meetings_of(make_series(council).id)[0]
    data = action_service.ActionData(title="x", owner_id=outsider.id, due_date=date(2026, 1, 30))
    with pytest.raises(DomainError, match="aktiv medlem"):
        action_service.record_decision(meeting, coordinator, data, NOW)


def test_an_overdue_action_shows_late_by_itself_and_the_owner_postpones_it_with_date_and_reason(
    client, frozen, council, coordinator, member, make_series, make_decision
):
    meeting = meetings_of(make_series(council).id)[0]
    action = make_decision(meeting, coordinator, member, "Byt trasig belysning", date(2026, 1, 14))
    frozen.now = NOW + timedelta(days=5)  # 2026-01-17: past the due date, nobody marked it
    login(client, member)
    page = client.get("/r/borlange/atgarder").text
    assert "Byt trasig belysning" in page and "(försenad)" in page
    assert '<span class="status status-late">Försenad</span>' in page

    version = str(action.version)
    refused = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={"status": "delayed", "comment": "", "due_date": "", "version": version},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400
    assert "Write why the action is postponed." in refused.text
    assert "Choose the new due date." in refused.text
    db.session.expire_all()
    assert db.session.get(Action, action.id).status is ActionStatus.OPEN  # a reason is required
    client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={
            "status": "delayed",
            "comment": "Väntar på reservdel",
            "due_date": "2026-01-30",
            "version": version,
        },
    )
    db.session.expire_all()
    saved = db.session.get(Action, action.id)
    assert (saved.status, saved.due_date) == (ActionStatus.DELAYED, date(2026, 1, 30))
    english = client.get("/r/borlange/atgarder", headers={"Accept-Language": "en"}).text
    assert '<span class="status status-postponed">Postponed</span>' in english


def test_someone_elses_action_cannot_be_updated_by_a_member(
    client, frozen, council, coordinator, member, make_user, make_series, make_decision
):
    other = make_user(Role.MEMBER, council)
    meeting = meetings_of(make_series(council).id)[0]
    action = make_decision(meeting, coordinator, other, "x", date(2026, 1, 30))
    login(client, member)
    response = client.post(f"/r/borlange/atgarder/{action.id}", data={"status": "done"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Action, action.id).status is ActionStatus.OPEN


# --- one-click links ----------------------------------------------------------------------


@pytest.fixture
def action_with_token(council, coordinator, member, make_series, make_decision):
    """A decision owned by `member`, and its one-click link to the given status."""

    def make(status=ActionStatus.DONE):
        meeting = meetings_of(make_series(council).id)[0]
        action = make_decision(meeting, coordinator, member, "Städa parken", date(2026, 1, 30))
        return action, tokens.action_link_token(action, status)

    return make


def test_one_click_link_changes_nothing_on_get_and_marks_done_on_post_once(
    client, frozen, council, coordinator, member, action_with_token
):
    action, token = action_with_token()

    page = client.get(f"/atgard/{token}")
    assert page.status_code == 200 and "Markera som klar" in page.text
    db.session.expire_all()
    assert db.session.get(Action, action.id).status is ActionStatus.OPEN

    done = client.post(f"/atgard/{token}", data={"comment": ""})
    assert "Tack!" in done.text
    db.session.expire_all()
    assert db.session.get(Action, action.id).status is ActionStatus.DONE

    again = client.post(f"/atgard/{token}", data={"comment": ""})
    assert again.status_code == 410 and "redan använd" in again.text


def test_one_click_postpone_needs_a_date_and_a_reason_and_keeps_the_link_usable(
    client, frozen, council, coordinator, member, action_with_token
):
    action, token = action_with_token(ActionStatus.DELAYED)
    refused = client.post(
        f"/atgard/{token}", data={"comment": "", "due_date": ""}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 400
    assert "Write why the action is postponed." in refused.text
    assert "Choose the new due date." in refused.text
    ok = client.post(
        f"/atgard/{token}", data={"comment": "Regn hela veckan", "due_date": "2026-02-06"}
    )
    assert "Tack!" in ok.text
    db.session.expire_all()
    saved = db.session.get(Action, action.id)
    assert (saved.status, saved.status_comment, saved.due_date) == (
        ActionStatus.DELAYED,
        "Regn hela veckan",
        date(2026, 2, 6),
    )


def test_expired_and_forged_links_are_refused(
    client, frozen, council, coordinator, member, action_with_token
):
    action, token = action_with_token()
    assert client.get(f"/atgard/{token}x").status_code == 410
    frozen.now = NOW + timedelta(days=8)
    expired = client.post(f"/atgard/{token}", data={"comment": ""})
    assert expired.status_code == 410 and "gått ut" in expired.text
    db.session.expire_all()
    assert db.session.get(Action, action.id).status is ActionStatus.OPEN


# --- notifications -------------------------------------------------------------------------


def test_sent_reminders_appear_as_in_app_notifications(
    client, frozen, council, coordinator, tmp_path, make_series
):
    from brott import jobs
    from brott.mail import FileMailer

    meeting = meetings_of(make_series(council).id)[0]
    report = jobs.dispatch_due(meeting.starts_at - timedelta(hours=2), mailer=FileMailer(tmp_path))
    assert report.sent == 2  # 48 h and 2 h reminders to the one coordinator
    login(client, coordinator)
    page = client.get("/notiser").text
    assert page.count("Påminnelse:") == 2
    client.post("/notiser")
    assert "<strong>Ny</strong>" not in client.get("/notiser").text


def test_an_unknown_action_status_is_refused_in_swedish_and_changes_nothing(
    client, frozen, council, coordinator, member, make_series, make_decision
):
    meeting = meetings_of(make_series(council).id)[0]
    action = make_decision(meeting, coordinator, member, "Byt lampor", date(2026, 1, 20))
    login(client, member)
    response = client.post(
        f"/r/borlange/atgarder/{action.id}",
        data={"status": "kanske", "comment": "x"},
        follow_redirects=True,
    )
    assert "Inte ett giltigt val" in response.text
    db.session.expire_all()
    saved = db.session.get(Action, action.id)
    assert (saved.status, saved.status_comment) == (ActionStatus.OPEN, "")
