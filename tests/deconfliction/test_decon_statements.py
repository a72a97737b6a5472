"""A registration writes its new conflict records and answers from them: it never reads a
record back (each read-back was a query per conflict, in crowded periods dozens), and it has
the counterparts' contacts from its candidate read, not from a read of their own. Its place
keys are computed before its write transaction, which holds the period's lock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from core.db import request_session
from core.identity.models import Role
from core.identity.principal import Principal
from deconfliction import matcher
from deconfliction.models import RegisterPlaceKey
from operations import services
from operations.models import Operation
from operations.registration_parts import footprint_of
from tests.deconfliction.helpers import BANGKOK, COLOMBO, at, site

READS_CONFLICTS = re.compile(r"^\s*SELECT\b.*\bFROM conflicts\b", re.IGNORECASE | re.DOTALL)


@contextmanager
def statements(world: Any) -> Iterator[list[str]]:
    """Every SQL statement the application runs inside the block."""
    engine = world.app.extensions["jpa.db"].engine
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_registration_meeting_three_operations_reads_no_conflict_record_back(world):
    target = {"kind": "passport", "value": "N7654321", "label": "ref"}
    earlier = [world.register(username, locations=[site(f"Quay {n}", COLOMBO)],
                              targets=[target])["id"]
               for n, username in enumerate(("nlo.lka", "nlo.tha", "nlo.mys"))]
    with statements(world) as seen:
        latest = world.register("nlo.nzl", locations=[site("Quay 9", COLOMBO)],
                                targets=[{**target, "value": "n 765 4321"}])
    assert sorted(c["counterpart"]["state"] for c in latest["conflicts"]) == [
        "LKA", "MYS", "THA"]
    assert all(c["status"] == "open" and c["acknowledged_by"] == [] and
               c["resolution"] is None for c in latest["conflicts"])
    assert sorted(op for c in latest["conflicts"] for op in c["operation_ids"]) == [
        latest["id"]] * 3
    assert len(earlier) == 3
    assert [s for s in seen if READS_CONFLICTS.search(s)] == []
    contact_reads = [s for s in seen
                     if s.lstrip().upper().startswith("SELECT") and "contact_user_id" in s]
    assert len(contact_reads) == 1
    assert "register_sites" in contact_reads[0]  # the candidates with their sites


def test_a_registration_computes_its_place_keys_outside_its_write_transaction(world,
                                                                              monkeypatch):
    computed_inside: list[bool] = []
    original = matcher.stored_place_keys

    def watched(footprint: matcher.Footprint, *args: Any) -> set[str]:
        computed_inside.append(request_session().in_transaction())
        return original(footprint, *args)

    monkeypatch.setattr(matcher, "stored_place_keys", watched)
    neighbour = world.register("nlo.tha", locations=[site("Gate 1", BANGKOK, 150)])
    latest = world.register("nlo.mys", locations=[site("Gate 2", BANGKOK, 150),
                                                  site("Quay 4", COLOMBO, 400)])
    assert computed_inside == [False, False]
    assert [c["counterpart"]["state"] for c in latest["conflicts"]] == ["THA"]
    database = world.app.extensions["jpa.db"]
    with database.transaction(write=False) as session:
        operation = session.get(Operation, latest["id"])
        assert operation is not None
        expected = original(footprint_of(operation, ()))
        stored = set(session.scalars(select(RegisterPlaceKey.key).where(
            RegisterPlaceKey.op_id == latest["id"])))
    assert stored == expected and len(stored) > 2
    assert neighbour["id"] != latest["id"]


def test_place_keys_wait_for_the_period_check_when_the_window_is_implausibly_long(world):
    actor = Principal(world.users["nlo.tha"], "nlo.tha", "", Role.LIAISON_OFFICER, "THA", "UTC",
                      "test")
    locations = [services.LocationData(name="Gate", lat=BANGKOK[0], lon=BANGKOK[1])]

    def prepared(days: int) -> services.PreparedRegistration:
        return services.prepare_registration(
            actor=actor, period_id=world.pid, blinding_key=b"k" * 32,
            registration=services.Registration(
                title="T", type="airport_checks", lead_agency="Police", starts_at=at(1),
                ends_at=at(1) + timedelta(days=days), locations=locations, targets=[]))

    assert prepared(2).place_keys is not None
    # Centuries of day buckets would cost seconds before the window is refused.
    assert prepared(365 * 300).place_keys is None
