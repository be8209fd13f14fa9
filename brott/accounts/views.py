"""Passwords and invitations: set by the person through e-mailed, single-use links."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from brott import clock
from brott.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    SetPasswordForm,
)
from brott.auth import session_guard
from brott.errors import DomainError, show_on_form
from brott.extensions import db
from brott.models import User
from brott.services import invitations, passwords, two_factor

bp = Blueprint("accounts", __name__)

GONE = 410  # an e-mailed link that is invalid, expired, used or replaced


@bp.route("/konto/losenord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            passwords.change_password(
                user, form.current_password.data, form.password.data, clock.now()
            )
            db.session.commit()
            _stay_logged_in(user)
            flash(_("Your password is changed. You are logged out on other devices."), "success")
            return redirect(url_for("auth.profile"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template("accounts/change_password.html", form=form), _status(form)


@bp.route("/glomt-losenord", methods=["GET", "POST"])
def forgot_password():
    """The same answer, and the same work short of queueing an e-mail, for any address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data, clock.now())
        db.session.commit()
        hours = int(passwords.max_age(passwords.RESET).total_seconds() // 3600)
        flash(
            _(
                "If the address belongs to an account, a link to choose a new password is on "
                "its way. It is valid for %(hours)d hours.",
                hours=hours,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("accounts/forgot_password.html", form=form), _status(form)


@bp.route("/losenord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password from an invitation's or a reset's link."""
    try:
        link = passwords.read_link(token, clock.now())
    except DomainError as error:
        return _link_refused(error)
    if _someone_else(link.user):
        return render_template("accounts/other_account.html"), 403
    first = link.purpose == passwords.SET
    form = SetPasswordForm(name=link.user.name if first else None)
    if form.validate_on_submit():
        user = link.user
        try:
            name = form.name.data if first else None
            passwords.set_password_from_link(link, form.password.data, name, clock.now())
            db.session.commit()
            return _after_password_set(user)
        except DomainError as error:
            show_on_form(form, error)
    return render_template("accounts/set_password.html", form=form, first=first), _status(form)


@bp.route("/inbjudan/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """A person with an account takes the role a council offers; someone not logged in
    confirms with the account's password (a deactivated account has no session)."""
    try:
        link = invitations.read_link(token)
    except DomainError as error:
        return _link_refused(error)
    if _someone_else(link.user):
        return render_template("accounts/other_account.html"), 403
    invited_to = link.invitation.council
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            if not current_user.is_authenticated:
                invitations.confirm_password(link.user, form.password.data or "")
            invitations.accept(link, clock.now())
            db.session.commit()
            flash(_("You are now a member of %(council)s.", council=invited_to.name), "success")
            if current_user.is_authenticated:
                return redirect(url_for("measures.index", slug=invited_to.slug))
            return redirect(url_for("auth.login"))
        except DomainError as error:
            show_on_form(form, error)
    return render_template(
        "accounts/accept_invitation.html", form=form, link=link, invited_to=invited_to
    ), _status(form)


def _someone_else(user: User) -> bool:
    """Another account is logged in on this device: a link is never used on its behalf."""
    return current_user.is_authenticated and current_user.id != user.id


def _link_refused(error: DomainError):
    return render_template("accounts/link_refused.html", error=error.message), GONE


def _after_password_set(user: User):
    """Log in on this device, unless the account may not log in yet or has a second factor
    (the login page asks for it)."""
    if user.active and not two_factor.is_enabled(user):
        _stay_logged_in(user)
        flash(_("Your password is saved. You are logged in."), "success")
        return redirect(url_for("auth.home"))
    flash(_("Your password is saved. Log in with it."), "success")
    return redirect(url_for("auth.login"))


def _stay_logged_in(user: User) -> None:
    # the password change ended every session (services/sessions); this device logs in anew
    login_user(user)
    session_guard.mark_seen()


def _status(form) -> int:
    return 400 if form.errors else 200
