"""Two NLOs of one state at the same instant: two first drafts leave one response; two
submissions lock it once (one 200, one 409); the co-chairs are told once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from debrief.models import Response
from tests.debrief.debrief_q_support import Debrief, world  # noqa: F401


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_first_drafts_at_once_leave_one_response(world: Debrief) -> None:  # noqa: F811
    one, two = world.answers(worked="one"), world.answers(worked="two")
    first, second = world.api("nlo.tha"), world.api("nlo2.tha")
    url = f"/api/v1/periods/{world.pid}/debrief/responses/THA"
    results = _at_once(lambda: first.put(url, json=one), lambda: second.put(url, json=two))
    assert [r.status_code for r in results] == [200, 200]
    assert world.count(Response) == 1
    assert world.stored_responses()[0][2] in ("one", "two")


def test_two_submissions_at_once_lock_once(world: Debrief) -> None:  # noqa: F811
    assert world.put("nlo.tha", "THA", world.answers()).status_code == 200
    first, second = world.api("nlo.tha"), world.api("nlo2.tha")
    url = f"/api/v1/periods/{world.pid}/debrief/responses/THA/submit"
    results = _at_once(lambda: first.post(url), lambda: second.post(url))
    assert sorted(r.status_code for r in results) == [200, 409]
    assert world.notifications_of("chair.nzl") == [
        "Debrief: THA has submitted its questionnaire"]
    assert len(world.audit_rows("debrief.response.submitted")) == 1
