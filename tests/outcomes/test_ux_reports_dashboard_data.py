"""What the dashboard says (issue 14, point 9), on SQLite and PostgreSQL: today is due, not
missed; a part-day at the window's edge counts only when reported; the rate is over the days
that were due; headers name weekday and month; the daily CSV has the series by state and
category, a BOM and a name with the period and the time; NLOs get their own state's rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from core.audit import AuditEvent
from core.identity.models import User
from core.identity.services import Principal
from operations.models import Period
from outcomes import dashboard_data, figures
from tests.conftest import WebAuth

# Mid-window: 3 October 2015, 12:00 UTC (19:00 in Bangkok, 17:30 in Colombo).
NOW = datetime(2015, 10, 3, 12, 0, tzinfo=UTC)


def _rows(desk: Any, now: datetime = NOW) -> dict[str, dashboard_data.StateRow]:
    with desk.app.extensions["jpa.db"].transaction(write=False) as session:
        actor = Principal.of(session.get(User, desk.users["chair.nzl"]), "test")
        period = session.get(Period, desk.pid)
        grid = figures.completeness(session, actor=actor, period_id=desk.pid, now=now)
        return {row.state: row for row in dashboard_data.completeness_rows(period, grid, now)}


def _kinds(row: dashboard_data.StateRow) -> dict[str, str]:
    return {cell.iso: cell.kind for cell in row.cells if cell.kind != "outside"}


def test_today_is_due_and_a_missed_whole_day_is_not(desk):
    desk.submit("nlo.tha", "2015-09-28", {"arrests": 1})
    desk.submit("nlo.tha", "2015-09-30", {})
    tha = _kinds(_rows(desk)["THA"])
    assert tha == {"2015-09-28": "yes", "2015-09-29": "no", "2015-09-30": "yes",
                   "2015-10-01": "no", "2015-10-02": "no", "2015-10-03": "due"}
    row = _rows(desk)["THA"]
    assert (row.reported, row.due_days, row.rate_text) == (2, 5, "40%")
    desk.submit("nlo.tha", "2015-10-03", {"arrests": 2})  # reported today: done, and counted
    row = _rows(desk)["THA"]
    assert _kinds(row)["2015-10-03"] == "yes" and (row.reported, row.due_days) == (3, 6)


def test_a_part_day_at_the_edge_counts_only_when_reported(desk):
    # The window opens at midnight in Jakarta: 22:30 on 27 September in Colombo.
    lka = _rows(desk)["LKA"]
    assert _kinds(lka)["2015-09-27"] == "part"
    assert lka.due_days == 5  # 28 Sep to 2 Oct; the part-day and today are not yet due
    desk.submit("nlo.lka", "2015-09-27", {"arrests": 1})
    lka = _rows(desk)["LKA"]
    assert _kinds(lka)["2015-09-27"] == "yes" and (lka.reported, lka.due_days) == (1, 6)
    # After the end, the last part-days: 27 Oct in Colombo (until 22:30), 28 Oct in Auckland.
    after = datetime(2015, 11, 5, tzinfo=UTC)
    rows = _rows(desk, after)
    assert _kinds(rows["LKA"])["2015-10-27"] == "part"
    assert _kinds(rows["NZL"])["2015-10-28"] == "part"
    assert _kinds(rows["THA"])["2015-10-27"] == "no"  # a whole day in Bangkok
    assert "due" not in _kinds(rows["THA"]).values()


def test_before_any_day_is_due_the_rate_is_a_dash(desk):
    row = _rows(desk, datetime(2015, 9, 27, 18, 0, tzinfo=UTC))["THA"]  # 01:00 on the 28th
    assert _kinds(row) == {"2015-09-28": "due"}
    assert row.rate_text == "—"


def test_headers_name_the_weekday_and_the_month():
    header = dashboard_data.day_header("2015-09-28")
    assert header.label == "Mon 28 Sep" and header.long == "Monday 28 September 2015"


@pytest.mark.parametrize(("name", "expected"), [
    ("JPA 2015 — Bali Process", "jpa-2015-bali-process"),
    ("Opération Été", "operation-ete"),
    ("ปฏิบัติการ", "period-7"),
    ('=HYPERLINK("x")', "hyperlink-x"),
])
def test_export_names_are_plain_ascii(name, expected):
    period = Period(id=7, name=name)
    moment = datetime(2015, 10, 3, 9, 5, tzinfo=UTC)
    assert dashboard_data.export_filename(period, "daily", moment) == \
        f"{expected}-daily-20151003-0905Z.csv"


def _csv(desk: Any, username: str, path: str) -> tuple[Any, list[list[str]]]:
    web = WebAuth(desk.app.test_client())
    assert web.login(username).status_code == 302
    response = web.client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))


def test_the_daily_csv_has_the_series_by_state_and_category(desk):
    desk.submit("nlo.tha", "2015-10-01", {"arrests": 4, "victims_assisted": {
        "female_child": 2, "male_adult": 1}})
    desk.submit("nlo.mys", "2015-10-01", {"arrests": 1})
    gone = desk.submit("nlo.mys", "2015-10-02", {"arrests": 50})
    desk.retract("nlo.mys", gone["id"])
    audits = desk.count(AuditEvent)
    response, rows = _csv(desk, "chair.nzl", f"/periods/{desk.pid}/daily.csv")
    name = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])
    assert name and re.fullmatch(r"bali-process-jpa-2015-daily-\d{8}-\d{4}Z\.csv",
                                 name.group(1)), response.headers["Content-Disposition"]
    assert rows[0] == ["period", "date", "state", "indicator", "label", "category", "unit",
                       "value"]
    body = [(r[1], r[2], r[3], r[5], r[7]) for r in rows[1:]]
    assert body == [
        ("2015-10-01", "MYS", "arrests", "", "1"),
        ("2015-10-01", "THA", "victims_assisted", "female_child", "2"),
        ("2015-10-01", "THA", "victims_assisted", "male_adult", "1"),
        ("2015-10-01", "THA", "arrests", "", "4"),
    ]
    assert desk.count(AuditEvent) > audits  # the export is audited
    _, own = _csv(desk, "nlo.mys", f"/periods/{desk.pid}/daily.csv")
    assert [(r[1], r[2]) for r in own[1:]] == [("2015-10-01", "MYS")]


def test_the_totals_csv_is_named_after_the_period_and_time(desk):
    response, rows = _csv(desk, "analyst", f"/periods/{desk.pid}/export.csv")
    assert re.search(r'filename="bali-process-jpa-2015-totals-\d{8}-\d{4}Z\.csv"',
                     response.headers["Content-Disposition"])
    assert rows[0][0] == "period"


def test_the_daily_csv_of_an_invisible_period_is_404(desk):
    web = WebAuth(desk.app.test_client())
    assert web.login("nlo.aus").status_code == 302
    assert web.client.get(f"/periods/{desk.pid}/daily.csv").status_code == 404


def test_the_dashboard_has_one_small_live_notice_and_every_state(desk):
    web = WebAuth(desk.app.test_client())
    assert web.login("chair.nzl").status_code == 302
    page = web.client.get(f"/periods/{desk.pid}/dashboard").get_data(as_text=True)
    assert page.count("aria-live") == 1
    assert re.search(r'id="dashboard-updated"[^>]*aria-live="polite"[^>]*>Updated \d\d:\d\d<',
                     page)
    for state in ("LKA", "MDV", "MYS", "NZL", "THA"):  # no operations, all listed
        assert f"operations?state={state}" in page
    assert "Daily figures as a table" not in page  # no figures yet, no table
    fragment = web.client.get(f"/periods/{desk.pid}/dashboard?fragment=1").get_data(
        as_text=True)
    assert "aria-live" not in fragment and "data-updated=" in fragment
