"""The demo shows a living council: an EST series with meetings held and coming, decisions
in every state, notes of both visibilities and reminders already in the outbox."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from brott.extensions import db
from brott.models import (
    Action,
    ActionOrigin,
    ActionStatus,
    Meeting,
    MeetingSeries,
    OutboxMessage,
    OutboxStatus,
    SituationNote,
    Visibility,
)
from brott.services import demo as demo_service

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday


def _load() -> None:
    demo_service.load_demo(NOW)
    db.session.commit()


def test_the_demo_has_an_est_series_with_meetings_held_and_coming(app):
    _load()

    assert db.session.scalar(db.select(db.func.count()).select_from(MeetingSeries)) == 1
    meetings = db.session.scalars(db.select(Meeting).order_by(Meeting.starts_at)).all()
    held = [m for m in meetings if m.starts_at <= NOW]
    coming = [m for m in meetings if m.starts_at > NOW]
    assert len(held) == 3 and len(coming) >= 6
    assert all(m.agenda and m.situation_summary for m in held)
    assert coming[0].agenda  # the next meeting's agenda is prepared
    assert {m.starts_at.astimezone(ZoneInfo("Europe/Stockholm")).weekday() for m in meetings} == {1}


def test_the_demo_has_decisions_in_every_state(app):
    _load()

    actions = db.session.scalars(db.select(Action)).all()
    today = NOW.date()
    states = {a.status for a in actions}
    assert states == {ActionStatus.OPEN, ActionStatus.DELAYED, ActionStatus.DONE}
    assert any(a.overdue(today) for a in actions)
    assert any(a.status is ActionStatus.OPEN and not a.overdue(today) for a in actions)
    closed = [
        a for a in actions if a.status is ActionStatus.DONE and a.origin is ActionOrigin.MEETING
    ]
    assert closed and all(a.closed_in_meeting_id is not None for a in closed)  # at a later EST
    assert any(a.measure_id is not None for a in actions)


def test_the_demo_has_notes_of_both_visibilities_and_reminders_in_the_outbox(app):
    _load()

    visibilities = set(db.session.scalars(db.select(SituationNote.visibility)))
    assert visibilities == {Visibility.SHARED, Visibility.INTERNAL}
    pending = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind == "meeting_reminder",
        )
    ).all()
    assert pending
    assert all(row.due_at > NOW - (row.useful_until - row.due_at) for row in pending)
    held = db.select(Meeting.id).where(Meeting.starts_at <= NOW)
    assert not [row for row in pending if row.meeting_id in set(db.session.scalars(held))]


def test_loading_the_demo_twice_adds_no_second_series(app):
    _load()
    first = db.session.scalar(db.select(db.func.count()).select_from(Action))
    _load()
    assert db.session.scalar(db.select(db.func.count()).select_from(MeetingSeries)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Action)) == first


def test_the_coordinator_sees_the_held_meeting_with_its_decisions(app, client):
    _load()
    meeting = db.session.scalars(db.select(Meeting).order_by(Meeting.starts_at)).first()
    decided = db.session.scalars(db.select(Action).where(Action.meeting_id == meeting.id)).all()
    db.session.rollback()
    client.post(
        "/logga-in",
        data={"email": "samordnare@exempel.se", "password": demo_service.DEMO_PASSWORD},
    )

    page = client.get(f"/r/borlange/est/moten/{meeting.id}")

    assert page.status_code == 200
    for action in decided:
        assert action.title in page.get_data(as_text=True)


def test_loading_the_demo_mails_no_notice_of_its_history(app):
    _load()

    pending = db.session.scalars(
        db.select(OutboxMessage.kind).where(OutboxMessage.status == OutboxStatus.PENDING)
    ).all()
    assert pending and set(pending) == {"meeting_reminder"}
