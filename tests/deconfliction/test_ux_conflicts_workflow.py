"""Issue 14, points 2 and 6 through the API: one notice per event to the other party only,
worded by the event and naming the period; resolving needs a choice and a note; a resolution
can be reopened by either party; cancelling needs a reason, told to the other party."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.notify import Notification
from deconfliction.models import ConflictEvent
from tests.conftest import make_settings
from tests.deconfliction.helpers import API, KUALA_LUMPUR, PEOPLE, at, body_text, iso, site

PERIOD_NAME = "Bali Process JPA 2031"
BASE_URL = "http://jpa.test"


@pytest.fixture
def settings(tmp_path, database_url, smtp_server):
    """The test settings, with mail going to the local SMTP server."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port, base_url=BASE_URL)


@pytest.fixture
def conflict(world):
    """THA registers, then MYS registers at the same jetty at the same time: one conflict."""
    tha = world.register("nlo.tha", locations=[site("Jetty", KUALA_LUMPUR)],
                         starts_at=iso(at(4)), ends_at=iso(at(4, 6)))
    mys = world.register("nlo.mys", locations=[site("Jetty too", KUALA_LUMPUR)],
                         starts_at=iso(at(4, 1)), ends_at=iso(at(4, 5)))
    return tha, mys, mys["conflicts"][0]["id"]


def _subjects(world, username):
    return [n["subject"] for n in world.notifications(username)["notifications"]]


def _post(world, username, path, body=None):
    return world.api(username).post(f"{API}{path}", json=body if body is not None else {})


def test_one_notice_per_event_to_the_other_party_never_the_actor(world, conflict):
    _, _, cid = conflict
    assert _post(world, "nlo.tha", f"/conflicts/{cid}/acknowledge").status_code == 200
    assert _post(world, "nlo.mys", f"/conflicts/{cid}/acknowledge").status_code == 200
    assert _post(world, "nlo.mys", f"/conflicts/{cid}/resolve",
                 {"resolution": "joint", "note": "one team at the jetty"}).status_code == 200
    # MYS registered, acknowledged and resolved: THA hears of each once, MYS of THA's one act.
    assert [s.split(" · ")[0] for s in _subjects(world, "nlo.tha")] == [
        f"MYS resolved #{cid}: work jointly — one team at the jetty",
        f"MYS acknowledged conflict #{cid}",
        f"MYS registered an operation that conflicts with yours: #{cid} (Medium)",
    ]
    assert [s.split(" · ")[0] for s in _subjects(world, "nlo.mys")] == [
        f"THA acknowledged conflict #{cid}"]
    for username in ("nlo.tha", "nlo.mys"):
        for item in world.notifications(username)["notifications"]:
            # The period is named; the in-app item has words and a route, no mail text or URL.
            assert item["subject"].endswith(f" · {PERIOD_NAME}")
            assert f"Period: {PERIOD_NAME}" in item["body"]
            assert "http" not in item["body"] and "Details:" not in item["body"]
            assert item["link"] == f"/conflicts/{cid}"
    for bystander in ("nlo.nzl", "chair.nzl", "analyst", "admin"):
        assert world.notifications(bystander)["notifications"] == []


def test_each_event_is_mailed_once_to_the_other_party_with_a_link(world, conflict, smtp_server):
    _, _, cid = conflict
    sink = smtp_server.sink
    before = len(sink.envelopes)
    assert _post(world, "nlo.tha", f"/conflicts/{cid}/acknowledge").status_code == 200
    (message,) = sink.messages[before:]
    assert [a for e in sink.envelopes[before:] for a in e.rcpt_tos] == [
        PEOPLE["nlo.mys"]["email"]]
    assert " ".join(message["Subject"].split()) == (
        f"THA acknowledged conflict #{cid} · {PERIOD_NAME}")
    assert f"{BASE_URL}/conflicts/{cid}" in body_text(message)


def test_opening_a_conflict_marks_its_notices_read_for_that_user_only(world, conflict, client,
                                                                      web):
    tha, _, cid = conflict
    # A second conflict whose notice must stay unread.
    world.register("nlo.mys", locations=[site("Jetty three", KUALA_LUMPUR)],
                   starts_at=iso(at(4, 2)), ends_at=iso(at(4, 3)))
    assert _post(world, "nlo.mys", f"/conflicts/{cid}/acknowledge").status_code == 200
    assert world.notifications("nlo.tha")["unread"] == 3
    assert web.login("nlo.tha").status_code == 302
    assert client.get(f"/conflicts/{cid}").status_code == 200
    inbox = world.notifications("nlo.tha")
    assert inbox["unread"] == 1
    assert [n["read"] for n in inbox["notifications"] if n["link"] == f"/conflicts/{cid}"] == [
        True, True]
    # The other party's items about it are theirs to open.
    assert world.notifications("nlo.mys")["unread"] == 0  # MYS acted: told nothing
    assert tha["id"]


@pytest.mark.parametrize("body", [{"resolution": "joint"}, {"resolution": "joint", "note": ""},
                                  {"resolution": "joint", "note": "   "}])
def test_resolving_without_a_note_is_422_naming_the_note(world, conflict, body):
    _, _, cid = conflict
    response = _post(world, "nlo.tha", f"/conflicts/{cid}/resolve", body)
    assert response.status_code == 422
    assert "note" in response.get_json()["error"]["fields"]
    assert world.conflict("nlo.tha", cid)["status"] == "open"
    assert world.notifications("nlo.mys")["notifications"] == []


@pytest.mark.parametrize("resolver,reopener,told", [("nlo.mys", "nlo.tha", "nlo.mys"),
                                                    ("nlo.mys", "nlo.mys", "nlo.tha")])
def test_either_party_reopens_a_resolution(world, conflict, resolver, reopener, told):
    _, _, cid = conflict
    assert _post(world, resolver, f"/conflicts/{cid}/resolve",
                 {"resolution": "delay", "note": "MYS moves a day"}).status_code == 200
    before = len(world.notifications(told)["notifications"])
    response = _post(world, reopener, f"/conflicts/{cid}/reopen", {"note": "the day moved back"})
    assert response.status_code == 200, response.get_data(as_text=True)
    reopened = response.get_json()
    assert reopened["status"] == "open" and reopened["resolution"] is None
    assert reopened["resolution_note"] is None
    state = PEOPLE[reopener]["state"]
    assert reopened["acknowledged_by"] == [state]  # the reopener acted; the other must look
    detail = world.conflict(told, cid)
    assert detail["history"][-1] == {**detail["history"][-1], "action": "reopened",
                                     "status": "open", "state": state,
                                     "note": "the day moved back"}
    # A co-chair sees that it was reopened, never the note.
    chair = world.conflict("chair.nzl", cid)
    assert chair["status"] == "open" and "note" not in chair["history"][-1]
    inbox = world.notifications(told)["notifications"]
    assert len(inbox) == before + 1
    assert inbox[0]["subject"] == f"{state} reopened #{cid}: the day moved back · {PERIOD_NAME}"
    [audited] = world.audit("conflict.reopened")
    assert audited.actor_username == reopener and audited.object_id == str(cid)


def test_reopening_without_a_note_and_only_a_resolved_conflict(world, conflict):
    _, _, cid = conflict
    response = _post(world, "nlo.tha", f"/conflicts/{cid}/reopen")
    assert response.status_code == 409  # open: nothing to reopen
    assert _post(world, "nlo.tha", f"/conflicts/{cid}/resolve",
                 {"resolution": "proceed", "note": "different days in fact"}).status_code == 200
    assert _post(world, "nlo.tha", f"/conflicts/{cid}/reopen",
                 {"note": "x" * 2001}).status_code == 422
    assert world.conflict("nlo.tha", cid)["status"] == "resolved"
    response = _post(world, "nlo.tha", f"/conflicts/{cid}/reopen")  # {}: no note
    assert response.status_code == 200 and response.get_json()["status"] == "open"
    assert world.notifications("nlo.mys")["notifications"][0]["subject"].startswith(
        f"THA reopened #{cid} · ")


@pytest.mark.parametrize("username", ["nlo.nzl", "nlo.aus", "chair.nzl", "analyst", "admin"])
def test_only_a_party_reopens(world, conflict, username):
    _, _, cid = conflict
    assert _post(world, "nlo.tha", f"/conflicts/{cid}/resolve",
                 {"resolution": "proceed", "note": "fine"}).status_code == 200
    hidden = _post(world, username, f"/conflicts/{cid}/reopen")
    missing = _post(world, username, f"/conflicts/{cid + 100}/reopen")
    assert hidden.status_code in (403, 404)
    if username.startswith("nlo."):
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_json() == missing.get_json()
    assert world.conflict("nlo.tha", cid)["status"] == "resolved"


def test_the_openapi_document_lists_reopen_and_the_required_fields(world):
    document = world.api("nlo.tha").get(f"{API}/openapi.json").get_json()
    assert "post" in document["paths"]["/api/v1/conflicts/{cid}/reopen"]
    schemas = document["components"]["schemas"]
    assert "reason" in schemas["CancelIn"]["required"]
    assert set(schemas["ResolveIn"]["required"]) == {"resolution", "note"}


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "  \n "}, {"reason": "x" * 2001}])
def test_cancelling_without_a_reason_is_422_and_changes_nothing(world, conflict, body):
    _, mys, cid = conflict
    response = _post(world, "nlo.mys", f"/operations/{mys['id']}/cancel", body)
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    assert world.conflict("nlo.tha", cid)["status"] == "open"
    assert world.api("nlo.mys").get(f"{API}/operations/{mys['id']}").get_json()["status"] != \
        "cancelled"


def test_the_reason_for_cancelling_is_told_to_the_other_party(world, conflict):
    _, mys, cid = conflict
    world.cancel("nlo.mys", mys["id"], reason="Suspects left for Penang")
    inbox = world.notifications("nlo.tha")["notifications"]
    assert inbox[0]["subject"] == (
        f"MYS cancelled its operation: conflict #{cid} is cleared · {PERIOD_NAME}")
    assert "Reason given: Suspects left for Penang" in inbox[0]["body"]
    assert world.notifications("nlo.mys")["notifications"] == []  # MYS acted
    history = world.conflict("nlo.tha", cid)["history"]
    assert history[-1]["action"] == "cleared" and history[-1]["state"] == "MYS"
    assert history[-1]["note"] == "Suspects left for Penang"
    assert "note" not in world.conflict("chair.lka", cid)["history"][-1]
    with world.app.extensions["jpa.db"].transaction(write=False) as session:
        cleared = session.scalars(select(ConflictEvent).where(
            ConflictEvent.conflict_id == cid, ConflictEvent.action == "cleared")).all()
        assert len(cleared) == 1
        assert session.scalars(select(Notification)).all()  # stored, not only rendered
