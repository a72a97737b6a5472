"""Refused bearer tokens: the caller reads "Invalid token." whatever the reason; the reason goes
to the server log (with the request id) and the audit row; audit rows per source are capped."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
import pytest

from core.db import utcnow
from core.refusal_rate import REFUSALS_PER_WINDOW, refusal_budget
from tests.security.sec_core_world import audit_rows, expect_error

ME = "/api/v1/auth/me"
WRONG_KEY = "an-entirely-different-key-of-enough-length-0123456789"


@dataclass
class Forge:
    """Hand-made bearer tokens for this deployment, valid unless a test changes a claim."""

    key: str
    issuer: str

    def token(self, user_id: int, *, key: str | None = None, **changes: Any) -> str:
        """A signed HS256 token."""
        now = time.time()
        claims: dict[str, Any] = {"sub": str(user_id), "iat": now, "exp": int(now) + 600,
                                  "aud": "jpa-api", "iss": self.issuer,
                                  "jti": uuid.uuid4().hex, **changes}
        return jwt.encode(claims, key or self.key, algorithm="HS256")


@pytest.fixture
def forge(settings):
    """Tokens signed with the service's key and issuer."""
    return Forge(settings.secret_key, settings.token_issuer)


@pytest.fixture
def nlo(accounts):
    """An NLO of New Zealand, the owner of the forged tokens."""
    return accounts.create("nlo.nzl", "liaison_officer", "NZL")


REASONS = {
    "garbage": (lambda forge, uid: "not-a-jwt", "Invalid token:"),
    "expired": (lambda forge, uid: forge.token(uid, iat=time.time() - 3600,
                                               exp=int(time.time()) - 60), "expired"),
    "wrong-key": (lambda forge, uid: forge.token(uid, key=WRONG_KEY), "Signature"),
    "unknown-subject": (lambda forge, uid: forge.token(uid + 1000), "disabled"),
}


@pytest.mark.parametrize("case", list(REASONS))
def test_every_refusal_says_invalid_token_and_logs_the_reason(app, client, nlo, forge, caplog,
                                                              case):
    build, reason = REASONS[case]
    caplog.set_level(logging.INFO)

    response = client.get(ME, headers={"Authorization": f"Bearer {build(forge, nlo.id)}"})

    error = expect_error(response, 401, "unauthenticated")
    assert error["message"] == "Invalid token."
    request_id = response.headers["X-Request-ID"]
    logged = [r.getMessage() for r in caplog.records if request_id in r.getMessage()]
    assert any(reason.lower() in line.lower() for line in logged), logged
    row = audit_rows(app, "token.refused")[-1]
    assert reason.lower() in json.loads(row.details)["reason"].lower()


def test_the_refusal_does_not_tell_a_revoked_token_from_a_forged_one(client, nlo, forge):
    revoked = forge.token(nlo.id)
    assert client.post("/api/v1/auth/token/revoke",
                       headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
    forged = forge.token(nlo.id, key=WRONG_KEY)

    answers = [client.get(ME, headers={"Authorization": f"Bearer {token}"}).get_json()
               for token in (revoked, forged)]

    assert answers[0] == answers[1]


def _refuse(client, source: str) -> None:
    response = client.get(ME, headers={"Authorization": "Bearer not-a-jwt"},
                          environ_base={"REMOTE_ADDR": source})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "Invalid token."


def test_refused_token_rows_are_capped_per_source_with_one_summary(app, client):
    for _ in range(REFUSALS_PER_WINDOW + 15):
        _refuse(client, "203.0.113.7")

    rows = audit_rows(app, "token.refused")
    assert len(rows) == REFUSALS_PER_WINDOW + 1
    assert [row.outcome for row in rows] == ["refused"] * REFUSALS_PER_WINDOW + ["suppressed"]
    assert all(json.loads(row.details)["source"] == "203.0.113.7" for row in rows)

    # Another source keeps its own allowance.
    _refuse(client, "198.51.100.20")
    rows = audit_rows(app, "token.refused")
    assert rows[-1].outcome == "refused"
    assert json.loads(rows[-1].details)["source"] == "198.51.100.20"


def test_a_new_window_records_again(app, client):
    for _ in range(REFUSALS_PER_WINDOW + 2):
        _refuse(client, "203.0.113.8")
    database = app.extensions["jpa.db"]

    with database.transaction() as session:
        now = utcnow()
        assert refusal_budget(session, "203.0.113.8", now) == "skip"
        assert refusal_budget(session, "203.0.113.8", now + timedelta(minutes=1)) == "record"
        assert refusal_budget(session, "192.0.2.1", now) == "record"
