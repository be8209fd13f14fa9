"""What a member may take to a spreadsheet: the council's measures, the measures' journal,
actions, situation notes and residents' reports, as tables (services/tables) of exactly what
the member may read on the pages: every query starts from `policy.scoped`, so the police get
the shared notes only (and their download is in the audit log, as every note they open)
and a body's staff their body's reports only. Headers are in the
user's language. A resident's e-mail address is never exported, nor a tracking link.

Each export reads a fixed number of statements, whatever the number of rows.
"""

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from brott import clock, policy
from brott.extensions import db
from brott.models import (
    ACTION_STATUS_LABELS,
    STATUS_LABELS,
    Measure,
    MeasureUpdate,
    SituationNote,
)
from brott.models.meeting import ACTION_ORIGIN_LABELS
from brott.models.notes import SOURCE_LABELS, VISIBILITY_LABELS
from brott.models.reports import CLOSE_REASON_LABELS, REPORT_STATUS_LABELS, ResidentReport
from brott.policy import Permission, Viewer
from brott.services import actions as action_service
from brott.services import audit
from brott.services import measures as measure_service
from brott.services.tables import Table, rows_of

MAX_ROWS = 100_000  # per export: far above any council's real numbers, a bound all the same


def _names(people) -> str:
    return ", ".join(person.name for person in people)


def measures(viewer: Viewer) -> Table:
    """The measures as their list shows them, in promise order."""
    found = measure_service.list_measures(viewer, measure_service.MeasureFilters())
    header = [
        _("No."),
        _("Measure"),
        _("Category"),
        _("Status"),
        _("Progress (%)"),
        _("Owners"),
        _("Partners"),
        _("Start date"),
        _("End date"),
        _("Next review"),
        _("Last changed"),
        _("Description"),
    ]
    rows = rows_of(
        found,
        lambda m: m.number,
        lambda m: m.title,
        lambda m: m.category,
        lambda m: str(STATUS_LABELS[m.status]),
        lambda m: m.progress,
        lambda m: _names(m.owners),
        lambda m: _names(m.partners),
        lambda m: m.start_date,
        lambda m: m.end_date,
        lambda m: m.next_review_date,
        lambda m: m.updated_at,
        lambda m: m.description,
    )
    return Table(_("Measures"), header, rows)


def journal(viewer: Viewer) -> Table:
    """Every status and progress update of the measures the viewer may read, newest first."""
    readable = policy.scoped(viewer, Measure).with_only_columns(Measure.id)
    found = db.session.scalars(
        db.select(MeasureUpdate)
        .where(MeasureUpdate.measure_id.in_(readable))
        .options(joinedload(MeasureUpdate.measure), joinedload(MeasureUpdate.author))
        .order_by(MeasureUpdate.created_at.desc(), MeasureUpdate.id.desc())
        .limit(MAX_ROWS)
    )
    header = [
        _("When"),
        _("No."),
        _("Measure"),
        _("By"),
        _("Status before"),
        _("Status after"),
        _("Progress before (%)"),
        _("Progress after (%)"),
        _("Comment"),
    ]
    rows = rows_of(
        found,
        lambda u: u.created_at,
        lambda u: u.measure.number,
        lambda u: u.measure.title,
        lambda u: u.author.name if u.author else "",
        lambda u: str(STATUS_LABELS[u.old_status]) if u.old_status else "",
        lambda u: str(STATUS_LABELS[u.new_status]) if u.new_status else "",
        lambda u: u.old_progress,
        lambda u: u.new_progress,
        lambda u: u.comment,
    )
    return Table(_("Journal"), header, rows)


def actions(viewer: Viewer) -> Table:
    """The actions the viewer sees on the actions page: everyone's for those who manage the
    meetings, else their own."""
    manages = policy.can(viewer, Permission.MANAGE_MEETINGS)
    if manages or viewer.user_id is not None:  # one who is no user owns no action
        owner_id = None if manages else viewer.user_id
        found = action_service.actions_for(viewer.council_id, owner_id, open_only=False)
    else:
        found = []
    header = [
        _("Action"),
        _("Owner"),
        _("Due"),
        _("Status"),
        _("Comment"),
        _("Place"),
        _("Origin"),
        _("Decided at the meeting of"),
        _("Closed"),
    ]
    rows = rows_of(
        found,
        lambda a: a.title,
        lambda a: a.owner.name,
        lambda a: a.due_date,
        lambda a: str(ACTION_STATUS_LABELS[a.status]),
        lambda a: a.status_comment,
        lambda a: a.place.name if a.place else "",
        lambda a: str(ACTION_ORIGIN_LABELS[a.origin]),
        lambda a: a.meeting.starts_at if a.meeting else None,
        lambda a: a.closed_at,
    )
    return Table(_("Actions"), header, rows)


def notes(viewer: Viewer) -> Table:
    """The situation notes the viewer may read (the police: the shared ones), newest first.
    As each note the police open, the police's download is written to the audit log, with
    the number of notes it held (the caller commits)."""
    found = list(
        db.session.scalars(
            policy.scoped(viewer, SituationNote)
            .options(joinedload(SituationNote.place), joinedload(SituationNote.category))
            .order_by(SituationNote.observed_from.desc(), SituationNote.id.desc())
            .limit(MAX_ROWS)
        )
    )
    if policy.audits_reads(viewer):
        audit.record(
            "view",
            council_id=viewer.council_id,
            object_type="note",
            summary=audit.N_("The police downloaded %(count)s shared notes as a spreadsheet."),
            summary_values={"count": len(found)},
            at=clock.now(),
            session=db.session,
        )
    header = [
        _("Observed from"),
        _("Observed until"),
        _("Place"),
        _("Category"),
        _("Source"),
        _("Visibility"),
        _("Note"),
    ]
    rows = rows_of(
        found,
        lambda n: n.observed_from,
        lambda n: n.observed_to,
        lambda n: n.place.name,
        lambda n: n.category.name,
        lambda n: str(SOURCE_LABELS[n.source]),
        lambda n: str(VISIBILITY_LABELS[n.visibility]),
        lambda n: n.text,
    )
    return Table(_("Situation notes"), header, rows)


def reports(viewer: Viewer) -> Table:
    """The residents' reports the viewer may read (a body's staff: their body's), newest
    first; never a resident's address or tracking link."""
    found = db.session.scalars(
        policy.scoped(viewer, ResidentReport)
        .options(
            joinedload(ResidentReport.category),
            joinedload(ResidentReport.body),
            joinedload(ResidentReport.place),
        )
        .order_by(ResidentReport.created_at.desc(), ResidentReport.id.desc())
        .limit(MAX_ROWS)
    )
    header = [
        _("No."),
        _("Received"),
        _("Category"),
        _("Responsible"),
        _("Status"),
        _("Closed as"),
        _("Where"),
        _("Place"),
        _("Latitude"),
        _("Longitude"),
        _("Description"),
        _("Me too"),
        _("Last changed"),
    ]
    rows = rows_of(
        found,
        lambda r: r.id,
        lambda r: r.created_at,
        lambda r: r.category.name,
        lambda r: r.body.name if r.body else "",
        lambda r: str(REPORT_STATUS_LABELS[r.status]),
        lambda r: str(CLOSE_REASON_LABELS[r.close_reason]) if r.close_reason else "",
        lambda r: r.address,
        lambda r: r.place.name if r.place else "",
        lambda r: r.latitude,
        lambda r: r.longitude,
        lambda r: r.description,
        lambda r: r.supporters,
        lambda r: r.updated_at,
    )
    return Table(_("Residents' reports"), header, rows)
