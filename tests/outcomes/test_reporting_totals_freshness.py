"""Totals are reused while a period's figures are unchanged, and never served stale: the
ETag / If-None-Match revalidation, and every kind of change (a report submitted, amended or
retracted, an indicator added, a write made outside this application instance)."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.identity.models import User
from core.identity.services import Principal
from outcomes import services as reporting
from tests.outcomes.helpers import API, Desk


def _get(desk: Desk, username: str, etag: str | None = None) -> Any:
    headers = {"If-None-Match": etag} if etag else None
    return desk.api(username).get(f"{API}/periods/{desk.pid}/totals", headers=headers)


def _fresh_etag(desk: Desk, username: str, old: str | None = None) -> tuple[str, dict]:
    """The totals and their ETag; when `old` is given, assert that it no longer matches."""
    response = _get(desk, username, old)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["ETag"]
    if old is not None:
        assert response.headers["ETag"] != old
    return response.headers["ETag"], response.get_json()


def test_an_unchanged_period_answers_304_without_a_body(desk):
    desk.submit("nlo.tha", "2015-09-28", {"arrests": 3})
    etag, first = _fresh_etag(desk, "chair.nzl")
    again = _get(desk, "chair.nzl", etag)
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert _get(desk, "chair.nzl").get_json() == first


def test_every_change_to_the_figures_makes_the_old_etag_stale(desk):
    report = desk.submit("nlo.tha", "2015-09-28", {"arrests": 3})
    etag, totals = _fresh_etag(desk, "chair.nzl")
    assert totals["totals"]["arrests"] == 3

    desk.submit("nlo.mys", "2015-09-28", {"arrests": 4})
    etag, totals = _fresh_etag(desk, "chair.nzl", etag)
    assert totals["totals"]["arrests"] == 7

    desk.amend("nlo.tha", report["id"], {"arrests": 1})
    etag, totals = _fresh_etag(desk, "chair.nzl", etag)
    assert totals["totals"]["arrests"] == 5 and totals["by_state"]["THA"]["arrests"] == 1

    desk.retract("nlo.tha", report["id"])
    etag, totals = _fresh_etag(desk, "chair.nzl", etag)
    assert totals["totals"]["arrests"] == 4 and totals["by_state"]["THA"]["arrests"] == 0

    added = desk.api("chair.nzl").post(f"{API}/periods/{desk.pid}/indicators", json={
        "key": "victim_referrals", "label": "Victim referrals", "unit": "cases"})
    assert added.status_code == 201, added.get_data(as_text=True)
    etag, totals = _fresh_etag(desk, "chair.nzl", etag)
    assert totals["totals"]["victim_referrals"] == 0


def test_a_nil_report_changes_the_update_time_and_the_etag(desk):
    desk.submit("nlo.tha", "2015-09-28", {"arrests": 3})
    etag, before = _fresh_etag(desk, "chair.nzl")
    desk.submit("nlo.lka", "2015-09-28")  # nothing to report: the sums stay, the time moves
    _, after = _fresh_etag(desk, "chair.nzl", etag)
    assert after["totals"] == before["totals"]
    assert after["updated_at"] >= before["updated_at"]


def test_each_state_gets_its_own_document(desk):
    desk.submit("nlo.tha", "2015-09-28", {"arrests": 3})
    desk.submit("nlo.mys", "2015-09-28", {"arrests": 4})
    tha_etag, tha = _fresh_etag(desk, "nlo.tha")
    mys_etag, mys = _fresh_etag(desk, "nlo.mys")
    assert list(tha["by_state"]) == ["THA"] and list(mys["by_state"]) == ["MYS"]
    assert tha_etag != mys_etag
    # One state's validator is no use to another: it gets its own document, not a 304.
    crossed = _get(desk, "nlo.mys", tha_etag)
    assert crossed.status_code == 200 and list(crossed.get_json()["by_state"]) == ["MYS"]
    chair_etag, chair = _fresh_etag(desk, "chair.nzl")
    assert set(chair["by_state"]) == {"LKA", "MDV", "MYS", "NZL", "THA"}
    assert _get(desk, "chair.nzl", tha_etag).status_code == 200
    assert _get(desk, "analyst", chair_etag).status_code == 304


def test_a_write_made_elsewhere_is_seen_at_once(desk):
    """Another worker (here: the service layer, bypassing this app's HTTP handlers) writes a
    report; the next read of this instance shows it."""
    etag, before = _fresh_etag(desk, "chair.nzl")
    assert before["totals"]["arrests"] == 0
    database = desk.app.extensions["jpa.db"]
    with database.transaction() as session:
        user = session.get(User, desk.users["nlo.mdv"])
        reporting.submit_report(session, actor=Principal.of(user, "elsewhere"),
                                period_id=desk.pid, on=date(2015, 10, 2),
                                values={"arrests": 6})
    _, after = _fresh_etag(desk, "chair.nzl", etag)
    assert after["totals"]["arrests"] == 6 and after["by_state"]["MDV"]["arrests"] == 6


def test_a_state_outside_the_period_gets_404_even_with_a_validator(desk):
    etag, _ = _fresh_etag(desk, "chair.nzl")
    response = _get(desk, "nlo.aus", etag)
    assert response.status_code == 404
    assert "ETag" not in response.headers
