"""After a report is fixed: the question whether it stayed fixed, and forgetting the
residents' e-mail addresses once they are no longer needed.

Some weeks after a report is marked fixed (the council's `follow_up_weeks`), the reporter and
each supporter with an address are asked, once per fix, whether it is still fixed; the
answer is given on the tracking page (services/report_handling.answer_follow_up), and a "no"
reopens the report.

An address is kept only as long as it serves the resident: once a report has been closed,
or fixed and the question asked, for longer than the council's `email_retention_days`, the
addresses of its reporter and supporters are deleted, and with them every mail about the
report still in the outbox. A reopened report is open again, so it keeps them. Both run
once a day (brott/jobs.py).
"""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, true, update
from sqlalchemy.orm import joinedload

from brott.extensions import db, rows_affected
from brott.models import Council, OutboxMessage
from brott.models.reports import (
    ReportSettings,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
)
from brott.services import outbox, report_notices

DEFAULT_WEEKS = 4  # as services/reports.settings_for makes them
DEFAULT_RETENTION_DAYS = 90
FOLLOW_UP_TIME = (9, 0)  # local (Stockholm): the daily run, so nobody is asked at night


def _council_settings() -> dict[int, tuple[int, int]]:
    """council id → (follow-up weeks, e-mail retention days) of the councils with settings."""
    rows = db.session.execute(
        db.select(
            ReportSettings.council_id,
            ReportSettings.follow_up_weeks,
            ReportSettings.email_retention_days,
        )
    )
    return {council_id: (weeks, days) for council_id, weeks, days in rows}


def _per_council(
    condition,  # (weeks, days) -> the condition for reports of councils with these settings
) -> ColumnElement[bool]:
    """One condition over every council: councils grouped by their settings, and those
    without a settings row with the defaults."""
    settings = _council_settings()
    groups: dict[tuple[int, int], list[int]] = {}
    for council_id, values in settings.items():
        groups.setdefault(values, []).append(council_id)
    parts = [
        and_(ResidentReport.council_id.in_(ids), condition(*values))
        for values, ids in groups.items()
    ]
    without = ResidentReport.council_id.not_in(list(settings)) if settings else true()
    parts.append(and_(without, condition(DEFAULT_WEEKS, DEFAULT_RETENTION_DAYS)))
    return or_(*parts)


def _has_an_address() -> ColumnElement[bool]:
    supporter_address = (
        db.select(ReportSupporter.id)
        .where(
            ReportSupporter.report_id == ResidentReport.id,
            ReportSupporter.email.is_not(None),
        )
        .exists()
    )
    return or_(ResidentReport.email.is_not(None), supporter_address)


def ask_follow_ups(now: datetime) -> int:
    """Ask the reporter and the supporters of each report fixed at least its council's
    `follow_up_weeks` ago, and not asked yet, whether it is still fixed; once per fix and
    address. Returns the number of e-mails queued. Commits nothing."""
    due = list(
        db.session.scalars(
            db.select(ResidentReport)
            .where(
                ResidentReport.status == ReportStatus.FIXED,
                ResidentReport.follow_up_sent_at.is_(None),
                ResidentReport.follow_up_answered_at.is_(None),  # answered before asked
                _per_council(
                    lambda weeks, _days: ResidentReport.fixed_at <= now - timedelta(weeks=weeks)
                ),
                _has_an_address(),
            )
            .options(joinedload(ResidentReport.category))
            .order_by(ResidentReport.id)
        )
    )
    if not due:
        return 0
    ids = [report.id for report in due]
    supporters: dict[int, list[ReportSupporter]] = {}
    for supporter in db.session.scalars(
        db.select(ReportSupporter)
        .where(ReportSupporter.report_id.in_(ids), ReportSupporter.email.is_not(None))
        .order_by(ReportSupporter.id)
    ):
        supporters.setdefault(supporter.report_id, []).append(supporter)
    slugs = {
        council_id: slug
        for council_id, slug in db.session.execute(
            db.select(Council.id, Council.slug).where(
                Council.id.in_({report.council_id for report in due})
            )
        )
    }
    queued = 0
    for report in due:
        recipients: dict[str, tuple[str, str]] = {}
        if report.email:
            recipients[report.email] = (report.locale, report.token)
        for supporter in supporters.get(report.id, []):
            assert supporter.email is not None  # filtered
            recipients.setdefault(supporter.email, (supporter.locale, supporter.token))
        for address, (locale, token) in recipients.items():
            email = report_notices.follow_up_question(
                report, slugs[report.council_id], locale, token
            )
            if outbox.enqueue_to_address(
                report_notices.follow_up_key(report, address),
                report_notices.REPORT_FOLLOW_UP,
                address,
                email,
                now,
                now,
                council_id=report.council_id,
                link=report_notices.tracking_link(slugs[report.council_id], token),
                report_id=report.id,
            ):
                queued += 1
    # not an edit of the report: its version stays, so no staff form goes stale over it
    db.session.execute(
        update(ResidentReport)
        .where(
            ResidentReport.id.in_(ids),
            ResidentReport.status == ReportStatus.FIXED,
            ResidentReport.follow_up_sent_at.is_(None),
        )
        .values(follow_up_sent_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return queued


def _forgettable(now: datetime) -> ColumnElement[bool]:
    """Reports whose residents' addresses are no longer needed: closed for longer than the
    council's retention days, or fixed and asked (or answered unasked) whether it held
    longer ago than that. An open report (also a reopened one) never is."""

    def past(_weeks: int, days: int) -> ColumnElement[bool]:
        cutoff = now - timedelta(days=days)
        return or_(
            and_(ResidentReport.status == ReportStatus.CLOSED, ResidentReport.closed_at <= cutoff),
            and_(
                ResidentReport.status == ReportStatus.FIXED,
                or_(
                    ResidentReport.follow_up_sent_at <= cutoff,
                    ResidentReport.follow_up_answered_at <= cutoff,  # answered, never asked
                ),
            ),
        )

    return and_(ResidentReport.is_open.is_(False), _per_council(past))


def forget_emails(now: datetime) -> int:
    """Delete the e-mail addresses of the reporters and supporters of reports past their
    council's retention (see `_forgettable`), and the mails about those reports, which hold
    the addresses too: bulk statements. Returns how many addresses were deleted. Commits
    nothing."""
    reports = db.select(ResidentReport.id).where(_forgettable(now))
    db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.report_id.in_(reports))
        .execution_options(synchronize_session=False)
    )
    supporters = db.session.execute(
        update(ReportSupporter)
        .where(ReportSupporter.report_id.in_(reports), ReportSupporter.email.is_not(None))
        .values(email=None)
        .execution_options(synchronize_session=False)
    )
    reporters = db.session.execute(
        update(ResidentReport)
        .where(_forgettable(now), ResidentReport.email.is_not(None))
        .values(email=None)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(supporters) + rows_affected(reporters)
