"""How a conflict looks to each role: parties their own side and whom to call, co-chairs
pointers, analysts counts, administrators nothing; anything invisible is a 404."""

from __future__ import annotations

import json

import pytest

from tests.deconfliction.helpers import API, BANGKOK, PEOPLE, at, iso, site

PARTY_FIELDS = {"id", "severity", "status", "reasons", "operation_ids", "counterpart"}
# The conflict's own workflow bookkeeping, which says nothing of the other operation.
PARTY_EXTRAS = {"period_id", "acknowledged_by", "resolution", "resolution_note", "detected_at",
                "updated_at", "history"}
CHAIR_FIELDS = {"id", "severity", "status", "reason_kinds", "operation_ids", "states"}
CHAIR_EXTRAS = {"period_id", "resolution", "detected_at", "updated_at", "history"}
COUNTERPART_FIELDS = {"state", "name", "email", "phone"}

THA_SECRETS = ["Operation Kingfisher", "THA Immigration Bureau", "Khlong Toei pier",
               "Subject Alpha", "Alpha's handset", "Second site Bang Na"]
MYS_SECRETS = ["Ops Harimau", "MYS Marine Police", "Port Klang wharf", "Target Merah",
               "Merah handset"]


def _ints(node):
    """Every integer anywhere in a JSON document."""
    if isinstance(node, bool):
        return
    if isinstance(node, int):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _ints(value)
    elif isinstance(node, list):
        for value in node:
            yield from _ints(value)


@pytest.fixture
def pair(world):
    """THA and MYS operations sharing a passport, a phone and a place; fillers first so that
    operation ids and conflict ids never coincide."""
    for i in range(4):
        world.register("nlo.nzl", title=f"Filler {i}", locations=[site(f"F{i}", (-40.0, 170 + i))])
    tha = world.register(
        "nlo.tha", title=THA_SECRETS[0], lead_agency=THA_SECRETS[1],
        locations=[site(THA_SECRETS[2], BANGKOK), site(THA_SECRETS[5], (13.66, 100.60))],
        targets=[{"kind": "passport", "value": "TP-4455667", "label": THA_SECRETS[3]},
                 {"kind": "phone", "value": "081 234 5678", "label": THA_SECRETS[4]}],
        starts_at=iso(at(6)), ends_at=iso(at(7)))
    mys = world.register(
        "nlo.mys", title=MYS_SECRETS[0], lead_agency=MYS_SECRETS[1],
        locations=[site(MYS_SECRETS[2], BANGKOK)],
        targets=[{"kind": "passport", "value": "tp4455667", "label": MYS_SECRETS[3]},
                 {"kind": "phone", "value": "+66 81-234-5678", "label": MYS_SECRETS[4]}],
        starts_at=iso(at(6, 12)), ends_at=iso(at(8)),
        contact={"name": "Inspector Lim", "email": "lim@mys.example", "phone": "+60 3 555 0199"})
    cid = mys["conflicts"][0]["id"]
    assert cid < tha["id"] and cid < mys["id"]
    return tha, mys, cid


def _party_checks(view, *, own_ids, counterpart, own_labels, other_secrets, other_id):
    assert PARTY_FIELDS <= set(view) <= PARTY_FIELDS | PARTY_EXTRAS, set(view)
    assert view["operation_ids"] == own_ids
    assert view["counterpart"] == counterpart
    assert set(view["counterpart"]) == COUNTERPART_FIELDS
    assert view["severity"] == "high" and view["status"] == "open"
    assert sorted(view["reasons"], key=lambda r: (r["kind"], r.get("target_kind", ""))) == [
        {"kind": "location", "label": own_labels[0]},
        {"kind": "target", "target_kind": "passport", "label": own_labels[1]},
        {"kind": "target", "target_kind": "phone", "label": own_labels[2]},
    ]
    text = json.dumps(view, ensure_ascii=False)
    for secret in other_secrets:
        assert secret not in text
    assert other_id not in set(_ints(view))


def test_each_party_sees_its_own_side_and_whom_to_call(world, pair):
    tha, mys, cid = pair
    tha_nlo = {k: PEOPLE["nlo.tha"][k] for k in ("full_name", "email", "phone")}
    mys_contact = {"state": "MYS", "name": "Inspector Lim", "email": "lim@mys.example",
                   "phone": "+60 3 555 0199"}
    tha_counterpart = {"state": "THA", "name": tha_nlo["full_name"], "email": tha_nlo["email"],
                       "phone": tha_nlo["phone"]}

    mys_views = [mys["conflicts"][0], world.conflicts("nlo.mys")["conflicts"][0],
                 world.conflict("nlo.mys", cid),
                 world.api("nlo.mys").get(f"{API}/operations/{mys['id']}").json["conflicts"][0]]
    for view in mys_views:
        _party_checks(view, own_ids=[mys["id"]], counterpart=tha_counterpart,
                      own_labels=[MYS_SECRETS[2], MYS_SECRETS[3], MYS_SECRETS[4]],
                      other_secrets=THA_SECRETS, other_id=tha["id"])
    tha_views = [world.conflicts("nlo.tha")["conflicts"][0], world.conflict("nlo2.tha", cid),
                 world.api("nlo.tha").get(f"{API}/operations/{tha['id']}").json["conflicts"][0]]
    for view in tha_views:
        _party_checks(view, own_ids=[tha["id"]], counterpart=mys_contact,
                      own_labels=[THA_SECRETS[2], THA_SECRETS[3], THA_SECRETS[4]],
                      other_secrets=MYS_SECRETS, other_id=mys["id"])
    # Not even the whole documents a party can fetch mention the other operation.
    whole = json.dumps([world.conflicts("nlo.mys"), world.conflict("nlo.mys", cid),
                        world.notifications("nlo.mys"),
                        world.api("nlo.mys").get(f"{API}/periods/{world.pid}/operations").json],
                       ensure_ascii=False)
    for secret in THA_SECRETS:
        assert secret not in whole
    assert f"#{tha['id']}" not in whole


def test_a_co_chair_sees_pointers_only(world, pair):
    tha, mys, cid = pair
    for username in ("chair.nzl", "chair.lka"):
        listed = world.conflicts(username)["conflicts"]
        assert len(listed) == 1
        view = listed[0]
        assert CHAIR_FIELDS <= set(view) <= CHAIR_FIELDS | CHAIR_EXTRAS, set(view)
        assert view["id"] == cid
        assert view["operation_ids"] == [tha["id"], mys["id"]]
        assert view["states"] == ["THA", "MYS"]
        assert view["severity"] == "high" and view["status"] == "open"
        assert view["reason_kinds"] == ["location", "target"]
        detail = world.conflict(username, cid)
        assert CHAIR_FIELDS <= set(detail) <= CHAIR_FIELDS | CHAIR_EXTRAS
        text = json.dumps([listed, detail], ensure_ascii=False)
        for secret in THA_SECRETS + MYS_SECRETS + ["Inspector Lim", "lim@mys.example"]:
            assert secret not in text


def test_an_analyst_gets_counts_only(world, pair):
    _, _, cid = pair
    body = world.conflicts("analyst")
    assert set(body) == {"counts"}
    assert body["counts"]["total"] == 1
    assert body["counts"]["by_status"] == {"open": 1}
    assert body["counts"]["by_severity"] == {"high": 1}
    assert world.api("analyst").get(f"{API}/conflicts/{cid}").status_code == 404


def test_an_administrator_may_not_see_conflicts(world, pair):
    _, _, cid = pair
    response = world.api("admin").get(f"{API}/periods/{world.pid}/conflicts")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    hidden = world.api("admin").get(f"{API}/conflicts/{cid}")
    missing = world.api("admin").get(f"{API}/conflicts/{cid + 500}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()


@pytest.mark.parametrize("username", ["nlo.lka", "nlo.nzl", "nlo.aus", "chair.aus", "analyst",
                                      "admin"])
def test_a_conflict_the_caller_is_not_party_to_is_a_404_like_a_missing_one(world, pair,
                                                                           username):
    _, _, cid = pair
    hidden = world.api(username).get(f"{API}/conflicts/{cid}")
    missing = world.api(username).get(f"{API}/conflicts/{cid + 500}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()


@pytest.mark.parametrize("username", ["nlo.lka", "nlo.nzl"])
def test_an_nlo_lists_only_conflicts_involving_its_state(world, pair, username):
    assert world.conflicts(username) == {"conflicts": []}


@pytest.mark.parametrize("username", ["nlo.aus", "chair.aus"])
def test_a_state_outside_the_period_gets_404_on_its_conflicts(world, pair, username):
    hidden = world.api(username).get(f"{API}/periods/{world.pid}/conflicts")
    missing = world.api(username).get(f"{API}/periods/{world.pid + 99}/conflicts")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()


def test_the_list_filters_by_status(world, pair):
    _, _, cid = pair
    assert [c["id"] for c in world.conflicts("nlo.tha", status="open")["conflicts"]] == [cid]
    assert world.conflicts("nlo.tha", status="cleared")["conflicts"] == []
    assert world.conflicts("chair.lka", status="resolved")["conflicts"] == []
    bad = world.api("nlo.tha").get(f"{API}/periods/{world.pid}/conflicts",
                                   query_string={"status": "bogus"})
    assert bad.status_code == 422


IMMIGRATION_DESK = {"name": "Immigration desk", "email": "imm@tha.example",
                    "phone": "+66 2 000"}


@pytest.fixture
def same_state(world):
    """Two THA operations sharing a passport: the first registered by nlo.tha, the second by
    nlo2.tha naming the immigration desk as its contact."""
    first = world.register("nlo.tha", locations=[site("Gate A", BANGKOK)],
                           targets=[{"kind": "passport", "value": "Q1", "label": "Police ref"}])
    second = world.register("nlo2.tha", locations=[site("Gate B", (-40.0, 170.0))],
                            targets=[{"kind": "passport", "value": "q 1", "label": "Immig ref"}],
                            contact=IMMIGRATION_DESK)
    return first, second


def _police_desk():
    person = PEOPLE["nlo.tha"]
    return {"state": "THA", "name": person["full_name"], "email": person["email"],
            "phone": person["phone"]}


def test_a_same_state_pair_shows_both_operations_as_its_own(world, same_state):
    first, second = same_state
    view = world.conflicts("nlo.tha")["conflicts"][0]
    assert view["operation_ids"] == [first["id"], second["id"]]
    assert world.conflicts("nlo.mys") == {"conflicts": []}


def test_each_side_of_a_same_state_pair_is_told_to_call_the_other(world, same_state):
    _, second = same_state
    # Seen by whoever answers for an operation: its own label, the other one's contact.
    police = world.conflicts("nlo.tha")["conflicts"][0]
    assert police["counterpart"] == {"state": "THA", **IMMIGRATION_DESK}
    assert [r["label"] for r in police["reasons"]] == ["Police ref"]
    immigration = world.conflicts("nlo2.tha")["conflicts"][0]
    assert immigration["counterpart"] == _police_desk()
    assert [r["label"] for r in immigration["reasons"]] == ["Immig ref"]
    assert world.conflict("nlo2.tha", immigration["id"])["counterpart"] == _police_desk()
    # An operation's own page shows its conflicts from that operation, whoever looks.
    detail = world.api("nlo.tha").get(f"{API}/operations/{second['id']}").get_json()
    assert detail["conflicts"][0]["counterpart"] == _police_desk()
    assert second["conflicts"][0]["counterpart"] == _police_desk()
    # The other operation's contact is told, naming the registrant's side; the registrant,
    # who acted, is not.
    police_note = world.notifications("nlo.tha")["notifications"][0]
    assert IMMIGRATION_DESK["name"] in police_note["body"]
    assert "Police ref" in police_note["body"] and "Immig ref" not in police_note["body"]
    assert world.notifications("nlo2.tha") == {"unread": 0, "notifications": []}


def test_a_contact_named_in_an_edit_is_whom_the_other_side_calls(world, pair):
    tha, _, cid = pair
    contact = {"name": "Captain Niran", "email": "niran@tha.example", "phone": "+66 2 333 4444"}
    world.patch("nlo.tha", tha["id"], contact=contact)
    assert world.conflict("nlo.mys", cid)["counterpart"] == {"state": "THA", **contact}
    assert world.conflicts("nlo.mys")["conflicts"][0]["counterpart"]["name"] == "Captain Niran"
