"""EST: meeting series, the next meetings, a meeting's page with situation picture and decisions."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
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
    EndSeriesForm,
    HolidayMoveForm,
    MoveForm,
    SeriesChangeForm,
    SeriesForm,
    parse_reminder_hours,
)
from brott.models import Meeting
from brott.policy import Permission
from brott.services import actions as action_service
from brott.services import measures as measure_service
from brott.services import meetings as service
from brott.services import series_changes
from brott.services.holidays import next_working_day
from brott.services.shared_view import marked_sections, shared_viewer
from brott.services.situation import compile_picture
from brott.services.versions import seen_version

bp = Blueprint("meetings", __name__, url_prefix="/r/<slug>/est")


@bp.route("/")
@requires(Permission.VIEW_MEETINGS)
def index():
    now, council_id = clock.now(), council().id
    upcoming = service.upcoming_page(council_id, now, _page_number("page"))
    return render_template(
        "meetings/index.html",
        upcoming=upcoming,
        past=service.past_page(council_id, now, _page_number("past_page")),
        series_list=[s for s in service.series_of(council_id) if service.ever_held(s)],
        next_meetings=service.next_meetings(council_id, now),
        holidays=_holidays(upcoming.meetings, now),
        today=clock.today(),
    )


@bp.route("/serie/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def create_series():
    form = _with_choices(SeriesForm())
    if form.validate_on_submit():
        try:
            series = service.create_series(council().id, _series_data(form), clock.now())
            db.session.commit()
            flash(
                _("The series is created. Its coming meetings and reminders are planned."),
                "success",
            )
            _warn_of_holidays(series_changes.coming_holidays(series, clock.now()))
            return redirect(url_for("meetings.index"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("meetings/series_form.html", form=form)


@bp.route("/moten/<int:meeting_id>/serie", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def edit_series(meeting_id: int):
    """Change the series from this meeting on (a new series from here, see
    services/series_changes), or end it."""
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    form = _with_choices(SeriesChangeForm())
    if not form.is_submitted():
        _fill_series_form(form, meeting)
    status = 200
    if form.validate_on_submit():
        try:
            change = series_changes.change_series(
                meeting, _series_data(form), clock.now(), form.fingerprint.data or ""
            )
            db.session.commit()
            flash(_changed_message(change), "success")
            _warn_of_holidays(series_changes.coming_holidays(change.series, clock.now()))
            return redirect(url_for("meetings.index"))
        except DomainError as error:
            status = _refuse_series(form, error, meeting)
    elif form.is_submitted():
        status = 400
    return _render_series_page(meeting, change_form=form, conflict=status == 409), status


@bp.route("/moten/<int:meeting_id>/serie/avsluta", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def end_series(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    if request.method == "GET":  # a reload of a refused form
        return redirect(url_for("meetings.edit_series", meeting_id=meeting_id) + "#avsluta")
    form = EndSeriesForm(prefix="end")
    status = 400
    if form.validate_on_submit():
        try:
            cancelled = series_changes.end_series(
                meeting.series, form.last_date.data, clock.now(), form.fingerprint.data or ""
            )
            db.session.commit()
            flash(
                ngettext(
                    "The series ends on %(date)s. %(num)d planned meeting after it is cancelled.",
                    "The series ends on %(date)s. %(num)d planned meetings after it are cancelled.",
                    cancelled,
                    date=format_date(form.last_date.data, "d MMMM yyyy"),
                ),
                "success",
            )
            return redirect(url_for("meetings.index"))
        except DomainError as error:
            status = _refuse_series(form, error, meeting)
    return _render_series_page(meeting, end_form=form, conflict=status == 409), status


@bp.route("/moten/<int:meeting_id>")
@requires(Permission.VIEW_MEETINGS)
def show(meeting_id: int):
    return _render_meeting(load(Meeting, meeting_id, joinedload(Meeting.series)))


@bp.route("/moten/<int:meeting_id>/delad")
@requires(Permission.VIEW_MEETINGS)
def shared(meeting_id: int):
    """The meeting as the police see it, to project or print at the joint meeting: shared
    notes only, nothing only the municipality may read, no forms."""
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    tz = ZoneInfo(meeting.series.timezone)
    return render_template(
        "meetings/shared.html",
        meeting=meeting,
        picture=compile_picture(meeting, shared_viewer(viewer())),
        decided=action_service.actions_of_meeting(meeting),
        follow_up=action_service.follow_up(meeting),
        today=clock.now().astimezone(tz).date(),
        starts_local=meeting.starts_at.astimezone(tz),
    )


@bp.route("/moten/<int:meeting_id>/dagordning", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def agenda(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    if request.method == "GET":  # a reload of a refused form
        return _back_to(meeting, "dagordning")
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


@bp.route("/moten/<int:meeting_id>/beslut", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def decide(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    if request.method == "GET":  # a reload of a refused form
        return _back_to(meeting, "beslut")
    form = action_form(viewer())
    if form.validate_on_submit():
        try:
            action_service.record_decision(meeting, current_user, action_data(form), clock.now())
            db.session.commit()
            flash(_("The decision is recorded as an action."), "success")
            return _back_to(meeting, "beslut")
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
    status = 200
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
            status = _refuse(form, error, meeting)
    page = render_template(
        "meetings/move.html",
        meeting=meeting,
        form=form,
        conflict=status == 409,
        holiday=service.holiday_of(meeting),
    )
    return page, 409 if status == 409 else 200


@bp.route("/moten/<int:meeting_id>/helgdag", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def move_off_holiday(meeting_id: int):
    """The one-click move of a meeting on a public holiday to the next working day."""
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    if request.method == "GET":  # a reload of a refused form
        return _back_to(meeting, "helgdag")
    form = HolidayMoveForm()
    status = 400
    if form.validate_on_submit():
        try:
            day = service.move_off_holiday(
                meeting, clock.now(), seen_version=seen_version(form.version.data)
            )
            db.session.commit()
            flash(
                _(
                    "The meeting is moved to %(date)s at the same time; its reminders follow.",
                    date=format_date(day, "EEEE d MMMM yyyy"),
                ),
                "success",
            )
            if form.back.data == "index":
                return redirect(url_for("meetings.index"))
            return redirect(url_for("meetings.show", meeting_id=meeting_id))
        except DomainError as error:
            status = _refuse(form, error, meeting)
    return _render_meeting(meeting, holiday_form=form), status


@bp.route("/moten/<int:meeting_id>/stall-in", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def cancel(meeting_id: int):
    meeting = load(Meeting, meeting_id, joinedload(Meeting.series))
    if request.method == "GET":  # a reload of a refused form
        return _back_to(meeting, "")
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_meeting(
                meeting, clock.now(), seen_version=seen_version(form.version.data)
            )
            db.session.commit()
            flash(_("The meeting is cancelled. The series goes on as usual."), "success")
        except DomainError as error:
            status = _refuse(form, error, meeting)
            return _render_meeting(meeting, cancel_form=form), status
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


def _back_to(meeting: Meeting, section: str):
    """To the meeting page, at the section a form belongs to."""
    anchor = f"#{section}" if section else ""
    return redirect(url_for("meetings.show", meeting_id=meeting.id) + anchor)


def _refuse(form, error: DomainError, meeting: Meeting) -> int:
    """Show the error on the form and answer 400; a conflict answers 409, and the form now
    carries the version saved now, so the user who has seen it may save again on purpose."""
    show_on_form(form, error)
    if not isinstance(error, ConflictError):
        return 400
    form.version.data = str(meeting.version)
    return 409


def _refuse_series(form, error: DomainError, meeting: Meeting) -> int:
    """As `_refuse`, for a series form: on a conflict the form carries the series' state now."""
    show_on_form(form, error)
    if not isinstance(error, ConflictError):
        return 400
    db.session.refresh(meeting)
    form.fingerprint.data = series_changes.fingerprint(meeting.series)
    return 409


def _render_meeting(
    meeting: Meeting,
    agenda_form=None,
    decision_form=None,
    cancel_form=None,
    holiday_form=None,
    agenda_conflict=False,
):
    now = clock.now()
    tz = ZoneInfo(meeting.series.timezone)
    you = viewer()
    decides = policy.can(you, Permission.MANAGE_MEETINGS)
    if agenda_form is None:
        agenda_form = AgendaForm(formdata=None, obj=meeting)
        agenda_form.version.data = str(meeting.version)
    if cancel_form is None:
        cancel_form = CancelForm(formdata=None)
        cancel_form.version.data = str(meeting.version)
    if holiday_form is None:
        holiday_form = HolidayMoveForm(formdata=None, back="show")
        holiday_form.version.data = str(meeting.version)
    picture = compile_picture(meeting, you)
    # what the police would not see is marked: labelled on screen, left out of the print
    internal = policy.can(you, Permission.VIEW_INTERNAL_NOTES)
    shared = compile_picture(meeting, shared_viewer(you)) if internal else picture
    coming = meeting.starts_at > now and not meeting.cancelled
    holiday = service.holiday_of(meeting) if coming else None
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        picture=picture,
        sections=marked_sections(picture, shared),
        decided=action_service.actions_of_meeting(meeting),
        follow_up=action_service.follow_up(meeting),
        agenda_form=agenda_form,
        agenda_conflict=agenda_conflict,
        # only those who decide see the decision form; spare the others its queries
        decision_form=decision_form or (action_form(you) if decides else None),
        action_status_form=ActionStatusForm(formdata=None),
        cancel_form=cancel_form,
        coming=coming,
        holiday=holiday,
        holiday_form=holiday_form,
        next_working_day=next_working_day(meeting.starts_at.astimezone(tz).date())
        if holiday
        else None,
        today=now.astimezone(tz).date(),
        starts_local=meeting.starts_at.astimezone(tz),
        ends_local=meeting.ends_at.astimezone(tz),
    )


def _render_series_page(meeting: Meeting, change_form=None, end_form=None, conflict=False):
    series = meeting.series
    now = clock.now()
    fingerprint = series_changes.fingerprint(series)
    if change_form is None:
        change_form = _with_choices(SeriesChangeForm(formdata=None))
        _fill_series_form(change_form, meeting)
    if end_form is None:
        end_form = EndSeriesForm(formdata=None, prefix="end")
        end_form.last_date.data = meeting.occurrence_date - timedelta(days=1)
        end_form.fingerprint.data = fingerprint
    return render_template(
        "meetings/series_edit.html",
        meeting=meeting,
        series=series,
        form=change_form,
        end_form=end_form,
        conflict=conflict,
        coming_holidays=series_changes.coming_holidays(series, now),
    )


def _fill_series_form(form: SeriesChangeForm, meeting: Meeting) -> None:
    """The series as it is, with the new schedule starting at `meeting`."""
    series = meeting.series
    form.title.data = series.title
    form.weekday.data = str(series.weekday)
    form.local_time.data = series.local_time
    form.duration_minutes.data = series.duration_minutes
    form.interval_weeks.data = series.interval_weeks
    form.first_date.data = meeting.occurrence_date
    form.until_date.data = series.until_date
    form.location.data = series.location
    form.video_url.data = series.video_url
    form.reminder_hours.data = ", ".join(
        f"{m / 60:g}" for m in sorted(series.reminder_minutes or [], reverse=True)
    )
    form.invitee_ids.data = [u.id for u in series.invitees]
    form.partner_ids.data = [p.id for p in series.partners]
    form.fingerprint.data = series_changes.fingerprint(series)


def _with_choices(form):
    form.invitee_ids.choices = [
        SelectChoice(u.id, u.name) for u in service.member_candidates(council().id)
    ]
    form.partner_ids.choices = [
        SelectChoice(p.id, p.name) for p in measure_service.partner_candidates(council().id)
    ]
    return form


def _changed_message(change: series_changes.SeriesChange) -> str:
    return _(
        "The series is changed from %(date)s on: %(carried)d planned meetings follow the new "
        "schedule, %(cancelled)d are cancelled. The meetings before stay as they were.",
        date=format_date(change.series.first_date, "d MMMM yyyy"),
        carried=change.carried,
        cancelled=change.cancelled,
    )


def _warn_of_holidays(found: list[series_changes.HolidayMeeting]) -> None:
    """After a series is saved: which of its coming meetings fall on a public holiday."""
    if found:
        days = ", ".join(
            _("%(date)s (%(holiday)s)", date=format_date(h.day, "d MMMM yyyy"), holiday=h.name)
            for h in found
        )
        flash(
            ngettext(
                "A coming meeting falls on a public holiday: %(days)s. Move it from the list.",
                "%(num)d coming meetings fall on public holidays: %(days)s. Move them from "
                "the list.",
                len(found),
                days=days,
            ),
            "warning",
        )


def _holidays(meetings: list[Meeting], now) -> dict[int, str]:
    """The public holiday each coming, not cancelled meeting falls on, by meeting id."""
    found = {}
    for meeting in meetings:
        if meeting.starts_at > now and not meeting.cancelled:
            name = service.holiday_of(meeting)
            if name:
                found[meeting.id] = name
    return found


def _page_number(name: str) -> int:
    """The page asked for in the query (1 when absent or not a number)."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


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
