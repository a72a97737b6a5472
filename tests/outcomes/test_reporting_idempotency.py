"""Idempotency-Key on report submission and amendment: the same key and body again returns
the first response and stores nothing; the same key with another body is a 422."""

from __future__ import annotations

import json
import threading

import pytest

from core.idempotency import IdempotentResponse
from outcomes.models import Report, ReportVersion
from tests.conftest import ApiClient
from tests.outcomes.helpers import API, error_of

BODY = {"date": "2015-10-01", "values": {"arrests": 2, "victims_assisted": {"female_adult": 1}}}


def _post(desk, username, body, key, pid=None):
    return desk.api(username).post(f"{API}/periods/{pid or desk.pid}/reports", json=body,
                                   headers={"Idempotency-Key": key})


def test_same_key_and_body_returns_the_first_response_and_stores_one_report(desk):
    first = _post(desk, "nlo.tha", BODY, "sync-2015-10-01-a")
    assert first.status_code == 201, first.get_data(as_text=True)
    again = _post(desk, "nlo.tha", BODY, "sync-2015-10-01-a")
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert desk.count(Report) == 1 and desk.count(ReportVersion) == 1
    assert len(desk.own_reports("nlo.tha")) == 1
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 2


def test_the_same_body_with_its_keys_in_another_order_is_the_same_request(desk):
    first = _post(desk, "nlo.tha", BODY, "k-order")
    reordered = json.loads(json.dumps({"values": {"victims_assisted": {"female_adult": 1},
                                                  "arrests": 2}, "date": "2015-10-01"}))
    again = _post(desk, "nlo.tha", reordered, "k-order")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert desk.count(Report) == 1


def test_same_key_with_another_body_is_422_and_stores_nothing(desk):
    first = _post(desk, "nlo.tha", BODY, "sync-1")
    assert first.status_code == 201
    other = {"date": "2015-10-01", "values": {"arrests": 3}}
    error_of(_post(desk, "nlo.tha", other, "sync-1"), 422, "Idempotency-Key")
    error_of(_post(desk, "nlo.tha", {**BODY, "date": "2015-10-02"}, "sync-1"), 422,
             "Idempotency-Key")
    assert desk.count(Report) == 1 and desk.count(ReportVersion) == 1
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 2
    # The first response is still what the key replays.
    assert _post(desk, "nlo.tha", BODY, "sync-1").get_json() == first.get_json()


def test_without_a_key_each_request_is_a_new_request(desk):
    # The same body again is not replayed: for a day already reported it is the 409 of a
    # second report (one per state, date and operation); another day is a new report.
    url = f"{API}/periods/{desk.pid}/reports"
    first = desk.api("nlo.tha").post(url, json=BODY)
    assert first.status_code == 201
    again = desk.api("nlo.tha").post(url, json=BODY)
    assert error_of(again, 409, "date")["existing_report_id"] == first.get_json()["id"]
    assert desk.api("nlo.tha").post(url, json={**BODY, "date": "2015-10-02"}).status_code == 201
    assert desk.count(Report) == 2
    assert desk.count(IdempotentResponse) == 0


def test_keys_belong_to_their_user(desk):
    a = _post(desk, "nlo.tha", BODY, "shared-key")
    b = _post(desk, "nlo.mys", BODY, "shared-key")
    c = _post(desk, "nlo2.tha", {**BODY, "date": "2015-10-02"}, "shared-key")
    assert a.status_code == b.status_code == c.status_code == 201
    assert len({a.get_json()["id"], b.get_json()["id"], c.get_json()["id"]}) == 3
    assert desk.count(Report) == 3


def test_a_refused_request_does_not_use_up_its_key(desk):
    error_of(_post(desk, "nlo.tha", {"date": "2015-10-01", "values": {"arrests": -1}}, "k1"),
             422, "values.arrests")
    assert desk.count(IdempotentResponse) == 0
    fixed = _post(desk, "nlo.tha", BODY, "k1")
    assert fixed.status_code == 201
    assert desk.count(Report) == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_an_unusable_key_is_422(desk, key):
    error_of(_post(desk, "nlo.tha", BODY, key), 422, "Idempotency-Key")
    assert desk.count(Report) == 0


def test_amend_with_a_key_makes_one_version(desk):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 2})["id"]
    headers = {"Idempotency-Key": "amend-once"}
    first = desk.amend_raw("nlo.tha", rid, {"arrests": 5}, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    again = desk.amend_raw("nlo.tha", rid, {"arrests": 5}, headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert [v["version"] for v in desk.history("nlo.tha", rid)["versions"]] == [1, 2]
    error_of(desk.amend_raw("nlo.tha", rid, {"arrests": 6}, headers=headers), 422,
             "Idempotency-Key")
    assert [v["version"] for v in desk.history("nlo.tha", rid)["versions"]] == [1, 2]
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 5


def test_a_key_used_on_one_endpoint_is_refused_on_another(desk):
    rid = desk.submit("nlo.tha", "2015-10-01", {"arrests": 2})["id"]
    assert _post(desk, "nlo.tha", {**BODY, "date": "2015-10-03"},
                 "one-use").status_code == 201
    error_of(desk.amend_raw("nlo.tha", rid, {"arrests": 5},
                            headers={"Idempotency-Key": "one-use"}), 422, "Idempotency-Key")
    assert [v["version"] for v in desk.history("nlo.tha", rid)["versions"]] == [1]
    other_rid = desk.submit("nlo.tha", "2015-10-02", {"arrests": 1})["id"]
    assert desk.amend_raw("nlo.tha", rid, {"arrests": 5},
                          headers={"Idempotency-Key": "amend-key"}).status_code == 201
    error_of(desk.amend_raw("nlo.tha", other_rid, {"arrests": 5},
                            headers={"Idempotency-Key": "amend-key"}), 422, "Idempotency-Key")
    assert [v["version"] for v in desk.history("nlo.tha", other_rid)["versions"]] == [1]


def test_simultaneous_retries_with_one_key_store_one_report(desk):
    """A client that times out and retries while its first request is still running: every
    copy gets the first response, and one report is stored."""
    token = desk.api("nlo.tha").token
    clients = [ApiClient(desk.app.test_client(), token) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    answers: list[tuple[int, object]] = []

    def send(client: ApiClient) -> None:
        barrier.wait()
        response = client.post(f"{API}/periods/{desk.pid}/reports", json=BODY,
                               headers={"Idempotency-Key": "retry-storm"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert desk.count(Report) == 1
    assert [status for status, _ in answers] == [201] * len(clients), answers
    assert all(body == answers[0][1] for _, body in answers)
