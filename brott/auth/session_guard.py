"""What every request checks about its login: the idle end, and the second factor that a
council requires of the member's role.

The idle check runs before every other request hook, so no hook (the viewer, the audit
actor) sees a login that has already ended. The signed session cookie is accepted for the idle
limit plus `IDLE_NOTICE` (PERMANENT_SESSION_LIFETIME, set here from SESSION_IDLE_MINUTES): long
enough after an idle end for the user to be told why they were logged out, instead of the
31 days a cookie was accepted before.
"""

from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from brott import clock, policy
from brott.council_scope import current_viewer
from brott.services import sessions

LAST_SEEN = "seen"  # session key: when the logged-in user last made a request (POSIX time)
# what Flask-Login keeps in the session for a login (the remember cookie is left alone)
LOGIN_KEYS = ("_user_id", "_fresh", "_id", LAST_SEEN)
IDLE_NOTICE = timedelta(hours=12)
ENROLMENT_ENDPOINTS = {"auth.two_factor", "auth.logout", "auth.set_language", "static"}


def install(state: BlueprintSetupState) -> None:
    """Configure the session lifetime and add the request hooks (from the auth blueprint)."""
    app = state.app
    app.config["PERMANENT_SESSION_LIFETIME"] = idle_limit(app) + IDLE_NOTICE
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False  # a cookie is rewritten when it changes
    # every login, wherever it happens (a password, a code, a set password), starts the clock
    user_logged_in.connect(_mark_seen_on_login, sender=app)
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, end_idle_login)
    hooks.append(send_to_two_factor_enrolment)  # after the request base found the viewer


def idle_limit(app: App) -> timedelta:
    """How long a login lasts without a request (SESSION_IDLE_MINUTES)."""
    return timedelta(minutes=int(app.config["SESSION_IDLE_MINUTES"]))


def mark_seen() -> None:
    """Note that the logged-in user made a request now."""
    session[LAST_SEEN] = clock.now().timestamp()


def _mark_seen_on_login(sender: object, **extra: object) -> None:
    mark_seen()


def end_idle_login() -> ResponseReturnValue | None:
    """End a login idle for longer than the limit; a remember cookie may start a new one."""
    if request.endpoint == "static":
        return None  # nothing to protect there; spare the cookie
    now = clock.now()
    raw = session.get(LAST_SEEN)
    last_seen = float(raw) if isinstance(raw, int | float) else None
    ended = "_user_id" in session and sessions.has_gone_idle(
        last_seen, now, idle_limit(current_app)
    )
    if ended:
        for key in LOGIN_KEYS:
            session.pop(key, None)
    if current_user.is_authenticated:  # loads the user: from the session, or remember cookie
        if ended or sessions.seen_is_stale(last_seen, now):
            mark_seen()
        return None
    if not ended:
        return None
    flash(_("You have been logged out after a period of inactivity."), "info")
    if request.method == "GET" and request.endpoint != "auth.login":
        return redirect(url_for("auth.login", next=request.full_path))
    return redirect(url_for("auth.login"))


def send_to_two_factor_enrolment() -> ResponseReturnValue | None:
    """A member whose role in this council requires a second factor they have not set up is
    sent to set it up: the policy gives them no permission in the council until then."""
    viewer = current_viewer()
    if viewer is None or viewer.kind is not policy.ViewerKind.MEMBER or viewer.membership is None:
        return None
    if request.endpoint in ENROLMENT_ENDPOINTS or not policy.two_factor_missing(viewer.membership):
        return None
    flash(
        _(
            "%(council)s requires two-step login for your role. Set it up to continue.",
            council=viewer.council.name,
        ),
        "info",
    )
    return redirect(url_for("auth.two_factor"))
