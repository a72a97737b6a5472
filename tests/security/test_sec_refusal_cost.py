"""Defect 2: every refusal costs one argon2 verification, so neither the existence of an
account nor its lock or disabled state shows in the answer's timing. Counted, never timed:
a real PasswordHasher that counts its verifications is injected through the IdentityPolicy."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from core.identity import services
from core.identity.models import User
from tests.conftest import PASSWORD

WRONG = "definitely not the password"


class CountingHasher(PasswordHasher):
    """argon2id, cheap, counting each verification it performs."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        """Verify, and count it."""
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def counting(app) -> tuple[Any, CountingHasher]:
    """The application's policy with the counting hasher, and the hasher."""
    hasher = CountingHasher()
    policy = dataclasses.replace(app.extensions["jpa.identity"], hasher=hasher)
    app.extensions["jpa.identity"] = policy
    return policy, hasher


def _set(app, username: str, **values: Any) -> None:
    with app.extensions["jpa.db"].transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        for name, value in values.items():
            setattr(user, name, value)


def _attempt(app, policy, username: str, password: str) -> str:
    with app.extensions["jpa.db"].transaction() as session:
        return services.authenticate(session, policy=policy, username=username,
                                     password=password, channel="api").reason


@pytest.mark.parametrize("case", ["unknown", "wrong", "locked", "disabled", "right"])
def test_each_answer_costs_one_verification(app, accounts, counting, case):
    policy, hasher = counting
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    if case == "locked":
        _set(app, "nlo.nzl", locked_until=datetime.now(UTC) + timedelta(minutes=5))
    if case == "disabled":
        _set(app, "nlo.nzl", disabled=True)
    username = "nobody.here" if case == "unknown" else "nlo.nzl"
    # The locked and disabled accounts are given their right password: still one verification,
    # still refused.
    password = WRONG if case in ("unknown", "wrong") else PASSWORD
    hasher.verifications = 0

    reason = _attempt(app, policy, username, password)

    assert hasher.verifications == 1
    expected = {"unknown": "unknown_user", "wrong": "bad_password", "locked": "locked",
                "disabled": "disabled", "right": "ok"}[case]
    assert reason == expected


@pytest.mark.parametrize("case", ["unknown", "wrong", "locked", "disabled"])
def test_refusals_look_the_same_over_the_api(app, accounts, counting, case):
    _policy, hasher = counting
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    if case == "locked":
        _set(app, "nlo.nzl", locked_until=datetime.now(UTC) + timedelta(minutes=5))
    if case == "disabled":
        _set(app, "nlo.nzl", disabled=True)
    hasher.verifications = 0

    response = app.test_client().post("/api/v1/auth/token", json={
        "username": "nobody.here" if case == "unknown" else "nlo.nzl",
        "password": WRONG if case in ("unknown", "wrong") else PASSWORD})

    assert response.status_code == 401
    assert response.json["error"]["message"] == services.LOGIN_REFUSED_MESSAGE
    assert hasher.verifications == 1
