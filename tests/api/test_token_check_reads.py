"""The bearer token's check is one read with no transaction around it (no BEGIN and COMMIT on
every API request), and the connection it used goes back to the pool as it came: a write
transaction on it afterwards is still all or nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.db import utcnow
from core.identity.models import RevokedToken


def _open_transaction(connection: Any) -> bool:
    """Whether the statement about to run on `connection` runs inside a transaction."""
    driver = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        return not driver.autocommit  # psycopg begins one before a statement unless in autocommit
    return driver.in_transaction  # sqlite3


def test_the_token_check_reads_the_account_outside_any_transaction(app, accounts):
    accounts.create("nlo.tha", "liaison_officer", "THA")
    api = accounts.api("nlo.tha")
    engine = app.extensions["jpa.db"].engine
    seen: list[tuple[str, bool]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        seen.append((statement, _open_transaction(conn)))

    event.listen(engine, "before_cursor_execute", note)
    try:
        response = api.get("/api/v1/auth/me")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["username"] == "nlo.tha"
    token_reads = [(text, inside) for text, inside in seen if "revoked_tokens" in text]
    assert token_reads == [(token_reads[0][0], False)]
    assert not any(text.strip().upper().startswith("BEGIN") for text, _ in seen)


def test_a_revoked_token_is_refused_on_the_very_next_request(app, accounts):
    accounts.create("nlo.mys", "liaison_officer", "MYS")
    api = accounts.api("nlo.mys")
    assert api.get("/api/v1/auth/me").status_code == 200
    assert api.post("/api/v1/auth/token/revoke").status_code == 204
    assert api.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("requests_before", [1, 4])
def test_a_write_after_token_checks_is_still_all_or_nothing(app, accounts, requests_before):
    user = accounts.create("nlo.nzl", "liaison_officer", "NZL")
    api = accounts.api("nlo.nzl")
    for _ in range(requests_before):
        assert api.get("/api/v1/auth/me").status_code == 200
    database = app.extensions["jpa.db"]
    for attempt in range(3):  # each pooled connection the checks may have used
        with pytest.raises(RuntimeError), database.transaction() as session:
            session.add(RevokedToken(jti=f"half-done-{attempt}", user_id=user.id,
                                     expires_at=utcnow() + timedelta(hours=1)))
            session.flush()
            raise RuntimeError("the write fails after its first row")
    with database.transaction(write=False) as session:
        kept = session.scalar(select(func.count()).select_from(RevokedToken).where(
            RevokedToken.jti.like("half-done-%")))
    assert kept == 0
