"""Every operation read and write and every conflict event leaves one audit row."""

from __future__ import annotations

import json

from tests.deconfliction.helpers import API, COLOMBO, at, iso, site


def _rows(world, action):
    return world.audit(action)


def test_operation_and_conflict_events_are_audited(world):
    before = {row.seq for row in world.audit()}
    a = world.register("nlo.lka", locations=[site("Harbour", COLOMBO)],
                       targets=[{"kind": "passport", "value": "N7654321", "label": "LKA ref"}])
    b = world.register("nlo.nzl", locations=[site("Harbour too", COLOMBO)],
                       targets=[{"kind": "passport", "value": "n 7654321", "label": "NZL ref"}])
    cid = b["conflicts"][0]["id"]

    created = [r for r in _rows(world, "operation.created") if r.seq not in before]
    assert [(r.object_type, r.object_id, r.actor_state) for r in created] == [
        ("operation", str(a["id"]), "LKA"), ("operation", str(b["id"]), "NZL")]
    assert all(r.actor_id == world.user_id(u) for r, u in zip(created, ("nlo.lka", "nlo.nzl"),
                                                              strict=True))
    detected = _rows(world, "conflict.detected")
    assert [(r.object_type, r.object_id) for r in detected] == [("conflict", str(cid))]

    assert world.api("nlo.lka").get(f"{API}/operations/{a['id']}").status_code == 200
    assert world.api("chair.nzl").get(f"{API}/operations/{b['id']}").status_code == 200
    reads = _rows(world, "operation.read")
    assert [(r.object_id, r.actor_state) for r in reads][-2:] == [(str(a["id"]), "LKA"),
                                                                   (str(b["id"]), "NZL")]
    assert reads[-1].actor_id == world.user_id("chair.nzl")

    seen_before = len(_rows(world, "conflict.seen"))
    world.conflicts("chair.lka")
    world.conflict("nlo.lka", cid)
    seen = _rows(world, "conflict.seen")[seen_before:]
    assert [(r.object_id, r.actor_id) for r in seen] == [
        (str(cid), world.user_id("chair.lka")), (str(cid), world.user_id("nlo.lka"))]

    world.patch("nlo.nzl", b["id"], starts_at=iso(at(9)), ends_at=iso(at(10)))
    updated = _rows(world, "operation.updated")
    assert [(r.object_id, r.actor_state) for r in updated] == [(str(b["id"]), "NZL")]

    assert world.api("nlo.lka").post(f"{API}/conflicts/{cid}/acknowledge").status_code == 200
    acknowledged = _rows(world, "conflict.acknowledged")
    assert [(r.object_id, r.actor_state) for r in acknowledged] == [(str(cid), "LKA")]

    response = world.api("nlo.nzl").post(f"{API}/conflicts/{cid}/resolve",
                                         json={"resolution": "proceed", "note": "fine"})
    assert response.status_code == 200
    resolved = _rows(world, "conflict.resolved")
    assert [(r.object_id, r.actor_state) for r in resolved] == [(str(cid), "NZL")]
    assert json.loads(resolved[0].details).get("resolution") == "proceed"

    world.cancel("nlo.lka", a["id"])
    cancelled = _rows(world, "operation.cancelled")
    assert [(r.object_id, r.actor_state) for r in cancelled] == [(str(a["id"]), "LKA")]

    for row in world.audit():
        assert row.at.utcoffset() is not None
        assert row.outcome
    with world.app.extensions["jpa.db"].transaction(write=False) as session:
        from core.audit import verify_chain

        assert verify_chain(session).problem is None


def test_a_refused_read_is_not_an_operation_read(world):
    a = world.register("nlo.lka")
    reads = len(_rows(world, "operation.read"))
    assert world.api("nlo.mys").get(f"{API}/operations/{a['id']}").status_code == 404
    assert len(_rows(world, "operation.read")) == reads


def test_a_conflict_an_edit_finds_is_audited_after_the_edit(world):
    world.register("nlo.lka", locations=[site("Harbour", COLOMBO)],
                   targets=[{"kind": "passport", "value": "N7654321", "label": "LKA ref"}])
    b = world.register("nlo.nzl", locations=[site("Far", (-36.85, 174.76))],
                       targets=[{"kind": "passport", "value": "X1111111", "label": "NZL ref"}])
    assert b["conflicts"] == []
    before = len(_rows(world, "conflict.detected"))
    edited = world.patch("nlo.nzl", b["id"], targets=[
        {"kind": "passport", "value": "n 7654321", "label": "NZL ref"}])
    [conflict] = edited["conflicts"]
    detected = _rows(world, "conflict.detected")[before:]
    assert [(r.object_type, r.object_id, r.actor_username) for r in detected] == [
        ("conflict", str(conflict["id"]), "deconfliction")]
    updated = _rows(world, "operation.updated")
    assert [(r.object_id, r.actor_state) for r in updated] == [(str(b["id"]), "NZL")]
