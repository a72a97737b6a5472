"""Pages of the improvement plan with the Flask client: the plan (overdue said in words), the
co-chairs' add and edit forms with inline errors, the owner NLO's status form, open items of
earlier periods, and the plan's sections on the dashboard, the home page, a period's page and
the debrief page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, render_template
from sqlalchemy import select

from core.identity.models import User
from core.identity.services import Principal
from debrief import page_parts
from operations.models import Period
from tests.conftest import WebAuth
from tests.debrief.debrief_imp_support import Plan, build_plan


@pytest.fixture
def plan(app: Flask, accounts: Any) -> Plan:
    """The 2015 newsroom and its people."""
    return build_plan(app, accounts)


def _form(**fields: str) -> dict[str, str]:
    values = {"objective_id": "", "issue": "Manifests came too late for checks.",
              "corrective_action": "Agree advance passenger information with airlines.",
              "owner_state": "MYS", "owner": "Royal Malaysia Police", "due_on": "2031-03-31",
              "status": "open"}
    values.update(fields)
    return values


def _row(html: str, iid: int) -> str:
    match = re.search(rf'<tr id="item-{iid}".*?</tr>', html, re.S)
    assert match, f"no row of item {iid}"
    return match.group(0)


def test_a_co_chair_adds_an_item_through_the_form(plan: Plan, web: WebAuth) -> None:
    web.login("chair.nzl")
    page = web.client.get(f"/periods/{plan.pid}/improvements").get_data(as_text=True)
    for label in ('for="item-issue">Issue', 'for="item-corrective_action">Corrective action',
                  'for="item-owner_state">Owner state', 'for="item-due_on">Due date'):
        assert label in page
    response = web.client.post(f"/periods/{plan.pid}/improvements",
                               data={**_form(), "csrf_token": web.csrf(
                                   f"/periods/{plan.pid}/improvements")})
    assert response.status_code == 302
    page = web.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Manifests came too late for checks." in page
    assert "Royal Malaysia Police (MYS)" in page
    assert plan.inbox("nlo.mys") == ["Improvement item for MYS: Bali Process JPA 2015"]


@pytest.mark.parametrize("fields, field, message", [
    ({"issue": "  "}, "issue", "Issue: this field is required"),
    ({"corrective_action": ""}, "corrective_action", "Corrective action: this field is required"),
    ({"due_on": "2015-09-01"}, "due_on",
     "Due date: the due date may not be before the period started"),
    ({"due_on": "next week"}, "due_on", "Due date: give the due date as YYYY-MM-DD"),
    ({"owner_state": "AUS"}, "owner_state",
     "Owner state: the owner state must take part in the period"),
    ({"status": "closed"}, "status", "Status: status must be one of"),
    ({"objective_id": "9999"}, "objective_id", "Objective: no such objective in this period"),
])
def test_bad_input_is_shown_beside_the_field_and_stores_nothing(
        plan: Plan, web: WebAuth, fields: dict[str, str], field: str, message: str) -> None:
    web.login("chair.nzl")
    token = web.csrf(f"/periods/{plan.pid}/improvements")
    response = web.client.post(f"/periods/{plan.pid}/improvements",
                               data={**_form(**fields), "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="item-{field}-error">([^<]*)</p>', page)
    assert error and error.group(1).startswith(message), page
    assert 'aria-invalid="true"' in page
    # What was typed comes back (the other fields are kept).
    assert "Royal Malaysia Police" in page or field == "owner"
    assert plan.count() == 0


def test_overdue_items_say_so_in_words(plan: Plan, web: WebAuth) -> None:
    late = plan.create(due_on="2016-01-31")["id"]
    future = plan.create(due_on="2099-01-31")["id"]
    done = plan.create(due_on="2016-01-31", status="done")["id"]
    web.login("nlo.mys")
    page = web.client.get(f"/periods/{plan.pid}/improvements").get_data(as_text=True)
    assert "Overdue" in _row(page, late)
    assert "Overdue" not in _row(page, future) and "Overdue" not in _row(page, done)
    assert "Done" in _row(page, done)
    # Filters: overdue only; a status.
    only = web.client.get(f"/periods/{plan.pid}/improvements?overdue=1").get_data(as_text=True)
    assert f'id="item-{late}"' in only and f'id="item-{future}"' not in only
    done_only = web.client.get(f"/periods/{plan.pid}/improvements?status=done")
    assert f'id="item-{done}"' in done_only.get_data(as_text=True)
    assert f'id="item-{late}"' not in done_only.get_data(as_text=True)


def test_the_owner_nlo_sets_the_status_and_others_cannot(plan: Plan, app: Flask) -> None:
    iid = plan.create()["id"]
    owner = WebAuth(app.test_client())
    owner.login("nlo.tha")
    page = owner.client.get(f"/periods/{plan.pid}/improvements").get_data(as_text=True)
    assert "Add an item" not in page and "Edit" not in _row(page, iid)
    assert f'<label for="status-{iid}">' in _row(page, iid)
    token = owner.csrf(f"/periods/{plan.pid}/improvements")
    response = owner.client.post(f"/improvements/{iid}/status",
                                 data={"status": "in_progress", "back": str(plan.pid),
                                       "csrf_token": token})
    assert response.status_code == 302
    assert plan.stored(iid)["status"] == "in_progress"
    bad = owner.client.post(f"/improvements/{iid}/status",
                            data={"status": "finished", "csrf_token": token})
    assert bad.status_code == 422 and "Status: choose" in bad.get_data(as_text=True)
    assert plan.stored(iid)["status"] == "in_progress"

    other = WebAuth(app.test_client())
    other.login("nlo.mys")
    page = other.client.get(f"/periods/{plan.pid}/improvements").get_data(as_text=True)
    assert f'id="status-{iid}"' not in page
    refused = other.client.post(f"/improvements/{iid}/status",
                                data={"status": "done", "csrf_token": other.csrf()})
    assert refused.status_code == 403
    assert plan.stored(iid)["status"] == "in_progress"


def test_a_co_chair_edits_an_item(plan: Plan, web: WebAuth) -> None:
    iid = plan.create()["id"]
    web.login("chair.lka")
    page = web.client.get(f"/improvements/{iid}/edit").get_data(as_text=True)
    assert "Royal Thai Police" in page and 'value="2016-03-31"' in page
    token = web.csrf(f"/improvements/{iid}/edit")
    bad = web.client.post(f"/improvements/{iid}/edit",
                          data={**_form(issue=""), "csrf_token": token})
    assert bad.status_code == 422
    assert "Issue: this field is required" in bad.get_data(as_text=True)
    assert plan.stored(iid)["owner_state"] == "THA"
    good = web.client.post(f"/improvements/{iid}/edit", data={**_form(), "csrf_token": token})
    assert good.status_code == 302
    stored = plan.stored(iid)
    assert (stored["owner_state"], stored["owner"]) == ("MYS", "Royal Malaysia Police")


@pytest.mark.parametrize("who, status", [("nlo.tha", 403), ("chair.tha", 403),
                                         ("analyst", 403), ("nlo.aus", 403)])
def test_only_the_period_s_co_chairs_open_the_edit_page(plan: Plan, web: WebAuth, who: str,
                                                       status: int) -> None:
    iid = plan.create()["id"]
    web.login(who)
    assert web.client.get(f"/improvements/{iid}/edit").status_code == status


def test_who_may_open_the_plan(plan: Plan, app: Flask) -> None:
    for who, status in (("admin", 403), ("nlo.aus", 404), ("analyst", 200), ("chair.tha", 200)):
        auth = WebAuth(app.test_client())
        auth.login(who)
        assert auth.client.get(f"/periods/{plan.pid}/improvements").status_code == status, who


def test_a_later_period_shows_open_items_from_earlier_periods(plan: Plan, web: WebAuth) -> None:
    earlier = plan.create()["id"]
    later = plan.later_period()
    web.login("nlo.tha")
    page = web.client.get(f"/periods/{later}/improvements").get_data(as_text=True)
    section = page.split("Open items from earlier periods", 1)[1]
    assert f'id="item-{earlier}"' in section and "Bali Process JPA 2015" in section
    # The owner NLO may set its status from here too.
    assert f'id="status-{earlier}"' in section


def test_the_dashboard_lists_open_and_overdue_items(plan: Plan, app: Flask) -> None:
    plan.create(issue="Late interpreter pool", due_on="2016-01-31")
    plan.create(issue="Finished work", status="done")
    for who in ("chair.nzl", "analyst"):
        auth = WebAuth(app.test_client())
        auth.login(who)
        page = auth.client.get(f"/periods/{plan.pid}/dashboard").get_data(as_text=True)
        assert "Improvement plan: open items" in page
        assert "Late interpreter pool" in page and "Finished work" not in page
        assert "1 overdue" in page and "Overdue</strong>" in page
    auth = WebAuth(app.test_client())
    auth.login("admin")
    assert "Improvement plan" not in auth.client.get(
        f"/periods/{plan.pid}/dashboard").get_data(as_text=True)


def test_the_nlo_home_page_lists_my_improvement_items(plan: Plan, app: Flask) -> None:
    plan.create(corrective_action="Train the interpreter pool", due_on="2016-01-31")
    plan.create(corrective_action="Close the gap", status="dropped")
    owner = WebAuth(app.test_client())
    owner.login("nlo.tha")
    page = owner.client.get("/").get_data(as_text=True)
    assert "My improvement items" in page and "Train the interpreter pool" in page
    assert "Close the gap" not in page and "1 overdue" in page
    assert '<time datetime="2016-01-31">' in page
    other = WebAuth(app.test_client())
    other.login("nlo.mys")
    # Shown only when there are some (issue 14, point 5).
    assert "My improvement items" not in other.client.get("/").get_data(as_text=True)
    chair = WebAuth(app.test_client())
    chair.login("chair.nzl")
    assert "My improvement items" not in chair.client.get("/").get_data(as_text=True)


def test_a_period_s_page_links_to_its_plan(plan: Plan, web: WebAuth) -> None:
    web.login("nlo.mys")
    page = web.client.get(f"/periods/{plan.pid}").get_data(as_text=True)
    assert f'href="/periods/{plan.pid}/improvements"' in page


def test_the_debrief_page_gets_the_plan_s_section(plan: Plan, app: Flask) -> None:
    plan.create(corrective_action="Train the interpreter pool", due_on="2016-01-31")
    plan.create(status="done")
    with app.test_request_context("/"):
        database = app.extensions["jpa.db"]
        with database.transaction(write=False) as session:
            user = session.scalar(select(User).where(User.username == "chair.nzl"))
            assert user is not None
            principal = Principal.of(user, "test")
            period = session.get(Period, plan.pid)
            assert period is not None
            found = [p for p in page_parts.parts(session, principal, period)
                     if p.heading == "Improvement plan"]
            assert len(found) == 1
            html = render_template(found[0].template, period=period, **found[0].context)
    assert "Open: 1" in html and "Done: 1" in html and "Overdue: 1" in html
    assert "Train the interpreter pool" in html
    assert "Open and edit the improvement plan" in html
