"""The conflict workflow: acknowledge, resolve, who may act, and the history of changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.deconfliction.helpers import API, KUALA_LUMPUR, at, iso, site


@pytest.fixture
def conflict(world):
    """An open THA-MYS conflict by place and time; returns (tha op, mys op, conflict id)."""
    tha = world.register("nlo.tha", locations=[site("Jetty", KUALA_LUMPUR)],
                         starts_at=iso(at(4)), ends_at=iso(at(4, 6)))
    mys = world.register("nlo.mys", locations=[site("Jetty too", KUALA_LUMPUR)],
                         starts_at=iso(at(4, 1)), ends_at=iso(at(4, 5)))
    return tha, mys, mys["conflicts"][0]["id"]


def _ack(world, username, cid):
    return world.api(username).post(f"{API}/conflicts/{cid}/acknowledge")


def _resolve(world, username, cid, **body):
    return world.api(username).post(f"{API}/conflicts/{cid}/resolve",
                                    json={"resolution": "delay", "note": "moved a day", **body})


def test_acknowledged_once_both_parties_have_acknowledged(world, conflict):
    _, _, cid = conflict
    first = _ack(world, "nlo.tha", cid)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.json["status"] == "open"
    assert first.json["acknowledged_by"] == ["THA"]
    again = _ack(world, "nlo2.tha", cid)  # another THA officer: still one state
    assert again.json["status"] == "open" and again.json["acknowledged_by"] == ["THA"]
    second = _ack(world, "nlo.mys", cid)
    assert second.status_code == 200
    assert second.json["status"] == "acknowledged"
    assert second.json["acknowledged_by"] == ["MYS", "THA"]
    assert world.conflict("chair.nzl", cid)["status"] == "acknowledged"
    assert world.conflicts("analyst")["counts"]["by_status"] == {"acknowledged": 1}


@pytest.mark.parametrize("resolution", ["proceed", "joint", "delay", "cancel"])
def test_a_party_resolves(world, conflict, resolution):
    _, _, cid = conflict
    response = _resolve(world, "nlo.mys", cid, resolution=resolution, note="agreed by phone")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["status"] == "resolved"
    assert response.json["resolution"] == resolution
    assert response.json["resolution_note"] == "agreed by phone"
    seen_by_other = world.conflict("nlo.tha", cid)
    assert seen_by_other["status"] == "resolved" and seen_by_other["resolution"] == resolution
    assert world.conflict("chair.lka", cid)["status"] == "resolved"


@pytest.mark.parametrize("body", [{"resolution": "ignore"}, {"resolution": ""}, {},
                                  {"resolution": "joint", "note": "x" * 2001},
                                  {"resolution": "joint", "extra": 1}])
def test_a_bad_resolution_is_422(world, conflict, body):
    _, _, cid = conflict
    response = world.api("nlo.tha").post(f"{API}/conflicts/{cid}/resolve", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]
    assert world.conflict("nlo.tha", cid)["status"] == "open"


@pytest.mark.parametrize("username", ["nlo.lka", "nlo.nzl", "nlo.aus"])
def test_a_non_party_nlo_gets_404_like_a_missing_conflict(world, conflict, username):
    _, _, cid = conflict
    for act in (_ack, _resolve):
        hidden, missing = act(world, username, cid), act(world, username, cid + 100)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_json() == missing.get_json()
    assert world.conflict("nlo.tha", cid)["status"] == "open"


@pytest.mark.parametrize("username", ["chair.nzl", "chair.lka", "analyst", "admin"])
def test_only_parties_act_others_get_403(world, conflict, username):
    _, _, cid = conflict
    assert _ack(world, username, cid).status_code == 403
    assert _resolve(world, username, cid).status_code == 403
    assert world.conflict("nlo.tha", cid)["status"] == "open"


def test_acting_on_a_resolved_conflict_is_409(world, conflict):
    _, _, cid = conflict
    assert _resolve(world, "nlo.tha", cid).status_code == 200
    for username in ("nlo.tha", "nlo.mys"):
        for act in (_ack, _resolve):
            response = act(world, username, cid)
            assert response.status_code == 409
            assert response.get_json()["error"]["code"] == "invalid_transition"
    assert world.conflict("nlo.mys", cid)["status"] == "resolved"


def test_acting_on_a_cleared_conflict_is_409(world, conflict):
    _, mys, cid = conflict
    world.cancel("nlo.mys", mys["id"])
    assert world.conflict("nlo.tha", cid)["status"] == "cleared"
    for username in ("nlo.tha", "nlo.mys"):
        assert _ack(world, username, cid).status_code == 409
        assert _resolve(world, username, cid).status_code == 409


def test_an_acknowledged_conflict_may_still_be_resolved(world, conflict):
    _, _, cid = conflict
    _ack(world, "nlo.tha", cid)
    _ack(world, "nlo.mys", cid)
    response = _resolve(world, "nlo.tha", cid, resolution="joint", note="one team")
    assert response.status_code == 200 and response.json["status"] == "resolved"


def test_the_history_says_who_and_when_for_each_change(world, conflict):
    tha, _, cid = conflict
    before = datetime.now().astimezone()
    _ack(world, "nlo.mys", cid)
    _ack(world, "nlo.tha", cid)
    _resolve(world, "nlo.tha", cid, resolution="proceed", note="different targets")
    world.patch("nlo.tha", tha["id"], starts_at=iso(at(10)), ends_at=iso(at(10, 3)))  # clears
    world.patch("nlo.tha", tha["id"], starts_at=iso(at(4)), ends_at=iso(at(4, 3)))  # reopens
    after = datetime.now().astimezone()

    for username in ("nlo.tha", "nlo.mys", "chair.nzl"):
        detail = world.conflict(username, cid)
        history = detail["history"]
        assert [(e["action"], e["status"]) for e in history] == [
            ("detected", "open"), ("acknowledged", "open"), ("acknowledged", "acknowledged"),
            ("resolved", "resolved"), ("cleared", "cleared"), ("reopened", "open")]
        # A party's act names its state; the service's own findings name none, or the state
        # whose registration or edit caused them.
        assert [e["state"] for e in history[1:4]] == ["MYS", "THA", "THA"]
        assert history[0]["state"] in (None, "MYS")
        assert history[4]["state"] in (None, "THA") and history[5]["state"] in (None, "THA")
        moments = [datetime.fromisoformat(e["at"]) for e in history]
        assert moments == sorted(moments)
        assert all(m.utcoffset() is not None for m in moments)
        assert before - timedelta(seconds=5) <= moments[0] and moments[-1] <= after
        # The note is the parties' own: a co-chair reads the resolution's kind only.
        if username == "chair.nzl":
            assert "note" not in history[3]
        else:
            assert history[3]["note"] == "different targets"
        assert detail["status"] == "open"
    # Reopened means a fresh start: nobody has acknowledged it yet.
    reopened = world.conflict("nlo.tha", cid)
    assert reopened["acknowledged_by"] == [] and reopened["resolution"] is None


def _phone(label):
    return [{"kind": "phone", "value": "+66 81 234 5678", "label": label}]


def test_a_conflict_that_grows_after_it_was_settled_is_open_again(world, conflict):
    tha, mys, cid = conflict
    world.patch("nlo.tha", tha["id"], targets=_phone("THA handset"))  # MYS holds no phone yet
    _ack(world, "nlo.tha", cid)
    _ack(world, "nlo.mys", cid)
    assert world.conflict("nlo.tha", cid)["status"] == "acknowledged"
    # A shared target joins the shared place: a new fact the parties have not seen.
    world.patch("nlo.mys", mys["id"], targets=_phone("MYS handset"))
    grown = world.conflict("nlo.tha", cid)
    assert grown["status"] == "open" and grown["acknowledged_by"] == []
    assert grown["severity"] == "high"
    assert (grown["history"][-1]["action"], grown["history"][-1]["status"]) == ("reopened",
                                                                                "open")
    # Told to the other party (MYS edited), worded by the event.
    assert any(n["subject"].startswith(f"MYS changed an operation: conflict #{cid} is open again "
                                       "(High)")
               for n in world.notifications("nlo.tha")["notifications"])
    _resolve(world, "nlo.mys", cid, resolution="joint", note="one team")
    # Renaming a label, or losing a reason, adds nothing to what was settled.
    world.patch("nlo.tha", tha["id"], targets=_phone("THA burner"))
    world.patch("nlo.mys", mys["id"], targets=[])
    settled = world.conflict("nlo.mys", cid)
    assert settled["status"] == "resolved" and settled["resolution"] == "joint"
    assert settled["severity"] == "medium"
    assert [e["action"] for e in settled["history"][-2:]] == ["reasons_changed"] * 2
