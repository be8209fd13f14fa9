"""No N+1: the number of SQL statements a page runs does not grow with its rows."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from brott.extensions import db
from brott.models import MeasureStatus, MeasureUpdate, NoteSource, Role, User, utcnow

from .conftest import login


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _page_statements(client, url: str) -> int:
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.fixture
def setting(make_council, make_user, make_partner):
    council = make_council(slug="borlange")
    people = [make_user(Role.MEMBER, council) for _ in range(3)]
    partners = [make_partner(council) for _ in range(2)]
    return council, people, partners


def _add_measures(make_measure, council, people, partners, n: int) -> None:
    for i in range(n):
        make_measure(
            council,
            owners=[people[i % 3], people[(i + 1) % 3]],
            partners=[partners[i % 2]],
            category=f"Kategori {i % 4}",
            commit=False,
        )
    db.session.commit()


def _add_journal(measure, authors: list[User], n: int) -> None:
    for i in range(n):
        db.session.add(
            MeasureUpdate(
                measure=measure,
                author=authors[i % len(authors)],
                version=1,
                old_status=MeasureStatus.PLANNED,
                new_status=MeasureStatus.ONGOING,
                old_progress=i,
                new_progress=i + 1,
                comment=f"Steg {i}",
            )
        )
    db.session.commit()


def test_measure_list_runs_as_many_statements_for_200_measures_as_for_10(
    client, setting, make_measure
):
    council, people, partners = setting
    login(client, people[0])
    _add_measures(make_measure, council, people, partners, 10)
    at_10 = _page_statements(client, "/r/borlange/")

    _add_measures(make_measure, council, people, partners, 190)
    at_200 = _page_statements(client, "/r/borlange/")

    assert at_200 == at_10
    assert client.get("/r/borlange/").text.count('<progress max="100"') == 200


def test_filtered_list_does_not_grow_either(client, setting, make_measure):
    council, people, partners = setting
    login(client, people[0])
    _add_measures(make_measure, council, people, partners, 10)
    url = f"/r/borlange/?owner={people[1].id}&status=ongoing"
    at_10 = _page_statements(client, url)
    _add_measures(make_measure, council, people, partners, 190)
    assert _page_statements(client, url) == at_10


def test_measure_page_runs_as_many_statements_for_200_journal_entries_as_for_10(
    client, setting, make_measure
):
    council, people, partners = setting
    login(client, people[0])
    measure = make_measure(council, owners=people, partners=partners)
    _add_journal(measure, people, 10)
    url = f"/r/borlange/insatser/{measure.id}"
    at_10 = _page_statements(client, url)

    _add_journal(measure, people, 190)
    at_200 = _page_statements(client, url)

    assert at_200 == at_10
    assert client.get(url).text.count('class="entry"') == 200


# --- EST and situation notes ------------------------------------------------------------------


@pytest.fixture
def add_est_rows(make_place, make_category, make_decision, make_note):
    """n actions decided at the meeting and n notes from the day before it, at a new place
    and in a new category, by the people in turn."""

    def add(council, people, meeting, n: int) -> None:
        place, category = make_place(council), make_category(council)
        for i in range(n):
            who = people[i % 3]
            due = meeting.starts_at.date() + timedelta(days=7)
            # the action's place is a row too: loaded with it
            make_decision(meeting, people[0], who, f"Åtgärd {i}", due, place, commit=False)
            make_note(
                council,
                who,
                place,
                category,
                f"Mönster {i}",
                meeting.starts_at - timedelta(days=1, minutes=i),
                source=NoteSource.CITY_HOST,
                commit=False,
            )
        db.session.commit()

    return add


def test_meeting_page_and_notes_list_do_not_grow_with_actions_and_notes(
    client, setting, make_meeting, add_est_rows
):
    council, people, _partners = setting
    meeting = make_meeting(council, first=(utcnow() + timedelta(days=3)).date())
    login(client, people[0])
    meeting_url = f"/r/borlange/est/moten/{meeting.id}"
    notes_url = "/r/borlange/lagesbild/"

    add_est_rows(council, people, meeting, 10)
    at_10 = (_page_statements(client, meeting_url), _page_statements(client, notes_url))
    add_est_rows(council, people, meeting, 90)
    at_100 = (_page_statements(client, meeting_url), _page_statements(client, notes_url))

    assert at_100 == at_10
    assert client.get(meeting_url).text.count("Åtgärd ") >= 100
