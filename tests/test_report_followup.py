"""After "fixed": the question whether it stayed fixed (once per fix and address, after the
council's weeks), a "no" that reopens the report and tells the body, and the residents'
addresses deleted after the retention period — but not those of a reopened report."""

from datetime import UTC, datetime, timedelta

import pytest

from brott import jobs
from brott.extensions import db
from brott.models import OutboxMessage, Role
from brott.models.reports import (
    BodyKind,
    CloseReason,
    ReportCategory,
    ReportSettings,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
    ResponsibleBody,
)
from brott.services import report_followup, report_handling, reports

from .report_objects import BBOX
from .report_objects import setup as setup  # a fixture
from .test_report_notices import REPORTER, file, sent, text, to

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm
WEEKS = timedelta(weeks=4)  # the default follow-up weeks
RETENTION = timedelta(days=90)  # the default retention


@pytest.fixture
def handler(make_user, council):
    return make_user(Role.COORDINATOR, council)


def fixed(council, setup, handler, email: str = REPORTER, at: datetime = NOW):
    report = file(council, setup, email=email, at=at)
    report_handling.set_status(report, handler, ReportStatus.FIXED, "", report.version, at)
    db.session.commit()
    return report


def addresses(report) -> list[str | None]:
    db.session.expire_all()
    supporters = db.session.scalars(
        db.select(ReportSupporter.email)
        .where(ReportSupporter.report_id == report.id)
        .order_by(ReportSupporter.id)
    )
    return [db.session.get(ResidentReport, report.id).email, *supporters]


def test_the_question_is_asked_once_after_the_weeks_each_with_their_own_link(
    app, council, setup, handler, smtp, mailer
):
    report = fixed(council, setup, handler)
    supporter = ReportSupporter(
        report_id=report.id, token=reports.new_token(), email="stod@exempel.se", locale="en"
    )
    db.session.add(supporter)
    db.session.commit()

    assert report_followup.ask_follow_ups(NOW + WEEKS - timedelta(minutes=1)) == 0
    asked_at = NOW + WEEKS
    assert report_followup.ask_follow_ups(asked_at) == 2
    assert report_followup.ask_follow_ups(asked_at + timedelta(days=1)) == 0
    db.session.commit()
    sent(mailer, asked_at)

    [question] = [m for m in to(smtp, REPORTER) if "?" in m["Subject"]]
    assert f"/rapport/{report.token}" in text(question)
    [theirs] = to(smtp, "stod@exempel.se")
    assert f"/rapport/{supporter.token}" in text(theirs) and report.token not in text(theirs)
    assert db.session.get(ResidentReport, report.id).follow_up_sent_at == asked_at


def test_a_fix_confirmed_before_the_question_is_not_asked_and_its_address_still_goes(
    app, council, setup, handler
):
    report = fixed(council, setup, handler)
    confirmed = NOW + timedelta(days=3)  # from the tracking page, unasked
    report_handling.answer_follow_up(report, True, "", confirmed)
    db.session.commit()
    assert report_followup.ask_follow_ups(NOW + WEEKS) == 0
    assert report_followup.forget_emails(confirmed + RETENTION - timedelta(minutes=1)) == 0
    assert report_followup.forget_emails(confirmed + RETENTION) == 1
    assert addresses(report) == [None]


def test_a_no_reopens_the_report_tells_the_body_and_the_next_fix_is_asked_again(
    app, council, setup, handler, smtp, mailer
):
    report = fixed(council, setup, handler)
    report_followup.ask_follow_ups(NOW + WEEKS)
    db.session.commit()
    sent(mailer, NOW + WEEKS)
    smtp.inbox.clear()
    answered = NOW + WEEKS + timedelta(days=1)
    report_handling.answer_follow_up(report, False, "Fortfarande mörkt på kvällen", answered)
    db.session.commit()
    assert (report.status, report.is_open) == (ReportStatus.NEW, True)
    sent(mailer, answered)

    [reopened] = to(smtp, "felanmalan@energi.example")
    assert "Fortfarande mörkt på kvällen" in text(reopened)
    assert f"/rapporter/{report.id}" in text(reopened) and report.token not in text(reopened)

    again = answered + timedelta(days=2)
    report_handling.set_status(report, handler, ReportStatus.FIXED, "", report.version, again)
    assert report_followup.ask_follow_ups(again + WEEKS) == 1  # a new fix, a new question


def test_addresses_are_deleted_after_the_retention_but_not_before_nor_of_a_reopened_report(
    app, council, setup, handler, make_council
):
    closed = file(council, setup)
    reports.support(closed, "stod@exempel.se", "sv", NOW)
    report_handling.close(closed, handler, CloseReason.NO_ACTION, "", "", None, closed.version, NOW)
    asked = fixed(council, setup, handler, email="fixad@exempel.se")
    reopened = fixed(council, setup, handler, email="oppnad@exempel.se")
    report_followup.ask_follow_ups(NOW + WEEKS)
    report_handling.answer_follow_up(reopened, False, "", NOW + WEEKS)
    quick = make_council()  # a council with its own, shorter periods
    db.session.add(
        ReportSettings(council_id=quick.id, **BBOX, follow_up_weeks=1, email_retention_days=7)
    )
    quick_setup = report_setup_without_settings(quick)
    elsewhere = file(quick, quick_setup, email="annan@exempel.se")
    report_handling.close(
        elsewhere, handler, CloseReason.NO_ACTION, "", "", None, elsewhere.version, NOW
    )
    db.session.commit()

    mailed = set(mails_about(closed, asked, reopened, elsewhere))
    assert "stod@exempel.se" in mailed and "oppnad@exempel.se" in mailed  # receipts, questions

    # a closed report: the council's retention days after it was closed (7 in `quick`)
    assert report_followup.forget_emails(NOW + timedelta(days=7, minutes=-1)) == 0
    assert report_followup.forget_emails(NOW + timedelta(days=7)) == 1
    assert addresses(elsewhere) == [None]
    assert report_followup.forget_emails(NOW + RETENTION - timedelta(minutes=1)) == 0
    assert report_followup.forget_emails(NOW + RETENTION) == 2  # closed + its supporter
    # a fixed one: the retention days after it was asked whether the fix held
    due = NOW + WEEKS + RETENTION
    assert report_followup.forget_emails(due - timedelta(minutes=1)) == 0
    assert report_followup.forget_emails(due) == 1
    db.session.commit()
    assert addresses(closed) == [None, None]
    assert addresses(asked) == [None]
    assert addresses(reopened) == ["oppnad@exempel.se"]
    assert report_followup.forget_emails(due + timedelta(days=400)) == 0
    # the mails about them held the addresses too: gone with them, the reopened one's kept
    assert mails_about(closed, asked, elsewhere) == []
    assert "oppnad@exempel.se" in mails_about(reopened)


def mails_about(*about: ResidentReport) -> list[str]:
    """The recipients of the outbox's mails about these reports."""
    return list(
        db.session.scalars(
            db.select(OutboxMessage.recipient_email).where(
                OutboxMessage.report_id.in_([report.id for report in about])
            )
        )
    )


def report_setup_without_settings(council):
    """A category and its body in a council whose settings a test has made itself."""
    body = ResponsibleBody(
        council_id=council.id,
        name="Gata",
        kind=BodyKind.MUNICIPAL_UNIT,
        contact_email="gata@annan.example",
    )
    category = ReportCategory(
        council_id=council.id, name="Belysning", service_code="belysning", body=body
    )
    db.session.add_all([body, category])
    db.session.flush()
    return {"category": category, "body": body}


def test_the_daily_run_is_due_after_nine_once_a_day_and_dispatch_says_what_it_did(
    app, council, setup, handler, frozen, smtp
):
    fixed(council, setup, handler, at=NOW - WEEKS)
    early = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Stockholm
    assert jobs.report_follow_ups not in jobs.due_at(early)
    assert jobs.report_follow_ups in jobs.due_at(NOW)
    app.config.update(MAIL_SERVER=smtp.host, MAIL_PORT=smtp.port)
    try:
        first = app.test_cli_runner().invoke(args=["dispatch"])
        again = app.test_cli_runner().invoke(args=["dispatch"])
    finally:
        app.config.pop("MAIL_SERVER")
        app.config.pop("MAIL_PORT")
    assert first.exit_code == 0, first.output
    assert "report follow-ups asked 1, report addresses deleted 0" in first.output
    assert "report follow-ups not due" in again.output
    assert jobs.report_follow_ups not in jobs.due_at(NOW + timedelta(hours=3))
    assert jobs.report_follow_ups in jobs.due_at(NOW + timedelta(days=1))
