"""Defect 9: a database error never carries the submitted values (titles, contacts) into the
error log or the exception text: the engines hide SQL parameters."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.db import make_engine
from core.identity.models import User

SECRET_NAME = "Operation Kestrel Night Crossing"
SECRET_MAIL = "handler.kestrel@hidden.example"


def _duplicate_user() -> User:
    # The username exists already: the unique constraint fails inside the database.
    return User(username="dup.user", full_name=SECRET_NAME, email=SECRET_MAIL,
                role="analyst", password_hash="not-a-hash")


def test_a_failing_insert_does_not_carry_the_values_in_its_error(app, accounts):
    accounts.create("dup.user", "analyst")
    database = app.extensions["jpa.db"]

    with pytest.raises(IntegrityError) as raised, database.transaction() as session:
        session.add(_duplicate_user())
        session.flush()

    text = str(raised.value)
    assert SECRET_NAME not in text and SECRET_MAIL not in text
    assert "hidden due to hide_parameters" in text


def test_a_database_error_in_a_request_leaves_no_values_in_the_log(app, accounts, caplog):
    accounts.create("dup.user", "analyst")

    def failing_view() -> str:
        from core.db import transaction

        with transaction() as session:
            session.add(_duplicate_user())
            session.flush()
        return "unreachable"

    app.add_url_rule("/test-only/failing-insert", "failing_insert", failing_view)
    caplog.set_level(logging.DEBUG)

    response = app.test_client().get("/test-only/failing-insert",
                                     headers={"Accept": "application/json"})

    assert response.status_code == 500
    assert caplog.records, "the failure was logged"
    logged = "\n".join(record.getMessage() + "\n" + (caplog.text or "")
                       for record in caplog.records)
    for value in (SECRET_NAME, SECRET_MAIL):
        assert value not in logged
        assert value not in response.get_data(as_text=True)


def test_every_engine_the_application_makes_hides_parameters(database_url):
    engine = make_engine(database_url)
    try:
        assert engine.hide_parameters is True
        with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
            connection.exec_driver_sql("SELECT * FROM no_such_table WHERE x = %s"
                                       if engine.dialect.name == "postgresql" else
                                       "SELECT * FROM no_such_table WHERE x = ?",
                                       (SECRET_MAIL,))
        assert SECRET_MAIL not in str(raised.value)
    finally:
        engine.dispose()
