"""Shell commands: `flask --app app demo`, `create-user`, `scheduler`, `dispatch`.

They speak to an operator in a shell, in English (the code's language); the web pages and
e-mails are where translation happens.
"""

import click
from flask import Flask
from flask.cli import with_appcontext

from brott import clock
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council, Role
from brott.services import councils as council_service
from brott.services import demo as demo_service
from brott.services import users as user_service


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(create_user)
    app.cli.add_command(run_scheduler)
    app.cli.add_command(dispatch)


@click.command("scheduler")
@with_appcontext
def run_scheduler() -> None:
    """Run the reminder scheduler in the foreground (one such process per installation)."""
    from flask import current_app

    from brott import scheduler

    click.echo("Scheduler running; Ctrl+C stops it.")
    scheduler.run_blocking(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("dispatch")
def dispatch() -> None:
    """Plan ahead and send every due reminder once, then exit (for cron or a manual run)."""
    from brott import clock, jobs

    now = clock.now()
    created = jobs.plan_ahead(now)
    report = jobs.dispatch_due(now)
    click.echo(
        f"meetings created {created}; sent {report.sent}, retried {report.retried}, "
        f"missed {report.missed}, released {report.released}"
    )


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when any council already exists.")
def demo(if_empty: bool) -> None:
    """Load the Borlänge demo council, promise, measures and users (idempotent)."""
    if if_empty and db.session.scalar(db.select(db.func.count(Council.id))):
        click.echo("The database already holds data; demo data not loaded.")
        return
    demo_service.load_demo(clock.now())
    db.session.commit()
    click.echo(f"Demo data ready. Log in with the demo password {demo_service.DEMO_PASSWORD!r}:")
    for email, _name, role in demo_service.DEMO_USERS:
        click.echo(f"  {email:<24} {role.value}")


@click.command("create-user")
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
@click.password_option(help="Prompted for when not given.")
def create_user(
    email: str,
    name: str,
    slug: str,
    council_name: str | None,
    municipality: str,
    role: str,
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
        membership = user_service.add_member(council, email, name, password, Role(role))
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
