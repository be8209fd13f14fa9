"""The personal-data guard on every free-text field the police can read, not only notes."""

from datetime import UTC, date, datetime

import pytest

from brott.extensions import db
from brott.models import Action, MeasureUpdate, Meeting

from .conftest import hidden_value, login

NOW = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
PNR = "19121212-1212"


@pytest.fixture
def meeting(frozen, council, make_meeting) -> Meeting:
    return make_meeting(council, now=NOW, first=date(2026, 1, 13))


def test_a_decision_naming_a_person_is_refused_and_kept(client, coordinator, member, meeting):
    login(client, coordinator)
    text = f"Kontakta vårdnadshavare till {PNR}"
    response = client.post(
        f"/r/borlange/est/moten/{meeting.id}/beslut",
        data={"title": text, "owner_id": str(member.id), "due_date": "2026-01-20"},
    )
    assert response.status_code == 400
    assert f"”{PNR}”" in response.text and text in response.text
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 0


def test_a_situation_summary_with_a_phone_number_is_refused(client, coordinator, meeting):
    login(client, coordinator)
    response = client.post(
        f"/r/borlange/est/moten/{meeting.id}/dagordning",
        data={
            "agenda": "1. Lägesbild",
            "situation_summary": "Ring 070-123 45 67 vid oro",
            "version": str(meeting.version),
        },
    )
    assert response.status_code == 400
    assert "telefonnummer" in response.text
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).situation_summary == ""


def test_a_measure_comment_with_an_email_is_refused(client, council, member, make_measure):
    measure = make_measure(council, owners=[member])
    login(client, member)
    url = f"/r/borlange/insatser/{measure.id}/uppdatera"
    version = hidden_value(client.get(url).text, "version")
    response = client.post(
        url,
        data={
            "status": "ongoing",
            "progress": "20",
            "comment": "Fråga anna@exempel.se",
            "version": version,
        },
    )
    assert response.status_code == 200 and "e-postadress" in response.text
    assert db.session.scalar(db.select(db.func.count(MeasureUpdate.id))) == 0


def test_places_times_and_case_numbers_pass(client, coordinator, member, meeting):
    login(client, coordinator)
    response = client.post(
        f"/r/borlange/est/moten/{meeting.id}/beslut",
        data={
            "title": "Följ upp ärende 5000-K123456-24: stök 22:00–01:00 vid Resecentrum",
            "owner_id": str(member.id),
            "due_date": "2026-01-20",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 1
