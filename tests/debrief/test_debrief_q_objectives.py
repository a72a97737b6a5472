"""Objectives over the API: seeded once with the concept note's ten expected outcomes on first
read, edited by the period's co-chairs until the period ends (then 409), linked to indicators
whose regional totals appear beside them; everyone else reads, the administrator gets 403."""

from __future__ import annotations

import threading

from debrief.models import Objective
from tests.debrief.debrief_q_support import TEN_TITLES, Debrief, error_fields, world  # noqa: F401
from tests.outcomes.helpers import API


def test_first_read_seeds_the_ten_expected_outcomes_once(world: Debrief) -> None:  # noqa: F811
    assert world.count(Objective) == 0
    first = world.objectives("nlo.tha")
    assert [o["title"] for o in first] == TEN_TITLES
    assert [o["position"] for o in first] == list(range(1, 11))
    assert first[3]["indicator_keys"] == ["victims_assisted", "smuggled_migrants_detected"]
    again = world.objectives("analyst")
    assert [o["id"] for o in again] == [o["id"] for o in first]
    assert world.count(Objective) == 10
    assert [a[0] for a in world.audit()] == ["debrief.seeded"]
    # Each period has its own.
    assert len(world.objectives("chair.nzl", world.live)) == 10
    assert world.count(Objective) == 20


def test_concurrent_first_reads_seed_once(world: Debrief) -> None:  # noqa: F811
    clients = [world.api(name) for name in ("nlo.tha", "nlo.mys", "chair.nzl", "analyst")]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def read(client: object) -> None:
        barrier.wait()
        statuses.append(client.get(f"{API}/periods/{world.pid}/objectives").status_code)  # type: ignore[attr-defined]

    threads = [threading.Thread(target=read, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    assert world.count(Objective) == 10


def test_totals_of_linked_indicators_appear_beside_each_objective(world: Debrief) -> None:  # noqa: F811
    world.room.report("nlo.tha", "2015-10-01", {"arrests": 4, "suspects_identified": 2})
    world.room.report("nlo.mys", "2015-10-02", {"arrests": 3,
                                               "victims_assisted": {"female_child": 2}})
    found = {o["title"]: o for o in world.objectives("nlo.mdv")}
    facilitators = {i["key"]: i["total"] for i in found["Facilitators identified"]["indicators"]}
    assert facilitators == {"suspects_identified": 2, "arrests": 7}
    victims = found["Victims identified and rescued"]["indicators"]
    assert victims[0] == {"key": "victims_assisted", "label": "Trafficked persons assisted",
                          "unit": "persons", "total": 2}
    assert found["Trust"]["indicators"] == []


def test_co_chairs_add_edit_move_and_delete_before_the_end(world: Debrief) -> None:  # noqa: F811
    chair = world.api("chair.lka")
    ids = world.objective_ids(world.live)
    made = chair.post(f"{API}/periods/{world.live}/objectives", json={
        "title": "Document fraud detected", "description": "At the airports.",
        "indicator_keys": ["fraudulent_documents_seized"], "position": 2})
    assert made.status_code == 201, made.get_json()
    new = made.get_json()
    assert new["position"] == 2 and new["indicators"][0]["key"] == "fraudulent_documents_seized"
    order = [o["id"] for o in world.objectives("nlo.tha", world.live)]
    assert order == [ids[0], new["id"], *ids[1:]]

    moved = chair.patch(f"{API}/objectives/{new['id']}", json={"position": 99,
                                                               "title": "Fraud detected"})
    assert moved.status_code == 200 and moved.get_json()["position"] == 11
    assert moved.get_json()["title"] == "Fraud detected"
    edited = chair.patch(f"{API}/objectives/{ids[4]}", json={"indicator_keys": []})
    assert edited.get_json()["indicator_keys"] == []

    assert chair.delete(f"{API}/objectives/{ids[0]}").status_code == 204
    after = world.objectives("analyst", world.live)
    assert [o["position"] for o in after] == list(range(1, 11))
    assert after[0]["id"] == ids[1] and after[-1]["id"] == new["id"]
    actions = [a[0] for a in world.audit()]
    assert actions.count("debrief.objective.created") == 1
    assert actions.count("debrief.objective.updated") == 2
    assert actions.count("debrief.objective.deleted") == 1


def test_edits_after_the_period_ended_are_409_and_change_nothing(world: Debrief) -> None:  # noqa: F811
    ids = world.objective_ids()
    before = world.objectives()
    chair = world.api("chair.nzl")
    assert error_fields(chair.post(f"{API}/periods/{world.pid}/objectives",
                                   json={"title": "Late"}), 409)
    assert error_fields(chair.patch(f"{API}/objectives/{ids[0]}", json={"title": "x"}), 409)
    assert error_fields(chair.delete(f"{API}/objectives/{ids[0]}"), 409)
    assert world.objectives() == before


def test_unknown_indicator_keys_are_422_naming_each(world: Debrief) -> None:  # noqa: F811
    ids = world.objective_ids(world.live)
    before = world.counts()
    chair = world.api("chair.nzl")
    fields = error_fields(chair.post(f"{API}/periods/{world.live}/objectives", json={
        "title": "x", "indicator_keys": ["arrests", "no_such_key", "drop table"]}), 422)
    assert set(fields) == {"indicator_keys[1]", "indicator_keys[2]"}
    fields = error_fields(chair.patch(f"{API}/objectives/{ids[0]}",
                                      json={"indicator_keys": ["nope"]}), 422)
    assert set(fields) == {"indicator_keys[0]"}
    assert set(error_fields(chair.post(f"{API}/periods/{world.live}/objectives",
                                       json={"title": "   "}), 422)) == {"title"}
    assert "position" in error_fields(chair.patch(f"{API}/objectives/{ids[0]}",
                                                  json={"position": 0}), 422)
    assert "position" in error_fields(chair.patch(f"{API}/objectives/{ids[0]}",
                                                  json={"position": True}), 422)
    assert world.counts() == before


def test_who_may_write_and_read(world: Debrief) -> None:  # noqa: F811
    ids = world.objective_ids(world.live)
    url = f"{API}/periods/{world.live}/objectives"
    for username in ("nlo.tha", "analyst", "chair.tha"):  # chair.tha: not a co-chair of it
        assert error_fields(world.api(username).post(url, json={"title": "x"}), 403) == {}
        assert error_fields(world.api(username).patch(f"{API}/objectives/{ids[0]}",
                                                      json={"title": "x"}), 403) == {}
        assert error_fields(world.api(username).delete(f"{API}/objectives/{ids[0]}"), 403) == {}
        assert world.api(username).get(url).status_code == 200
    # The administrator sees nothing of the debrief; a non-participant's NLO sees no period.
    admin = world.api("admin")
    assert error_fields(admin.get(url), 403) == {}
    assert error_fields(admin.get(f"{API}/periods/999999/objectives"), 403) == {}
    assert error_fields(admin.patch(f"{API}/objectives/{ids[0]}", json={"title": "x"}), 403) \
        == {}
    outsider = world.api("nlo.aus")
    assert error_fields(outsider.get(url), 404) == {}
    assert error_fields(outsider.patch(f"{API}/objectives/{ids[0]}", json={"title": "x"}),
                        404) == {}
    assert error_fields(world.api("chair.nzl").patch(f"{API}/objectives/999999",
                                                     json={"title": "x"}), 404) == {}
