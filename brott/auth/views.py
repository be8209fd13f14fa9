"""Login, logout and the start page that leads a user to their council."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from brott import clock, policy
from brott.auth.forms import LoginForm, LogoutForm
from brott.extensions import db
from brott.services import auth as auth_service
from brott.services import notifications as notification_service

bp = Blueprint("auth", __name__)


@bp.route("/")
@login_required
def home():
    memberships = policy.councils_of(current_user)
    if len(memberships) == 1:
        return redirect(url_for("measures.index", slug=memberships[0].council.slug))
    return render_template("auth/home.html", memberships=memberships)


@bp.route("/notiser", methods=["GET", "POST"])
@login_required
def notifications():
    form = LogoutForm()  # a bare CSRF form
    if form.validate_on_submit():
        notification_service.mark_all_read(current_user.id, clock.now())
        db.session.commit()
        return redirect(url_for("auth.notifications"))
    return render_template(
        "auth/notifications.html",
        notifications=notification_service.recent(current_user.id),
        form=form,
    )


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = auth_service.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(auth_service.safe_next_url(form.next.data) or url_for("auth.home"))
        db.session.commit()  # the failed attempt's audit entry
        form.password.errors.append("Fel e-postadress eller lösenord.")
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))
