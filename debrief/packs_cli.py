"""`jpa debrief build-pending`: build every queued debrief pack now, once (the demo, tests,
and a deployment without a running scheduler)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from debrief.pack_builder import build_pending


@click.command("build-pending")
@with_appcontext
def build_pending_command() -> None:
    """Build the queued debrief packs, one after another, and exit."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    built = build_pending(app)
    click.echo(f"built {built} debrief pack{'s' if built != 1 else ''}")


def register(app: Flask) -> None:
    """Attach `build-pending` to `jpa debrief` (made here unless another room made it)."""
    group = app.cli.commands.get("debrief")
    if not isinstance(group, click.Group):
        group = AppGroup("debrief", help="Debrief: questionnaire, improvement plan, packs.")
        app.cli.add_command(group)
    group.add_command(build_pending_command)
