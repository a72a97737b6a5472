"""Period dates are bounded (2000-01-01 00:00 UTC to 2101-01-01 00:00 UTC, the end of 2100,
and a period lasts at most 366 days):
dates in year 1 or 9999, with a time zone that pushes them past the calendar's ends, are a
422 naming the field on the API and an inline error on the admin page, never a 500; a period
at the edges of the range works everywhere its dates are derived (reports, completeness,
reminders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.scheduler import run_pending
from operations.models import Period
from tests.outcomes.helpers import API, error_of, make_period

GOOD_START = "2030-01-01T00:00:00+00:00"
GOOD_END = "2030-02-01T00:00:00+00:00"


def _create(desk: Any, starts_at: str, ends_at: str) -> Any:
    return desk.api("admin").post(f"{API}/periods", json={
        "name": "Edge JPA", "starts_at": starts_at, "ends_at": ends_at,
        "states": ["NZL", "THA"], "co_chairs": ["NZL"]})


@pytest.mark.parametrize(("starts_at", "ends_at", "field"), [
    ("0001-01-01T00:00:00+14:00", GOOD_END, "starts_at"),
    ("0001-01-01T00:00:00+00:00", GOOD_END, "starts_at"),
    (GOOD_START, "9999-12-31T23:00:00-12:00", "ends_at"),
    (GOOD_START, "9999-12-31T23:59:59+00:00", "ends_at"),
    ("9999-12-31T00:00:00-12:00", "9999-12-31T23:00:00-12:00", "starts_at"),
    ("1999-12-31T23:59:59+00:00", GOOD_END, "starts_at"),
    ("2000-01-01T00:30:00+01:00", GOOD_END, "starts_at"),  # 1999-12-31 23:30 UTC
    (GOOD_START, "2101-01-01T00:00:01+00:00", "ends_at"),
    (GOOD_START, "2100-12-31T23:00:00-12:00", "ends_at"),  # 2101-01-01 11:00 UTC
])
def test_period_dates_outside_the_range_are_422_naming_the_field(desk, starts_at, ends_at,
                                                                 field):
    before = desk.count(Period)
    error = error_of(_create(desk, starts_at, ends_at), 422, field)
    assert "2000-01-01" in error["fields"][field] and "2101-01-01" in error["fields"][field]
    assert desk.count(Period) == before


def test_both_dates_out_of_range_are_both_named(desk):
    error = error_of(_create(desk, "0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-12:00"),
                     422, "starts_at", "ends_at")
    assert error["code"] == "validation_failed"


def _form(web: Any, **overrides: str) -> dict[str, str]:
    values = {"name": "Edge JPA", "starts_at": "2030-01-15T12:00", "ends_at": "2030-02-15T12:00",
              "time_zone": "UTC", "states": "NZL THA", "co_chairs": "NZL",
              "csrf_token": web.csrf("/admin/periods/new")}
    values.update(overrides)
    return values


@pytest.mark.parametrize(("overrides", "field"), [
    ({"starts_at": "0001-01-01T00:00", "time_zone": "Pacific/Kiritimati"}, "starts_at"),
    ({"ends_at": "9999-12-31T23:00", "time_zone": "Etc/GMT+12"}, "ends_at"),
    ({"starts_at": "1999-06-01T00:00"}, "starts_at"),
])
def test_the_admin_page_shows_an_inline_error_for_dates_out_of_range(desk, web, client,
                                                                      overrides, field):
    assert web.login("admin").status_code == 302
    before = desk.count(Period)
    response = client.post("/admin/periods/new", data=_form(web, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2000-01-01" in page and "2101-01-01" in page
    assert f'id="{field}"' in page
    assert desk.count(Period) == before


def test_a_period_is_at_most_366_days_long(desk):
    before = desk.count(Period)
    error = error_of(_create(desk, "2030-01-01T00:00:00+00:00", "2031-01-02T00:00:01+00:00"),
                     422, "ends_at")
    assert "366 days" in error["fields"]["ends_at"]
    assert desk.count(Period) == before
    assert _create(desk, "2032-01-01T00:00:00+00:00",
                   "2033-01-01T00:00:00+00:00").status_code == 201  # a leap year: 366 days


def test_a_period_at_the_edges_of_the_range_works_wherever_its_dates_are_derived(desk, app):
    """The first days of 2000 and the whole of 2100, with states at UTC+13 and UTC-11: the
    periods are created, reported on, counted in completeness, and the scheduler runs its
    reminders and phase notices at both ends."""
    admin = desk.api("admin")
    start = datetime(2000, 1, 1, tzinfo=UTC)
    end = datetime(2101, 1, 1, tzinfo=UTC)
    # Tonga (+13) and American Samoa (-11) sit at both ends of the clock.
    response = admin.post(f"{API}/periods", json={
        "name": "The last year", "starts_at": "2100-01-01T00:00:00+00:00",
        "ends_at": "2100-12-31T14:00:00-10:00", "states": ["TON", "ASM", "NZL"],
        "co_chairs": ["NZL"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["ends_at"].startswith("2101-01-01T00:00:00")
    pid = make_period(admin, "Short edge", start, start + timedelta(days=2),
                      ["TON", "ASM", "NZL"], ["NZL"])
    desk.accounts.create("nlo.nz2", "liaison_officer", "NZL")
    desk.accounts.create("nlo.asm", "liaison_officer", "ASM")
    first = desk.api("nlo.nz2").post(f"{API}/periods/{pid}/reports",
                                     json={"date": "2000-01-01", "values": {"arrests": 1}})
    assert first.status_code == 201, first.get_data(as_text=True)
    grid = desk.get_ok("admin", f"{API}/periods/{pid}/completeness")
    assert set(grid["states"]) == {"TON", "ASM", "NZL"}
    # American Samoa's first date is still 1999; Tonga's last is 3 January.
    assert grid["dates"][0] == "1999-12-31" and grid["dates"][-1] == "2000-01-03"
    # The whole of 2100 is the future: refused by rule, after the dates were worked out.
    future = desk.api("nlo.asm").post(f"{API}/periods/{body['id']}/reports",
                                      json={"date": "2100-12-31", "values": {}})
    error_of(future, 422, "date")
    assert desk.get_ok("admin", f"{API}/periods/{body['id']}/completeness")["dates"] == []
    results = [*run_pending(app, now=start + timedelta(hours=30)),
               *run_pending(app, now=end - timedelta(hours=1)),
               *run_pending(app, now=end + timedelta(hours=1))]
    assert [r for r in results if r.outcome == "failed"] == []
    ran = {r.slot for r in results if r.outcome == "ok"}
    assert {f"period {pid} active", f"period {pid} ASM 1999-12-31",
            f"period {pid} TON 2000-01-02", f"period {body['id']} closed",
            f"period {body['id']} ASM 2100-12-30", f"period {body['id']} TON 2100-12-31"} <= ran
