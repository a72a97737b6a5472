"""The improvement plan over the API: co-chairs create and edit items, the owner state's NLO
changes the status and only the status, every participant reads the whole plan, the owner
state's NLOs are told of an assignment, every write is audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.debrief.debrief_imp_support import Plan, build_plan, item_body
from tests.outcomes.helpers import API, error_of


@pytest.fixture
def plan(app: Flask, accounts: Any) -> Plan:
    """The 2015 newsroom and its people."""
    return build_plan(app, accounts)


def test_a_co_chair_adds_an_item_and_the_owner_state_is_told(plan: Plan) -> None:
    body = plan.create("chair.nzl")
    assert {k: body[k] for k in ("period_id", "owner_state", "owner", "due_on", "status",
                                 "objective_id")} == {
        "period_id": plan.pid, "owner_state": "THA", "owner": "Royal Thai Police",
        "due_on": "2016-03-31", "status": "open", "objective_id": None}
    assert body["overdue"] is True  # March 2016 is long past, and the item is open
    assert body["period_name"] == "Bali Process JPA 2015"
    assert plan.get("chair.lka", body["id"]) == body
    # Both of Thailand's NLOs are told, in the app and by mail; nobody else is.
    for nlo in ("nlo.tha", "nlo2.tha"):
        assert plan.inbox(nlo) == ["Improvement item for THA: Bali Process JPA 2015"]
        assert plan.outbox(nlo) == ["Improvement item for THA: Bali Process JPA 2015"]
    for other in ("chair.nzl", "nlo.mys", "chair.lka"):
        assert plan.inbox(other) == [] and plan.outbox(other) == []
    rows = plan.audit()
    assert [(a, u, o) for a, u, o, _ in rows] == [
        ("debrief.improvement.created", "chair.nzl", str(body["id"]))]


def test_an_item_can_name_an_objective_of_its_own_period(plan: Plan) -> None:
    oid = plan.objective(plan.pid)
    body = plan.create(objective_id=oid)
    assert body["objective_id"] == oid
    assert plan.patch("chair.lka", body["id"], objective_id=None)["objective_id"] is None


@pytest.mark.parametrize("reader", ["chair.nzl", "chair.tha", "nlo.mys", "nlo.tha", "analyst"])
def test_every_participant_and_analysts_read_the_whole_plan(plan: Plan, reader: str) -> None:
    tha = plan.create(owner_state="THA")["id"]
    mdv = plan.create(owner_state="MDV", owner="Maldives Immigration")["id"]
    assert [i["id"] for i in plan.listing(reader)["items"]] == [tha, mdv]
    assert plan.get(reader, mdv)["owner_state"] == "MDV"


def test_outsiders_get_404_and_administrators_403(plan: Plan) -> None:
    iid = plan.create()["id"]
    error_of(plan.api("nlo.aus").get(f"{API}/improvements/{iid}"), 404)
    error_of(plan.api("nlo.aus").get(f"{API}/periods/{plan.pid}/improvements"), 404)
    error_of(plan.api("nlo.aus").patch(f"{API}/improvements/{iid}", json={"status": "done"}),
             404)
    error_of(plan.api("chair.nzl").get(f"{API}/improvements/{iid + 1000}"), 404)
    error_of(plan.api("admin").get(f"{API}/improvements/{iid}"), 403)
    error_of(plan.api("admin").get(f"{API}/periods/{plan.pid}/improvements"), 403)
    error_of(plan.api("admin").patch(f"{API}/improvements/{iid}", json={"status": "done"}),
             403)
    assert plan.stored(iid)["status"] == "open"


def test_an_administrator_cannot_add_an_item(plan: Plan) -> None:
    error_of(plan.api("admin").post(f"{API}/periods/{plan.pid}/improvements",
                                    json=item_body()), 403)
    assert plan.count() == 0


@pytest.mark.parametrize("who", ["nlo.tha", "chair.tha", "analyst"])
def test_only_the_period_s_co_chairs_add_items(plan: Plan, who: str) -> None:
    plan.create(who, expect=403)
    assert plan.count() == 0


def test_the_owner_state_s_nlo_changes_the_status(plan: Plan) -> None:
    iid = plan.create()["id"]
    body = plan.patch("nlo2.tha", iid, status="in_progress")
    assert body["status"] == "in_progress" and body["overdue"] is True
    assert plan.patch("nlo.tha", iid, status="done")["overdue"] is False
    rows = [(a, u) for a, u, _, _ in plan.audit()]
    assert rows[1:] == [("debrief.improvement.updated", "nlo2.tha"),
                        ("debrief.improvement.updated", "nlo.tha")]
    details = json.loads(plan.audit()[-1][3])
    assert details["changed"] == {"status": ["in_progress", "done"]}
    # A change of status tells nobody new: the co-chairs read it on the plan.
    assert plan.inbox("chair.nzl") == []


@pytest.mark.parametrize("field, value", [
    ("owner", "Someone else"), ("due_on", "2017-01-01"), ("issue", "Rewritten"),
    ("corrective_action", "Another"), ("owner_state", "MYS"), ("objective_id", None)])
def test_the_owner_nlo_may_change_nothing_but_the_status(plan: Plan, field: str,
                                                          value: Any) -> None:
    iid = plan.create()["id"]
    before = plan.stored(iid)
    error = error_of(plan.api("nlo.tha").patch(f"{API}/improvements/{iid}",
                                               json={"status": "done", field: value}),
                     403, field)
    assert field in error["message"]
    assert plan.stored(iid) == before


@pytest.mark.parametrize("who", ["nlo.mys", "chair.tha", "analyst"])
def test_others_who_see_the_item_may_not_change_it(plan: Plan, who: str) -> None:
    iid = plan.create()["id"]
    before = plan.stored(iid)
    error_of(plan.api(who).patch(f"{API}/improvements/{iid}", json={"status": "done"}), 403)
    assert plan.stored(iid) == before


def test_co_chairs_change_everything_and_a_new_owner_state_is_told(plan: Plan) -> None:
    iid = plan.create()["id"]
    oid = plan.objective(plan.pid)
    body = plan.patch("chair.lka", iid, owner_state="MYS", owner="Royal Malaysia Police",
                      issue="New issue", corrective_action="New action", due_on="2030-01-31",
                      status="in_progress", objective_id=oid)
    assert {k: body[k] for k in ("owner_state", "owner", "issue", "corrective_action",
                                 "due_on", "status", "objective_id", "overdue")} == {
        "owner_state": "MYS", "owner": "Royal Malaysia Police", "issue": "New issue",
        "corrective_action": "New action", "due_on": "2030-01-31", "status": "in_progress",
        "objective_id": oid, "overdue": False}
    assert plan.inbox("nlo.mys") == ["Improvement item for MYS: Bali Process JPA 2015"]
    assert plan.outbox("nlo.mys") == ["Improvement item for MYS: Bali Process JPA 2015"]
    # Thailand's NLOs heard of the first assignment only; the actor hears nothing.
    assert len(plan.inbox("nlo.tha")) == 1 and plan.inbox("chair.lka") == []
    details = json.loads(plan.audit()[-1][3])
    assert details["changed"]["owner_state"] == ["THA", "MYS"]
    assert details["changed"]["issue"] == "changed"
    # Thailand's NLO no longer owns it.
    error_of(plan.api("nlo.tha").patch(f"{API}/improvements/{iid}", json={"status": "done"}),
             403)


def test_a_co_chair_moving_the_due_date_tells_the_owner(plan: Plan) -> None:
    iid = plan.create()["id"]
    plan.patch("chair.nzl", iid, due_on="2031-06-30")
    assert plan.inbox("nlo.tha")[-1] == "Improvement item now due 2031-06-30: Bali Process JPA 2015"


def test_a_patch_changing_nothing_writes_nothing(plan: Plan) -> None:
    iid = plan.create()["id"]
    plan.patch("chair.nzl", iid, status="open")
    assert len(plan.audit()) == 1
    error_of(plan.api("chair.nzl").patch(f"{API}/improvements/{iid}", json={}), 422, "body")


def test_the_api_is_in_the_openapi_document(plan: Plan) -> None:
    paths = plan.app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/periods/{pid}/improvements"])
    assert {"get", "patch"} <= set(paths["/api/v1/improvements/{iid}"])
    parameters = {p["name"] for p in paths["/api/v1/periods/{pid}/improvements"]["get"]
                  ["parameters"]}
    assert {"status", "owner_state", "overdue", "include_earlier"} <= parameters


def test_a_co_chair_of_a_state_outside_the_period_sees_nothing(plan: Plan,
                                                                accounts: Any) -> None:
    iid = plan.create()["id"]
    accounts.create("chair.aus", "co_chair", "AUS", email="chair.aus@example.org")
    outsider = accounts.api("chair.aus")
    error_of(outsider.get(f"{API}/improvements/{iid}"), 404)
    error_of(outsider.get(f"{API}/periods/{plan.pid}/improvements"), 404)
    error_of(outsider.patch(f"{API}/improvements/{iid}", json={"status": "done"}), 404)
    error_of(outsider.post(f"{API}/periods/{plan.pid}/improvements", json=item_body()), 404)
    assert plan.count() == 1 and plan.stored(iid)["status"] == "open"
