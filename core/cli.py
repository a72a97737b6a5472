"""The `jpa` command line: database migrations, users, serving, audit verification."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo

from core import audit, audit_anchor, notify
from core.errors import DomainError
from core.identity import accounts, invitations, services

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic's configuration for `migrations/`, pointed at a database URL."""
    config = AlembicConfig(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an ini option, so '%' in a password needs no escaping.
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    alembic_command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str) -> None:
    """Revert migrations down to `revision` (`base` for an empty schema)."""
    alembic_command.downgrade(alembic_config(database_url), revision)


def _settings_url() -> str:
    return current_app.extensions["jpa.settings"].database_url


@click.group("db", cls=AppGroup,
             help="Change the schema (Alembic migrations; the only way it changes).")
def db_group() -> None:
    """Database commands."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    upgrade_database(_settings_url(), revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' empties it)."""
    downgrade_database(_settings_url(), revision)
    click.echo(f"database at {revision}")


@click.group("users", cls=AppGroup, help="Manage accounts.")
def users_group() -> None:
    """User commands."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["admin", "co_chair", "liaison_officer", "analyst"]))
@click.option("--state", help="ISO 3166-1 alpha-3 (co-chairs and NLOs)")
@click.option("--email")
@click.option("--full-name", default="")
@click.option("--phone")
@click.option("--time-zone")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(username: str, role: str, state: str | None, email: str | None,
                 full_name: str, phone: str | None, time_zone: str | None,
                 password_stdin: bool) -> None:
    """Create a user: with --password-stdin the password is read from standard input (the
    first administrator, scripts); else with --email the user is invited (a single-use link,
    72 hours, is mailed); else the password is prompted for on the terminal."""
    invite = not password_stdin and bool(email)
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not invite:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = current_app.extensions["jpa.db"]
    settings = current_app.extensions["jpa.settings"]
    policy = current_app.extensions["jpa.identity"]
    fields = {"username": username, "role": role, "state": state, "full_name": full_name,
              "email": email, "phone": phone, "time_zone": time_zone}
    try:
        with database.transaction() as session:
            if invite:
                user, _ = invitations.invite_user(session, actor=None, policy=policy,
                                                  base_url=settings.base_url, **fields)
            else:
                user = services.create_user(session, actor=None, policy=policy,
                                            password=password, **fields)
                accounts.announce_created(session, user=user, actor=None)
    except DomainError as error:
        for name, message in (error.fields or {"": error.message}).items():
            click.echo(f"error: {name + ': ' if name else ''}{message}", err=True)
        raise SystemExit(2) from error
    notify.send_queued_now(database, settings)
    click.echo(f"created user {user.username} ({user.role}) with id {user.id}")
    if invite:
        where = "" if settings.smtp_host else \
            " (no JPA_SMTP_HOST: it waits in the outbox until a mail server is set)"
        click.echo(f"invitation mailed to {user.email}{where}; the link works once, for "
                   f"72 hours")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application with gunicorn."""
    arguments = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
                 "--workers", str(workers), "--access-logfile", "-", "app:app"]
    os.execv(sys.executable, arguments)  # noqa: S606 - replaces this process by gunicorn


@click.group("audit", cls=AppGroup, help="The audit trail.")
def audit_group() -> None:
    """Audit commands."""


@audit_group.command("verify")
@click.option("--anchors", "anchors_path", type=click.Path(path_type=Path), default=None,
              help="Check against this copy of the checkpoints (e.g. the log host's lines) "
                   "instead of the anchor file.")
def audit_verify(anchors_path: Path | None) -> None:
    """Check the keyed chain against the anchor file; exit 1 naming the first bad row or
    checkpoint, or when there is no checkpoint to rule out a deleted tail."""
    database = current_app.extensions["jpa.db"]
    path = anchors_path or audit_anchor.anchor_path(current_app.extensions["jpa.settings"])
    try:
        anchors = audit_anchor.read_anchors(path)
    except OSError as error:
        click.echo(f"error: cannot read the anchor file {path}: {error.strerror}", err=True)
        raise SystemExit(1) from error
    with database.transaction(write=False) as session:
        report = audit.verify_chain(session, anchors=anchors)
    if report.problem:
        click.echo(f"audit chain BROKEN: {report.problem} ({report.rows} rows read)", err=True)
        raise SystemExit(1)
    legacy = (f"; {report.legacy_rows} hashed before the audit key (plain SHA-256)"
              if report.legacy_rows else "")
    if report.rows and not anchors:
        where = (f"there is no anchor file at {path}" if anchors is None
                 else f"the anchor file {path} holds no checkpoint")
        click.echo(f"audit chain UNANCHORED: {report.rows} rows verify with the key{legacy}, "
                   f"but {where}: a deleted tail cannot be ruled out. Restore the file (or "
                   "set JPA_AUDIT_ANCHOR_PATH to its copy), or run `jpa audit anchor` to "
                   "anchor the present head.", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {report.rows} rows{legacy}")
    if report.anchored_seq is not None:
        newer = report.rows - report.anchored_seq
        plural = "s" if report.anchors != 1 else ""
        click.echo(f"anchored up to row {report.anchored_seq} ({report.anchors} checkpoint"
                   f"{plural}); {newer} newer row{'s are' if newer != 1 else ' is'} covered by "
                   "the key only until the next checkpoint")


@audit_group.command("anchor")
def audit_anchor_command() -> None:
    """Checkpoint the chain's head in the anchor file and the log (after verifying the rows
    since the previous checkpoint); exit 1 without writing if they do not verify."""
    database = current_app.extensions["jpa.db"]
    path = audit_anchor.anchor_path(current_app.extensions["jpa.settings"])
    try:
        with database.transaction(write=False) as session:
            anchor = audit_anchor.anchor_head(session, path)
            head = audit.chain_head(session)
    except audit.AuditChainBroken as error:
        click.echo(f"audit chain not anchored: {error}", err=True)
        raise SystemExit(1) from error
    except OSError as error:
        click.echo(f"error: cannot write the anchor file {path}: {error.strerror}", err=True)
        raise SystemExit(1) from error
    if anchor is not None:
        click.echo(f"anchored row {anchor.seq} in {path}")
        click.echo(audit_anchor.checkpoint_line(anchor))
    elif head is None:
        click.echo("the audit trail is empty: nothing to anchor")
    else:
        click.echo(f"row {head[0]} is anchored already in {path}")


def register(app: Flask) -> None:
    """Attach the core commands to the application's command group."""
    for group in (db_group, users_group, serve, audit_group):
        app.cli.add_command(group)


def schema_revision(app: Flask) -> tuple[str | None, str | None]:
    """(the application database's migration revision, the newest one in `migrations/`)."""
    with app.extensions["jpa.db"].engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(alembic_config(app.extensions["jpa.settings"]
                                                      .database_url)).get_current_head()
    return current, head


# Commands that work on a database of any revision (or none yet).
_ANY_REVISION = frozenset({"db", "serve"})


def _require_migrated_schema() -> None:
    """Before a command that uses the database: stop with what to run when the schema is not
    at the newest migration, rather than with a traceback from the first missing table."""
    context = click.get_current_context()
    if context.invoked_subcommand in _ANY_REVISION or context.invoked_subcommand is None:
        return
    current, head = schema_revision(context.ensure_object(ScriptInfo).load_app())
    if current != head:
        state = "has no schema yet" if current is None else f"is at revision {current}"
        click.echo(f"error: the database {state}; the code needs {head}. "
                   "Run `jpa db upgrade` first.", err=True)
        raise SystemExit(2)


def build_cli(create_app: Callable[[], Flask]) -> click.Group:
    """The `jpa` group: the application's commands, without Flask's development defaults."""
    return FlaskGroup(name="jpa", create_app=create_app, add_default_commands=False,
                      add_version_option=False, load_dotenv=False,
                      callback=_require_migrated_schema,
                      help="JPA Coordinator: coordinate a Joint Period of Action.")
