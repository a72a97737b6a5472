"""Settings from `JPA_*` variables; secrets are generated once into the instance folder."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

MIN_SECRET_BYTES = 32
TWO_FACTOR_MODES = ("required", "optional")


class SettingsError(RuntimeError):
    """Raised when the service must refuse to start because of its configuration."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    instance_path: Path
    database_url: str
    secret_key: str
    blinding_key: str
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "jpa-coordinator@localhost"
    base_url: str = "http://127.0.0.1:5000"
    token_lifetime_seconds: int = 30 * 60
    session_idle_seconds: int = 30 * 60
    session_absolute_seconds: int = 12 * 60 * 60
    max_content_length: int = 1024 * 1024
    lockout_threshold: int = 5
    lockout_seconds: int = 10 * 60
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    # "required": liaison officers and co-chairs must enrol in TOTP; "optional": each chooses.
    two_factor: str = "required"
    # Keys the audit chain's HMACs and signs its anchors; kept apart from database backups.
    audit_key: str = ""
    # Signed checkpoints of the audit chain's head (None: `audit-anchors.jsonl` in the instance).
    audit_anchor_path: Path | None = None
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("secret_key", "blinding_key", "audit_key"):
            if len(getattr(self, name).encode()) < MIN_SECRET_BYTES:
                raise SettingsError(
                    f"JPA_{name.upper()} must be at least {MIN_SECRET_BYTES} bytes long"
                )
        if self.two_factor not in TWO_FACTOR_MODES:
            raise SettingsError(
                f"JPA_TWO_FACTOR must be one of {', '.join(TWO_FACTOR_MODES)},"
                f" not {self.two_factor!r}"
            )

    @property
    def token_issuer(self) -> str:
        """The `iss` claim of the API tokens this deployment issues."""
        return self.base_url.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag (only when served over HTTPS)."""
        return self.base_url.startswith("https://")

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with some fields replaced (used by tests and the CLI)."""
        return replace(self, **overrides)


def _read_or_create_secret(path: Path) -> str:
    """Return the secret stored at `path`, creating it once with mode 600."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value + "\n")
    return value


def default_instance_path() -> Path:
    """The instance folder: `JPA_INSTANCE_PATH`, else `instance/` beside the project."""
    configured = os.environ.get("JPA_INSTANCE_PATH")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parent.parent / "instance"


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment; explicit overrides win over variables."""
    env = dict(os.environ if environ is None else environ)
    instance_path = Path(overrides.pop("instance_path", None) or env.get("JPA_INSTANCE_PATH") or
                         default_instance_path()).resolve()
    # The database and the secrets live here: the folder is the owner's alone (0700).
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "instance_path": instance_path,
        "database_url": env.get("JPA_DATABASE_URL")
        or f"sqlite:///{instance_path / 'jpa.sqlite3'}",
        "smtp_host": env.get("JPA_SMTP_HOST") or None,
        "smtp_port": int(env.get("JPA_SMTP_PORT") or 25),
        "mail_from": env.get("JPA_MAIL_FROM") or "jpa-coordinator@localhost",
        "base_url": env.get("JPA_BASE_URL") or "http://127.0.0.1:5000",
        "two_factor": (env.get("JPA_TWO_FACTOR") or "required").strip().lower(),
    }
    if "secret_key" not in overrides:
        values["secret_key"] = env.get("JPA_SECRET_KEY") or _read_or_create_secret(
            instance_path / "secret_key"
        )
    if "blinding_key" not in overrides:
        values["blinding_key"] = env.get("JPA_BLINDING_KEY") or _read_or_create_secret(
            instance_path / "blinding_key"
        )
    if "audit_key" not in overrides:
        values["audit_key"] = env.get("JPA_AUDIT_KEY") or _read_or_create_secret(
            instance_path / "audit_key"
        )
    if "audit_anchor_path" not in overrides:
        values["audit_anchor_path"] = Path(env.get("JPA_AUDIT_ANCHOR_PATH")
                                           or instance_path / "audit-anchors.jsonl")
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    values.update(overrides)
    return Settings(**values)
