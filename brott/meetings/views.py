"""EST: meeting series, the next meetings, a meeting's page with situation picture and decisions."""

from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from brott import clock, policy
from brott.actions.forms import ActionStatusForm
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.measures.forms import measure_choices
from brott.meetings.forms import (
    AgendaForm,
    CancelForm,
    DecisionForm,
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

bp = Blueprint("meetings", __name__, url_prefix="/r/<slug>/est")


@bp.route("/")
@login_required
def index(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_MEETINGS)
    now = clock.now()
    return render_template(
        "meetings/index.html",
        membership=membership,
        upcoming=service.upcoming_meetings(membership.council_id, now),
        past=service.past_meetings(membership.council_id, now),
        series_list=service.series_of(membership.council_id),
    )


@bp.route("/serie/ny", methods=["GET", "POST"])
@login_required
def create_series(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_MEETINGS)
    form = SeriesForm()
    form.invitee_ids.choices = [
        SelectChoice(u.id, u.name) for u in service.member_candidates(membership.council_id)
    ]
    form.partner_ids.choices = [
        SelectChoice(p.id, p.name)
        for p in measure_service.partner_candidates(membership.council_id)
    ]
    if form.validate_on_submit():
        try:
            service.create_series(membership.council_id, _series_data(form), clock.now())
            db.session.commit()
            flash(
                "Mötesserien är skapad. De kommande mötena och påminnelserna är planerade.",
                "success",
            )
            return redirect(url_for("meetings.index", slug=slug))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("meetings/series_form.html", membership=membership, form=form)


@bp.route("/moten/<int:meeting_id>")
@login_required
def show(slug: str, meeting_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_MEETINGS)
    meeting = policy.get_meeting(membership, meeting_id, joinedload(Meeting.series))
    return _render_meeting(membership, meeting)


@bp.route("/moten/<int:meeting_id>/dagordning", methods=["POST"])
@login_required
def agenda(slug: str, meeting_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_MEETINGS)
    meeting = policy.get_meeting(membership, meeting_id)
    form = AgendaForm()
    if form.validate_on_submit():
        try:
            service.update_agenda(
                meeting, form.agenda.data or "", form.situation_summary.data or "", clock.now()
            )
            db.session.commit()
            flash("Dagordning och lägesbild är sparade.", "success")
            return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting_id))
        except DomainError as error:
            show_on_form(form, error)
    return _render_meeting(membership, meeting, agenda_form=form), 400


@bp.route("/moten/<int:meeting_id>/beslut", methods=["POST"])
@login_required
def decide(slug: str, meeting_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_MEETINGS)
    meeting = policy.get_meeting(membership, meeting_id, joinedload(Meeting.series))
    form = _decision_form(membership)
    if form.validate_on_submit():
        try:
            action_service.record_action(
                meeting,
                current_user,
                form.title.data,
                form.owner_id.data,
                form.due_date.data,
                clock.now(),
                place=form.place.data or "",
                measure_id=int(form.measure_id.data) if form.measure_id.data else None,
            )
            db.session.commit()
            flash("Beslutet är registrerat som åtgärd.", "success")
            return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting_id) + "#beslut")
        except DomainError as error:
            show_on_form(form, error)
    return _render_meeting(membership, meeting, decision_form=form), 400


@bp.route("/moten/<int:meeting_id>/flytta", methods=["GET", "POST"])
@login_required
def move(slug: str, meeting_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_MEETINGS)
    meeting = policy.get_meeting(membership, meeting_id, joinedload(Meeting.series))
    form = MoveForm()
    if not form.is_submitted():
        local = meeting.starts_at.astimezone(ZoneInfo(meeting.series.timezone))
        form.day.data, form.time.data = local.date(), local.time()
        form.location.data = meeting.location
    if form.validate_on_submit():
        try:
            service.move_meeting(
                meeting, form.day.data, form.time.data, clock.now(), form.location.data or ""
            )
            db.session.commit()
            flash("Mötet är flyttat och påminnelserna följer med.", "success")
            return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting_id))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("meetings/move.html", membership=membership, meeting=meeting, form=form)


@bp.route("/moten/<int:meeting_id>/stall-in", methods=["POST"])
@login_required
def cancel(slug: str, meeting_id: int):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.MANAGE_MEETINGS)
    meeting = policy.get_meeting(membership, meeting_id)
    if CancelForm().validate_on_submit():
        try:
            service.cancel_meeting(meeting, clock.now())
            db.session.commit()
            flash("Mötet är inställt. Serien fortsätter som vanligt.", "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("meetings.show", slug=slug, meeting_id=meeting_id))


def _render_meeting(membership, meeting, agenda_form=None, decision_form=None):
    now = clock.now()
    tz = ZoneInfo(meeting.series.timezone)
    return render_template(
        "meetings/show.html",
        membership=membership,
        meeting=meeting,
        picture=compile_picture(meeting, membership),
        decided=action_service.actions_of_meeting(meeting),
        follow_up=action_service.follow_up(meeting),
        agenda_form=agenda_form or AgendaForm(obj=meeting),
        # only those who decide see the decision form; spare the others its two queries
        decision_form=decision_form
        or (
            _decision_form(membership)
            if policy.can(membership, Permission.MANAGE_MEETINGS)
            else None
        ),
        status_form=ActionStatusForm(),
        cancel_form=CancelForm(),
        today=now.astimezone(tz).date(),
        starts_local=meeting.starts_at.astimezone(tz),
        ends_local=meeting.ends_at.astimezone(tz),
    )


def _decision_form(membership) -> DecisionForm:
    form = DecisionForm()
    form.owner_id.choices = [
        SelectChoice(u.id, u.name) for u in service.member_candidates(membership.council_id)
    ]
    form.measure_id.choices = measure_choices(measure_service.titles(membership))
    return form


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
