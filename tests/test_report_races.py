"""Residents acting on one report at the same moment: every "me too" is counted, a fix is
answered once, and neither costs a staff member's loaded form its version.

Threads released together, each with its own session (see test_tool_races); on PostgreSQL
they race, on SQLite they come one after another and must end the same way.
"""

from datetime import UTC, datetime, timedelta

import pytest

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Role
from brott.models.reports import (
    EventKind,
    ReportEvent,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
)
from brott.services import rate_limit, report_handling
from brott.services import reports as report_service

from .report_objects import report_setup
from .test_throttle import redis_app as redis_app  # a fixture: counts in Redis
from .test_tool_races import WRITERS, together
from .test_tool_races import racing as racing  # a fixture: writers race on PostgreSQL

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _report(council) -> int:
    setup = report_setup(council)
    report = report_service.submit(
        council.id,
        report_service.ReportData(setup["category"].id, "Stationsgatan 3", "Lampan är släckt"),
        NOW - timedelta(days=3),
    )
    db.session.commit()
    return report.id


def _events(report_id: int, kind: EventKind) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(ReportEvent)
        .where(ReportEvent.report_id == report_id, ReportEvent.kind == kind)
    )


@pytest.mark.usefixtures("racing")
def test_residents_pressing_me_too_at_once_are_all_counted(app, council):
    report_id = _report(council)
    version = db.session.get(ResidentReport, report_id).version

    def me_too(i: int) -> None:
        report = db.session.get(ResidentReport, report_id)
        report_service.support(report, f"granne{i}@exempel.se", "sv", NOW)

    assert together(app, me_too) == ["ok"] * WRITERS
    db.session.expire_all()
    report = db.session.get(ResidentReport, report_id)
    assert report.supporters == WRITERS
    assert report.version == version  # a coordinator's open form is still current
    supporters = db.session.scalars(
        db.select(ReportSupporter).where(ReportSupporter.report_id == report_id)
    ).all()
    assert len(supporters) == WRITERS
    assert _events(report_id, EventKind.SUPPORTED) == WRITERS


def test_me_too_on_a_report_closed_meanwhile_is_refused(app, council):
    report_id = _report(council)
    report = db.session.get(ResidentReport, report_id)
    stale = report.is_open  # the resident's page showed it open
    db.session.execute(
        db.update(ResidentReport)
        .where(ResidentReport.id == report_id)
        .values(status=ReportStatus.CLOSED, is_open=False)
    )
    assert stale
    with pytest.raises(DomainError):
        report_service.support(report, "", "sv", NOW)
    db.session.rollback()
    assert db.session.get(ResidentReport, report_id).supporters == 0


@pytest.mark.usefixtures("racing")
def test_two_answers_to_one_fix_at_once_keep_one(app, council, make_user):
    report_id = _report(council)
    coordinator = make_user(Role.COORDINATOR, council)
    report = db.session.get(ResidentReport, report_id)
    report_handling.set_status(report, coordinator, ReportStatus.FIXED, "", report.version, NOW)
    db.session.commit()

    def answer(i: int) -> None:
        fixed = db.session.get(ResidentReport, report_id)
        report_handling.answer_follow_up(fixed, i % 2 == 0, "", NOW + timedelta(days=30))

    results = together(app, answer, 2)
    assert results.count("ok") == 1, results
    assert next(r for r in results if r != "ok").startswith("DomainError")
    answers = _events(report_id, EventKind.CONFIRMED) + _events(report_id, EventKind.REOPENED)
    assert answers == 1


def _slots_at_once(app) -> list[str]:
    def take(_i: int) -> None:
        wait = rate_limit.take_report_slot("192.0.2.50", NOW)
        if wait is not None:
            raise RuntimeError("refused")

    return together(app, take)


@pytest.mark.usefixtures("racing")
def test_report_slots_taken_at_once_stay_within_the_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_PER_ADDRESS", 3)
    results = _slots_at_once(app)
    assert results.count("ok") == 3, results
    assert results.count("RuntimeError: refused") == WRITERS - 3


def test_report_slots_taken_at_once_in_redis_stay_within_the_limit(redis_app):
    redis_app.config["REPORTS_PER_ADDRESS"] = 3
    results = _slots_at_once(redis_app)
    assert results.count("ok") == 3, results
