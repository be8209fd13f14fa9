"""The e-mails of residents' reports, received by a real SMTP server on loopback: the body
is told of each report that becomes theirs exactly once, the reporter gets a receipt, and
the reporter and the supporters get each public change in their own language with their
own tracking link — never an internal comment, a staff name or another resident's link."""

from datetime import UTC, datetime, timedelta

import pytest

from brott import jobs
from brott.extensions import db
from brott.models import OutboxMessage, Role
from brott.models.reports import CloseReason, ReportStatus
from brott.services import report_handling, reports

from .report_objects import setup as setup  # a fixture

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SWEDISH_FOOTER = "Det här meddelandet skickades automatiskt"
ENGLISH_FOOTER = "This message was sent automatically"
COMMENT = "INTERNT-SPÅR-kommentar-4711"
HANDLER = "Hemliga Handläggaren"
REPORTER = "anmalare@exempel.se"


@pytest.fixture
def handler(make_user, council):
    return make_user(Role.COORDINATOR, council, name=HANDLER)


def file(council, setup, email: str = REPORTER, locale: str = "sv", at: datetime = NOW):
    report = reports.submit(
        council.id,
        reports.ReportData(
            category_id=setup["category"].id,
            address="Stationsgatan 3",
            description="Gatlampan vid busshållplatsen är släckt",
            latitude=60.4855,
            longitude=15.4360,
            email=email,
            locale=locale,
        ),
        at,
    )
    db.session.commit()
    return report


def sent(mailer, at: datetime = NOW) -> None:
    """Two dispatcher runs, as cron would make: nothing may go out twice."""
    jobs.dispatch_due(at, mailer)
    jobs.dispatch_due(at + timedelta(minutes=1), mailer)


def to(smtp, address: str) -> list:
    return [m.message for m in smtp.inbox.messages if m.rcpt_tos == [address]]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def html(message) -> str:
    return message.get_body(("html",)).get_content()


def test_the_body_is_told_once_without_the_residents_address_and_the_reporter_gets_a_receipt(
    app, council, setup, smtp, mailer
):
    report = file(council, setup, locale="en")
    sent(mailer)

    [to_body] = to(smtp, "felanmalan@energi.example")
    body_text = text(to_body)
    assert f"no. {report.id}" in to_body["Subject"] or str(report.id) in to_body["Subject"]
    for expected in ("Belysning", "Stationsgatan 3", "Gatlampan vid busshållplatsen"):
        assert expected in body_text
    assert "openstreetmap.org/?mlat=60.485500&mlon=15.436000" in body_text
    assert f"/r/borlange/rapporter/{report.id}" in body_text
    assert SWEDISH_FOOTER in html(to_body)  # a body reads Swedish
    for secret in (REPORTER, report.token):
        assert secret not in body_text and secret not in html(to_body)

    [receipt] = to(smtp, REPORTER)
    assert f"/r/borlange/rapport/{report.token}" in text(receipt)
    assert ENGLISH_FOOTER in html(receipt)  # in the reporter's language
    assert len(smtp.inbox.messages) == 2


def test_each_hand_over_of_an_open_report_mails_the_body_it_goes_to(
    app, council, setup, handler, smtp, mailer
):
    report = file(council, setup, email="")
    report_handling.reassign(report, handler, setup["other_body"], "", report.version, NOW)
    report_handling.reassign(report, handler, setup["body"], "", report.version, NOW)
    db.session.commit()
    sent(mailer)

    first, back = to(smtp, "felanmalan@energi.example")  # filed, then handed back: news again
    assert "handed over to you" not in text(first) and "lämnats över" not in text(first)
    assert "lämnats över till er" in text(back)
    [handed] = to(smtp, "gata@kommun.example")
    assert f"/r/borlange/rapporter/{report.id}" in text(handed)
    assert "lämnats över till er" in text(handed)
    assert len(smtp.inbox.messages) == 3

    # a closed report handed over for the record is no new work: nobody is mailed
    report_handling.close(report, handler, CloseReason.NO_ACTION, "", "", None, report.version, NOW)
    report_handling.reassign(report, handler, setup["other_body"], "", report.version, NOW)
    db.session.commit()
    sent(mailer, NOW + timedelta(minutes=5))
    assert len(smtp.inbox.messages) == 3


def test_public_changes_reach_reporter_and_supporters_in_their_language_with_their_own_link(
    app, council, setup, handler, smtp, mailer
):
    report = file(council, setup)
    english = reports.support(report, "Stod.Engelsk@Exempel.se", "en", NOW)
    silent = reports.support(report, "", "sv", NOW)
    report_handling.comment(report, handler, COMMENT, NOW)
    report_handling.set_status(
        report, handler, ReportStatus.FIXED, "Lampan är bytt", report.version, NOW
    )
    db.session.commit()
    sent(mailer)

    [_receipt, fixed] = to(smtp, REPORTER)
    assert SWEDISH_FOOTER in html(fixed) and "Åtgärdat" in fixed["Subject"]
    assert "Lampan är bytt" in text(fixed)
    assert f"/rapport/{report.token}" in text(fixed)
    [to_supporter] = to(smtp, "stod.engelsk@exempel.se")
    assert ENGLISH_FOOTER in html(to_supporter) and "Fixed" in to_supporter["Subject"]
    assert "new status: Fixed." in text(to_supporter)  # the label in their language too
    assert f"/rapport/{english.token}" in text(to_supporter)
    assert report.token not in text(to_supporter) and english.token not in text(fixed)
    for received in smtp.inbox.messages:
        whole = text(received.message) + html(received.message)
        for secret in (COMMENT, HANDLER, silent.token):
            assert secret not in whole
    assert len(smtp.inbox.messages) == 4  # the body's, the receipt, two status changes


def test_a_reply_and_a_referral_are_mailed_but_a_comment_alone_mails_nobody(
    app, council, setup, handler, smtp, mailer
):
    report = file(council, setup)
    report_handling.comment(report, handler, COMMENT, NOW)
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    assert before == 2  # the body's and the receipt: the comment wrote nothing

    report_handling.reply(report, handler, "Vi tittar på det i veckan", report.version, NOW)
    report_handling.close(
        report,
        handler,
        CloseReason.NOT_OURS,
        "Vägen är statlig",
        "Trafikverket",
        None,
        report.version,
        NOW,
    )
    db.session.commit()
    sent(mailer)

    [_receipt, replied, closed] = to(smtp, REPORTER)
    assert "Vi tittar på det i veckan" in text(replied)
    assert "Trafikverket" in text(closed) and "Vägen är statlig" in text(closed)
    assert COMMENT not in text(replied) + text(closed)
