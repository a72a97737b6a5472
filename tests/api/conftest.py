"""Fixtures of the JSON API contract tests: people of every role, token forging, audit and
row counts read straight from the database, and a checker for the error envelope."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from flask import Flask
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.identity.models import User
from operations.models import Period

# The password `accounts.create` gives every user (tests/conftest.py).
PASSWORD = "correct horse battery staple"
AUDIENCE = "jpa-api"


# ---------------------------------------------------------------- reading the database


@dataclass
class DatabaseProbe:
    """Reads rows the way an auditor would: straight from the database, outside any request."""

    app: Flask

    @property
    def database(self) -> Any:
        return self.app.extensions["jpa.db"]

    def count(self, model: type) -> int:
        """How many rows a table holds."""
        with self.database.transaction(write=False) as session:
            return session.scalar(select(func.count()).select_from(model))

    def audit(self, action: str | None = None) -> list[AuditEvent]:
        """Audit rows, oldest first, optionally of one action."""
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        with self.database.transaction(write=False) as session:
            return list(session.scalars(query))

    def user(self, username: str) -> User:
        """A user row by name."""
        with self.database.transaction(write=False) as session:
            return session.scalars(select(User).where(User.username == username)).one()

    def periods(self) -> int:
        """How many periods exist."""
        return self.count(Period)

    def users(self) -> int:
        """How many users exist."""
        return self.count(User)


@pytest.fixture
def probe(app: Flask) -> DatabaseProbe:
    """Direct reads of the test database."""
    return DatabaseProbe(app)


# ---------------------------------------------------------------- the error envelope


def _check_envelope(response: Any, status: int, code: str | None = None,
                    fields: tuple[str, ...] = ()) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"].strip()
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code, error
    for name in fields:
        assert name in error["fields"], (name, error["fields"])
        assert error["fields"][name].strip(), error
    return error


@pytest.fixture
def expect_error() -> Callable[..., dict[str, Any]]:
    """`expect_error(response, status, code=None, fields=())` asserts the JSON error envelope
    and returns its inside."""
    return _check_envelope


# ---------------------------------------------------------------- people


@dataclass
class People:
    """One user of each role, created on demand; `.api(name)` is their bearer client."""

    accounts: Any

    def admin(self, name: str = "people.admin") -> Any:
        self.accounts.create(name, "admin")
        return self.accounts.api(name)

    def make(self, name: str, role: str, state: str | None = None) -> Any:
        """Create the user and return their API client."""
        self.accounts.create(name, role, state)
        return self.accounts.api(name)


@pytest.fixture
def people(accounts: Any) -> People:
    """Users of every role with their API clients."""
    return People(accounts)


# ---------------------------------------------------------------- forged tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenForge:
    """Builds bearer tokens by hand, valid unless a test changes or drops a claim."""

    key: str
    issuer: str

    def claims(self, user_id: int, **changes: Any) -> dict[str, Any]:
        """A complete, valid claim set; a change to None drops the claim."""
        now = time.time()
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "iat": now,
            "exp": int(now) + 600,
            "aud": AUDIENCE,
            "iss": self.issuer,
            "jti": uuid.uuid4().hex,
        }
        claims.update(changes)
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, user_id: int, *, key: str | None = None, algorithm: str = "HS256",
              **changes: Any) -> str:
        """A signed token (HS256 with the service's key unless told otherwise)."""
        return jwt.encode(self.claims(user_id, **changes), key or self.key, algorithm=algorithm)

    def hs512(self, user_id: int, **changes: Any) -> str:
        """Signed with the service's own key, but HS512 (built by hand: PyJWT rightly warns
        that the key is short for SHA-512, and warnings are errors here)."""
        header = _b64(json.dumps({"alg": "HS512", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(self.claims(user_id, **changes)).encode())
        signature = hmac.new(self.key.encode(), f"{header}.{payload}".encode(),
                             hashlib.sha512).digest()
        return f"{header}.{payload}.{_b64(signature)}"

    def unsigned(self, user_id: int, **changes: Any) -> str:
        """A token with `alg: none` and no signature."""
        header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(self.claims(user_id, **changes)).encode())
        return f"{header}.{payload}."


@pytest.fixture
def forge(settings: Any) -> TokenForge:
    """Hand-made tokens for this deployment's key and issuer."""
    return TokenForge(settings.secret_key, settings.token_issuer)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth_header() -> Callable[[str], dict[str, str]]:
    """`auth_header(token)` -> {"Authorization": "Bearer <token>"}."""
    return bearer
