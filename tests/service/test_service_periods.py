"""Period use cases against the database: validation, visibility by role and state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.errors import Forbidden, NotFound, ValidationFailed
from core.identity.services import Principal
from operations import services
from operations.models import Period

START = datetime(2030, 3, 1, tzinfo=timezone(timedelta(hours=7)))
END = START + timedelta(days=30)


def _create(database, actor, **fields) -> Period:
    values = {"name": "JPA 2030", "starts_at": START, "ends_at": END,
              "states": ["NZL", "LKA", "THA"], "co_chairs": ["NZL", "LKA"]}
    values.update(fields)
    with database.transaction() as session:
        return services.create_period(session, actor=actor, **values)


def _count(database) -> int:
    with database.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Period)) or 0


def _principal(accounts, username: str, role: str, state: str | None = None) -> Principal:
    return Principal.of(accounts.create(username, role, state), "cred")


def test_period_is_stored_in_utc(database, admin):
    period = _create(database, admin)
    with database.transaction(write=False) as session:
        stored = session.get(Period, period.id)
        assert stored is not None
        assert stored.starts_at == datetime(2030, 2, 28, 17, 0, tzinfo=UTC)
        assert stored.states == ["LKA", "NZL", "THA"]
        assert stored.co_chairs == ["LKA", "NZL"]
        assert stored.created_by == admin.id


@pytest.mark.parametrize("fields, field", [
    ({"name": "  "}, "name"),
    ({"ends_at": START}, "ends_at"),
    ({"ends_at": START - timedelta(days=1)}, "ends_at"),
    ({"starts_at": datetime(2030, 3, 1)}, "starts_at"),  # naive on purpose
    ({"states": []}, "states"),
    ({"states": ["NZL", "XXX"], "co_chairs": []}, "states[1]"),
    ({"states": ["NZL", "NZL"], "co_chairs": []}, "states[1]"),
    ({"co_chairs": ["AUS"]}, "co_chairs[0]"),
    ({"co_chairs": ["NZL", "NZL"]}, "co_chairs"),
])
def test_invalid_period_names_the_field_and_stores_nothing(database, admin, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        _create(database, admin, **fields)
    assert field in caught.value.fields
    assert _count(database) == 0


@pytest.mark.parametrize("role, state", [
    ("co_chair", "NZL"), ("liaison_officer", "NZL"), ("analyst", None),
])
def test_only_admins_create_periods(database, accounts, role, state):
    with pytest.raises(Forbidden):
        _create(database, _principal(accounts, "someone", role, state))
    assert _count(database) == 0


def test_visibility_by_role_and_state(database, accounts, admin):
    shared = _create(database, admin, name="NZL and LKA", states=["NZL", "LKA"],
                     co_chairs=["NZL"])
    other = _create(database, admin, name="THA only", states=["THA"], co_chairs=[])
    viewers = {
        "analyst": (_principal(accounts, "analyst", "analyst"), {shared.id, other.id}),
        "admin": (admin, {shared.id, other.id}),
        "nlo.nzl": (_principal(accounts, "nlo.nzl", "liaison_officer", "NZL"), {shared.id}),
        "cochair.tha": (_principal(accounts, "cochair.tha", "co_chair", "THA"), {other.id}),
        "nlo.aus": (_principal(accounts, "nlo.aus", "liaison_officer", "AUS"), set()),
    }
    with database.transaction(write=False) as session:
        for name, (viewer, expected) in viewers.items():
            listed = {p.id for p in services.list_periods(session, actor=viewer)}
            assert listed == expected, name
            for period_id in (shared.id, other.id):
                if period_id in expected:
                    assert services.get_period(session, actor=viewer,
                                               period_id=period_id).id == period_id
                else:
                    with pytest.raises(NotFound):
                        services.get_period(session, actor=viewer, period_id=period_id)
            with pytest.raises(NotFound):
                services.get_period(session, actor=viewer, period_id=987654)
