"""Reports over the HTTP API: submitting for a local date, values and their validation,
nil reports, operations, amendments with kept versions, retraction, and who may touch what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outcomes.models import Report, ReportValue, ReportVersion
from tests.outcomes.helpers import (
    API,
    PAST_END,
    PAST_START,
    PERSON_CATEGORIES,
    ZONES,
    error_of,
    make_period,
)

VICTIMS = {"female_adult": 2, "male_child": 1}


def _stored(desk):
    return desk.count(Report), desk.count(ReportVersion), desk.count(ReportValue)


def _operation(desk, username, pid=None, starts_at=None, ends_at=None):
    body = {"title": "Airport checks", "type": "airport_checks", "lead_agency": "Police",
            "starts_at": (starts_at or PAST_START + timedelta(days=2)).isoformat(),
            "ends_at": (ends_at or PAST_START + timedelta(days=3)).isoformat(),
            "locations": [{"site": "BKK"}]}
    response = desk.api(username).post(f"{API}/periods/{pid or desk.pid}/operations", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


# ---------------------------------------------------------------- submitting


def test_an_nlo_reports_a_day_of_its_state(desk):
    body = desk.submit("nlo.tha", "2015-10-01",
                       {"arrests": 3, "victims_assisted": VICTIMS, "training_sessions": 0})
    assert body["state"] == "THA" and body["date"] == "2015-10-01"
    assert body["period_id"] == desk.pid and body["version"] == 1
    assert body["values"] == {"arrests": 3, "victims_assisted": VICTIMS, "training_sessions": 0}
    assert body["nil"] is False and body["retracted"] is False
    assert body["operation_id"] is None
    fetched = desk.get_ok("nlo.tha", f"{API}/reports/{body['id']}")
    assert fetched == body
    assert [r["id"] for r in desk.own_reports("nlo.tha")] == [body["id"]]
    assert desk.own_reports("nlo.mys") == []


@pytest.mark.parametrize("values", [None, {}])
def test_a_report_without_values_is_a_nil_report(desk, values):
    body = desk.submit("nlo.mys", "2015-10-02", values)
    assert body["nil"] is True and body["values"] == {}
    completeness = desk.completeness("chair.nzl")
    assert completeness["states"]["MYS"]["2015-10-02"] is True
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 0


def test_a_bare_number_for_a_categorised_indicator_counts_as_unknown(desk):
    body = desk.submit("nlo.tha", "2015-10-01", {"victims_assisted": 4})
    assert body["values"] == {"victims_assisted": {"unknown": 4}}
    totals = desk.totals("chair.nzl")
    assert totals["totals"]["victims_assisted"] == 4
    assert totals["breakdown"]["victims_assisted"]["unknown"] == 4


def test_a_second_report_of_one_day_is_refused_and_the_first_is_amended(desk):
    # One report per state, date and operation: another NLO of the same state amends the
    # first instead of adding to it (arrests 2 then 5 is 5, not 7).
    first = desk.submit("nlo.tha", "2015-10-01", {"arrests": 2})
    error_of(desk.submit_raw("nlo2.tha", "2015-10-01", {"arrests": 5}), 409, "date")
    desk.amend("nlo2.tha", first["id"], {"arrests": 5, "search_warrants": 1})
    totals = desk.totals("nlo.tha")
    assert totals["by_state"]["THA"]["arrests"] == 5
    assert totals["series"]["arrests"] == [{"date": "2015-10-01", "value": 5}]


@pytest.mark.parametrize(("values", "field_name"), [
    ({"no_such_indicator": 1}, "values.no_such_indicator"),
    ({"victims_assisted": {"aliens": 1}}, "values.victims_assisted.aliens"),
    ({"arrests": -1}, "values.arrests"),
    ({"victims_assisted": {"female_adult": -2}}, "values.victims_assisted.female_adult"),
    ({"arrests": 1.5}, "values.arrests"),
    ({"arrests": 2.0}, "values.arrests"),
    ({"arrests": 10**12}, "values.arrests"),
    ({"arrests": 10**40}, "values.arrests"),
    ({"arrests": 1_000_001}, "values.arrests"),
    ({"victims_assisted": {"male_adult": 10**9}}, "values.victims_assisted.male_adult"),
    ({"arrests": "3"}, "values.arrests"),
    ({"arrests": "three"}, "values.arrests"),
    ({"arrests": True}, "values.arrests"),
    ({"arrests": None}, "values.arrests"),
    ({"arrests": [1]}, "values.arrests"),
    ({"arrests": {"unknown": 1}}, "values.arrests"),
    ({"victims_assisted": {"female_child": "1"}}, "values.victims_assisted.female_child"),
    ({"victims_assisted": {"female_child": 0.5}}, "values.victims_assisted.female_child"),
])
def test_bad_values_are_422_naming_the_field_and_store_nothing(desk, values, field_name):
    before = _stored(desk)
    response = desk.submit_raw("nlo.tha", "2015-10-01", {"arrests": 1, **values}
                               if "arrests" not in values else values)
    error = error_of(response, 422, field_name)
    assert error["code"] == "validation_failed"
    assert _stored(desk) == before
    assert desk.own_reports("nlo.tha") == []


def test_every_bad_field_is_named_at_once(desk):
    response = desk.submit_raw("nlo.tha", "2015-12-01",
                               {"arrests": -1, "nope": 2, "victims_assisted": {"x": 1}})
    error_of(response, 422, "date", "values.arrests", "values.nope",
             "values.victims_assisted.x")


@pytest.mark.parametrize(("body", "field_name"), [
    ({"date": "2015-13-01"}, "date"),
    ({"date": "yesterday"}, "date"),
    ({}, "date"),
    ({"date": "2015-10-01", "values": [1, 2]}, "values"),
    ({"date": "2015-10-01", "values": 3}, "values"),
    ({"date": "2015-10-01", "operation_id": "op"}, "operation_id"),
    ({"date": "2015-10-01", "state": "MYS"}, "state"),
])
def test_malformed_bodies_are_422_naming_the_field(desk, body, field_name):
    response = desk.api("nlo.tha").post(f"{API}/periods/{desk.pid}/reports", json=body)
    error_of(response, 422, field_name)
    assert desk.count(Report) == 0


def test_a_report_is_always_for_the_callers_own_state(desk):
    body = desk.submit("nlo.lka", "2015-10-01", {"arrests": 1})
    assert body["state"] == "LKA"


# ---------------------------------------------------------------- local dates


def test_local_dates_differ_by_zone(desk):
    """The window opens at 00:00+07:00 on 28 Sep, which is still 27 Sep in Colombo and Malé."""
    for username in ("nlo.lka", "nlo.mdv"):
        assert desk.submit(username, "2015-09-27")["date"] == "2015-09-27"
    for username in ("nlo.tha", "nlo.mys", "nlo.nzl"):
        error_of(desk.submit_raw(username, "2015-09-27"), 422, "date")
    # It closes at 00:00+07:00 on 28 Oct: already 28 Oct in Kuala Lumpur and Auckland.
    for username in ("nlo.mys", "nlo.nzl"):
        assert desk.submit(username, "2015-10-28")["date"] == "2015-10-28"
    for username in ("nlo.tha", "nlo.lka", "nlo.mdv"):
        error_of(desk.submit_raw(username, "2015-10-28"), 422, "date")
    dates = desk.completeness("chair.nzl")["states"]
    assert min(dates["LKA"]) == min(dates["MDV"]) == "2015-09-27"
    assert min(dates["THA"]) == min(dates["MYS"]) == min(dates["NZL"]) == "2015-09-28"
    assert max(dates["THA"]) == max(dates["LKA"]) == max(dates["MDV"]) == "2015-10-27"
    assert max(dates["MYS"]) == max(dates["NZL"]) == "2015-10-28"


@pytest.mark.parametrize("day", ["2015-09-20", "2015-10-29", "2016-10-01", "2014-10-01"])
def test_dates_outside_the_window_are_refused(desk, day):
    error_of(desk.submit_raw("nlo.tha", day, {"arrests": 1}), 422, "date")
    assert desk.count(Report) == 0


def test_every_date_of_the_window_is_accepted_after_it_has_ended(desk):
    first = PAST_START.astimezone(ZoneInfo(ZONES["THA"])).date()
    for offset in range(30):
        desk.submit("nlo.tha", (first + timedelta(days=offset)).isoformat())
    assert desk.completeness("chair.nzl")["rate"]["THA"] == 1.0


def test_a_future_date_is_refused(desk, live_pid):
    zone = ZoneInfo(ZONES["THA"])
    today = datetime.now(UTC).astimezone(zone).date()
    ok = desk.submit_raw("nlo.tha", today.isoformat(), {"arrests": 1}, pid=live_pid)
    assert ok.status_code == 201, ok.get_data(as_text=True)
    for ahead in (2, 5):
        response = desk.submit_raw("nlo.tha", (today + timedelta(days=ahead)).isoformat(),
                                   {"arrests": 1}, pid=live_pid)
        error = error_of(response, 422, "date")
        assert "future" in error["fields"]["date"]
    assert len(desk.own_reports("nlo.tha", pid=live_pid)) == 1


# ---------------------------------------------------------------- operations


def test_a_report_may_name_one_of_the_states_own_operations(desk):
    oid = _operation(desk, "nlo.tha")
    body = desk.submit("nlo.tha", "2015-09-30", {"arrests": 2}, operation_id=oid)
    assert body["operation_id"] == oid


def test_an_operation_of_another_state_is_refused(desk):
    oid = _operation(desk, "nlo.mys")
    error = error_of(desk.submit_raw("nlo.tha", "2015-09-30", {"arrests": 2}, operation_id=oid),
                     422, "operation_id")
    assert set(error["fields"]) == {"operation_id"}
    assert desk.count(Report) == 0


@pytest.mark.parametrize("which", ["missing", "other_period"])
def test_an_unknown_operation_or_one_of_another_period_is_refused(desk, which):
    if which == "missing":
        oid = 987654
    else:
        other = make_period(desk.api("admin"), "Other JPA", PAST_START, PAST_END, ["THA"], [])
        oid = _operation(desk, "nlo.tha", pid=other)
    error_of(desk.submit_raw("nlo.tha", "2015-09-30", {"arrests": 2}, operation_id=oid), 422,
             "operation_id")
    assert desk.count(Report) == 0


# ---------------------------------------------------------------- who may report


@pytest.mark.parametrize(("username", "status"), [
    ("chair.nzl", 403), ("analyst", 403), ("admin", 403), ("nlo.aus", 404)])
def test_only_an_nlo_of_a_participating_state_reports(desk, username, status):
    error_of(desk.submit_raw(username, "2015-10-01", {"arrests": 1}), status)
    assert desk.count(Report) == 0


def test_unauthenticated_is_401(desk):
    response = desk.app.test_client().post(f"{API}/periods/{desk.pid}/reports",
                                           json={"date": "2015-10-01"})
    error_of(response, 401)


# ---------------------------------------------------------------- amending


def test_amend_makes_a_new_version_and_keeps_the_old(desk):
    first = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3, "victims_assisted": VICTIMS})
    rid = first["id"]
    second = desk.amend("nlo.tha", rid, {"arrests": 4}, note="one more arrest confirmed")
    assert second["id"] == rid and second["version"] == 2
    assert second["values"] == {"arrests": 4}
    third = desk.amend("nlo2.tha", rid, {})
    assert third["version"] == 3 and third["nil"] is True
    history = desk.history("nlo.tha", rid)
    assert history["report_id"] == rid and history["retracted"] is False
    versions = history["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["values"] == {"arrests": 3, "victims_assisted": VICTIMS}
    assert versions[1]["values"] == {"arrests": 4}
    assert versions[1]["note"] == "one more arrest confirmed"
    assert versions[2]["values"] == {} and versions[2]["nil"] is True
    assert [v["created_at"] for v in versions] == sorted(v["created_at"] for v in versions)
    assert desk.get_ok("nlo.tha", f"{API}/reports/{rid}")["version"] == 3
    # Totals follow the current version only; a nil amendment still counts as reported.
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 0
    assert desk.completeness("chair.nzl")["states"]["THA"]["2015-10-01"] is True


def test_a_bad_amendment_is_422_and_changes_nothing(desk):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})["id"]
    error_of(desk.amend_raw("nlo.tha", rid, {"arrests": -3}), 422, "values.arrests")
    error_of(desk.amend_raw("nlo.tha", rid, {"victims_assisted": {"x": 1}}), 422,
             "values.victims_assisted.x")
    assert [v["version"] for v in desk.history("nlo.tha", rid)["versions"]] == [1]
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 3


# ---------------------------------------------------------------- retracting


def test_a_retracted_report_is_kept_with_its_reason_and_drops_out(desk):
    keep = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})
    gone = desk.submit("nlo.tha", "2015-10-02", {"arrests": 5, "victims_assisted": VICTIMS})
    before = desk.totals("chair.nzl")
    assert before["totals"]["arrests"] == 8 and before["totals"]["victims_assisted"] == 3
    body = desk.retract("nlo.tha", gone["id"], "  sent for the wrong day  ")
    assert body["retracted"] is True and body["retraction_reason"] == "sent for the wrong day"
    after = desk.totals("chair.nzl")
    assert after["totals"]["arrests"] == 3 and after["totals"]["victims_assisted"] == 0
    assert after["by_state"]["THA"]["arrests"] == 3
    assert after["breakdown"]["victims_assisted"] == dict.fromkeys(PERSON_CATEGORIES, 0)
    assert after["series"]["arrests"] == [{"date": "2015-10-01", "value": 3}]
    assert "victims_assisted" not in after["series"]
    grid = desk.completeness("chair.nzl")["states"]["THA"]
    assert grid["2015-10-01"] is True and grid["2015-10-02"] is False
    history = desk.history("nlo.tha", gone["id"])
    assert history["retracted"] is True
    assert history["retraction_reason"] == "sent for the wrong day"
    assert [v["values"] for v in history["versions"]] == [
        {"arrests": 5, "victims_assisted": VICTIMS}]
    fetched = desk.get_ok("nlo.tha", f"{API}/reports/{gone['id']}")
    assert fetched["retracted"] is True
    assert {r["id"] for r in desk.own_reports("nlo.tha")} == {keep["id"], gone["id"]}


def test_a_retracted_report_cannot_be_amended_or_retracted_again(desk):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})["id"]
    desk.retract("nlo.tha", rid)
    error_of(desk.amend_raw("nlo.tha", rid, {"arrests": 4}), 409)
    error_of(desk.retract_raw("nlo.tha", rid), 409)
    assert [v["version"] for v in desk.history("nlo.tha", rid)["versions"]] == [1]
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_retraction_needs_a_reason(desk, reason):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})["id"]
    error_of(desk.retract_raw("nlo.tha", rid, reason), 422, "reason")
    error_of(desk.api("nlo.tha").post(f"{API}/reports/{rid}/retract", json={}), 422, "reason")
    assert desk.history("nlo.tha", rid)["retracted"] is False
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 3


def test_a_report_sent_again_after_a_retraction_keeps_the_day_reported(desk):
    first = desk.submit("nlo.mys", "2015-10-05", {"arrests": 1})
    desk.retract("nlo.mys", first["id"])
    assert desk.completeness("chair.nzl")["states"]["MYS"]["2015-10-05"] is False
    desk.submit("nlo.mys", "2015-10-05")
    assert desk.completeness("chair.nzl")["states"]["MYS"]["2015-10-05"] is True


# ---------------------------------------------------------------- need-to-know


@pytest.mark.parametrize("username", ["nlo.mys", "nlo.aus", "chair.nzl", "chair.tha",
                                      "analyst", "admin"])
def test_someone_elses_report_is_404(desk, username):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})["id"]
    client = desk.api(username)
    error_of(client.get(f"{API}/reports/{rid}"), 404)
    error_of(client.get(f"{API}/reports/{rid}/history"), 404)
    error_of(client.post(f"{API}/reports/{rid}/amend", json={"values": {"arrests": 0}}), 404)
    error_of(client.post(f"{API}/reports/{rid}/retract", json={"reason": "mine now"}), 404)
    # The same answer as for an id that does not exist.
    missing = client.get(f"{API}/reports/{rid + 1000}/history")
    error_of(missing, 404)
    assert missing.get_json()["error"]["code"] == client.get(
        f"{API}/reports/{rid}/history").get_json()["error"]["code"]
    history = desk.history("nlo.tha", rid)
    assert [v["values"] for v in history["versions"]] == [{"arrests": 3}]
    assert history["retracted"] is False


def test_another_nlo_of_the_same_state_may_amend(desk):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})["id"]
    assert desk.amend("nlo2.tha", rid, {"arrests": 2})["version"] == 2


def test_the_reports_list_is_the_nlos_own_state_only(desk):
    desk.submit("nlo.tha", "2015-10-01", {"arrests": 3})
    desk.submit("nlo.mys", "2015-10-01", {"arrests": 1})
    assert {r["state"] for r in desk.own_reports("nlo.tha")} == {"THA"}
    assert {r["state"] for r in desk.own_reports("nlo2.tha")} == {"THA"}
    for username in ("chair.nzl", "analyst"):
        error_of(desk.api(username).get(f"{API}/periods/{desk.pid}/reports"), 403)
    error_of(desk.api("nlo.aus").get(f"{API}/periods/{desk.pid}/reports"), 404)
