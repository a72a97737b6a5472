"""The same indicator key added twice at the same instant: one 201 and one 409, never a 500
(the unique constraint decides the race; the loser gets the domain's AlreadyExists)."""

from __future__ import annotations

import threading
from typing import Any

from outcomes.models import PeriodIndicator
from tests.outcomes.helpers import API

ROUNDS = 6
CALLERS = 3


def test_simultaneous_adds_of_one_key_give_one_201_and_409s(desk):
    # Separate clients, each with its own token; separate database connections come from
    # the engine's pool, one per thread.
    clients = [desk.accounts.api("admin") for _ in range(CALLERS)]
    for client in clients:  # warm each client up so the barrier releases requests, not logins
        assert client.get(f"{API}/periods/{desk.pid}/indicators").status_code == 200
    for round_number in range(ROUNDS):
        key = f"boats_{round_number}"
        barrier = threading.Barrier(CALLERS)
        statuses: list[int] = []
        bodies: list[Any] = []
        lock = threading.Lock()

        def add(client: Any, key: str = key, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            response = client.post(f"{API}/periods/{desk.pid}/indicators", json={
                "key": key, "label": "Boats intercepted", "unit": "items"})
            with lock:
                statuses.append(response.status_code)
                bodies.append(response.get_json())

        threads = [threading.Thread(target=add, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [201] + [409] * (CALLERS - 1), (statuses, bodies)
        refusals = [b for b, s in zip(bodies, statuses, strict=True) if s == 409]
        assert all(b["error"]["code"] == "already_exists" for b in refusals), refusals
        assert all("key" in b["error"]["fields"] for b in refusals), refusals
    assert desk.count(PeriodIndicator) == ROUNDS
    keys = [i["key"] for i in desk.indicators("admin")]
    assert [k for k in keys if k.startswith("boats_")] == [f"boats_{n}" for n in range(ROUNDS)]
