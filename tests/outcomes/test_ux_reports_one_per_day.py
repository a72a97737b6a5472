"""One report per state, date and operation (issue 14, point 4): a second is a 409 whose error
envelope points to the first (its id and URL), which is amended instead; per operation and
"no operation" are separate keys; a retracted report frees its day; two simultaneous posts give
one 201 and one 409. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from outcomes.models import Report, ReportValue, ReportVersion
from tests.conftest import ApiClient
from tests.outcomes.helpers import API, PAST_START, error_of

DAY = "2015-10-05"


def _operation(desk: Any, username: str) -> int:
    body = {"title": "Transit hub checks", "type": "transit_hub_checks", "lead_agency": "Police",
            "starts_at": (PAST_START + timedelta(days=2)).isoformat(),
            "ends_at": (PAST_START + timedelta(days=3)).isoformat(),
            "locations": [{"site": "KUL"}]}
    response = desk.api(username).post(f"{API}/periods/{desk.pid}/operations", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _stored(desk: Any) -> tuple[int, int, int]:
    return desk.count(Report), desk.count(ReportVersion), desk.count(ReportValue)


def test_a_second_report_is_a_409_pointing_to_the_first_and_changes_nothing(desk):
    first = desk.submit("nlo.tha", DAY, {"arrests": 4})
    before = _stored(desk)
    error = error_of(desk.submit_raw("nlo.tha", DAY, {"arrests": 1}), 409, "date")
    assert error["code"] == "already_exists"
    assert error["existing_report_id"] == first["id"]
    assert error["existing_report_url"] == f"{API}/reports/{first['id']}"
    assert f"#{first['id']}" in error["fields"]["date"] and "amend" in error["fields"]["date"]
    assert _stored(desk) == before
    # Arrests 4 then 1 is not 5: the second was refused, and the total is the first's.
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 4
    # The pointer is usable as given: the owner reads and amends the first report there.
    assert desk.get_ok("nlo.tha", error["existing_report_url"])["values"] == {"arrests": 4}
    desk.amend("nlo.tha", first["id"], {"arrests": 5})
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 5


def test_a_nil_report_also_holds_its_day(desk):
    nil = desk.submit("nlo.mys", DAY, {})
    error = error_of(desk.submit_raw("nlo.mys", DAY, {"arrests": 2}), 409, "date")
    assert error["existing_report_id"] == nil["id"]
    error_of(desk.submit_raw("nlo.mys", DAY), 409, "date")
    assert desk.count(Report) == 1


def test_another_nlo_of_the_same_state_meets_the_same_409(desk):
    first = desk.submit("nlo.tha", DAY, {"arrests": 4})
    error = error_of(desk.submit_raw("nlo2.tha", DAY, {"arrests": 1}), 409, "date")
    assert error["existing_report_id"] == first["id"]


def test_other_states_and_other_dates_are_other_reports(desk):
    desk.submit("nlo.tha", DAY, {"arrests": 4})
    desk.submit("nlo.mys", DAY, {"arrests": 1})
    desk.submit("nlo.tha", "2015-10-06", {"arrests": 2})
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 7


def test_each_operation_and_no_operation_are_separate_keys(desk):
    one, two = _operation(desk, "nlo.tha"), _operation(desk, "nlo.tha")
    plain = desk.submit("nlo.tha", DAY, {"arrests": 1})
    on_one = desk.submit("nlo.tha", DAY, {"arrests": 2}, operation_id=one)
    desk.submit("nlo.tha", DAY, {"arrests": 3}, operation_id=two)
    error = error_of(desk.submit_raw("nlo.tha", DAY, {"arrests": 9}, operation_id=one), 409,
                     "date")
    assert error["existing_report_id"] == on_one["id"]
    assert f"operation #{one}" in error["message"]
    # No operation (NULL) twice is a duplicate too, although NULLs differ in a unique index.
    error = error_of(desk.submit_raw("nlo.tha", DAY, {"arrests": 9}), 409, "date")
    assert error["existing_report_id"] == plain["id"]
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 6


def test_a_retracted_report_frees_its_day(desk):
    first = desk.submit("nlo.tha", DAY, {"arrests": 4})
    desk.retract("nlo.tha", first["id"], "sent for the wrong day")
    again = desk.submit("nlo.tha", DAY, {"arrests": 1})
    assert again["id"] != first["id"]
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 1
    error = error_of(desk.submit_raw("nlo.tha", DAY, {"arrests": 2}), 409, "date")
    assert error["existing_report_id"] == again["id"]


def test_a_second_report_is_409_in_the_openapi_document(desk):
    document = desk.app.test_client().get(f"{API}/openapi.json").get_json()
    operation = document["paths"]["/api/v1/periods/{pid}/reports"]["post"]
    assert "409" in operation["responses"]
    schemas = document["components"]["schemas"]
    detail = next(s for name, s in schemas.items() if name.startswith("ErrorDetail"))
    assert {"existing_report_id", "existing_report_url"} <= set(detail["properties"])


def test_simultaneous_reports_of_one_day_give_one_201_and_one_409(desk):
    """Two NLOs of one state post the same day at the same instant, round after round: the
    unique index decides, the loser gets the 409 that names the winner, never a 500."""
    callers = [ApiClient(desk.app.test_client(), desk.api(name).token)
               for name in ("nlo.tha", "nlo2.tha")]
    for client in callers:  # warm up, so that the barrier releases reports, not first calls
        assert client.get(f"{API}/periods/{desk.pid}/reports").status_code == 200
    days = [f"2015-10-{n:02d}" for n in range(1, 9)]
    for day in days:
        barrier = threading.Barrier(len(callers))
        answers: list[tuple[int, Any]] = []
        lock = threading.Lock()

        def send(client: ApiClient, day: str = day, barrier: threading.Barrier = barrier,
                 ) -> None:
            barrier.wait()
            response = client.post(f"{API}/periods/{desk.pid}/reports",
                                   json={"date": day, "values": {"arrests": 1}})
            with lock:
                answers.append((response.status_code, response.get_json()))

        threads = [threading.Thread(target=send, args=(c,)) for c in callers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201, 409], answers
        created = next(body for status, body in answers if status == 201)
        refused = next(body for status, body in answers if status == 409)
        assert refused["error"]["code"] == "already_exists"
        assert refused["error"]["existing_report_id"] == created["id"]
    assert desk.count(Report) == len(days)
    assert desk.totals("chair.nzl")["totals"]["arrests"] == len(days)
