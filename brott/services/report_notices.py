"""The e-mails of residents' reports, written to the outbox so each goes out exactly once.

- A body is told of each report that becomes theirs (filed, or handed over to them), once
  per body, in Swedish (bodies are Swedish organisations), with a link to the staff page of
  the report. Never the resident's address nor the tracking link: the link is the resident's
  secret, and the address is seen only on the staff page by those who handle the report.
- The reporter, when they gave an address, gets a receipt with their tracking link.
- The reporter and each supporter with an address are told of each public change (a status
  change, a public reply) in their own language, with their own tracking link. Internal
  comments, reassignments and names never reach them.
- A body is told when the resident says a fix did not hold (the report is reopened).

The recipients are addresses, not users, so no mail preference applies: a resident asked for
these by giving the address, and a body's contact address is the body's inbox.
"""

import hashlib
from datetime import datetime

from flask_babel import gettext as _

from brott.extensions import db
from brott.links import external_url
from brott.models import Council
from brott.models.reports import (
    CLOSE_REASON_LABELS,
    REPORT_STATUS_LABELS,
    CloseReason,
    EventKind,
    ReportCategory,
    ReportEvent,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
)
from brott.services import outbox
from brott.services.emails import Email, compose

# outbox kinds (OutboxMessage.kind)
REPORT_NEW = "report_new"  # to a body: a report is theirs
REPORT_UPDATE = "report_update"  # to a resident: the receipt, a public change
REPORT_FOLLOW_UP = "report_follow_up"  # to a resident: still fixed? to a body: it is not

BODY_LOCALE = "sv"
KEY_MAX = 200  # OutboxMessage.key


def new_report(report: ResidentReport, now: datetime) -> None:
    """Tell the report's body (if it has one) that a filed report is theirs; and send the
    reporter (if they gave an address) their receipt, once."""
    slug = _slug(report)
    body = report.body
    if body is not None:
        key = f"report:{report.id}:new:body:{body.id}"
        _mail_body(report, key, "report_new", now, handed_over=False)
    if report.email:
        link = tracking_link(slug, report.token)
        email = compose(
            "report_receipt",
            report.locale,
            lambda: _("Your report no. %(number)d is received", number=report.id),
            report=report,
            category=category_name(report.category, report.locale),
            where=_where(report),
            link=link,
            has_body=body is not None,
        )
        _enqueue(
            report, f"report:{report.id}:receipt", REPORT_UPDATE, report.email, email, link, now
        )


def handed_over(report: ResidentReport, event: ReportEvent, now: datetime) -> None:
    """Tell the body a report was handed to that it is theirs, once per hand-over (a report
    handed back to a body it once left is news to it again); a report no longer open is
    handed over for the record, unannounced."""
    if report.body is not None and report.is_open:
        key = f"report:{report.id}:handover:{event.id}:body:{report.body.id}"
        _mail_body(report, key, "report_new", now, handed_over=True)


def _mail_body(
    report: ResidentReport, key: str, template: str, now: datetime, **context: object
) -> None:
    """One mail about the report to its body's contact address, if it has one: in Swedish,
    with the staff page's link and never the resident's address or tracking link."""
    body = report.body
    if body is None or not body.contact_email.strip():
        return
    link = external_url("reports.show", slug=_slug(report), report_id=report.id)
    subjects = {
        "report_new": lambda: _(
            "New report no. %(number)d: %(category)s, %(address)s",
            number=report.id,
            category=report.category.name,
            address=_where(report),
        ),
        "report_reopened": lambda: _(
            "Report no. %(number)d is not fixed, the resident says: %(category)s, %(address)s",
            number=report.id,
            category=report.category.name,
            address=_where(report),
        ),
    }
    email = compose(
        template,
        BODY_LOCALE,
        subjects[template],
        report=report,
        category=report.category.name,
        where=_where(report),
        map_link=map_link(report),
        link=link,
        **context,
    )
    _enqueue(
        report,
        key,
        REPORT_NEW if template == "report_new" else REPORT_FOLLOW_UP,
        body.contact_email.strip().lower(),
        email,
        link,
        now,
    )


def _enqueue(
    report: ResidentReport,
    key: str,
    kind: str,
    address: str,
    email: Email,
    link: str,
    now: datetime,
) -> None:
    """One mail about the report, due now, named by the report (it goes with the residents'
    addresses at retention)."""
    outbox.enqueue_to_address(
        key,
        kind,
        address,
        email,
        now,
        now,
        council_id=report.council_id,
        link=link,
        report_id=report.id,
    )


def public_change(report: ResidentReport, event: ReportEvent, now: datetime) -> None:
    """Tell the reporter and the supporters with an address about a public change, each in
    their language with their own tracking link. An internal event is never mailed."""
    if not event.public or event.kind not in (EventKind.STATUS, EventKind.REPLY):
        return
    slug = _slug(report)
    for address, locale, token in _followers(report):
        link = tracking_link(slug, token)
        email = compose(
            "report_update",
            locale,
            lambda: _(
                "Report no. %(number)d: %(status)s",
                number=report.id,
                status=str(REPORT_STATUS_LABELS[report.status]),
            ),
            report=report,
            event=event,
            category=category_name(report.category, locale),
            where=_where(report),
            # lazy labels: rendered in the recipient's language, not the acting user's
            status=REPORT_STATUS_LABELS[report.status],
            changed=event.kind is EventKind.STATUS,
            reason=(
                CLOSE_REASON_LABELS[report.close_reason]
                if report.status is ReportStatus.CLOSED and report.close_reason
                else ""
            ),
            referral=report.referral if report.close_reason is CloseReason.NOT_OURS else "",
            fixed=report.status is ReportStatus.FIXED,
            link=link,
        )
        _enqueue(
            report,
            _key(f"report:{report.id}:event:{event.id}:to:", address),
            REPORT_UPDATE,
            address,
            email,
            link,
            now,
        )


def reopened(report: ResidentReport, event: ReportEvent, now: datetime) -> None:
    """Tell the body that the resident says the fix did not hold."""
    if report.body is not None:
        key = f"report:{report.id}:reopened:{event.id}:body:{report.body.id}"
        _mail_body(report, key, "report_reopened", now, event=event)


def follow_up_question(report: ResidentReport, slug: str, locale: str, token: str) -> Email:
    """The question whether a fixed report is still fixed (services/report_followup)."""
    return compose(
        "report_follow_up",
        locale,
        lambda: _("Is it still fixed? Report no. %(number)d", number=report.id),
        report=report,
        category=category_name(report.category, locale),
        where=_where(report),
        link=tracking_link(slug, token),
    )


def follow_up_key(report: ResidentReport, address: str) -> str:
    """One question per fix and address: a report fixed again after reopening asks anew."""
    fixed = f"{report.fixed_at:%Y%m%dT%H%M%S}" if report.fixed_at else "-"
    return _key(f"report:{report.id}:follow_up:{fixed}:to:", address)


# --- parts ---------------------------------------------------------------------------------


def tracking_link(slug: str, token: str) -> str:
    """The resident's tracking page: the link is the credential."""
    return external_url("public_reports.track", slug=slug, token=token)


def map_link(report: ResidentReport) -> str:
    """An OpenStreetMap link to the report's point, or "" without one."""
    if report.latitude is None or report.longitude is None:
        return ""
    lat, lon = f"{report.latitude:.6f}", f"{report.longitude:.6f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


def category_name(category: ReportCategory, locale: str | None) -> str:
    """The category as the reader calls it: its English name, in English, when it has one."""
    return category.name_en if locale == "en" and category.name_en else category.name


def _where(report: ResidentReport) -> str:
    if report.address:
        return report.address
    if report.place is not None:
        return report.place.name
    return map_coordinates(report)


def map_coordinates(report: ResidentReport) -> str:
    if report.latitude is None or report.longitude is None:
        return ""
    return f"{report.latitude:.5f}, {report.longitude:.5f}"


def _followers(report: ResidentReport) -> list[tuple[str, str, str]]:
    """(address, locale, token) of the reporter and of each supporter who gave an address;
    one entry per address, the reporter's own first."""
    found: dict[str, tuple[str, str, str]] = {}
    if report.email:
        found[report.email] = (report.email, report.locale, report.token)
    supporters = db.session.scalars(
        db.select(ReportSupporter)
        .where(ReportSupporter.report_id == report.id, ReportSupporter.email.is_not(None))
        .order_by(ReportSupporter.id)
    )
    for supporter in supporters:
        assert supporter.email is not None  # filtered
        found.setdefault(supporter.email, (supporter.email, supporter.locale, supporter.token))
    return list(found.values())


def _key(prefix: str, address: str) -> str:
    """`prefix` + the address, or its digest when the whole would not fit the key."""
    key = prefix + address
    if len(key) <= KEY_MAX:
        return key
    return prefix + hashlib.sha256(address.encode()).hexdigest()


def _slug(report: ResidentReport) -> str:
    council = db.session.get(Council, report.council_id)
    assert council is not None  # a report belongs to a council
    return council.slug
