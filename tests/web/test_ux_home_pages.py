"""The task-first home page (issue 14, point 5), on SQLite and PostgreSQL: for each active
period what waits for the viewer; closed periods apart, with no register or report action;
the days not reported open the report form on their date."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from operations import services as operations
from tests.web.ux_home_support import HomeWorld, build_home_world, principal, thai_today

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(app, accounts) -> HomeWorld:
    """The active, closed and upcoming periods with THA's and MYS's conflict."""
    return build_home_world(app, accounts, PASSWORD)


def page_of(browser, username: str, path: str = "/") -> str:
    """The HTML of a page as this user sees it."""
    other = browser()
    assert other.login(username, PASSWORD).status_code == 302
    response = other.client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def section(html: str, heading: str) -> str:
    """The markup from an <h2> with this text to the next <h2> (or the end of <main>)."""
    match = re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>(.*?)(?=<h2|</main>)", html,
                      re.DOTALL)
    assert match, f"no section {heading!r}"
    return match.group(1)


def test_nlo_sees_the_conflict_waiting_for_it_and_today_due(world, browser):
    html = page_of(browser, "nlo.tha")
    active = section(html, "Active periods")
    assert "Active JPA" in active
    assert f'href="/conflicts/{world.conflict}"' in active
    assert "Acknowledge" in active and "High" in active
    assert "Aminah Rahman" in active  # whom to call
    today = thai_today().isoformat()
    assert "Due" in active
    assert f'href="/periods/{world.active}/report?date={today}"' in active


def test_days_not_reported_link_to_the_form_on_their_date(world, browser):
    html = section(page_of(browser, "nlo.tha"), "Active periods")
    links = re.findall(rf'href="/periods/{world.active}/report\?date=([0-9-]+)"', html)
    today = thai_today()
    earlier = [day for day in links if day != today.isoformat()]
    assert world.reported_day.isoformat() not in earlier
    assert earlier == sorted(earlier) and earlier
    assert (world.reported_day - timedelta(days=1)).isoformat() in earlier
    form = page_of(browser, "nlo.tha", f"/periods/{world.active}/report?date={earlier[0]}")
    assert f'name="date" value="{earlier[0]}"' in form


def test_a_bad_date_on_the_report_form_is_a_400_naming_it(world, web):
    assert web.login("nlo.tha", PASSWORD).status_code == 302
    response = web.client.get(f"/periods/{world.active}/report?date=28/09/2015")
    assert response.status_code == 400
    assert "date" in response.get_data(as_text=True)


def test_today_done_once_reported(app, world, browser):
    with app.extensions["jpa.db"].transaction() as session:
        from outcomes import services as outcomes

        outcomes.submit_report(session, actor=principal(app, "nlo.tha"),
                               period_id=world.active, on=thai_today(), values={})
    active = section(page_of(browser, "nlo.tha"), "Active periods")
    assert "Done" in active and "has reported for today" in active
    assert f"report?date={thai_today().isoformat()}" not in active


def test_acknowledged_conflict_waits_for_resolution_then_leaves(app, world, browser):
    with app.extensions["jpa.db"].transaction() as session:
        operations.acknowledge_conflict(session, actor=principal(app, "nlo.tha"),
                                        conflict_id=world.conflict)
    active = section(page_of(browser, "nlo.tha"), "Active periods")
    assert f'href="/conflicts/{world.conflict}"' in active and "Resolve" in active
    # MYS has not acknowledged yet: it still sees "Acknowledge".
    assert "Acknowledge" in section(page_of(browser, "nlo.mys"), "Active periods")
    with app.extensions["jpa.db"].transaction() as session:
        operations.resolve_conflict(session, actor=principal(app, "nlo.mys"),
                                    conflict_id=world.conflict, resolution="joint",
                                    note="joint desk")
    for who in ("nlo.tha", "nlo.mys"):
        active = section(page_of(browser, who), "Active periods")
        assert f'href="/conflicts/{world.conflict}"' not in active
        assert "No conflict waits for" in active


def test_a_state_outside_the_conflict_has_none_waiting(world, browser):
    active = section(page_of(browser, "nlo.nzl"), "Active periods")
    assert "/conflicts/" not in active.split("Conflicts waiting for you")[1].split("</div>")[0]
    assert "Bangkok phone op" not in active and "nlo.tha phone" not in active


def test_closed_periods_are_apart_and_offer_no_actions(world, browser):
    html = page_of(browser, "nlo.tha")
    closed = section(html, "Closed periods")
    assert "Closed JPA 2015" in closed
    assert "Closed JPA 2015" not in section(html, "Active periods")
    assert f"/periods/{world.closed}/operations/new" not in html
    assert f"/periods/{world.closed}/report" not in html
    upcoming = section(html, "Upcoming periods")
    assert "Next JPA" in upcoming
    assert f"/periods/{world.upcoming}/report" not in html


def test_co_chair_sees_open_conflicts_and_states_not_reported_today(world, browser):
    active = section(page_of(browser, "co.nzl"), "Active periods")
    assert "1 open conflict" in active and "1 not yet acknowledged by both" in active
    assert f'href="/periods/{world.active}/conflicts?status=unresolved"' in active
    assert "3 of 3 states" in active and "MYS, NZL, THA" in active
    assert f'href="/periods/{world.active}/dashboard"' in active
    # Pointer level only: no label, title or contact of an operation.
    for secret in ("Bangkok phone op", "nlo.tha phone", "Aminah Rahman", "Somchai"):
        assert secret not in active


def test_co_chair_counts_a_state_reported_today(app, world, browser):
    with app.extensions["jpa.db"].transaction() as session:
        from outcomes import services as outcomes

        outcomes.submit_report(session, actor=principal(app, "nlo.tha"),
                               period_id=world.active, on=thai_today(), values={})
    active = section(page_of(browser, "co.nzl"), "Active periods")
    assert "2 of 3 states" in active and "MYS, NZL." in active


@pytest.mark.parametrize("username", ["ana", "adm"])
def test_analyst_and_admin_see_periods_by_phase_without_tasks(world, browser, username):
    html = page_of(browser, username)
    assert "Active JPA" in section(html, "Active periods")
    assert "Closed JPA 2015" in section(html, "Closed periods")
    assert "Conflicts waiting" not in html and "/conflicts/" not in html
    assert "report?date" not in html


def test_showing_an_nlo_its_conflicts_is_audited(world, browser, store):
    page_of(browser, "nlo.tha")
    seen = [row for row in store.audit("conflict.seen") if row.object_id == str(world.conflict)
            or row.object_id == world.conflict]
    assert seen


def test_no_periods_yet(app, accounts, browser):
    accounts.create("lonely.nlo", "liaison_officer", "FJI", password=PASSWORD)
    html = page_of(browser, "lonely.nlo")
    assert "No periods yet." in html



def test_a_closed_period_s_page_offers_no_registration(world, browser):
    closed = page_of(browser, "nlo.tha", f"/periods/{world.closed}")
    assert "Register an operation" not in closed
    active = page_of(browser, "nlo.tha", f"/periods/{world.active}")
    assert f"/periods/{world.active}/operations/new" in active
