"""brott: the action tracker of a local crime-prevention council (BRÅ)."""

from pathlib import Path

from flask import Flask

from brott import config, errors, i18n
from brott.extensions import csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the WSGI application."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    config.load_config(app, test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    i18n.init_app(app)
    _configure_login(app)

    from brott.admin.views import bp as admin_bp
    from brott.auth.views import bp as auth_bp
    from brott.measures.views import bp as measures_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(admin_bp)

    errors.register(app)
    _configure_templates(app)

    from brott.cli import register_cli

    register_cli(app)
    if app.config["SCHEDULER_ENABLED"]:
        from brott import scheduler

        app.extensions["brott.scheduler"] = scheduler.start_background(app)
    return app


def _configure_templates(app: Flask) -> None:
    from brott import policy
    from brott.services.measures import SNAPSHOT_LABELS

    app.jinja_env.globals.update(
        can=policy.can, Permission=policy.Permission, SNAPSHOT_LABELS=SNAPSHOT_LABELS
    )


def _configure_login(app: Flask) -> None:
    from brott.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logga in för att fortsätta."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None
