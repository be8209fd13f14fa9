"""The staff pages of residents' reports run as many statements for 300 reports (or events,
or marks) as for 10, and a body's queue reads the index made for it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from brott.extensions import db
from brott.models import Role
from brott.models.reports import (
    EventKind,
    Feeling,
    FeelingReason,
    ReportEvent,
    ReportSource,
    ReportStatus,
    ResidentReport,
    SafetyMark,
    TimeOfDay,
)
from brott.policy import Viewer
from brott.services import report_queue
from brott.services.reports import new_token

from .conftest import logged_in
from .report_objects import report_setup

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
BASE = "/r/borlange/rapporter"
STATUSES = list(ReportStatus)


@contextmanager
def recorded() -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _statements(client, url: str) -> int:
    with recorded() as statements:
        answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return len(statements)


@pytest.fixture
def world(council, coordinator, make_user, make_place):
    setup = report_setup(council)
    staff = make_user(Role.BODY_STAFF, council)
    staff.memberships[0].body_id = setup["body"].id
    places = [make_place(council) for _ in range(3)]
    db.session.commit()
    return setup, places, staff


def _add_reports(
    council, setup, places, n: int, start: int = 0, bodies=None
) -> list[ResidentReport]:
    bodies = bodies or [setup["body"], setup["other_body"], None]
    made = []
    for i in range(start, start + n):
        status = STATUSES[i % len(STATUSES)]
        made.append(
            ResidentReport(
                council_id=council.id,
                token=new_token(),
                category_id=setup["category"].id,
                body=bodies[i % len(bodies)],
                status=status,
                is_open=status in report_queue.OPEN_STATUSES,
                address=f"Gata {i}",
                place=places[i % 3] if i % 4 else None,
                description=f"Trasig lampa {i}",
                email=f"boende{i}@exempel.se",
                source=ReportSource.WEB,
                supporters=i % 5,
                created_at=NOW - timedelta(hours=i),
                updated_at=NOW - timedelta(hours=i),
            )
        )
    db.session.add_all(made)
    db.session.commit()
    return made


def _add_events(report: ResidentReport, authors, n: int) -> None:
    for i in range(n):
        db.session.add(
            ReportEvent(
                report_id=report.id,
                at=NOW - timedelta(minutes=n - i),
                kind=EventKind.COMMENT if i % 2 else EventKind.REPLY,
                public=not i % 2,
                text=f"Steg {i}",
                body_id=report.body_id,
                author_id=authors[i % len(authors)].id,
            )
        )
    db.session.commit()


def test_the_queue_runs_as_many_statements_for_300_reports_as_for_10(
    app, council, coordinator, world
):
    setup, places, staff = world
    clients = {"coordinator": logged_in(app, coordinator), "staff": logged_in(app, staff)}
    urls = [f"{BASE}/", f"{BASE}/?status=all&q=lampa", f"{BASE}/?status=all&page=2"]
    _add_reports(council, setup, places, 10)
    at_10 = {(who, url): _statements(c, url) for who, c in clients.items() for url in urls}
    _add_reports(council, setup, places, 290, start=10)
    at_300 = {(who, url): _statements(c, url) for who, c in clients.items() for url in urls}
    assert at_300 == at_10


def test_a_reports_page_runs_as_many_statements_for_300_events_as_for_10(
    app, council, coordinator, member, police, world
):
    setup, places, staff = world
    report, *others = _add_reports(council, setup, places, 4)
    authors = [coordinator, member, staff]
    clients = [logged_in(app, user) for user in (coordinator, police, staff)]
    url = f"{BASE}/{report.id}"
    _add_events(report, authors, 10)
    at_10 = [_statements(client, url) for client in clients]
    _add_events(report, authors, 290)
    for other in others:  # merged into it
        other.duplicate_of_id = report.id
    db.session.commit()
    assert [_statements(client, url) for client in clients] == at_10


def test_the_safety_marks_run_as_many_statements_for_300_marks_as_for_10(
    app, council, coordinator, world
):
    places = world[1]
    client = logged_in(app, coordinator)

    def add(n: int) -> None:
        for i in range(n):
            db.session.add(
                SafetyMark(
                    council_id=council.id,
                    feeling=list(Feeling)[i % 2],
                    time_of_day=list(TimeOfDay)[i % 4],
                    reason=list(FeelingReason)[i % 9],
                    address=f"Gata {i}",
                    place_id=places[i % 3].id if i % 5 else None,
                    created_at=NOW - timedelta(hours=i),
                )
            )
        db.session.commit()

    add(10)
    at_10 = _statements(client, f"{BASE}/trygghet")
    add(290)
    assert _statements(client, f"{BASE}/trygghet") == at_10


def test_a_bodys_queue_reads_its_index(app, council, world):
    """Among the reports of other bodies, a body's open queue reads each status's range of
    its index newest first, never the council's reports one by one (with the statistics a
    database in use has)."""
    setup, places, staff = world
    _add_reports(council, setup, places, 3, bodies=[setup["body"]])
    _add_reports(council, setup, places, 200, start=3, bodies=[setup["other_body"], None])
    db.session.connection().exec_driver_sql("ANALYZE resident_report")
    db.session.commit()
    you = Viewer.member(staff.memberships[0])
    with recorded() as statements:
        report_queue.queue_page(you, report_queue.QueueFilters())
    listing, parameters = next(
        (sql, params) for sql, params in statements if "ORDER BY" in sql and "LIMIT" in sql
    )
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a small table: scanned
        plan = connection.exec_driver_sql("EXPLAIN " + listing, parameters).scalars().all()
    else:
        plan = [row[-1] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + listing, parameters
        )]  # fmt: skip
    # how the reports are found (fetching the found ones by their key aside)
    reads = [
        line
        for line in plan
        if ("on resident_report " in line or "SEARCH resident_report " in line)
        and "pk_resident_report" not in line
        and "INTEGER PRIMARY KEY" not in line
    ]
    assert reads and all("ix_resident_report_queue" in line for line in reads), "\n".join(plan)
    db.session.rollback()
