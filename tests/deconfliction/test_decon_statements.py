"""A registration writes its new conflict records and answers from them: it never reads a
record back (each read-back was a query per conflict, in crowded periods dozens), and it has
the counterparts' contacts from its candidate read, not from a read of their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.deconfliction.helpers import COLOMBO, site

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
