"""The e-mails of residents' reports, all through the outbox (exactly once by key):
- a new (or reassigned, or reopened) report to its body's contact address;
- a receipt, and each public change (status, public reply), to the reporter and to the
  supporters who gave an address, in their language, with their tracking link;
- some weeks after "fixed", the question whether it stayed fixed (services/report_followup).

STUB: filled in by the notices work; until then nothing is sent.
"""

from datetime import datetime

from brott.models.reports import ReportEvent, ResidentReport


def new_report(report: ResidentReport, now: datetime) -> None:
    """Tell the report's body (if it has one) that the report is theirs; once per body."""


def public_change(report: ResidentReport, event: ReportEvent, now: datetime) -> None:
    """Tell the reporter and the supporters with an address about a public change."""


def reopened(report: ResidentReport, event: ReportEvent, now: datetime) -> None:
    """Tell the body that the resident says the fix did not hold."""
