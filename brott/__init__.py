"""brott: the action tracker of a local crime-prevention council (BRÅ)."""

from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from brott import (
    config,
    council_scope,
    errors,
    i18n,
    input_guard,
    observability,
    security,
    uploads,
)
from brott.extensions import csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the WSGI application."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    config.load_config(app, test_config)
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        # the client's address and scheme; the host is the proxy's to pass as Host
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    i18n.init_app(app)
    council_scope.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    input_guard.init_app(app)
    uploads.init_app(app)  # before input_guard's hook: it reads the body
    _configure_login(app)

    from brott.about.views import bp as about_bp
    from brott.accounts.views import bp as accounts_bp
    from brott.actions.views import bp as actions_bp
    from brott.activity.views import bp as activity_bp
    from brott.admin.views import bp as admin_bp
    from brott.api.token_views import bp as api_tokens_bp
    from brott.api.views import bp as api_bp
    from brott.auth.views import bp as auth_bp
    from brott.calendar.views import bp as calendar_bp
    from brott.cameras.views import bp as cameras_bp
    from brott.certification.views import bp as certification_bp
    from brott.dashboard.views import bp as dashboard_bp
    from brott.exports.views import bp as exports_bp
    from brott.follow_up_report.views import bp as follow_up_report_bp
    from brott.health.views import bp as health_bp
    from brott.indicators.views import bp as indicators_bp
    from brott.measures.views import bp as measures_bp
    from brott.meetings.views import bp as meetings_bp
    from brott.notes.views import bp as notes_bp
    from brott.open311.views import bp as open311_bp
    from brott.places.views import bp as places_bp
    from brott.problems.views import bp as problems_bp
    from brott.progress.views import bp as progress_bp
    from brott.promises.views import bp as promises_bp
    from brott.public_reports.views import bp as public_reports_bp
    from brott.reports.setup_views import bp as report_setup_bp
    from brott.reports.views import bp as reports_bp
    from brott.scorecard.views import bp as scorecard_bp
    from brott.walks.views import bp as walks_bp

    for blueprint in (
        auth_bp,
        accounts_bp,
        dashboard_bp,
        measures_bp,
        meetings_bp,
        actions_bp,
        notes_bp,
        places_bp,
        promises_bp,
        scorecard_bp,
        problems_bp,
        progress_bp,
        indicators_bp,
        activity_bp,
        certification_bp,
        walks_bp,
        cameras_bp,
        reports_bp,
        report_setup_bp,
        public_reports_bp,
        open311_bp,
        calendar_bp,
        exports_bp,
        follow_up_report_bp,
        admin_bp,
        about_bp,
        api_bp,
        api_tokens_bp,
        health_bp,
    ):
        app.register_blueprint(blueprint)

    errors.register(app)
    _configure_templates(app)
    _configure_audit(app)

    from brott.cli import register_cli

    register_cli(app)
    if app.config["SCHEDULER_ENABLED"]:
        from brott import scheduler

        app.extensions["brott.scheduler"] = scheduler.start_background(app)
    return app


def _configure_templates(app: Flask) -> None:
    from brott.measures.tools import tool_url
    from brott.meetings.forms import WEEKDAYS
    from brott.models import ACTION_STATUS_LABELS, ROLE_LABELS, STATUS_LABELS
    from brott.services import audit
    from brott.services.measures import SNAPSHOT_LABELS

    app.jinja_env.globals.update(
        SNAPSHOT_LABELS=SNAPSHOT_LABELS,
        WEEKDAYS=WEEKDAYS,
        STATUS_LABELS=STATUS_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        ACTION_STATUS_LABELS=ACTION_STATUS_LABELS,
        audit_summary=audit.summary_text,
        audit_event=audit.event_label,
        audit_object=audit.object_label,
        AUDIT_EVENTS=audit.ACTION_LABELS,
        AUDIT_OBJECTS=audit.OBJECT_LABELS,
        tool_url=tool_url,
    )
    app.jinja_env.filters["reminder_label"] = _reminder_label

    from flask_login import current_user

    from brott.services.notifications import unread_count

    app.jinja_env.globals["unread_notifications"] = lambda: (
        unread_count(current_user.id) if current_user.is_authenticated else 0
    )


def _configure_audit(app: Flask) -> None:
    from flask import request
    from flask_login import current_user

    from brott.services import audit  # importing it registers the change listener

    @app.before_request
    def declare_actor() -> None:
        if request.endpoint == "static":
            return  # nothing is changed there; spare the user lookup
        audit.acting_as(current_user if current_user.is_authenticated else None)


def _reminder_label(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def _configure_login(app: Flask) -> None:
    from brott.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The user a session names, if it was issued under their current session version."""
        raw_id, _, version = user_id.partition(":")
        if not raw_id.isdigit() or not version.isdigit() or len(raw_id) > 12:
            return None
        user = db.session.get(User, int(raw_id))
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user
