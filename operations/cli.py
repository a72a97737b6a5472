"""`jpa demo`: seed the demo period."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from operations.demo import DEMO_PASSWORD, seed_demo


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Seed a demo period modelled on the first Bali Process JPA (idempotent)."""
    database = current_app.extensions["jpa.db"]
    with database.transaction() as session:
        result = seed_demo(session, policy=current_app.extensions["jpa.identity"],
                           blinding_key=current_app.extensions["jpa.settings"]
                           .blinding_key.encode())
    click.echo(f"Demo period: {result.period_name} (id {result.period_id}); "
               f"{result.created_users} new users, {result.created_operations} new operations, "
               f"{result.created_reports} new reports")
    click.echo("")
    click.echo(f"Demo logins (every password: {DEMO_PASSWORD})")
    click.echo(f"  {'username':<14} {'role':<16} state")
    for username, role, state in result.logins:
        click.echo(f"  {username:<14} {role:<16} {state or '-'}")


def register(app: Flask) -> None:
    """Attach the operations commands to the application's command group."""
    app.cli.add_command(demo)
