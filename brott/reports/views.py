"""Residents' reports as staff handle them: the queue, a report's page and its changes (status,
public reply, internal comment, closing, reassigning), a report turned into a situation note
or an action, and the residents' safety marks in figures.

A body's staff see and handle only their body's reports (`policy.scoped`, `load`): another
body's report answers 404 like one that does not exist. Each change on a report's page is a
POST of one form carrying the version the page showed; a GET of such a URL goes back to the
page, a refused change shows the page again with the message at its form (400, or 409 with
what was saved meanwhile).
"""

from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from brott import clock, policy
from brott.actions.forms import action_data, action_form
from brott.council_scope import council, require, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import NoteSource, Visibility
from brott.models.reports import (
    FEELING_LABELS,
    FEELING_REASON_LABELS,
    REPORT_STATUS_LABELS,
    TIME_OF_DAY_LABELS,
    CloseReason,
    Feeling,
    ReportStatus,
    ResidentReport,
    TimeOfDay,
)
from brott.notes.forms import NoteForm, note_data, prepared_note_form, wall_clock
from brott.policy import Permission
from brott.reports.forms import (
    PAGE_FORMS,
    PeriodForm,
    ReassignForm,
    page_form,
    queue_filter_form,
    queue_filters,
)
from brott.services import photos
from brott.services import places as place_service
from brott.services import report_handling as handling
from brott.services import report_queue as queue
from brott.services.versions import seen_version

bp = Blueprint("reports", __name__, url_prefix="/r/<slug>")


@bp.route("/rapporter/")
@requires(Permission.VIEW_REPORTS)
def index():
    you, council_id = viewer(), council().id
    sees_all = policy.can(you, Permission.VIEW_ALL_REPORTS)
    form = queue_filter_form(
        request.args,
        queue.bodies(council_id) if sees_all else None,
        queue.all_categories(council_id),
        place_service.places(council_id, active_only=False),
    )
    form.validate()
    page = form.page.data if not form.page.errors and form.page.data else 1
    found = queue.queue_page(you, queue_filters(form), page)
    refused = any(errors for name, errors in form.errors.items() if name != "page")
    page_html = render_template(
        "reports/index.html",
        form=form,
        found=found,
        # the other filters, kept by the status tabs: only the form's own fields (anything
        # else, e.g. `_method` or `slug`, would reach url_for)
        args={
            name: value
            for name, value in request.args.items()
            if name in form and name not in ("page", "status") and value
        },
        sees_all=sees_all,
        now=clock.now(),
        statuses=list(ReportStatus),
        status_labels=REPORT_STATUS_LABELS,
    )
    return page_html, 400 if refused else 200


@bp.route("/rapporter/<int:report_id>")
@requires(Permission.VIEW_REPORTS)
def show(report_id: int):
    return _render_report(report_id)


@bp.route("/rapporter/<int:report_id>/foto")
@requires(Permission.VIEW_REPORTS)
def photo(report_id: int):
    report = queue.load_report(viewer(), report_id, joinedload(ResidentReport.photo))
    if report.photo is None:
        abort(404)
    return photos.response(report.photo)


@bp.route("/rapporter/<int:report_id>/status", methods=["GET", "POST"])
@requires(Permission.HANDLE_REPORTS)
def set_status(report_id: int):
    def apply(report: ResidentReport, form) -> str:
        handling.set_status(
            report,
            current_user,
            ReportStatus(form.status.data),
            form.text.data or "",
            seen_version(form.version.data),
            clock.now(),
        )
        return _("The report is now: %(status)s.", status=report.status_label)

    return _change(report_id, "status", apply)


@bp.route("/rapporter/<int:report_id>/svar", methods=["GET", "POST"])
@requires(Permission.HANDLE_REPORTS)
def reply(report_id: int):
    def apply(report: ResidentReport, form) -> str:
        handling.reply(
            report, current_user, form.text.data or "", seen_version(form.version.data), clock.now()
        )
        return _("The reply is published.")

    return _change(report_id, "reply", apply)


@bp.route("/rapporter/<int:report_id>/kommentar", methods=["GET", "POST"])
@requires(Permission.HANDLE_REPORTS)
def comment(report_id: int):
    def apply(report: ResidentReport, form) -> str:
        handling.comment(report, current_user, form.text.data or "", clock.now())
        return _("The internal comment is saved.")

    return _change(report_id, "comment", apply)


@bp.route("/rapporter/<int:report_id>/stang", methods=["GET", "POST"])
@requires(Permission.HANDLE_REPORTS)
def close(report_id: int):
    def apply(report: ResidentReport, form) -> str:
        reason = CloseReason(form.reason.data)
        original = None
        if reason is CloseReason.DUPLICATE:
            original = queue.original_for(viewer(), form.original_id.data or "")
        handling.close(
            report,
            current_user,
            reason,
            form.text.data or "",
            form.referral.data or "",
            original,
            seen_version(form.version.data),
            clock.now(),
        )
        return _("The report is closed: %(reason)s.", reason=report.close_reason_label)

    return _change(report_id, "close", apply)


@bp.route("/rapporter/<int:report_id>/overlamna", methods=["GET", "POST"])
@requires(Permission.HANDLE_REPORTS)
def reassign(report_id: int):
    def apply(report: ResidentReport, form: ReassignForm) -> str:
        chosen = form.body_id.data or ""
        body = next((b for b in form.bodies if str(b.id) == chosen), None)
        handling.reassign(
            report,
            current_user,
            body,
            form.text.data or "",
            seen_version(form.version.data),
            clock.now(),
        )
        return _("The report is handed over to %(body)s.", body=body.name if body else "")

    return _change(report_id, "reassign", apply)


@bp.route("/rapporter/<int:report_id>/lagesbild", methods=["GET", "POST"])
@requires(Permission.WRITE_NOTES)
def to_note(report_id: int):
    report = queue.load_report(viewer(), report_id, joinedload(ResidentReport.category))
    if report.note_id is not None:
        return redirect(url_for("notes.show", note_id=report.note_id))
    form = _note_form(report)
    if form.validate_on_submit():
        try:
            note = queue.note_from_report(
                viewer(), report, current_user, note_data(form), clock.now()
            )
            db.session.commit()
            flash(_("The situation note is saved."), "success")
            return redirect(url_for("notes.show", note_id=note.id))
        except DomainError as error:
            show_on_form(form, error)
            report = queue.load_report(viewer(), report_id, joinedload(ResidentReport.category))
    status = 400 if form.is_submitted() else 200
    return render_template("reports/to_note.html", form=form, report=report), status


@bp.route("/rapporter/<int:report_id>/atgard", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def to_action(report_id: int):
    report = queue.load_report(viewer(), report_id, joinedload(ResidentReport.category))
    if report.action_id is not None:
        flash(_("An action has already been made from this report."), "info")
        return redirect(url_for("reports.show", report_id=report_id, _anchor="kopplat"))
    form = _action_form(report)
    if form.validate_on_submit():
        try:
            queue.action_from_report(
                report, current_user, action_data(form), clock.now(), clock.today()
            )
            db.session.commit()
            flash(_("The action is saved; it is followed up at the coming meetings."), "success")
            return redirect(url_for("reports.show", report_id=report_id, _anchor="kopplat"))
        except DomainError as error:
            show_on_form(form, error)
            report = queue.load_report(viewer(), report_id, joinedload(ResidentReport.category))
    status = 400 if form.is_submitted() else 200
    return render_template("reports/to_action.html", form=form, report=report), status


@bp.route("/rapporter/trygghet")
@requires(Permission.VIEW_ALL_REPORTS)
def marks():
    start, end = queue.default_mark_period(clock.today())
    form = PeriodForm(request.args)
    status = 200 if form.validate() else 400
    start = (None if form.start.errors else form.start.data) or start
    end = (None if form.end.errors else form.end.data) or end
    if start > end:
        start, end, status = end, start, 400
        form.end.errors = [_("The end date is before the start date; the two are swapped.")]
    form.start.data, form.end.data = start, end  # shown where nothing (valid) was typed
    return render_template(
        "reports/marks.html",
        form=form,
        figures=queue.mark_figures(viewer(), start, end),
        feelings=list(Feeling),
        times=list(TimeOfDay),
        feeling_labels=FEELING_LABELS,
        reason_labels=FEELING_REASON_LABELS,
        time_labels=TIME_OF_DAY_LABELS,
        latest_limit=queue.MARKS_LATEST,
    ), status


# --- helpers ---------------------------------------------------------------------------------


def _change(report_id: int, name: str, apply: Callable[..., str]):
    """One change of a report's page: the form `name`, applied by `apply`, which returns
    the message to flash. Refused: the page again, the message at the form, the input kept."""
    report = queue.load_report(viewer(), report_id)
    require(Permission.HANDLE_REPORTS, report)
    if request.method == "GET":  # a reload of a refused form: back to the page
        return redirect(url_for("reports.show", report_id=report_id, _anchor=name))
    form = _submitted(name, report.council_id)
    status = 400
    if form.validate_on_submit():
        try:
            message = apply(report, form)
            db.session.commit()
            flash(message, "success")
            if not policy.can(viewer(), Permission.VIEW_REPORTS, report):
                return redirect(url_for("reports.index"))  # handed to another body
            return redirect(url_for("reports.show", report_id=report_id, _anchor="historik"))
        except DomainError as error:
            show_on_form(form, error)
            status = 409 if isinstance(error, ConflictError) else 400
    return _render_report(report_id, {name: form}, conflict=name if status == 409 else None), status


def _submitted(name: str, council_id: int):
    bodies = queue.bodies(council_id, active_only=True) if name == "reassign" else []
    form = page_form(name, bodies)
    form.bodies = bodies
    return form


def _render_report(report_id: int, submitted: dict | None = None, conflict: str | None = None):
    """The report's page, with the submitted form (if any) as it was sent."""
    you = viewer()
    found = queue.load_report_page(you, report_id)
    report = found.report
    forms = dict(submitted or {})
    if found.shows_email:  # the handlers: the forms of the page
        bodies = queue.bodies(report.council_id, active_only=True)
        for name in PAGE_FORMS:
            if name not in forms:
                forms[name] = page_form(name, bodies, report.version)
        if conflict:  # having seen what is saved now, the user may send it again
            forms[conflict].version.data = str(report.version)
    return render_template(
        "reports/show.html",
        page=found,
        report=report,
        forms=forms,
        conflict=conflict,
        status_labels=REPORT_STATUS_LABELS,
    )


def _note_form(report: ResidentReport) -> NoteForm:
    """The note form, prefilled from the report on first view."""
    form = prepared_note_form(viewer())
    shares_only = not policy.can(viewer(), Permission.VIEW_INTERNAL_NOTES)
    if not form.is_submitted():
        category = queue.matching_note_category(report)
        form.observed_from.data = wall_clock(report.created_at)
        form.place_id.data = report.place_id
        form.category_id.data = category.id if category else None
        form.text.data = report.description
        form.source.data = NoteSource.RESIDENT.value
        visibility = Visibility.SHARED if shares_only else Visibility.INTERNAL
        form.visibility.data = visibility.value
        form.measure_id.data = ""
    return form


def _action_form(report: ResidentReport):
    """The action form, prefilled from the report on first view: what, where, by when."""
    form = action_form(viewer())
    if not form.is_submitted():
        form.title.data = _(
            "%(category)s: %(address)s", category=report.category.name, address=report.address
        )[:300]
        form.place_id.data = str(report.place_id or "")
        form.due_date.data = clock.today() + timedelta(days=14)
        if any(choice.value == current_user.id for choice in form.owner_id.choices):
            form.owner_id.data = current_user.id
    return form
