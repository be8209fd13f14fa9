"""Calendar exports: a meeting's .ics and each user's private feed."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from brott import clock, policy
from brott.calendar.forms import ENABLE, FeedForm
from brott.council_scope import load, requires
from brott.extensions import db
from brott.models import Meeting
from brott.policy import Permission
from brott.services import calendar as service

bp = Blueprint("calendar", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


@bp.route("/r/<slug>/est/moten/<int:meeting_id>.ics")
@requires(Permission.VIEW_MEETINGS)
def meeting_ics(meeting_id: int):
    meeting = load(Meeting, meeting_id)
    filename = f"est-mote-{meeting.starts_at.astimezone(clock.STOCKHOLM):%Y-%m-%d}.ics"
    return _ics(service.meeting_ics(meeting, clock.now()), f'attachment; filename="{filename}"')


@bp.route("/kalender/<token>.ics")
def feed(token: str):
    """The private feed; the token in the URL is the only credential."""
    user = service.feed_owner(token)
    if user is None:
        raise NotFound()
    return _ics(service.user_feed(user, clock.now()), 'inline; filename="brott.ics"')


@bp.route("/konto/kalender", methods=["GET", "POST"])
@login_required
def account():
    form = FeedForm()
    if form.validate_on_submit():
        message = _apply(form.operation.data)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("calendar.account"))
    return render_template(
        "calendar/account.html",
        form=form,
        feed_url=service.feed_url(current_user),
        councils=policy.councils_of(current_user),
    ), 400 if form.errors else 200


def _apply(operation: str) -> str:
    """Carry out the button's operation on the current user's feed; the message to show."""
    if operation == ENABLE:
        renewed = current_user.calendar_token is not None
        service.enable_feed(current_user)
        if renewed:
            return _("You have a new calendar link. The old link no longer works.")
        return _("The calendar feed is switched on.")
    service.disable_feed(current_user)
    return _("The calendar feed is switched off. Its link no longer works.")


def _ics(body: bytes, disposition: str) -> Response:
    response = Response(body, content_type=ICS_TYPE)
    response.headers["Content-Disposition"] = disposition
    # private data: never kept by shared caches, never indexed
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
