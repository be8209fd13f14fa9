"""The demo's residents' reports: every state, the energy company's reports and its staff
member, marks of perceived safety, an Open311 key — counted in the next EST meeting's
situation picture and in the camera site's need assessment, and not one e-mail sent for the
demo's history."""

from datetime import UTC, datetime

from brott import i18n, policy
from brott.extensions import db
from brott.models import Meeting, Membership, OutboxMessage, OutboxStatus, User
from brott.models.cameras import CameraSite
from brott.models.reports import (
    CloseReason,
    EventKind,
    ReportEvent,
    ReportStatus,
    ResidentReport,
    ResponsibleBody,
    SafetyMark,
)
from brott.policy import Viewer
from brott.services import camera_need, demo_reports, open311_keys, report_notices, situation
from brott.services import demo as demo_service

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday, as in test_demo_est


def viewer(email: str) -> Viewer:
    membership = db.session.scalars(
        db.select(Membership).join(Membership.user).where(User.email == email)
    ).one()
    return Viewer.member(membership)


def test_the_demo_has_reports_in_every_state_counted_in_the_next_meeting(app):
    council = demo_service.load_demo(NOW)
    db.session.commit()
    users = {u.email: u for u in db.session.scalars(db.select(User))}
    demo_reports.load_demo(council, users, NOW, demo_service.DEMO_BODY_STAFF)  # adds nothing
    db.session.commit()

    filed = db.session.scalars(db.select(ResidentReport)).all()
    assert len(filed) == len(demo_reports.DEMO_REPORTS)
    assert {r.status for r in filed} == set(ReportStatus)
    assert {r.close_reason for r in filed} == {None, *CloseReason}
    assert any(r.follow_up_sent_at and not r.follow_up_answered_at for r in filed)
    assert any(r.supporters for r in filed) and any(r.referral for r in filed)
    assert any(r.duplicate_of_id for r in filed)
    kinds = set(db.session.scalars(db.select(ReportEvent.kind)))
    assert set(EventKind) == kinds  # replies, comments, reassigned, reopened, confirmed …
    assert db.session.scalar(db.select(db.func.count(SafetyMark.id))) == demo_reports.MARKS

    energy = db.session.scalars(
        db.select(ResponsibleBody).where(ResponsibleBody.name == demo_reports.ENERGY)
    ).one()
    assert energy.partner is not None  # the demo's partner organisation of that name
    staff = viewer(demo_service.DEMO_BODY_STAFF[0])
    theirs = db.session.scalars(policy.scoped(staff, ResidentReport)).all()
    assert theirs and {r.body_id for r in theirs} == {energy.id}
    assert open311_keys.verify(energy.council_id, demo_reports.OPEN311_KEY) is not None

    unsent = db.session.scalars(
        db.select(OutboxMessage.kind).where(OutboxMessage.status == OutboxStatus.PENDING)
    ).all()
    report_kinds = {
        report_notices.REPORT_NEW,
        report_notices.REPORT_UPDATE,
        report_notices.REPORT_FOLLOW_UP,
    }
    assert not report_kinds & set(unsent)  # the history's mail was never news

    coming = db.session.scalars(
        db.select(Meeting).where(Meeting.starts_at > NOW).order_by(Meeting.starts_at)
    ).first()
    with i18n.language("en"):
        picture = situation.compile_picture(coming, viewer(demo_service.DEMO_USERS[1][0]))
    [section] = [s for s in picture.sections if s.title == "Residents' reports"]
    assert sum(row.count for row in section.counts) >= 5
    assert sum(row.open or 0 for row in section.counts) >= 5
    assert section.top_places and section.top_places[0][1] >= 2
    [marks] = [s for s in picture.sections if s.title == "Perceived safety"]
    assert marks.counts

    site = db.session.scalars(db.select(CameraSite)).first()
    need = camera_need.need_assessment(
        viewer(demo_service.DEMO_USERS[1][0]), site, *camera_need.default_period(NOW.date()), 300
    )
    assert any(o.link_endpoint == "reports.show" for o in need.observations)  # a source now
