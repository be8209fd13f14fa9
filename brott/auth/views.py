"""Login, logout, the start page that leads a user to their council, language and profile."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from brott import clock, i18n, policy
from brott.auth.forms import LanguageForm, LoginForm, LogoutForm, ProfileForm
from brott.extensions import db
from brott.services import auth as auth_service
from brott.services import notifications as notification_service
from brott.services import users as user_service

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
        user = auth_service.authenticate(form.email.data, form.password.data, clock.now())
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(auth_service.safe_next_url(form.next.data) or url_for("auth.home"))
        db.session.commit()  # the failed attempt's audit entry
        form.password.errors.append(_("Wrong email address or password."))
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sprak", methods=["POST"])
def set_language():
    """The header's switch: saved for a logged-in user, kept in the session for anyone."""
    form = LanguageForm()
    if form.validate_on_submit():
        code = i18n.supported(form.language.data) or i18n.DEFAULT_LOCALE
        session[i18n.SESSION_KEY] = code
        if current_user.is_authenticated:
            user_service.set_locale(current_user, code)
            db.session.commit()
    return redirect(auth_service.safe_next_url(form.next.data) or url_for("auth.home"))


@bp.route("/konto", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(language=i18n.supported(current_user.locale) or i18n.DEFAULT_LOCALE)
    if form.validate_on_submit():
        code = i18n.supported(form.language.data) or i18n.DEFAULT_LOCALE
        user_service.set_locale(current_user, code)
        session[i18n.SESSION_KEY] = code
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form), 400 if form.errors else 200
