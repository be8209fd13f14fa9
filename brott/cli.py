"""Shell commands: `flask --app app demo`, `create-user`, `scheduler`, `dispatch`, `backup`, …

They speak to an operator in a shell, in English (the code's language); the web pages and
e-mails are where translation happens. A command that fails says why in one line on stderr
("Error: …") and exits non-zero (2 for bad arguments, 1 otherwise), never with a traceback:
see `OperatorCommand`.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext
from sqlalchemy import exc as sa_exc

from brott import clock
from brott.errors import DomainError, database_unavailable, roll_back_safely
from brott.extensions import db
from brott.models import Council, Role
from brott.services import backup as backup_service
from brott.services import councils as council_service
from brott.services import demo as demo_service
from brott.services import report_setup
from brott.services import users as user_service


class OperatorCommand(click.Command):
    """A command whose failures are one line for the operator, never a traceback.

    Bad arguments, a broken rule (DomainError) and an unreachable database each become a
    one-line `Error: …`; anything else too, unless the app runs in debug mode
    (FLASK_DEBUG=1), where the traceback is what the developer wants.
    """

    def make_context(self, info_name, args, parent=None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DomainError as error:
            roll_back_safely()
            raise click.ClickException(_first_line(error.message)) from None
        except sa_exc.DBAPIError as error:
            roll_back_safely()
            if database_unavailable(error):
                raise click.ClickException(
                    f"the database is unreachable: {_first_line(error.orig)}"
                ) from None
            raise click.ClickException(
                f"the database refused the work: {_first_line(error.orig)}"
            ) from None
        except Exception as error:
            roll_back_safely()
            if has_app_context() and current_app.debug:
                raise
            raise click.ClickException(
                f"unexpected {type(error).__name__}: {_first_line(error)} "
                "(FLASK_DEBUG=1 shows the traceback)"
            ) from None


class _BadArguments(click.ClickException):
    exit_code = 2  # as click's own usage errors


def _one_line(error: click.UsageError) -> click.ClickException:
    """A usage error without the usage block: the message, and where help is."""
    return _BadArguments(f"{_first_line(error.format_message())} (--help lists the options)")


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(create_user)
    app.cli.add_command(run_scheduler)
    app.cli.add_command(dispatch)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.command("scheduler", cls=OperatorCommand)
@with_appcontext
def run_scheduler() -> None:
    """Run the reminder scheduler in the foreground; of several such processes, the elected
    one runs the jobs."""
    from flask import current_app

    from brott import scheduler

    click.echo("Scheduler running; Ctrl+C stops it.")
    scheduler.run_blocking(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("dispatch", cls=OperatorCommand)
def dispatch() -> None:
    """Run once every job that is due, then exit (for cron, instead of the scheduler).

    The same jobs the scheduler starts with: plan ahead, retention once a day, today's
    digest and the reports' follow-ups once their time has passed, then send what is due.
    Running it again does no harm.
    """
    from brott import clock, jobs

    run = jobs.run_due(clock.now())
    click.echo(_dispatch_summary(run))
    if run.failures:
        failed = "; ".join(f"{name}: {error}" for name, error in run.failures.items())
        raise click.ClickException(f"jobs failed: {failed}")


def _dispatch_summary(run: Any) -> str:
    """One line: what each job did, or why it did not run."""
    done, failed = run.results, run.failures

    def part(name: str, what: Callable[[Any], str], idle: str) -> str:
        if name in failed:
            return f"{name} failed"
        return what(done[name]) if name in done else idle

    return "; ".join(
        [
            part("plan_ahead", lambda n: f"meetings created {n}", "planning skipped"),
            part(
                "plan_tool_reminders",
                lambda d: (
                    f"certificate reminders {d['certificates']}, "
                    f"camera review reminders {d['camera_reviews']}, "
                    f"progress derived {d['derived_progress']}"
                ),
                "tool reminders skipped",
            ),
            part(
                "purge_expired_notes",
                lambda deleted: f"notes deleted {sum(deleted.values())}",
                "retention already ran today",
            ),
            part("queue_daily_digest", lambda n: f"digests queued {n}", "digest not due"),
            part(
                "report_follow_ups",
                lambda d: (
                    f"report follow-ups asked {d['asked']}, "
                    f"report addresses deleted {d['forgotten']}"
                ),
                "report follow-ups not due",
            ),
            part(
                "dispatch_due",
                lambda r: (
                    f"sent {r.sent}, retried {r.retried}, missed {r.missed}, "
                    f"released {r.released}, dropped {r.dropped}"
                ),
                "nothing sent",
            ),
        ]
    )


@click.command("backup", cls=OperatorCommand)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The archive to write (default: instance/backups/brott-backup-<UTC time>.tar.gz).",
)
def backup(output: Path | None) -> None:
    """Write the database and the uploaded photos to one archive, consistently while in use."""
    now = clock.now()
    target = output or backup_service.default_path(Path(current_app.instance_path), now)
    manifest = backup_service.create_backup(target, now)
    click.echo(
        f"Backup written to {target} ({manifest.database}, revision "
        f"{manifest.alembic_revision}, {manifest.file_count} photo files). It holds personal "
        "data: store it as carefully as the database."
    )


@click.command("restore", cls=OperatorCommand)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Restore without asking first.")
def restore(path: Path, yes: bool) -> None:
    """Restore a backup archive into the configured database, which must be empty."""
    if not yes:
        database = db.engine.url.render_as_string(hide_password=True)
        click.confirm(f"Restore {path} into {database}?", abort=True)
    manifest = backup_service.restore_backup(path)
    click.echo(
        f"Restored {path}: {manifest.database} database at revision "
        f"{manifest.alembic_revision}, {manifest.file_count} photo files."
    )


@click.command("demo", cls=OperatorCommand)
@click.option("--if-empty", is_flag=True, help="Do nothing when any council already exists.")
def demo(if_empty: bool) -> None:
    """Load the Borlänge demo council, promise, measures and users (idempotent)."""
    if if_empty and db.session.scalar(db.select(db.func.count(Council.id))):
        click.echo("The database already holds data; demo data not loaded.")
        return
    demo_service.load_demo(clock.now())
    db.session.commit()
    click.echo(f"Demo data ready. Log in with the demo password {demo_service.DEMO_PASSWORD!r}:")
    for email, _name, role in (*demo_service.DEMO_USERS, demo_service.DEMO_BODY_STAFF):
        click.echo(f"  {email:<24} {role.value}")


@click.command("create-user", cls=OperatorCommand)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--council", "slug", required=True, help="Slug of the council, e.g. borlange.")
@click.option("--council-name", help="Creates the council when it does not exist yet.")
@click.option("--municipality", default="", help="Municipality of a new council.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.option(
    "--body",
    "body_name",
    default="",
    help="For the body_staff role: the name of the responsible body the person works for.",
)
@click.password_option(help="Prompted for when not given.")
def create_user(
    email: str,
    name: str,
    slug: str,
    council_name: str | None,
    municipality: str,
    role: str,
    body_name: str,
    password: str,
) -> None:
    """Create a user (by default an admin) in a council."""
    try:
        council = council_service.find_council(slug)
        if council is None:
            if not council_name:
                raise click.UsageError(f"No council {slug!r}; give --council-name to create it.")
            council = council_service.create_council(slug, council_name, municipality or "")
        existing = user_service.find_user(email) is not None
        body_id = None
        if body_name.strip():
            body = report_setup.body_named(council.id, body_name)
            if body is None:
                raise click.UsageError(f"No body {body_name!r} in {council.slug}.")
            body_id = body.id
        membership = user_service.add_member(
            council, email, name, password, Role(role), body_id=body_id
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    stored = membership.user.email
    if existing:
        click.echo(
            f"{stored} already had an account: added as {role} in {council.slug}; "
            "the account keeps its name and password (the password given was not used)."
        )
    else:
        click.echo(f"Created {role} {stored} in {council.slug}.")
