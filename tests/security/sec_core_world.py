"""A period with NLOs of several states for the core-input security tests (slice C).

Imported as `tests.security.sec_core_world` (a unique name; tests/ has no __init__.py). It
reuses the deconfliction tests' people and period so the requests are the documented ones.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from core.audit import AuditEvent
from tests.deconfliction.helpers import (
    CO_CHAIRS,
    PEOPLE,
    PERIOD_END,
    PERIOD_START,
    STATES,
    World,
    post_period,
)


def build_world(app: Flask, accounts: Any) -> World:
    """A period (THA, MYS, NZL, LKA) with everyone in PEOPLE, as the deconfliction tests have."""
    users: dict[str, int] = {}
    for username, fields in PEOPLE.items():
        values = dict(fields)
        users[username] = accounts.create(username, values.pop("role"), values.pop("state", None),
                                          **values).id
    admin = accounts.api("admin")
    pid = post_period(admin, "Hardening JPA 2031", PERIOD_START, PERIOD_END, STATES, CO_CHAIRS)
    built = World(app, accounts, pid, users)
    built._clients["admin"] = admin
    return built


def audit_rows(app: Flask, action: str) -> list[AuditEvent]:
    """Audit rows of one action, oldest first, read straight from the database."""
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.seq)))


def count(app: Flask, model: type) -> int:
    """How many rows a table holds."""
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def expect_error(response: Any, status: int, code: str | None = None,
                 fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """Assert the JSON error envelope with this status (and code, and named fields)."""
    assert response.status_code == status, (response.status_code,
                                            response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"].strip()
    if code is not None:
        assert error["code"] == code, error
    for name in fields:
        assert name in error["fields"], (name, error["fields"])
    return error
