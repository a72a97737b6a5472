"""`jpa demo`: seed the demo period."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from operations.demo import DEMO_PASSWORD, report_seeder, seed_demo


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Seed a demo period modelled on the first Bali Process JPA (idempotent)."""
    database = current_app.extensions["jpa.db"]
    with database.transaction() as session:
        result = seed_demo(session, policy=current_app.extensions["jpa.identity"],
                           blinding_key=current_app.extensions["jpa.settings"]
                           .blinding_key.encode(),
                           seed_reports=report_seeder(current_app))
    click.echo(f"Demo period: {result.period_name} (id {result.period_id}); "
               f"{result.created_users} new users, {result.created_operations} new operations, "
               f"{result.created_reports} new reports")
    click.echo("")
    click.echo(f"Demo logins (every password: {DEMO_PASSWORD})")
    click.echo(f"  {'username':<14} {'role':<16} state")
    for username, role, state in result.logins:
        click.echo(f"  {username:<14} {role:<16} {state or '-'}")
    click.echo("")
    if current_app.extensions["jpa.settings"].two_factor == "optional":
        click.echo("Two-factor sign-in is optional in this demo (JPA_TWO_FACTOR=optional): "
                   "each user may turn it on under Two-factor. Without that setting it is "
                   "required: liaison officers and co-chairs set up an authenticator app at "
                   "their first sign-in.")
    else:
        click.echo("Two-factor sign-in is required (JPA_TWO_FACTOR=required, the default): "
                   "liaison officers and co-chairs set up an authenticator app at their first "
                   "sign-in. Set JPA_TWO_FACTOR=optional to let each user choose.")


def register(app: Flask) -> None:
    """Attach the operations commands to the application's command group."""
    app.cli.add_command(demo)
