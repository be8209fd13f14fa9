"""The situation picture's residents' reports and perceived safety: counts per place and
category of reports filed in the span and open at its end, against the span before; the
places with the most reports; safety marks per place and reason — for those who read every
body's reports, and nothing for a body's staff."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import g, render_template_string

from brott import i18n
from brott.extensions import db
from brott.models import Membership, Role
from brott.models.reports import Feeling, FeelingReason, ReportStatus, SafetyMark, TimeOfDay
from brott.policy import Viewer
from brott.services import report_handling, reports, situation
from brott.services.situation import CountRow

from .conftest import logged_in
from .report_objects import report_setup
from .test_query_counts import counted_statements

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = NOW - timedelta(days=14)
ENGLISH = {"Accept-Language": "en"}
STATION = (60.4838, 15.4300)
SQUARE = (60.4858, 15.4365)


def viewer_of(user, council) -> Viewer:
    membership = db.session.scalars(
        db.select(Membership).where(
            Membership.user_id == user.id, Membership.council_id == council.id
        )
    ).one()
    viewer = Viewer.member(membership)
    assert viewer.permissions  # loads what the permissions read, before anything is counted
    return viewer


@pytest.fixture
def filed(council, coordinator, make_place):
    """Reports and marks in the span (the last 14 days) and in the one before."""
    setup = report_setup(council)
    station = make_place(council, "Resecentrum", latitude=STATION[0], longitude=STATION[1])
    make_place(council, "Centrum", latitude=SQUARE[0], longitude=SQUARE[1])

    def report(days_ago: float, point=None, status: ReportStatus | None = None, after=1.0):
        at = NOW - timedelta(days=days_ago)
        made = reports.submit(
            council.id,
            reports.ReportData(
                category_id=setup["category"].id,
                address="Vid spåret",
                description="Släckt lampa",
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
            ),
            at,
        )
        if status is not None:
            changed = at + timedelta(days=after)
            report_handling.set_status(made, coordinator, status, "", made.version, changed)
        return made

    report(3, STATION)
    report(5, STATION, ReportStatus.FIXED)
    report(2)  # no point: no place
    report(20, STATION, ReportStatus.FIXED)  # the span before, fixed in it
    report(18, SQUARE)  # the span before, still open
    report(40, SQUARE, ReportStatus.FIXED, after=1)  # long before, fixed long before

    def mark(days_ago: float, feeling: Feeling, reason: FeelingReason) -> None:
        db.session.add(
            SafetyMark(
                council_id=council.id,
                feeling=feeling,
                time_of_day=TimeOfDay.EVENING,
                reason=reason,
                address="Resecentrum",
                place_id=station.id,
                created_at=NOW - timedelta(days=days_ago),
            )
        )

    mark(1, Feeling.UNSAFE, FeelingReason.LIGHTING)
    mark(2, Feeling.UNSAFE, FeelingReason.LIGHTING)
    mark(3, Feeling.SAFE, FeelingReason.GOOD)
    mark(16, Feeling.UNSAFE, FeelingReason.LIGHTING)
    db.session.commit()
    return setup


def test_reports_and_marks_are_counted_per_place_against_the_span_before(
    app, council, coordinator, police, filed
):
    for user in (coordinator, police):  # the police read every body's reports too
        you = viewer_of(user, council)
        with counted_statements() as statements, i18n.language("en"):
            section = situation.residents_reports(you, START, NOW)
            marks = situation.perceived_safety(you, START, NOW)
        assert len(statements) == 4 + 2  # one GROUP BY per count, whatever the rows
        assert section.counts == [  # filed, before; open at the end, at the end before
            CountRow("Centrum", "Belysning", 0, 1, 1, 1),
            CountRow("Resecentrum", "Belysning", 2, 1, 1, 0),
            CountRow("(no place)", "Belysning", 1, 0, 1, 0),
        ]
        assert section.top_places == [("Resecentrum", 2)]  # "(no place)" is not a place
        assert [(r.place, r.category, r.count, r.previous) for r in marks.counts] == [
            ("Resecentrum", "Poor lighting (unsafe)", 2, 1),
            ("Resecentrum", "Well lit, lively, looked after (safe)", 1, 0),
        ]


def test_a_bodys_staff_member_sees_no_counts(app, council, make_user, filed):
    staff = make_user(Role.BODY_STAFF, council)
    staff.memberships[0].body_id = filed["body"].id
    db.session.commit()
    you = viewer_of(staff, council)
    for source in (situation.residents_reports, situation.perceived_safety):
        section = source(you, START, NOW)
        assert (section.counts, section.top_places, section.link_endpoint) == ([], [], "")


def test_the_meeting_page_shows_the_counts(app, council, coordinator, make_meeting, filed):
    meeting = make_meeting(council, now=START - timedelta(days=1), first=NOW.date())
    page = logged_in(app, coordinator).get(f"/r/borlange/est/moten/{meeting.id}", headers=ENGLISH)
    assert page.status_code == 200
    section = page.text.split("Residents&#39; reports", 1)[1].split("Changes in the measures")[0]
    assert "Resecentrum" in section and "Open at the end" in section
    assert "Perceived safety" in section and "Poor lighting (unsafe)" in section


def test_the_top_places_list_names_each_place_and_links_the_queue(app, council, coordinator, filed):
    you = viewer_of(coordinator, council)
    section = situation.residents_reports(you, START, NOW)
    template = '{% from "meetings/_picture.html" import top_places %}{{ top_places(section) }}'
    with app.test_request_context("/r/borlange/est/"), i18n.language("en"):
        g.viewer, g.council = you, council
        html = render_template_string(template, section=section)
    assert "Resecentrum: 2 reports" in html
    assert 'href="/r/borlange/rapporter/"' in html
