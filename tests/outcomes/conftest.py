"""Fixtures of the outcome-reporting tests: the first Bali Process JPA window (long over) with
five states and people of every role, and a period running now for the "future date" rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.outcomes.helpers import (
    CO_CHAIRS,
    PAST_END,
    PAST_START,
    PEOPLE,
    STATES,
    Desk,
    make_period,
)


@pytest.fixture
def desk(app: Flask, accounts: Any) -> Desk:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and everyone in PEOPLE."""
    users: dict[str, int] = {}
    for username, fields in PEOPLE.items():
        users[username] = accounts.create(username, fields["role"], fields.get("state")).id
    built = Desk(app, accounts, 0, users)
    built.pid = make_period(built.api("admin"), "Bali Process JPA 2015", PAST_START, PAST_END,
                            STATES, CO_CHAIRS)
    return built


@pytest.fixture
def live_pid(desk: Desk) -> int:
    """A period of THA and NZL that started three days ago and ends in ten."""
    now = datetime.now(UTC)
    return make_period(desk.api("admin"), "JPA running now", now - timedelta(days=3),
                       now + timedelta(days=10), ["THA", "NZL"], ["NZL"])
