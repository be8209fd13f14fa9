"""A certificate's expiry reminder: 60 days before, once to each coordinator and once to the
business's contact address, through the outbox and a real SMTP server on loopback."""

from datetime import UTC, date, datetime, timedelta

from brott import jobs
from brott.extensions import db
from brott.models import OutboxMessage, OutboxStatus, Role
from brott.models.certification import Outcome
from brott.services import certification as service
from brott.services import certification_inspections as inspection_service
from brott.services import certification_reminders as reminders

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def certified(council, inspector, issued_on: date, contact: str = "butik@exempel.se"):
    business = service.add_business(
        council.id,
        service.BusinessData("Tobakshandeln", "556036-0793", contact_email=contact),
    )
    outcomes = {p.id: Outcome.PASSED for p in service.points(council.id)}
    inspection_service.record_inspection(
        business, inspection_service.InspectionData(issued_on, inspector.id, outcomes), issued_on
    )
    db.session.commit()
    return business


def test_each_coordinator_and_the_contact_get_exactly_one_reminder_when_planned_twice(
    app, council, coordinator, make_user, smtp, mailer
):
    second = make_user(Role.COORDINATOR, council)
    make_user(Role.MEMBER, council)
    make_user(Role.POLICE, council)
    certified(council, coordinator, date(2025, 4, 20))  # valid until 2026-04-20
    early = datetime(2026, 2, 18, 9, 0, tzinfo=UTC)  # 61 days before
    assert reminders.plan_certificate_reminders(early) == 0
    assert reminders.plan_certificate_reminders(NOW) == 3
    assert reminders.plan_certificate_reminders(NOW) == 0
    db.session.commit()
    jobs.dispatch_due(NOW, mailer)
    jobs.dispatch_due(NOW + timedelta(days=1), mailer)
    received = sorted(m.rcpt_tos[0] for m in smtp.inbox.messages)
    assert received == sorted([coordinator.email, second.email, "butik@exempel.se"])
    subject = smtp.inbox.messages[0].message["Subject"]
    assert "Tobakshandeln" in subject and "2026-04-20" in subject
    statuses = set(db.session.scalars(db.select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


def test_nothing_is_planned_for_a_certificate_renewed_or_already_expired(app, council, coordinator):
    business = certified(council, coordinator, date(2025, 1, 10), contact="")
    assert reminders.plan_certificate_reminders(NOW) == 0  # ran out on 2026-01-10
    outcomes = {p.id: Outcome.PASSED for p in service.points(council.id)}
    inspection_service.record_inspection(
        business,
        inspection_service.InspectionData(date(2025, 4, 1), coordinator.id, outcomes),
        NOW.date(),
    )
    assert reminders.plan_certificate_reminders(NOW) == 1  # the newer one, to the coordinator


def test_a_council_row_to_an_outside_address_is_not_dropped_but_a_former_member_still_is(
    app, council, coordinator, make_user, mailer, smtp
):
    from brott.services import outbox
    from brott.services.emails import Email

    left = make_user(Role.COORDINATOR, council)
    left.memberships[0].active = False
    email = Email("Ämne", "Text", "<p>Text</p>")
    outbox.enqueue_to_address("a", "test", "extern@exempel.se", email, NOW, NOW, council.id)
    outbox.enqueue("b", "test", left, email, NOW, NOW, council_id=council.id)
    db.session.commit()
    report = jobs.dispatch_due(NOW, mailer)
    assert (report.sent, report.dropped) == (1, 1)
    assert [m.rcpt_tos for m in smtp.inbox.messages] == [["extern@exempel.se"]]
