"""Operations over the HTTP API: registration, validation, visibility, editing, cancelling,
and the stored versus derived status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.deconfliction.helpers import (
    API,
    BANGKOK,
    PERIOD_END,
    PERIOD_START,
    at,
    iso,
    make_period,
    operation_body,
    site,
)

FULL_FIELDS = {"id", "period_id", "state", "title", "type", "lead_agency", "starts_at",
               "ends_at", "status", "locations", "targets", "contact"}
# Bookkeeping an owner may also see of its own operation.
FULL_EXTRAS = {"registered_by", "created_at", "updated_at", "conflicts"}
SUMMARY_FIELDS = {"id", "state", "type", "status", "starts_at", "ends_at"}
SUMMARY_EXTRAS = {"period_id"}
DETAIL_ONLY = {"title", "lead_agency", "locations", "targets", "contact", "conflicts"}
BANGKOK_PLUS_7 = "+07:00"


def _error(response, status):
    assert response.status_code == status, (response.status_code,
                                            response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]


def _count(world, username="chair.nzl"):
    response = world.api(username).get(f"{API}/periods/{world.pid}/operations")
    assert response.status_code == 200
    return len(response.get_json()["operations"])


# ---------------------------------------------------------------- registering


def test_registration_returns_the_operation_in_full_with_targets_as_kind_and_label(world):
    body = world.register(
        "nlo.tha", title="Operation Monsoon", type="transit_hub_checks",
        lead_agency="Royal Thai Police", starts_at=iso(at(2, 6)), ends_at=iso(at(4, 18)),
        locations=[site("Hua Lamphong", (13.7380, 100.5170), radius_m=250),
                   site("Mo Chit", (13.8120, 100.5480)),
                   {"site": "BKK"}, {"name": "Don Mueang cargo", "site": "dmk"}],
        targets=[{"kind": "phone", "value": "081 555 0101", "label": "Broker phone"},
                 {"kind": "person", "value": "Somsak Example", "label": "Subject A",
                  "dob": "1979-04-01"}],
        contact={"name": "Duty desk", "email": "desk@tha.example", "phone": "+66 2 111 2222"})

    assert FULL_FIELDS <= set(body) <= FULL_FIELDS | FULL_EXTRAS
    assert body["state"] == "THA" and body["period_id"] == world.pid
    assert body["title"] == "Operation Monsoon" and body["lead_agency"] == "Royal Thai Police"
    assert body["type"] == "transit_hub_checks"
    assert body["status"] == "planned"
    assert body["conflicts"] == []
    assert body["targets"] == [{"kind": "phone", "label": "Broker phone"},
                               {"kind": "person", "label": "Subject A"}]
    first, second, airport, named_airport = body["locations"]
    assert first["name"] == "Hua Lamphong" and first["radius_m"] == 250
    assert second["radius_m"] == 500  # the default radius
    assert airport["site"] == "BKK" and "Suvarnabhumi" in airport["name"]
    assert airport["lat"] == pytest.approx(13.68, abs=0.05)
    assert airport["lon"] == pytest.approx(100.75, abs=0.05)
    assert named_airport["site"] == "DMK" and named_airport["name"] == "Don Mueang cargo"
    assert body["contact"] == {"name": "Duty desk", "email": "desk@tha.example",
                               "phone": "+66 2 111 2222"}
    text = json.dumps(body)
    for secret in ("081 555 0101", "+66815550101", "Somsak", "1979-04-01", "value", "dob"):
        assert secret not in text


def test_registration_reads_back_the_same_through_get(world):
    """A window given with an offset is the same instant, in the same form, on POST and GET."""
    created = world.register("nlo.tha", starts_at="2031-10-02T07:00:00+07:00",
                             ends_at="2031-10-02T19:30:00+07:00")
    fetched = world.api("nlo.tha").get(f"{API}/operations/{created['id']}")
    assert fetched.status_code == 200
    assert datetime.fromisoformat(created["starts_at"]) == at(4)
    assert datetime.fromisoformat(fetched.json["ends_at"]) == at(4, 12, 30)
    assert fetched.json == created


@pytest.mark.parametrize(("fields", "field"), [
    ({"starts_at": "2031-10-02T00:00:00"}, "starts_at"),
    ({"ends_at": "2031-10-03T00:00:00"}, "ends_at"),
    ({"starts_at": iso(PERIOD_START - timedelta(minutes=1))}, "starts_at"),
    ({"ends_at": iso(PERIOD_END + timedelta(minutes=1))}, "ends_at"),
    ({"starts_at": iso(at(3)), "ends_at": iso(at(3))}, "ends_at"),
    ({"starts_at": iso(at(3)), "ends_at": iso(at(2))}, "ends_at"),
    ({"locations": [site("Pole", (0, 0)), {"name": "x", "lat": 90.001, "lon": 0}]},
     "locations[1].lat"),
    ({"locations": [{"name": "x", "lat": -90.5, "lon": 0}]}, "locations[0].lat"),
    ({"locations": [{"name": "x", "lat": 0, "lon": 180.01}]}, "locations[0].lon"),
    ({"locations": [{"name": "x", "lat": 0, "lon": -181}]}, "locations[0].lon"),
    ({"locations": [{"name": "x", "lat": 0, "lon": 0, "radius_m": 9.99}]},
     "locations[0].radius_m"),
    ({"locations": [{"name": "x", "lat": 0, "lon": 0, "radius_m": 50_000.5}]},
     "locations[0].radius_m"),
    ({"locations": [{"site": "BKK"}, {"site": "QQQ"}]}, "locations[1].site"),
    ({"locations": []}, "locations"),
    ({"locations": None}, "locations"),
    ({"type": "raid"}, "type"),
    ({"title": None}, "title"),
    ({"lead_agency": ""}, "lead_agency"),
    ({"targets": [{"kind": "dna", "value": "x", "label": "y"}]}, "targets[0].kind"),
    ({"targets": [{"kind": "email", "value": "a@b.example"}]}, "targets[0].label"),
])
def test_bad_registrations_are_422_naming_the_field_and_store_nothing(world, fields, field):
    before = _count(world)
    error = _error(world.register_raw("nlo.tha", **fields), 422)
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert error["fields"][field].strip()
    assert _count(world) == before


def test_boundary_values_are_accepted(world):
    body = world.register(
        "nlo.mys", starts_at=iso(PERIOD_START), ends_at=iso(PERIOD_END),
        locations=[{"name": "N", "lat": 90, "lon": 180, "radius_m": 10},
                   {"name": "S", "lat": -90, "lon": -180, "radius_m": 50_000}])
    assert [(loc["lat"], loc["lon"], loc["radius_m"]) for loc in body["locations"]] == [
        (90, 180, 10), (-90, -180, 50_000)]


@pytest.mark.parametrize(("target", "sub_field"), [
    ({"kind": "phone", "value": "12-CANARY-34"}, "value"),
    ({"kind": "phone", "value": "+66 1"}, "value"),
    ({"kind": "vessel", "value": "IMO 9074728"}, "value"),  # wrong check digit
    ({"kind": "iban", "value": "GB00WEST77311234567731"}, "value"),  # wrong checksum
    ({"kind": "email", "value": "quill.at.feather"}, "value"),
    ({"kind": "passport", "value": "-- // --"}, "value"),
    ({"kind": "person", "value": "Quill Feather", "dob": "1999-02-30"}, "dob"),
    ({"kind": "person", "value": "Quill Feather", "dob": "31/12/1999"}, "dob"),
    ({"kind": "passport", "value": "QF1234567", "dob": "1999-01-01"}, "dob"),
])
def test_an_invalid_identifier_is_422_naming_the_target_never_quoting_it(world, target,
                                                                          sub_field):
    targets = [{"kind": "email", "value": "fine@one.example", "label": "One"},
               {"kind": "passport", "value": "AB123", "label": "Two"},
               {**target, "label": "Three"}]
    before = _count(world)
    response = world.register_raw("nlo.tha", targets=targets)
    error = _error(response, 422)
    assert f"targets[2].{sub_field}" in error["fields"], error
    assert set(error["fields"]) == {f"targets[2].{sub_field}"}
    text = response.get_data(as_text=True)
    for submitted in target.values():
        if submitted not in ("phone", "vessel", "iban", "email", "passport", "person"):
            assert submitted not in text
            assert submitted.lower() not in text.lower()
    assert _count(world) == before


@pytest.mark.parametrize("name", ["owner", "state", "status", "conflicts", "id", "period_id",
                                  "registered_by", "owner_state"])
def test_fields_outside_the_registration_cannot_be_set(world, name):
    value = {"owner": "MYS", "state": "MYS", "status": "active", "conflicts": [], "id": 9999,
             "period_id": world.pid, "registered_by": 1, "owner_state": "MYS"}[name]
    error = _error(world.register_raw("nlo.tha", **{name: value}), 422)
    assert name in error["fields"], error
    created = world.register("nlo.tha", title="Kept as it is")
    response = world.api("nlo.tha").patch(f"{API}/operations/{created['id']}",
                                          json={"title": "Changed", name: value})
    error = _error(response, 422)
    assert name in error["fields"], error
    after = world.api("nlo.tha").get(f"{API}/operations/{created['id']}").json
    assert after["title"] == "Kept as it is" and after["state"] == "THA"
    assert after["status"] == "planned" and after["id"] == created["id"]


# ---------------------------------------------------------------- who sees what


def test_owner_state_sees_its_operations_in_full_and_no_one_elses(world):
    tha = world.register("nlo.tha", title="THA secret title")
    mys = world.register("nlo.mys", title="MYS secret title")

    for username in ("nlo.tha", "nlo2.tha"):  # any NLO of the owning state
        listed = world.api(username).get(f"{API}/periods/{world.pid}/operations").json
        assert [op["id"] for op in listed["operations"]] == [tha["id"]]
        assert listed["operations"][0]["title"] == "THA secret title"
        detail = world.api(username).get(f"{API}/operations/{tha['id']}")
        assert detail.status_code == 200
        assert FULL_FIELDS <= set(detail.json)
    listed = world.api("nlo.mys").get(f"{API}/periods/{world.pid}/operations").json
    assert [op["id"] for op in listed["operations"]] == [mys["id"]]
    assert "THA secret title" not in json.dumps(listed)


@pytest.mark.parametrize("username", ["chair.nzl", "chair.lka", "analyst"])
def test_co_chairs_and_analysts_see_summaries_only(world, username):
    tha = world.register("nlo.tha", title="THA secret title", lead_agency="THA agency",
                         locations=[site("THA secret site", BANGKOK)],
                         targets=[{"kind": "email", "value": "x@y.example", "label": "THA lbl"}])
    mys = world.register("nlo.mys", title="MYS secret title")
    listed = world.api(username).get(f"{API}/periods/{world.pid}/operations")
    assert listed.status_code == 200
    operations = listed.json["operations"]
    assert sorted(op["id"] for op in operations) == sorted([tha["id"], mys["id"]])
    for op in operations:
        assert SUMMARY_FIELDS <= set(op) <= SUMMARY_FIELDS | SUMMARY_EXTRAS
    detail = world.api(username).get(f"{API}/operations/{tha['id']}")
    assert detail.status_code == 200
    assert SUMMARY_FIELDS <= set(detail.json) <= SUMMARY_FIELDS | SUMMARY_EXTRAS
    assert detail.json["state"] == "THA" and detail.json["type"] == "airport_checks"
    assert detail.json["status"] == "planned"
    assert detail.json["starts_at"] == tha["starts_at"]
    text = json.dumps([listed.json, detail.json])
    for secret in ("secret title", "THA agency", "THA secret site", "THA lbl"):
        assert secret not in text


@pytest.mark.parametrize("username", ["nlo.mys", "nlo.lka", "admin", "nlo.aus", "chair.aus"])
def test_an_operation_the_caller_may_not_see_is_a_404_like_a_missing_one(world, username):
    tha = world.register("nlo.tha")
    missing = world.api(username).get(f"{API}/operations/{tha['id'] + 1000}")
    hidden = world.api(username).get(f"{API}/operations/{tha['id']}")
    assert missing.status_code == hidden.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert hidden.get_data() == missing.get_data()


def test_admin_may_not_list_operations(world):
    world.register("nlo.tha")
    error = _error(world.api("admin").get(f"{API}/periods/{world.pid}/operations"), 403)
    assert error["code"] == "forbidden"


@pytest.mark.parametrize("username", ["nlo.aus", "chair.aus"])
def test_a_state_outside_the_period_gets_404_on_its_operations(world, username):
    world.register("nlo.tha")
    missing = world.api(username).get(f"{API}/periods/{world.pid + 1000}/operations")
    hidden = world.api(username).get(f"{API}/periods/{world.pid}/operations")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()


def test_an_nlo_cannot_register_in_a_period_its_state_is_not_in(world):
    error = _error(world.register_raw("nlo.aus"), 404)
    assert error["code"] == "not_found"


def test_bad_fields_in_a_period_the_state_is_not_in_are_still_a_404(world):
    """Targets and sites are checked before the period is (outside the write transaction):
    their problems must not answer for a period the caller may not see."""
    response = world.register_raw("nlo.aus", locations=[{"site": "QQQ"}],
                                  targets=[{"kind": "phone", "value": "12", "label": "x"}])
    assert _error(response, 404)["code"] == "not_found"


def test_every_problem_of_a_registration_is_reported_at_once(world):
    before = _count(world)
    response = world.register_raw(
        "nlo.tha", ends_at=iso(PERIOD_END + timedelta(minutes=1)),
        locations=[{"site": "BKK"}, {"site": "QQQ"}],
        targets=[{"kind": "email", "value": "a@b.example", "label": "Mailbox"},
                 {"kind": "vessel", "value": "IMO 1234568", "label": "Vessel"}])
    fields = _error(response, 422)["fields"]
    assert {"ends_at", "locations[1].site", "targets[1].value"} <= set(fields), fields
    assert _count(world) == before


@pytest.mark.parametrize("username", ["chair.nzl", "analyst", "admin"])
def test_only_nlos_register(world, username):
    response = world.register_raw(username)
    assert response.status_code in (403, 404)
    assert _count(world) == 0


# ---------------------------------------------------------------- editing and cancelling


def test_owner_edits_any_registration_field(world):
    created = world.register("nlo.tha", title="Before")
    edited = world.patch(
        "nlo2.tha", created["id"], title="After", type="network_targeting",
        lead_agency="DSI", starts_at=iso(at(5)), ends_at=iso(at(6)),
        locations=[{"site": "HKT"}],
        targets=[{"kind": "vehicle", "value": "กข 1234", "label": "Van"}],
        contact={"name": "Night desk", "email": "night@tha.example", "phone": "+66 2 999"})
    assert edited["title"] == "After" and edited["type"] == "network_targeting"
    assert edited["lead_agency"] == "DSI"
    assert datetime.fromisoformat(edited["starts_at"]) == at(5)
    assert edited["locations"][0]["site"] == "HKT"
    assert edited["targets"] == [{"kind": "vehicle", "label": "Van"}]
    assert edited["contact"]["name"] == "Night desk"
    assert world.api("nlo.tha").get(f"{API}/operations/{created['id']}").json["title"] == "After"


@pytest.mark.parametrize(("fields", "field"), [
    ({"starts_at": iso(PERIOD_START - timedelta(hours=1))}, "starts_at"),
    ({"ends_at": iso(PERIOD_END + timedelta(hours=1))}, "ends_at"),
    ({"ends_at": iso(at(1))}, "ends_at"),  # before the unchanged start
    ({"starts_at": "2031-10-01T00:00:00"}, "starts_at"),
    ({"locations": []}, "locations"),
    ({"locations": [{"site": "QQQ"}]}, "locations[0].site"),
    ({"targets": [{"kind": "iban", "value": "NOT AN IBAN", "label": "x"}]}, "targets[0].value"),
])
def test_a_bad_edit_is_422_and_changes_nothing(world, fields, field):
    created = world.register("nlo.tha")
    response = world.api("nlo.tha").patch(f"{API}/operations/{created['id']}", json=fields)
    assert field in _error(response, 422)["fields"]
    after = world.api("nlo.tha").get(f"{API}/operations/{created['id']}").json
    assert after == created


@pytest.mark.parametrize("username", ["nlo.mys", "chair.nzl", "analyst", "admin", "nlo.aus"])
def test_only_the_owner_state_edits_or_cancels(world, username):
    created = world.register("nlo.tha", title="Mine")
    patch = world.api(username).patch(f"{API}/operations/{created['id']}", json={"title": "X"})
    cancel = world.api(username).post(f"{API}/operations/{created['id']}/cancel",
                                      json={"reason": "not mine to cancel"})
    assert patch.status_code in (403, 404) and cancel.status_code in (403, 404)
    if username.startswith("nlo."):  # another state's officer may not even learn it exists
        assert patch.status_code == cancel.status_code == 404
    after = world.api("nlo.tha").get(f"{API}/operations/{created['id']}").json
    assert after["title"] == "Mine" and after["status"] == "planned"


def test_cancelling_is_stored_and_final(world):
    created = world.register("nlo.tha")
    cancelled = world.cancel("nlo.tha", created["id"])
    assert cancelled["status"] == "cancelled"
    assert world.cancel("nlo.tha", created["id"])["status"] == "cancelled"
    response = world.api("nlo.tha").patch(f"{API}/operations/{created['id']}",
                                          json={"title": "Revived"})
    assert _error(response, 409)["code"] == "invalid_transition"
    summary = world.api("chair.nzl").get(f"{API}/operations/{created['id']}").json
    assert summary["status"] == "cancelled"
    listed = world.api("analyst").get(f"{API}/periods/{world.pid}/operations",
                                      query_string={"status": "cancelled"}).json
    assert [op["id"] for op in listed["operations"]] == [created["id"]]


def test_active_and_completed_are_derived_from_the_clock(world):
    now = datetime.now(UTC).replace(microsecond=0)
    pid = make_period(world, "Running now", now - timedelta(days=10), now + timedelta(days=10),
                      ["THA", "MYS", "NZL"], ["NZL"])
    windows = {
        "completed": (now - timedelta(days=5), now - timedelta(days=4)),
        "active": (now - timedelta(hours=2), now + timedelta(hours=2)),
        "planned": (now + timedelta(days=2), now + timedelta(days=3)),
        "cancelled": (now + timedelta(days=4), now + timedelta(days=5)),
    }
    ids = {}
    for status, (starts, ends) in windows.items():
        response = world.register_raw("nlo.tha", pid=pid, title=status, starts_at=iso(starts),
                                      ends_at=iso(ends))
        assert response.status_code == 201, response.get_data(as_text=True)
        ids[status] = response.get_json()["id"]
    world.cancel("nlo.tha", ids["cancelled"])
    for status, oid in ids.items():
        assert world.api("nlo.tha").get(f"{API}/operations/{oid}").json["status"] == status
        assert world.api("chair.nzl").get(f"{API}/operations/{oid}").json["status"] == status
    for status, oid in ids.items():
        listed = world.api("nlo.tha").get(f"{API}/periods/{pid}/operations",
                                          query_string={"status": status}).json
        assert [op["id"] for op in listed["operations"]] == [oid]


def test_operation_body_helper_is_valid(world):
    """The default body the helpers send registers as is (guards every test above)."""
    assert operation_body()["locations"]
    assert world.register("nlo.lka")["status"] == "planned"
