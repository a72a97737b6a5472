"""Shared fixtures: an application per test on SQLite and PostgreSQL, users, API clients.

PostgreSQL runs when JPA_TEST_POSTGRES_URL is set (each run makes and drops its own database);
with JPA_REQUIRE_POSTGRES=1 a missing server is a failure, not a skip.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from core.cli import upgrade_database
from core.identity import services as identity
from core.identity.models import User
from core.settings import Settings, load_settings
from tests.deconfliction.helpers import SmtpServer, running_smtp
from tests.postgres import throwaway_database

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_BLINDING = "test-blinding-key-that-is-long-enough-012345678"
# One audit key for the test application and every `jpa` process a test starts beside
# it: rows keyed by one must verify in the other.
TEST_AUDIT_KEY = "test-audit-key-that-is-long-enough-0123456789ab"
PASSWORD = "correct horse battery staple"


# ---------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated to head, dropped at the end."""
    with throwaway_database("jpa_test") as url:
        upgrade_database(url)
        yield url


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")).scalars().all()
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database: every test using it runs on both backends."""
    if request.param == "sqlite":
        path = tmp_path / "jpa.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _truncate_postgres(url)
        yield url


# ---------------------------------------------------------------- application


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    """Test settings: real everything, with argon2 made cheap so that tests stay quick."""
    values: dict[str, Any] = {
        "instance_path": tmp_path / "instance",
        "secret_key": TEST_SECRET,
        "blinding_key": TEST_BLINDING,
        "audit_key": TEST_AUDIT_KEY,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "argon2_parallelism": 1,
        "testing": True,
        "base_url": "http://jpa.test",
        # The suite signs NLOs in with a password only; two-factor tests ask for "required".
        "two_factor": "optional",
    }
    values.update(overrides)
    return load_settings({"JPA_DATABASE_URL": database_url}, **values)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings of the test application."""
    return make_settings(tmp_path, database_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The application, built by the factory with the test settings."""
    application = create_app(settings)
    yield application
    application.extensions["jpa.db"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client (keeps cookies)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """The `jpa` command line bound to the test application."""
    return app.test_cli_runner()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free local port, stopped cleanly afterwards."""
    with running_smtp() as server:
        yield server


# ---------------------------------------------------------------- people


@dataclass
class Accounts:
    """Creates users straight through the service layer and hands out API tokens."""

    app: Flask

    def create(self, username: str, role: str, state: str | None = None,
               password: str = PASSWORD, **fields: Any) -> User:
        """A user, committed."""
        database = self.app.extensions["jpa.db"]
        with database.transaction() as session:
            return identity.create_user(
                session, actor=None, policy=self.app.extensions["jpa.identity"],
                username=username, password=password, role=role, state=state, **fields)

    def token(self, username: str, password: str = PASSWORD) -> str:
        """An API token obtained through the documented endpoint."""
        response = self.app.test_client().post(
            "/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.json
        return response.json["access_token"]

    def api(self, username: str, password: str = PASSWORD) -> ApiClient:
        """A client that sends this user's bearer token on every request."""
        return ApiClient(self.app.test_client(), self.token(username, password))


@dataclass
class ApiClient:
    """A thin wrapper adding `Authorization: Bearer` to each request."""

    client: FlaskClient
    token: str

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, url: str, **kwargs: Any) -> Any:
        """GET with the token."""
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        """POST with the token."""
        return self.client.post(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        """PATCH with the token."""
        return self.client.patch(url, headers=self._headers(kwargs.pop("headers", None)),
                                 **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        """PUT with the token."""
        return self.client.put(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        """DELETE with the token."""
        return self.client.delete(url, headers=self._headers(kwargs.pop("headers", None)),
                                  **kwargs)


@pytest.fixture
def accounts(app: Flask) -> Accounts:
    """Make users and API clients."""
    return Accounts(app)


@pytest.fixture
def admin_api(accounts: Accounts) -> ApiClient:
    """An administrator's API client."""
    accounts.create("root.admin", "admin")
    return accounts.api("root.admin")


# ---------------------------------------------------------------- pages


def csrf_token_from(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@dataclass
class WebAuth:
    """Log in and out through the real login form (the flaskr `auth` fixture)."""

    client: FlaskClient

    def login(self, username: str, password: str = PASSWORD) -> Any:
        """Submit the login form."""
        page = self.client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": token})

    def csrf(self, path: str = "/") -> str:
        """A CSRF token from a page the user can see."""
        return csrf_token_from(self.client.get(path).get_data(as_text=True))

    def logout(self) -> Any:
        """Press the logout button."""
        return self.client.post("/logout", data={"csrf_token": self.csrf()})


@pytest.fixture
def web(client: FlaskClient) -> WebAuth:
    """Log in and out through the pages."""
    return WebAuth(client)
