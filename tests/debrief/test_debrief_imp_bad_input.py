"""Bad input to the improvement plan: each a 4xx naming the field, nothing stored or changed,
nobody told; and the list's filters (status, owner state, overdue, earlier periods)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.debrief.debrief_imp_support import Plan, build_plan, item_body
from tests.outcomes.helpers import API, error_of


@pytest.fixture
def plan(app: Flask, accounts: Any) -> Plan:
    """The 2015 newsroom and its people."""
    return build_plan(app, accounts)


def _refused_create(plan: Plan, expect: int, field: str, **fields: Any) -> None:
    response = plan.api("chair.nzl").post(f"{API}/periods/{plan.pid}/improvements",
                                          json=item_body(**fields))
    error_of(response, expect, field)
    assert plan.count() == 0
    assert plan.inbox("nlo.tha") == [] and plan.outbox("nlo.tha") == []
    assert plan.audit() == []


def test_a_due_date_before_the_period_started(plan: Plan) -> None:
    # The period began on 28 September 2015 (00:00 in Jakarta).
    _refused_create(plan, 422, "due_on", due_on="2015-09-27")


def test_the_first_day_of_the_period_is_a_valid_due_date(plan: Plan) -> None:
    assert plan.create(due_on="2015-09-28")["due_on"] == "2015-09-28"


@pytest.mark.parametrize("due_on", ["31/03/2016", "2016-02-30", "", 20160331, True])
def test_a_due_date_that_is_not_a_date(plan: Plan, due_on: Any) -> None:
    _refused_create(plan, 422, "due_on", due_on=due_on)


@pytest.mark.parametrize("state", ["AUS", "XXX", "tha", ""])
def test_an_owner_state_outside_the_period(plan: Plan, state: str) -> None:
    _refused_create(plan, 422, "owner_state", owner_state=state)


@pytest.mark.parametrize("status", ["closed", "OPEN", "", 1])
def test_an_unknown_status(plan: Plan, status: Any) -> None:
    _refused_create(plan, 422, "status", status=status)


def test_an_objective_of_another_period(plan: Plan) -> None:
    other = plan.objective(plan.later_period())
    _refused_create(plan, 422, "objective_id", objective_id=other)


@pytest.mark.parametrize("objective_id", [999_999, "1", True, 0])
def test_an_objective_that_does_not_exist_or_is_not_a_number(plan: Plan,
                                                             objective_id: Any) -> None:
    plan.objective(plan.pid)
    _refused_create(plan, 422, "objective_id", objective_id=objective_id)


@pytest.mark.parametrize("field", ["issue", "corrective_action", "owner"])
@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_issue_action_or_owner(plan: Plan, field: str, value: Any) -> None:
    body = item_body()
    body[field] = value
    response = plan.api("chair.nzl").post(f"{API}/periods/{plan.pid}/improvements", json=body)
    error_of(response, 422, field)
    assert plan.count() == 0


def test_text_over_its_limit(plan: Plan) -> None:
    _refused_create(plan, 422, "issue", issue="x" * 2001)


def test_an_unknown_field(plan: Plan) -> None:
    _refused_create(plan, 422, "period_id", period_id=plan.pid)


def test_a_period_the_caller_cannot_see_or_that_does_not_exist(plan: Plan) -> None:
    response = plan.api("nlo.aus").post(f"{API}/periods/{plan.pid}/improvements",
                                        json=item_body())
    error_of(response, 404)
    error_of(plan.api("chair.nzl").post(f"{API}/periods/9999/improvements", json=item_body()),
             404)
    assert plan.count() == 0


@pytest.mark.parametrize("changes, field", [
    ({"due_on": "2015-01-01"}, "due_on"), ({"owner_state": "AUS"}, "owner_state"),
    ({"status": "finished"}, "status"), ({"issue": ""}, "issue"), ({"issue": None}, "issue"),
    ({"corrective_action": " "}, "corrective_action"), ({"owner": None}, "owner"),
    ({"due_on": None}, "due_on"), ({"status": None}, "status"),
    ({"owner_state": None}, "owner_state"), ({"objective_id": 424242}, "objective_id"),
    ({"created_by": 1}, "created_by")])
def test_bad_changes_change_nothing(plan: Plan, changes: dict[str, Any], field: str) -> None:
    iid = plan.create()["id"]
    before = plan.stored(iid)
    error_of(plan.api("chair.nzl").patch(f"{API}/improvements/{iid}", json=changes), 422,
             field)
    assert plan.stored(iid) == before
    assert len(plan.audit()) == 1


def test_a_co_chair_s_bad_change_and_a_good_one_together_change_nothing(plan: Plan) -> None:
    iid = plan.create()["id"]
    before = plan.stored(iid)
    error_of(plan.api("chair.nzl").patch(f"{API}/improvements/{iid}",
                                         json={"status": "done", "due_on": "2014-01-01"}),
             422, "due_on")
    assert plan.stored(iid) == before


def test_moving_the_owner_checks_the_due_date_in_the_new_owner_s_zone(plan: Plan) -> None:
    # 28 September 2015 00:00 in Jakarta is still 27 September in Colombo and Male.
    iid = plan.create(owner_state="LKA", owner="Sri Lanka Police", due_on="2015-09-27")["id"]
    error_of(plan.api("chair.nzl").patch(f"{API}/improvements/{iid}",
                                         json={"owner_state": "NZL"}), 422, "due_on")
    assert plan.stored(iid)["owner_state"] == "LKA"


# ---------------------------------------------------------------- filters


def _ids(body: Any) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_filters_by_status_owner_state_and_overdue(plan: Plan) -> None:
    late = plan.create(due_on="2016-01-31")["id"]
    future = plan.create(owner_state="MYS", owner="RMP", due_on="2099-12-31")["id"]
    done = plan.create(due_on="2016-02-01", status="done")["id"]
    assert _ids(plan.listing("nlo.mys")) == [late, done, future]
    assert _ids(plan.listing("nlo.mys", status="done")) == [done]
    assert _ids(plan.listing("nlo.mys", owner_state="MYS")) == [future]
    assert _ids(plan.listing("nlo.mys", overdue="true")) == [late]
    assert _ids(plan.listing("nlo.mys", overdue="true", owner_state="MYS")) == []
    assert _ids(plan.listing("nlo.mys", overdue="false")) == [late, done, future]


@pytest.mark.parametrize("query, field", [
    ({"status": "closed"}, "status"), ({"overdue": "maybe"}, "overdue"),
    ({"include_earlier": "2"}, "include_earlier"), ({"owner_state": "AUS"}, "owner_state")])
def test_bad_filters_are_422_naming_the_filter(plan: Plan, query: dict[str, str],
                                               field: str) -> None:
    error_of(plan.api("chair.nzl").get(f"{API}/periods/{plan.pid}/improvements",
                                       query_string=query), 422, field)


def test_a_later_period_lists_the_open_items_of_earlier_ones(plan: Plan) -> None:
    tha = plan.create(owner_state="THA")["id"]
    plan.create(owner_state="MYS", owner="RMP", status="done")  # finished: not carried over
    plan.create(owner_state="LKA", owner="SLP")  # Sri Lanka is not in the later period
    later = plan.later_period()
    own = plan.create("chair.nzl", pid=later, owner_state="IDN", owner="Immigration",
                      due_on="2016-12-01")["id"]
    assert _ids(plan.listing("nlo.mys", pid=later)) == [own]
    body = plan.listing("nlo.mys", pid=later, include_earlier="true")
    assert _ids(body) == [own, tha]  # its own first, then the earlier ones
    assert {i["id"]: i["period_name"] for i in body["items"]}[tha] == "Bali Process JPA 2015"
    assert _ids(plan.listing("nlo.mys", pid=later, include_earlier="true",
                             owner_state="THA")) == [tha]
    # The earlier period never lists the later one's items.
    assert own not in _ids(plan.listing("chair.nzl", include_earlier="true"))


def test_earlier_items_are_shown_only_from_periods_the_caller_takes_part_in(plan: Plan,
                                                                            accounts: Any,
                                                                            ) -> None:
    plan.create(owner_state="THA")
    later = plan.later_period()
    accounts.create("nlo.idn", "liaison_officer", "IDN", email="nlo.idn@example.org")
    # Indonesia took no part in 2015: its NLO sees the later plan, not 2015's items.
    assert _ids(plan.listing("nlo.idn", pid=later, include_earlier="true")) == []
