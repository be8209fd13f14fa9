"""Actions decided at EST: the owner's list, status updates, one-click links from e-mail."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from brott import clock, policy
from brott.actions.forms import ActionStatusForm, ConfirmForm
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.models import ActionStatus
from brott.policy import Permission
from brott.services import actions as service
from brott.services import tokens
from brott.services.auth import safe_next_url

bp = Blueprint("actions", __name__)


@bp.route("/r/<slug>/atgarder")
@login_required
def index(slug: str):
    membership = policy.council_membership(current_user, slug)
    policy.require(membership, Permission.VIEW_MEETINGS)
    manages = policy.can(membership, Permission.MANAGE_MEETINGS)
    return render_template(
        "actions/index.html",
        membership=membership,
        mine=service.actions_for(membership.council_id, owner_id=current_user.id),
        everyone=service.actions_for(membership.council_id) if manages else [],
        today=clock.today(),
        status_form=ActionStatusForm(),
    )


@bp.route("/r/<slug>/atgarder/<int:action_id>", methods=["POST"])
@login_required
def update(slug: str, action_id: int):
    membership = policy.council_membership(current_user, slug)
    action = policy.get_action(membership, action_id)
    policy.require(membership, Permission.UPDATE_ACTION, action)
    form = ActionStatusForm()
    back = safe_next_url(form.next.data) or url_for("actions.index", slug=slug)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    meeting = (
        policy.get_meeting(membership, int(form.meeting_id.data))
        if (form.meeting_id.data or "").isdigit()
        else None
    )
    try:
        service.set_action_status(
            action, ActionStatus(form.status.data), form.comment.data or "", clock.now(), meeting
        )
        db.session.commit()
        flash(f"Åtgärden är nu: {action.status_label}.", "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(back)


@bp.route("/atgard/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The one-click link from e-mail: GET shows what will happen, only POST changes it."""
    form = ConfirmForm()
    try:
        link = tokens.read_action_link(token)
    except DomainError as error:
        return render_template("actions/confirm.html", error=error.message, link=None), 410
    done = False
    if form.validate_on_submit():
        try:
            now = clock.now()
            service.set_action_status(link.action, link.status, form.comment.data or "", now)
            tokens.spend(link.token_id, now)
            db.session.commit()
            done = True
        except DomainError as error:
            show_on_form(form, error)
    return render_template("actions/confirm.html", link=link, form=form, done=done, error=None)
