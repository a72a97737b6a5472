"""`jpa press export DIR`: the published releases as a static site (press.export)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from press.export import export_site
from press.published import feed_settings, published_releases


@click.group("press", cls=AppGroup, help="Press releases.")
def press_group() -> None:
    """Press commands."""


@press_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write every published release (pages, every version, text, PDF), the index, the
    stylesheet and the Atom feed into DIRECTORY as static files; nothing else there changes."""
    database = current_app.extensions["jpa.db"]
    with database.transaction(write=False) as session:
        releases = published_releases(session)
    settings = feed_settings(current_app.extensions["jpa.settings"].base_url)
    try:
        written = export_site(releases, directory, settings=settings)
    except OSError as error:
        click.echo(f"error: cannot write to {directory}: {error.strerror or error}", err=True)
        raise SystemExit(1) from error
    click.echo(f"exported {len(releases)} release{'s' if len(releases) != 1 else ''} "
               f"({len(written)} files) to {Path(directory).resolve()}")


def register(app: Flask) -> None:
    """Attach `jpa press` to the application's command group."""
    app.cli.add_command(press_group)
