"""Throwaway PostgreSQL databases for the tests: one place that finds the test server, creates
a database of the caller's own on it and drops it (forcibly) afterwards.

Without JPA_TEST_POSTGRES_URL the PostgreSQL cases are skipped, unless JPA_REQUIRE_POSTGRES
is set (as CI sets it), which turns the missing server into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def required(variable: str) -> bool:
    """Whether an environment switch such as JPA_REQUIRE_POSTGRES is on."""
    return os.environ.get(variable, "") not in ("", "0", "false")


def postgres_server() -> str:
    """The test server's URL; skips the test without one, fails it when one is required."""
    server = os.environ.get("JPA_TEST_POSTGRES_URL")
    if not server:
        if required("JPA_REQUIRE_POSTGRES"):
            pytest.fail("JPA_REQUIRE_POSTGRES=1 but JPA_TEST_POSTGRES_URL is not set")
        pytest.skip("JPA_TEST_POSTGRES_URL not set")
    return server


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database named after `prefix`, dropped at the end."""
    server = postgres_server()
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
