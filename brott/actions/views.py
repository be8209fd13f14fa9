"""Actions: the owner's list, entering one by hand, status updates, one-click links."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from brott import clock, policy
from brott.actions.forms import (
    ACTION_STATUS_CHOICES,
    ActionStatusForm,
    ConfirmForm,
    PostponeForm,
    action_data,
    action_form,
)
from brott.council_scope import council, load, require, requires, viewer
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import Action, ActionStatus, Meeting
from brott.policy import Permission
from brott.services import actions as service
from brott.services import tokens
from brott.services.auth import safe_next_url
from brott.services.versions import seen_version

bp = Blueprint("actions", __name__)


@bp.app_template_global()
def action_status_choices() -> list[SelectChoice]:
    """What the compact status form offers: open, done, postpone."""
    return ACTION_STATUS_CHOICES


@bp.app_template_global()
def action_state(action: Action, today: date | None = None) -> service.ActionState:
    """What an action is shown as today: open, late, postponed or done."""
    return service.state_of(action, today or clock.today())


@bp.route("/r/<slug>/atgarder")
@requires(Permission.VIEW_MEETINGS)
def index():
    manages = policy.can(viewer(), Permission.MANAGE_MEETINGS)
    return render_template(
        "actions/index.html",
        mine=service.actions_for(council().id, owner_id=current_user.id),
        everyone=service.actions_for(council().id) if manages else [],
        today=clock.today(),
        status_form=ActionStatusForm(),
    )


@bp.route("/r/<slug>/atgarder/ny", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def create():
    form = action_form(viewer())
    if form.validate_on_submit():
        try:
            service.record_manual(
                council().id, current_user, action_data(form), clock.now(), clock.today()
            )
            db.session.commit()
            flash(_("The action is saved."), "success")
            return redirect(url_for("actions.index"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("actions/form.html", form=form)


@bp.route("/r/<slug>/atgarder/<int:action_id>", methods=["GET", "POST"])
@requires(Permission.UPDATE_ACTION)
def update(action_id: int):
    action = load(Action, action_id)
    require(Permission.UPDATE_ACTION, action)
    if request.method == "GET":  # a reload of a refused form: back to the list
        return redirect(url_for("actions.index"))
    form = ActionStatusForm()
    back = safe_next_url(form.next.data) or url_for("actions.index")
    conflict = False
    if form.validate_on_submit():
        meeting_id = form.meeting_id.data or ""
        meeting = load(Meeting, int(meeting_id)) if meeting_id.isdigit() else None
        try:
            service.set_action_status(
                action,
                ActionStatus(form.status.data),
                form.comment.data or "",
                clock.now(),
                meeting,
                seen_version=seen_version(form.version.data),
                new_due_date=form.due_date.data,
            )
            db.session.commit()
            shown = action_state(action).label
            flash(_("The action is now: %(status)s.", status=shown), "success")
            return redirect(back)
        except DomainError as error:
            show_on_form(form, error)
            # on a conflict, the form carries the version saved now: the user has seen it
            conflict = isinstance(error, ConflictError)
            if conflict:
                form.version.data = str(action.version)
    page = render_template(
        "actions/status.html", action=action, form=form, back=back, conflict=conflict
    )
    return page, 409 if conflict else 400


@bp.route("/atgard/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The one-click link from e-mail: GET shows what will happen, only POST changes it.
    Without a login the link is the credential; logged in, it must be the owner's."""
    holder_id = current_user.id if current_user.is_authenticated else None
    try:
        link = tokens.read_action_link(token, holder_id)
    except DomainError as error:
        status = 403 if isinstance(error, tokens.NotTheOwner) else 410
        return render_template("actions/confirm.html", error=error.message, link=None), status
    postpone = link.status is ActionStatus.DELAYED
    form = PostponeForm() if postpone else ConfirmForm()
    status, done = (400 if form.is_submitted() else 200), False
    if form.validate_on_submit():
        try:
            if postpone:
                _postpone_by_link(link, form)
            else:
                tokens.use_action_link(link, form.comment.data or "", clock.now())
            db.session.commit()
            status, done = 200, True
        except DomainError as error:
            show_on_form(form, error)
            status = 409 if isinstance(error, ConflictError) else 400
    page = render_template("actions/confirm.html", link=link, form=form, done=done, error=None)
    return page, status


def _postpone_by_link(link: tokens.ActionLink, form: PostponeForm) -> None:
    """Postpone with the new date the page asked for (a link cannot name it), then spend the
    link. The action as the link loaded it is the version changed: a save in between is a
    conflict, as with every other link."""
    service.set_action_status(
        link.action,
        ActionStatus.DELAYED,
        form.comment.data or "",
        clock.now(),
        seen_version=link.action.version,
        new_due_date=form.due_date.data,
    )
    tokens.spend(link.token_id, clock.now())
