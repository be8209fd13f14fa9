"""Login (with a second factor), logout, the start page that leads a user to their council,
language, profile, two-step login, and a council's login settings."""

import math
from datetime import datetime

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from brott import clock, i18n, policy
from brott.auth import session_guard
from brott.auth.forms import (
    CodeForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    TwoFactorOffForm,
    TwoFactorRolesForm,
)
from brott.council_scope import council, requires
from brott.errors import ConflictError, DomainError, show_on_form
from brott.extensions import db
from brott.models import ROLE_LABELS, Membership, User
from brott.policy import Permission
from brott.services import auth as auth_service
from brott.services import mail_preferences
from brott.services import notifications as notification_service
from brott.services import sessions as session_service
from brott.services import two_factor as two_factor_service
from brott.services import users as user_service
from brott.services.versions import seen_version

bp = Blueprint("auth", __name__)
bp.record_once(session_guard.install)

# the half-done login between a right password and the second factor; not a login
PENDING_LOGIN = "login.pending"
PENDING_LOGIN_SECONDS = 5 * 60
NEW_SECRET = "two_factor.secret"  # the secret being set up, until a code confirms it


@bp.route("/")
@login_required
def home():
    memberships = policy.councils_of(current_user)
    if len(memberships) == 1:
        return redirect(council_home(memberships[0]))
    return render_template("auth/home.html", memberships=memberships)


@bp.app_template_global()
def council_home(membership: Membership) -> str:
    """Where a member lands in a council: the dashboard, or, for those who see only reports
    (a responsible body's staff), their report queue."""
    you = policy.Viewer.member(membership)
    slug = membership.council.slug
    if policy.can(you, Permission.VIEW_REPORTS) and not policy.can(you, Permission.VIEW_MEASURES):
        return url_for("reports.index", slug=slug)
    return url_for("dashboard.index", slug=slug)


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
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    now = clock.now()
    attempt = auth_service.authenticate(
        form.email.data or "", form.password.data or "", request.remote_addr, now
    )
    db.session.commit()  # the audit entry, and a failure's count
    if attempt.retry_at is not None:
        form.form_errors.append(_retry_message(attempt.retry_at, now))
        return render_template("auth/login.html", form=form), 429
    if attempt.user is None:
        form.password.errors.append(_("Wrong email address or password."))
        return render_template("auth/login.html", form=form)
    if two_factor_service.is_enabled(attempt.user):
        return _ask_for_code(attempt.user, bool(form.remember.data), form.next.data, now)
    return _log_in(attempt.user, bool(form.remember.data), form.next.data)


@bp.route("/logga-in/kod", methods=["GET", "POST"])
def second_factor():
    """The second step of a login: the code of the user's authenticator app."""
    now = clock.now()
    pending = session.get(PENDING_LOGIN)
    user = _pending_user(pending, now)
    if user is None or not isinstance(pending, dict):
        session.pop(PENDING_LOGIN, None)
        flash(_("The time to enter the code ran out. Log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/second_factor.html", form=form), 400 if form.errors else 200
    retry_at = auth_service.throttled_until(user, request.remote_addr, now)
    if retry_at is not None:
        form.form_errors.append(_retry_message(retry_at, now))
        return render_template("auth/second_factor.html", form=form), 429
    if not two_factor_service.accept_code(user, form.code.data or "", now):
        auth_service.refuse_code(user, request.remote_addr, now)
        db.session.commit()
        form.code.errors.append(_("Wrong code, or a code that has already been used."))
        return render_template("auth/second_factor.html", form=form), 400
    session.pop(PENDING_LOGIN, None)
    return _log_in(user, bool(pending.get("remember")), pending.get("next"))


@bp.route("/logga-ut", methods=["GET", "POST"])
def logout():
    """Log out here and everywhere: every session and remember cookie of the user ends."""
    if request.method == "GET":  # only the form's POST logs out; a reload or a link does not
        return redirect(url_for("auth.home"))
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            session_service.end_all_sessions(current_user)
            db.session.commit()
        logout_user()
        for key in (session_guard.LAST_SEEN, PENDING_LOGIN, NEW_SECRET):
            session.pop(key, None)
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sprak", methods=["GET", "POST"])
def set_language():
    """The header's switch: saved for a logged-in user, kept in the session for anyone."""
    if request.method == "GET":  # a reload changes nothing
        return redirect(url_for("auth.home"))
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
    form = ProfileForm(
        language=i18n.supported(current_user.locale) or i18n.DEFAULT_LOCALE,
        emails=mail_preferences.chosen(current_user),
    )
    if form.validate_on_submit():
        code = i18n.supported(form.language.data) or i18n.DEFAULT_LOCALE
        try:
            mail_preferences.set_chosen(current_user, form.emails.data or [])
            user_service.set_locale(current_user, code)
            session[i18n.SESSION_KEY] = code
            db.session.commit()
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("auth.profile"))
        except DomainError as error:
            show_on_form(form, error)
    administered = [
        membership
        for membership in policy.councils_of(current_user)
        if policy.can(policy.Viewer.member(membership), Permission.MANAGE_USERS)
    ]
    return render_template(
        "auth/profile.html",
        form=form,
        two_factor_on=two_factor_service.is_enabled(current_user),
        administered=administered,
        required_emails=mail_preferences.REQUIRED.values(),
    ), 400 if form.errors else 200


@bp.route("/konto/tvastegsinloggning", methods=["GET", "POST"])
@login_required
def two_factor():
    """Turn two-step login on: scan the code, confirm with a code of the app."""
    if two_factor_service.is_enabled(current_user):
        return _render_two_factor(off_form=TwoFactorOffForm())
    secret = session.get(NEW_SECRET)
    if not isinstance(secret, str) or not secret:
        secret = session[NEW_SECRET] = two_factor_service.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor_service.enable(current_user, secret, form.code.data or "", clock.now())
            db.session.commit()
            session.pop(NEW_SECRET, None)
            flash(_("Two-step login is on."), "success")
            return redirect(url_for("auth.home"))
        except DomainError as error:
            show_on_form(form, error)
    return _render_two_factor(on_form=form, secret=secret), 400 if form.errors else 200


@bp.route("/konto/tvastegsinloggning/av", methods=["GET", "POST"])
@login_required
def two_factor_off():
    """Turn two-step login off, with the password and a current code."""
    if request.method == "GET":  # a reload of a refused form
        return redirect(url_for("auth.two_factor"))
    form = TwoFactorOffForm()
    if form.validate_on_submit():
        try:
            two_factor_service.disable(
                current_user, form.password.data or "", form.code.data or "", clock.now()
            )
            db.session.commit()
            flash(_("Two-step login is off."), "success")
            return redirect(url_for("auth.profile"))
        except DomainError as error:
            show_on_form(form, error)
    if not two_factor_service.is_enabled(current_user):
        return redirect(url_for("auth.two_factor"))
    return _render_two_factor(off_form=form), 400


@bp.route("/r/<slug>/admin/inloggning", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def login_settings():
    """The council's admins choose which roles must log in with a second factor."""
    current = council()
    form = TwoFactorRolesForm(
        roles=[role.value for role in two_factor_service.required_roles(current)],
        version=str(current.version),
    )
    form.roles.choices = [(role.value, ROLE_LABELS[role]) for role in policy.TWO_FACTOR_ROLES]
    conflict = False
    if form.validate_on_submit():
        try:
            two_factor_service.set_required_roles(
                current, list(form.roles.data or []), seen_version(form.version.data)
            )
            db.session.commit()
            flash(_("The login settings are saved."), "success")
            return redirect(url_for("auth.login_settings"))
        except DomainError as error:
            show_on_form(form, error)
            conflict = isinstance(error, ConflictError)
            form.version.data = str(current.version)
    status = 409 if conflict else 400 if form.errors else 200
    return render_template(
        "auth/login_settings.html",
        form=form,
        conflict=conflict,
        saved_roles=two_factor_service.required_roles(current),
        not_set_up=two_factor_service.members_without_second_factor(current),
    ), status


def _ask_for_code(user: User, remember: bool, next_url: str | None, now: datetime):
    """The password was right: keep a half-done login in the session and ask for the code."""
    session[PENDING_LOGIN] = {
        "user": user.id,
        "version": user.session_version,
        "at": now.timestamp(),
        "remember": remember,
        "next": auth_service.safe_next_url(next_url) or "",
    }
    return redirect(url_for("auth.second_factor"))


def _log_in(user: User, remember: bool, next_url: str | None):
    """Log the user in (the password and any second factor were right) and send them on."""
    auth_service.complete_login(user, clock.now())
    db.session.commit()
    login_user(user, remember=remember)
    if any(policy.two_factor_missing(m) for m in policy.councils_of(user)):
        return redirect(url_for("auth.two_factor"))
    return redirect(auth_service.safe_next_url(next_url) or url_for("auth.home"))


def _pending_user(pending: object, now: datetime) -> User | None:
    """The user of a half-done login that is still fresh and still valid, else None."""
    if not isinstance(pending, dict):
        return None
    started, user_id = pending.get("at"), pending.get("user")
    if not isinstance(started, int | float) or not isinstance(user_id, int):
        return None
    if not 0 <= now.timestamp() - started <= PENDING_LOGIN_SECONDS:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return user if two_factor_service.is_enabled(user) else None


def _retry_message(retry_at: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(num)d minute, at %(time)s.",
        "Too many failed attempts. Try again in %(num)d minutes, at %(time)s.",
        minutes,
        time=format_time(retry_at, "HH:mm"),
    )


def _render_two_factor(on_form=None, off_form=None, secret: str | None = None) -> str:
    uri = two_factor_service.provisioning_uri(current_user, secret) if secret else None
    return render_template(
        "auth/two_factor.html",
        on_form=on_form,
        off_form=off_form,
        secret=secret,
        qr_code=two_factor_service.qr_code_data_uri(uri) if uri else None,
        required_by=[m for m in policy.councils_of(current_user) if policy.two_factor_required(m)],
    )
