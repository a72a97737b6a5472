"""Idempotency-Key on registration: a client that retries after a dropped connection creates
one operation and gets the first response again; the same key with another body is a 422.
What is stored of the request is an HMAC under a server key, never a plain hash of a body
holding clear target values (a phone number is brute-forced from its SHA-256 in seconds)."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from sqlalchemy import func, select

from core.idempotency import IdempotentResponse
from operations.models import Operation
from tests.conftest import ApiClient
from tests.deconfliction.helpers import API, operation_body
from tests.security.sec_ops_helpers import make_world

PHONE = "+66 81 234 5678"
BODY = operation_body(title="Operation Kite", targets=[
    {"kind": "phone", "value": PHONE, "label": "Kite handset"}])


@pytest.fixture
def world(app, accounts):
    """The deconfliction tests' period and people."""
    return make_world(app, accounts)


def _count(app, model) -> int:
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _post(world, body, key, username="nlo.tha"):
    return world.api(username).post(f"{API}/periods/{world.pid}/operations", json=body,
                                    headers={"Idempotency-Key": key})


def test_a_retry_with_the_same_key_creates_one_operation_and_replays_the_answer(app, world):
    first = _post(world, BODY, "reg-kite-1")
    assert first.status_code == 201, first.get_data(as_text=True)
    again = _post(world, BODY, "reg-kite-1")
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert _count(app, Operation) == 1
    # A new key is a new operation.
    assert _post(world, BODY, "reg-kite-2").status_code == 201
    assert _count(app, Operation) == 2


def test_the_same_key_with_another_body_is_422_and_creates_nothing(app, world):
    assert _post(world, BODY, "reg-once").status_code == 201
    other = {**BODY, "title": "Operation Hawk"}
    response = _post(world, other, "reg-once")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert _count(app, Operation) == 1


def test_an_unusable_key_is_422(app, world):
    response = _post(world, BODY, "x" * 256)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert _count(app, Operation) == 0


def test_a_refused_registration_does_not_use_up_its_key(app, world):
    bad = {**BODY, "ends_at": BODY["starts_at"], "starts_at": BODY["ends_at"]}
    assert _post(world, bad, "reg-fix").status_code == 422
    assert _count(app, IdempotentResponse) == 0
    assert _post(world, BODY, "reg-fix").status_code == 201
    assert _count(app, Operation) == 1


def test_the_stored_request_hash_is_not_a_plain_hash_of_the_body(app, world):
    assert _post(world, BODY, "reg-hash").status_code == 201
    with app.extensions["jpa.db"].transaction(write=False) as session:
        stored = session.scalar(select(IdempotentResponse))
        assert stored is not None
        row = json.dumps([stored.request_hash, stored.body, stored.endpoint])
    assert PHONE not in row and "81 234 5678" not in row
    # Whatever endpoint name the server uses, a plain SHA-256 of it and the body is not it.
    for endpoint in (stored.endpoint, f"register:{world.pid}"):
        material = json.dumps([endpoint, BODY], sort_keys=True, separators=(",", ":"))
        assert stored.request_hash != hashlib.sha256(material.encode()).hexdigest()


def test_two_identical_requests_at_once_create_one_operation(app, world):
    token = world.api("nlo.tha").token
    clients = [ApiClient(app.test_client(), token) for _ in range(2)]
    barrier = threading.Barrier(len(clients))
    answers: list[tuple[int, object]] = []

    def send(client: ApiClient) -> None:
        barrier.wait()
        response = client.post(f"{API}/periods/{world.pid}/operations", json=BODY,
                               headers={"Idempotency-Key": "reg-parallel"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [201, 201], answers
    assert answers[0][1] == answers[1][1]
    assert _count(app, Operation) == 1
