"""EST: meeting series, the next meetings, a meeting's page with situation picture and decisions."""

from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from brott import clock, policy
from brott.actions.forms import ActionStatusForm, action_data, action_form
from brott.council_scope import council, load, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.meetings.forms import (
    AgendaForm,
    CancelForm,
    MoveForm,
    SeriesForm,
    parse_reminder_hours,
)
from brott.models import Meeting
from brott.policy import Permission
from brott.services import actions as action_service
from brott.services import measures as measure_service
from brott.services import meetings as service
from brott.services.situation import compile_picture
from brott.services.versions import seen_version

bp = Blueprint("meetings", __name__, url_prefix="/r/<slug>/est")


@bp.route("/")
@requires(Permission.VIEW_MEETINGS)
def index():
    now, council_id = clock.now(), council().id
    return render_template(
        "meetings/index.html",
        upcoming=service.upcoming_meetings(council_id, now),
        past=service.past_meetings(council_id, now),
        series_list=service.series_of(council_id),
    )


@bp.route("/serie/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def create_series():
    form = SeriesForm()
    form.invitee_ids.choices = [
        SelectChoice(u.id, u.name) for u in service.member_candidates(council().id)
    ]
    form.partner_ids.choices = [
        SelectChoice(p.id, p.name) for p in measure_service.partner_candidates(council().id)
    ]
    if form.validate_on_submit():
        try:
            service.create_series(council().id, _series_data(form), clock.now())
            db.session.commit()
            flash(
                _("The series is created. Its coming meetings and reminders are planned."),
                "success",
            )
            return redirect(url_for("meetings.index"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("meetings/series_form.html", form=form)


@bp.route("/moten/<int:meeting_id>")
@requires(Permission.VIEW_MEETINGS)
def show(meeting_id: int):
    return _render_meeting(load(Meeting, meeting_id, joinedload(Meeting.series)))


@bp.route("/moten/<int:meeting_id>/dagordning", methods=["POST"])
@requires(Permission.MANAGE_MEETINGS)
def agenda(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    form = AgendaForm()
    status = 400
    if form.validate_on_submit():
        try:
            service.update_agenda(
                meeting,
                form.agenda.data or "",
                form.situation_summary.data or "",
                clock.now(),
                seen_version=seen_version(form.version.data),
            )
            db.session.commit()
            flash(_("The agenda and the situation picture are saved."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id))
        except DomainError as error:
            status = _refuse(form, error, meeting)
    return _render_meeting(meeting, agenda_form=form, agenda_conflict=status == 409), status


@bp.route("/moten/<int:meeting_id>/beslut", methods=["POST"])
@requires(Permission.MANAGE_MEETINGS)
def decide(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    form = action_form(viewer())
    if form.validate_on_submit():
        try:
            action_service.record_decision(meeting, current_user, action_data(form), clock.now())
            db.session.commit()
            flash(_("The decision is recorded as an action."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#beslut")
        except DomainError as error:
            show_on_form(form, error)
    return _render_meeting(meeting, decision_form=form), 400


@bp.route("/moten/<int:meeting_id>/flytta", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def move(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    form = MoveForm()
    if not form.is_submitted():
        local = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone))
        form.day.data, form.time.data = local.date(), local.time()
        form.location.data = meeting.location
        form.version.data = str(meeting.version)
    conflict = False
    if form.validate_on_submit():
        try:
            service.move_meeting(
                meeting,
                form.day.data,
                form.time.data,
                clock.now(),
                form.location.data or "",
                seen_version=seen_version(form.version.data),
            )
            db.session.commit()
            flash(_("The meeting is moved and its reminders follow it."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id))
        except DomainError as error:
            conflict = _refuse(form, error, meeting) == 409
    page = render_template("meetings/move.html", meeting=meeting, form=form, conflict=conflict)
    return page, 409 if conflict else 200


@bp.route("/moten/<int:meeting_id>/stall-in", methods=["POST"])
@requires(Permission.MANAGE_MEETINGS)
def cancel(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_meeting(
                meeting, clock.now(), seen_version=seen_version(form.version.data)
            )
            db.session.commit()
            flash(_("The meeting is cancelled. The series goes on as usual."), "success")
        except ConflictError as error:
            _refuse(form, error, meeting)
            return _render_meeting(meeting, cancel_form=form), 409
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


def _refuse(form, error: DomainError, meeting: Meeting) -> int:
    """Show the error on the form and answer 400; a conflict answers 409, and the form now
    carries the version saved now, so the user who has seen it may save again on purpose."""
    show_on_form(form, error)
    if not isinstance(error, ConflictError):
        return 400
    form.version.data = str(meeting.version)
    return 409


def _render_meeting(
    meeting: Meeting, agenda_form=None, decision_form=None, cancel_form=None, agenda_conflict=False
):
    now = clock.now()
    tz = ZoneInfo(meeting.series.timezone)
    decides = policy.can(viewer(), Permission.MANAGE_MEETINGS)
    if agenda_form is None:
        agenda_form = AgendaForm(formdata=None, obj=meeting)
        agenda_form.version.data = str(meeting.version)
    if cancel_form is None:
        cancel_form = CancelForm(formdata=None)
        cancel_form.version.data = str(meeting.version)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        picture=compile_picture(meeting, viewer()),
        decided=action_service.actions_of_meeting(meeting),
        follow_up=action_service.follow_up(meeting),
        agenda_form=agenda_form,
        agenda_conflict=agenda_conflict,
        # only those who decide see the decision form; spare the others its queries
        decision_form=decision_form or (action_form(viewer()) if decides else None),
        status_form=ActionStatusForm(),
        cancel_form=cancel_form,
        today=now.astimezone(tz).date(),
        starts_local=meeting.starts_at.astimezone(tz),
        ends_local=meeting.ends_at.astimezone(tz),
    )


def _series_data(form: SeriesForm) -> service.SeriesData:
    return service.SeriesData(
        title=form.title.data,
        weekday=int(form.weekday.data),
        local_time=form.local_time.data,
        duration_minutes=form.duration_minutes.data,
        interval_weeks=form.interval_weeks.data,
        first_date=form.first_date.data,
        until_date=form.until_date.data,
        location=form.location.data or "",
        video_url=form.video_url.data or "",
        reminder_minutes=parse_reminder_hours(form.reminder_hours.data or ""),
        invitee_ids=form.invitee_ids.data or [],
        partner_ids=form.partner_ids.data or [],
    )
