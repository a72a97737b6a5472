"""Defect 11: probing ids one may not see (or that do not exist) leaves an audit row per
refused read, on the API and on the pages; the answer stays a plain 404."""

from __future__ import annotations

import json

import pytest

from tests.conftest import WebAuth
from tests.deconfliction.helpers import API, KUALA_LUMPUR, at, iso, site
from tests.security.sec_core_world import audit_rows, build_world, expect_error


@pytest.fixture
def world(app, accounts):
    """A period with NLOs of four states."""
    return build_world(app, accounts)


@pytest.fixture
def conflict(world):
    """A THA-MYS conflict by place and time: (THA operation id, conflict id)."""
    tha = world.register("nlo.tha", locations=[site("Jetty", KUALA_LUMPUR)],
                         starts_at=iso(at(4)), ends_at=iso(at(4, 6)))
    mys = world.register("nlo.mys", locations=[site("Jetty too", KUALA_LUMPUR)],
                         starts_at=iso(at(4, 1)), ends_at=iso(at(4, 5)))
    return tha["id"], mys["conflicts"][0]["id"]


def _check_row(row, *, username: str, object_type: str, object_id: int, path: str) -> None:
    assert row.actor_username == username
    assert row.actor_state == "NZL"
    assert row.outcome == "refused"
    assert row.object_type == object_type
    assert row.object_id == str(object_id)
    assert json.loads(row.details)["path"] == path


def test_api_probes_of_another_states_operation_and_conflict_are_audited(app, world, conflict):
    oid, cid = conflict
    nzl = world.api("nlo.nzl")
    assert audit_rows(app, "read.refused") == []

    for path in (f"{API}/operations/{oid}", f"{API}/conflicts/{cid}",
                 f"{API}/operations/987654"):
        expect_error(nzl.get(path), 404, "not_found")

    rows = audit_rows(app, "read.refused")
    assert len(rows) == 3
    _check_row(rows[0], username="nlo.nzl", object_type="operation", object_id=oid,
               path=f"{API}/operations/{oid}")
    _check_row(rows[1], username="nlo.nzl", object_type="conflict", object_id=cid,
               path=f"{API}/conflicts/{cid}")
    _check_row(rows[2], username="nlo.nzl", object_type="operation", object_id=987654,
               path=f"{API}/operations/987654")


def test_page_probes_of_another_states_operation_and_conflict_are_audited(app, world, conflict,
                                                                          client):
    oid, cid = conflict
    assert WebAuth(client).login("nlo.nzl").status_code == 302

    for path in (f"/operations/{oid}", f"/conflicts/{cid}"):
        assert client.get(path).status_code == 404

    rows = audit_rows(app, "read.refused")
    assert len(rows) == 2
    _check_row(rows[0], username="nlo.nzl", object_type="operation", object_id=oid,
               path=f"/operations/{oid}")
    _check_row(rows[1], username="nlo.nzl", object_type="conflict", object_id=cid,
               path=f"/conflicts/{cid}")


def test_the_parties_own_reads_leave_no_refusal(app, world, conflict):
    oid, cid = conflict

    assert world.api("nlo.tha").get(f"{API}/operations/{oid}").status_code == 200
    assert world.api("nlo.mys").get(f"{API}/conflicts/{cid}").status_code == 200

    assert audit_rows(app, "read.refused") == []
