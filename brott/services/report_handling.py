"""What happens to a report after it is filed: a body's staff move it through
new → received → in progress → fixed or close it (not ours, with a referral; a duplicate,
merged into its original; no action), reply in public or comment internally, hand it to
another body; the resident answers whether it stayed fixed, and a "no" reopens it.

Every change is one event. Public events bump `updated_at` and e-mail the reporter and the
supporters who gave an address (services/report_notices); internal ones reach staff only.
A staff form names the version of the report it was made from: a change saved meanwhile
makes it a conflict, never a silent overwrite (services/versions).
"""

from datetime import datetime

from flask_babel import gettext as _

from brott.errors import DomainError
from brott.extensions import db, rows_affected
from brott.models import User
from brott.models.reports import (
    CloseReason,
    EventKind,
    ReportEvent,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
    ResponsibleBody,
)
from brott.services import report_notices, reports
from brott.services.versions import check_version, flush_or_conflict

TEXT_MAX = 2000
REFERRAL_MAX = 300

# the statuses staff may set; NEW is the state of a filed (or reopened) report
STAFF_STATUSES = (ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS, ReportStatus.FIXED)


def _conflict() -> str:
    return _("Someone changed the report meanwhile; see what it says now and try again.")


def _checked_text(text: str, field: str = "text", required: bool = False) -> str:
    cleaned = text.strip()
    if required and not cleaned:
        raise DomainError(_("Write the text."), field)
    if len(cleaned) > TEXT_MAX:
        raise DomainError(_("Write at most %(n)d characters.", n=TEXT_MAX), field)
    return cleaned


def _public_text(text: str, field: str = "text", required: bool = False) -> str:
    """A text residents will read: within the limit and free of personal data."""
    from brott.services import personal_data

    cleaned = _checked_text(text, field, required)
    personal_data.check_text(cleaned, field)
    return cleaned


def _event(
    report: ResidentReport,
    kind: EventKind,
    public: bool,
    now: datetime,
    author: User | None,
    text: str = "",
    old: ReportStatus | None = None,
    new: ReportStatus | None = None,
) -> ReportEvent:
    event = ReportEvent(
        at=now,
        kind=kind,
        public=public,
        old_status=old,
        new_status=new,
        text=text,
        body_id=report.body_id,
        author_id=author.id if author is not None else None,
    )
    report.events.append(event)
    if public:
        report.updated_at = now
    return event


def _set(report: ResidentReport, status: ReportStatus, now: datetime) -> None:
    report.status = status
    report.is_open = reports.is_open_status(status)
    if status is ReportStatus.FIXED:
        report.fixed_at = now
        report.closed_at = now
        report.follow_up_sent_at = None
        report.follow_up_answered_at = None
    elif status is ReportStatus.CLOSED:
        report.closed_at = now
    else:
        report.closed_at = None
        report.close_reason = None
        report.referral = ""


def set_status(
    report: ResidentReport,
    author: User,
    status: ReportStatus,
    public_text: str,
    seen: int,
    now: datetime,
) -> ReportEvent:
    """Move the report to `status` (received, in progress or fixed), with a public reply."""
    check_version(report, seen, _conflict())
    if status not in STAFF_STATUSES:
        raise DomainError(_("Choose received, in progress or fixed."), "status")
    if status is report.status:
        raise DomainError(_("The report already has that status."), "status")
    if report.close_reason is CloseReason.DUPLICATE:
        raise DomainError(_("A duplicate follows its original; reopen the original instead."))
    text = _public_text(public_text)
    old = report.status
    _set(report, status, now)
    event = _event(report, EventKind.STATUS, True, now, author, text, old, status)
    flush_or_conflict(seen, _conflict())
    report_notices.public_change(report, event, now)
    return event


def close(
    report: ResidentReport,
    author: User,
    reason: CloseReason,
    public_text: str,
    referral: str,
    original: ResidentReport | None,
    seen: int,
    now: datetime,
) -> ReportEvent:
    """Close the report as not ours (a referral says where to turn), a duplicate of
    `original` (its supporters and the reporter's address follow to the original) or no
    action."""
    check_version(report, seen, _conflict())
    if report.status is ReportStatus.CLOSED:
        raise DomainError(_("The report is already closed."))
    text = _public_text(public_text)
    referral = referral.strip()
    if reason is CloseReason.NOT_OURS:
        if not referral:
            raise DomainError(_("Say who to turn to instead."), "referral")
        if len(referral) > REFERRAL_MAX:
            raise DomainError(_("Write at most %(n)d characters.", n=REFERRAL_MAX), "referral")
    else:
        referral = ""
    if reason is CloseReason.DUPLICATE:
        if original is None or original.council_id != report.council_id:
            raise DomainError(_("Give the number of the original report."), "original_id")
        root = reports.original_of(original)
        if root.id == report.id:
            raise DomainError(_("A report cannot be a duplicate of itself."), "original_id")
        if not root.is_open:
            raise DomainError(
                _(
                    "Report %(number)d is closed or fixed: a new report of the same problem "
                    "is handled on its own.",
                    number=root.id,
                ),
                "original_id",
            )
        _merge_into(report, root, now)
    old = report.status
    report.close_reason = reason
    report.referral = referral
    _set(report, ReportStatus.CLOSED, now)
    event = _event(report, EventKind.STATUS, True, now, author, text, old, ReportStatus.CLOSED)
    flush_or_conflict(seen, _conflict())
    report_notices.public_change(report, event, now)
    return event


def _merge_into(report: ResidentReport, original: ResidentReport, now: datetime) -> None:
    """Merge a duplicate: its supporters, and its reporter as one more, follow the original."""
    report.duplicate_of = original
    # its count as it stands now, the row locked (a "me too" at this moment waits, then finds
    # the report closed): the count loaded with the page may miss one
    supporters = db.session.scalar(
        db.select(ResidentReport.supporters).where(ResidentReport.id == report.id).with_for_update()
    )
    db.session.execute(
        db.update(ReportSupporter)
        .where(ReportSupporter.report_id == report.id)
        .values(report_id=original.id)
    )
    if not reports.add_supporters(original, (supporters or 0) + 1):
        raise DomainError(_("The original report was closed meanwhile."), "original_id")
    if report.email:
        db.session.add(
            ReportSupporter(
                report_id=original.id,
                token=reports.new_token(),
                email=report.email,
                locale=report.locale,
                created_at=now,
            )
        )
    db.session.add(
        ReportEvent(report_id=original.id, at=now, kind=EventKind.SUPPORTED, public=True)
    )


def reply(report: ResidentReport, author: User, text: str, seen: int, now: datetime) -> ReportEvent:
    """A public reply without a change of status: residents read it and are e-mailed."""
    check_version(report, seen, _conflict())
    cleaned = _public_text(text, required=True)
    event = _event(report, EventKind.REPLY, True, now, author, cleaned)
    flush_or_conflict(seen, _conflict())
    report_notices.public_change(report, event, now)
    return event


def comment(report: ResidentReport, author: User, text: str, now: datetime) -> ReportEvent:
    """An internal comment: staff only, never on a public page, in an e-mail or Open311."""
    cleaned = _checked_text(text, required=True)
    event = _event(report, EventKind.COMMENT, False, now, author, cleaned)
    db.session.flush()
    return event


def reassign(
    report: ResidentReport,
    author: User,
    body: ResponsibleBody | None,
    text: str,
    seen: int,
    now: datetime,
) -> ReportEvent:
    """Hand the report to another body, which is told by e-mail like of a new report (if
    the report is still open)."""
    check_version(report, seen, _conflict())
    if body is None or body.council_id != report.council_id or not body.active:
        raise DomainError(_("Choose one of the council's bodies."), "body_id")
    if body.id == report.body_id:
        raise DomainError(_("The report is already with that body."), "body_id")
    cleaned = _checked_text(text)
    report.body, report.body_id = body, body.id  # the event names the body it went to
    event = _event(report, EventKind.REASSIGNED, False, now, author, cleaned)
    flush_or_conflict(seen, _conflict())
    report_notices.handed_over(report, event, now)
    return event


def answer_follow_up(report: ResidentReport, fixed: bool, text: str, now: datetime) -> ReportEvent:
    """The resident's answer whether a fixed report stayed fixed; "no" reopens it as new,
    back in its body's queue. One answer per fix: the answer is claimed in one conditional
    UPDATE, so of two answers at once (the reporter's and a supporter's) one is kept and the
    other is told it came second."""
    if report.status is not ReportStatus.FIXED:
        raise DomainError(_("Only a report marked as fixed can be answered."))
    cleaned = _public_text(text, "text")
    claimed = db.session.execute(
        db.update(ResidentReport)
        .where(
            ResidentReport.id == report.id,
            ResidentReport.status == ReportStatus.FIXED,
            ResidentReport.follow_up_answered_at.is_(None),
        )
        .values(follow_up_answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rows_affected(claimed):
        raise DomainError(_("This fix has already been answered. Thank you!"))
    db.session.expire(report, ["follow_up_answered_at"])
    if fixed:
        event = _event(report, EventKind.CONFIRMED, True, now, None, cleaned)
        flush_or_conflict(report.version, _conflict())
        return event
    old = report.status
    _set(report, ReportStatus.NEW, now)
    report.fixed_at = None
    event = _event(report, EventKind.REOPENED, True, now, None, cleaned, old, ReportStatus.NEW)
    flush_or_conflict(report.version, _conflict())
    report_notices.reopened(report, event, now)
    return event
