"""The dashboard, each member's landing page: the parts each viewer may see, with their counts
from planted data, as the policy decides; where a login lands; the page in both languages and
with as many statements for 200 measures, actions, reports and notes as for 10."""

from datetime import UTC, date, datetime, timedelta

import pytest

from brott import policy
from brott.extensions import db
from brott.models import (
    Action,
    ActionOrigin,
    ActionStatus,
    MeasureStatus,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
    Visibility,
)
from brott.models.audit import AuditEntry
from brott.models.certification import Outcome
from brott.models.reports import ReportSource, ReportStatus, ResidentReport
from brott.services import actions as action_service
from brott.services import certification as certification_service
from brott.services import certification_inspections as inspection_service
from brott.services import dashboard
from brott.services.reports import new_token

from .conftest import logged_in
from .report_objects import report_setup
from .test_query_counts import counted_statements

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
URL = "/r/borlange/oversikt"
ENGLISH = {"Accept-Language": "en"}
SWEDISH = {"Accept-Language": "sv"}
INTERNAL = "INTERNT-SPÅR-dashboard"
SHARED = "Delad text om gångtunneln"


def viewer_of(user: User) -> policy.Viewer:
    found = policy.viewer_for(user, "borlange")
    assert found is not None
    return found


def board_of(user: User) -> dashboard.Dashboard:
    return dashboard.dashboard_for(viewer_of(user), NOW)


def _report(council, setup, status: ReportStatus, hours_ago: int = 1) -> ResidentReport:
    report = ResidentReport(
        council_id=council.id,
        token=new_token(),
        category_id=setup["category"].id,
        body=setup["body"],
        status=status,
        is_open=status in (ReportStatus.NEW, ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS),
        address=f"Stationsgatan {hours_ago}",
        description="Lampan är släckt",
        source=ReportSource.WEB,
        created_at=NOW - timedelta(hours=hours_ago),
        updated_at=NOW - timedelta(hours=hours_ago),
    )
    db.session.add(report)
    return report


def _certified(council, inspector, name: str, issued_on: date) -> None:
    """A business certified on `issued_on` (a certificate holds a year)."""
    business = certification_service.add_business(
        council.id, certification_service.BusinessData(name, "556036-0793", unit=name)
    )
    outcomes = {p.id: Outcome.PASSED for p in certification_service.points(council.id)}
    inspection_service.record_inspection(
        business, inspection_service.InspectionData(issued_on, inspector.id, outcomes), issued_on
    )


def _mail(council_id: int, n: int, status: OutboxStatus) -> None:
    for i in range(n):
        db.session.add(
            OutboxMessage(
                key=f"test:{council_id}:{status.value}:{i}",
                kind="test",
                council_id=council_id,
                recipient_email="mottagare@exempel.se",
                subject="Påminnelse",
                body="",
                due_at=NOW - timedelta(days=1),
                status=status,
            )
        )


def _manual_action(council, owner: User, author: User, due: date, title: str) -> Action:
    action = Action(
        council_id=council.id,
        origin=ActionOrigin.MANUAL,
        title=title,
        owner_id=owner.id,
        due_date=due,
        created_by_id=author.id,
        created_at=NOW - timedelta(days=3),
        updated_at=NOW - timedelta(days=3),
    )
    db.session.add(action)
    return action


@pytest.fixture(autouse=True)
def _clock(frozen):
    """The pages' clock stands at NOW, as the planted data does."""
    return frozen


@pytest.fixture
def admin(make_user, council):
    return make_user(Role.ADMIN, council, name="Maja Lind")


@pytest.fixture
def world(
    app,
    council,
    coordinator,
    member,
    police,
    admin,
    make_user,
    make_council,
    make_measure,
    make_series,
    make_decision,
    make_note,
    without_notices,
):
    """Planted data with known counts, as of NOW."""
    fresh = NOW - timedelta(days=1)
    measures = {
        # the member's: one up to date, one without update for 40 days, one whose review
        # has passed, one done long ago (done: needs nothing)
        "fresh": make_measure(
            council,
            owners=[member],
            status=MeasureStatus.ONGOING,
            updated_at=fresh,
            next_review_date=TODAY + timedelta(days=10),
        ),
        "quiet": make_measure(
            council,
            owners=[member],
            status=MeasureStatus.PLANNED,
            updated_at=NOW - timedelta(days=40),
        ),
        "reviewed": make_measure(
            council,
            owners=[member],
            status=MeasureStatus.PAUSED,
            updated_at=fresh,
            next_review_date=TODAY - timedelta(days=1),
        ),
        "done": make_measure(
            council,
            owners=[member],
            status=MeasureStatus.DONE,
            progress=100,
            updated_at=NOW - timedelta(days=100),
        ),
        "coordinators": make_measure(
            council, owners=[coordinator], status=MeasureStatus.ONGOING, updated_at=fresh
        ),
        "unowned": make_measure(
            council, status=MeasureStatus.INVESTIGATING, updated_at=NOW - timedelta(days=60)
        ),
    }
    elsewhere = make_council(slug="falun")
    make_measure(elsewhere, status=MeasureStatus.PLANNED, updated_at=NOW - timedelta(days=90))

    # an EST series every other week: a meeting a week ago, the next one in a week
    series = make_series(
        council,
        now=NOW - timedelta(days=10),
        first=TODAY - timedelta(days=7),
        location="Stadshuset",
    )
    held, coming = series.meetings[0], series.meetings[1]
    decided_at = held.starts_at
    second_police = make_user(Role.POLICE, council, name="Lena Polis")
    actions = {
        "late": make_decision(
            held, coordinator, member, "Byt lampor", held.occurrence_date, now=decided_at
        ),
        "police": make_decision(
            held,
            coordinator,
            police,
            "Patrullera torget",
            TODAY + timedelta(days=20),
            now=decided_at,
        ),
        "second_police": make_decision(
            held,
            coordinator,
            second_police,
            "Besök skolan",
            TODAY + timedelta(days=9),
            now=decided_at,
        ),
        "coordinators": make_decision(
            held,
            coordinator,
            coordinator,
            "Kalla till möte",
            TODAY + timedelta(days=5),
            now=decided_at,
        ),
        "done": make_decision(held, coordinator, member, "Klart redan", TODAY, now=decided_at),
    }
    action_service.set_action_status(actions["done"], ActionStatus.DONE, "", decided_at)

    setup = report_setup(council)
    reports = [_report(council, setup, ReportStatus.NEW, hours) for hours in (1, 2)]
    _report(council, setup, ReportStatus.RECEIVED, 3)
    _report(council, setup, ReportStatus.FIXED, 4)

    _certified(council, coordinator, "Kiosken", date(2025, 4, 20))  # runs out 2026-04-20
    _certified(council, coordinator, "Tobaken", date(2025, 9, 1))  # holds until September
    _certified(council, coordinator, "Gamla butiken", date(2025, 1, 10))  # ran out in January

    _mail(council.id, 2, OutboxStatus.FAILED)
    _mail(council.id, 1, OutboxStatus.MISSED)
    _mail(council.id, 3, OutboxStatus.SENT)
    _mail(elsewhere.id, 4, OutboxStatus.FAILED)

    notes = {
        "shared": make_note(
            council, coordinator, text=SHARED, observed_from=NOW - timedelta(days=2)
        ),
        "shared_too": make_note(council, police, observed_from=NOW - timedelta(days=5)),
        "old": make_note(council, coordinator, observed_from=NOW - timedelta(days=30)),
        "internal": make_note(
            council,
            coordinator,
            text=INTERNAL,
            visibility=Visibility.INTERNAL,
            observed_from=NOW - timedelta(days=1),
        ),
    }
    db.session.commit()
    return {
        "measures": measures,
        "actions": actions,
        "coming": coming,
        "reports": reports,
        "notes": notes,
        "second_police": second_police,
    }


def _ids(rows) -> set[int]:
    return {row.id for row in rows}


# --- each role's parts, with their counts -------------------------------------------------


def test_a_member_sees_their_measures_and_actions_and_what_needs_an_update(app, world, member):
    board = board_of(member)
    measures, actions = world["measures"], world["actions"]

    assert board.mine is not None
    assert _ids(board.mine.measures) == _ids(
        measures[name] for name in ("fresh", "quiet", "reviewed", "done")
    )
    assert board.mine.stale_ids == {measures["quiet"].id, measures["reviewed"].id}
    assert _ids(board.mine.actions) == {actions["late"].id}  # the done one is not listed
    assert board.mine.late == 1
    # the parts of those who keep the council's work are not the member's
    assert board.by_status is None and board.stale is None and board.next_meeting is None
    assert board.new_reports is None and board.expiring is None and board.mail_problems is None
    assert board.shared_notes is None and board.police_actions is None

    page = logged_in(app, member).get(URL, headers=ENGLISH)
    assert page.status_code == 200
    assert "2 of your measures need an update from you." in page.text
    assert "1 of your actions is past its due date." in page.text
    assert page.text.count("Needs an update") == 2
    assert f'href="/r/borlange/insatser/{measures["quiet"].id}"' in page.text
    assert 'id="by-status"' not in page.text and 'id="police-actions"' not in page.text


def test_a_coordinator_sees_every_measure_by_status_and_what_waits(app, world, coordinator):
    board = board_of(coordinator)
    measures = world["measures"]

    assert board.by_status is not None
    assert {row.status: row.count for row in board.by_status} == {
        MeasureStatus.PLANNED: 1,
        MeasureStatus.INVESTIGATING: 1,
        MeasureStatus.ONGOING: 2,
        MeasureStatus.PAUSED: 1,
        MeasureStatus.DONE: 1,
    }
    assert board.measure_total == 6  # not the other council's
    assert board.stale is not None and board.stale.total == 3
    # those waiting longest first
    assert [m.id for m in board.stale.rows] == [
        measures["unowned"].id,
        measures["quiet"].id,
        measures["reviewed"].id,
    ]
    assert board.next_meeting is not None and board.next_meeting.meeting == world["coming"]
    follow_up = board.next_meeting.open_actions
    assert follow_up is not None and follow_up.total == 4
    assert world["actions"]["done"].id not in _ids(follow_up.rows)
    assert board.new_reports is not None
    assert _ids(board.new_reports.rows) == _ids(world["reports"]) and board.new_reports.total == 2
    assert board.expiring is not None and board.expiring.total == 1
    assert [(e.business.name, e.valid_until) for e in board.expiring.rows] == [
        ("Kiosken", date(2026, 4, 20))
    ]
    # coordinators run the EST cycle: they see the reminders that failed (VIEW_OUTBOX); the
    # police's parts are the police's
    assert board.mail_problems == dashboard.MailProblems(failed=2, missed=1)
    assert board.shared_notes is None and board.police_actions is None
    # a coordinator who owns work has the member's part too
    assert board.mine is not None
    assert _ids(board.mine.measures) == {measures["coordinators"].id}
    assert _ids(board.mine.actions) == {world["actions"]["coordinators"].id}


def test_the_coordinators_page_names_each_status_in_words_and_links_its_list(
    app, world, coordinator
):
    page = logged_in(app, coordinator).get(URL, headers=ENGLISH).text
    for status, label, count in (
        ("planned", "Planned", 1),
        ("investigating", "Under investigation", 1),
        ("ongoing", "Ongoing", 2),
        ("paused", "Paused", 1),
        ("done", "Done", 1),
    ):
        link = (
            f'<a href="/r/borlange/?status={status}"><span class="status status-{status}">'
            f"{label}</span> <strong>{count}</strong></a>"
        )
        assert link in page, status
    assert "6 measures in all." in page
    assert 'href="/r/borlange/rapporter/?status=new"' in page
    assert "2 new reports wait to be handled." in page
    assert 'href="/r/borlange/certifiering/?status=expiring"' in page
    assert "1 certificate runs out within 60 days." in page
    assert f'href="/r/borlange/est/moten/{world["coming"].id}"' in page
    # each part once, also for a viewer with several
    for part in ("mine", "next-meeting", "by-status", "stale", "new-reports", "expiring"):
        assert page.count(f'id="{part}"') == 1, part
    assert page.count('id="mail-problems"') == 1  # coordinators see failed reminders too


def test_an_admin_sees_the_failed_and_missed_reminders_of_their_council(app, world, admin):
    board = board_of(admin)
    assert board.mail_problems == dashboard.MailProblems(failed=2, missed=1)
    page = logged_in(app, admin).get(URL, headers=ENGLISH).text
    assert "Failed: 2" in page and "Missed: 1" in page
    assert 'href="/r/borlange/admin/utskick"' in page


def test_the_police_see_the_next_meeting_recent_shared_notes_and_the_polices_actions(
    app, world, police
):
    board = board_of(police)
    notes, actions = world["notes"], world["actions"]

    assert board.next_meeting is not None and board.next_meeting.meeting == world["coming"]
    assert board.next_meeting.open_actions is None  # the follow-up is the coordinators' part
    assert board.shared_notes is not None and board.shared_notes.total == 2
    assert [n.id for n in board.shared_notes.rows] == [notes["shared"].id, notes["shared_too"].id]
    assert board.police_actions is not None and board.police_actions.total == 2
    assert _ids(board.police_actions.rows) == {actions["police"].id, actions["second_police"].id}
    assert board.mine is None and board.by_status is None and board.stale is None
    assert board.new_reports is None and board.expiring is None and board.mail_problems is None


def test_the_police_dashboard_never_shows_an_internal_note_nor_a_notes_text(app, world, police):
    notes = world["notes"]
    page = logged_in(app, police).get(URL, headers=ENGLISH)
    assert page.status_code == 200
    assert f'href="/r/borlange/lagesbild/{notes["shared"].id}"' in page.text
    assert f'/lagesbild/{notes["internal"].id}"' not in page.text
    assert INTERNAL not in page.text
    # when, where and what kind, never the text: reading one is opening it (and logged)
    assert SHARED not in page.text
    reads = db.select(AuditEntry).where(
        AuditEntry.object_type == "note", AuditEntry.action == "view"
    )
    assert db.session.scalars(reads).all() == []


def test_without_anything_planted_each_part_says_so(app, council, coordinator, member, police):
    board = board_of(coordinator)
    assert board.next_meeting == dashboard.NextMeeting(None)
    assert board.stale == dashboard.Listing([], 0)
    assert board.mine is None  # who keeps the council's work sees theirs when they own some
    page = logged_in(app, coordinator).get(URL, headers=ENGLISH).text
    for sentence in (
        "No meeting is planned.",
        "Every measure is up to date.",
        "No new reports.",
        "No certificate runs out within 60 days.",
    ):
        assert sentence in page, sentence
    assert 'id="mine"' not in page
    own_page = logged_in(app, member).get(URL, headers=ENGLISH).text
    assert "You own no measures." in own_page and "You have no open actions." in own_page
    police_page = logged_in(app, police).get(URL, headers=ENGLISH).text
    assert "The police own no open actions." in police_page


# --- who lands here, and who is refused ---------------------------------------------------


def test_a_login_lands_on_the_dashboard_and_a_bodys_staff_on_their_queue(
    app, world, member, coordinator, police, admin, make_user, council
):
    staff = make_user(Role.BODY_STAFF, council)
    for user in (member, coordinator, police, admin):
        client = logged_in(app, user)
        assert client.get("/").location == URL, user.name
        assert client.get(URL).status_code == 200
    assert logged_in(app, staff).get("/").location == "/r/borlange/rapporter/"


def test_the_dashboard_refuses_a_bodys_staff_the_public_and_other_councils(
    app, world, make_user, council, make_council
):
    staff = make_user(Role.BODY_STAFF, council)
    assert logged_in(app, staff).get(URL).status_code == 403
    anonymous = app.test_client().get(URL)
    assert anonymous.status_code == 302 and "/logga-in" in anonymous.location
    stranger = make_user(Role.COORDINATOR, make_council(slug="mora"))
    assert logged_in(app, stranger).get(URL).status_code == 404
    assert app.test_client().get("/r/finns-inte/oversikt").status_code == 302


def test_the_menu_leads_to_the_dashboard_and_marks_it_current(app, world, member):
    client = logged_in(app, member)
    here = client.get(URL, headers=ENGLISH).text
    assert f'<a href="{URL}" aria-current="page">Overview</a>' in here
    elsewhere = client.get("/r/borlange/", headers=ENGLISH).text
    assert f'<a href="{URL}">Overview</a>' in elsewhere


# --- both languages -----------------------------------------------------------------------


@pytest.mark.parametrize("headers, lang", [(ENGLISH, "en"), (SWEDISH, "sv")])
def test_every_roles_dashboard_renders_in_english_and_swedish(
    app, world, member, coordinator, police, admin, headers, lang
):
    for user in (member, coordinator, police, admin):
        page = logged_in(app, user).get(URL, headers=headers)
        assert page.status_code == 200, user.name
        assert f'<html lang="{lang}">' in page.text
        assert page.text.count("<h1>") == 1
    if lang == "sv":
        assert "Insatser" in page.text  # the menu, in the default language


# --- statements: flat from 10 to 200 rows ---------------------------------------------------


def _grow(council, world, admin, police, n: int, make_measure, make_note, setup) -> None:
    """n more of everything a dashboard lists: stale measures the admin owns, open actions of
    the admin and of the police, new reports, shared notes, expiring certificates' mail."""
    for i in range(n):
        make_measure(
            council,
            owners=[admin],
            status=list(MeasureStatus)[i % 5],
            updated_at=NOW - timedelta(days=31 + i),
            commit=False,
        )
        _manual_action(council, admin, admin, TODAY + timedelta(days=i % 9 - 3), f"Egen {i}")
        _manual_action(council, police, admin, TODAY + timedelta(days=i % 7), f"Polisens {i}")
        _report(council, setup, ReportStatus.NEW, i + 10)
        make_note(
            council,
            police,
            observed_from=NOW - timedelta(hours=i + 1),
            commit=False,
            place=world["place"],
            category=world["category"],
        )
    db.session.commit()


@pytest.fixture
def bare(council, admin, police, make_series, make_place, make_category, without_notices):
    """A council with a coming meeting, a place and a category, nothing else yet."""
    make_series(council, now=NOW - timedelta(days=1), first=TODAY + timedelta(days=3))
    return {
        "place": make_place(council, "Resecentrum"),
        "category": make_category(council, "Klotter"),
        "setup": report_setup(council),
    }


def _statements(client) -> int:
    with counted_statements() as statements:
        answer = client.get(URL)
    assert answer.status_code == 200
    return len(statements)


def test_the_dashboard_runs_as_many_statements_for_200_rows_as_for_10(
    app, council, bare, admin, police, make_measure, make_note
):
    db.session.commit()
    clients = {"admin": logged_in(app, admin), "police": logged_in(app, police)}
    _grow(council, bare, admin, police, 10, make_measure, make_note, bare["setup"])
    at_10 = {who: _statements(client) for who, client in clients.items()}
    _grow(council, bare, admin, police, 190, make_measure, make_note, bare["setup"])
    at_200 = {who: _statements(client) for who, client in clients.items()}
    assert at_200 == at_10, (at_10, at_200)
    board = board_of(admin)
    assert board.mine is not None and len(board.mine.measures) == 200
    assert board.stale is not None and board.stale.total == 160  # a fifth are done
    assert board.new_reports is not None and board.new_reports.total == 200
    police_board = board_of(police)
    assert police_board.police_actions is not None and police_board.police_actions.total == 200
    assert police_board.shared_notes is not None and police_board.shared_notes.total == 200
