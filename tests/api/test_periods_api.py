"""Joint periods over the API: creation by the administrator, the phase, and need-to-know."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

PERIODS = "/api/v1/periods"
PERIOD_FIELDS = {"id", "name", "starts_at", "ends_at", "phase", "states", "co_chairs"}
JAKARTA = timezone(timedelta(hours=7))


def _period(**changes):
    body = {"name": "Bali Process JPA 2030", "starts_at": "2030-09-28T00:00:00+07:00",
            "ends_at": "2030-10-28T00:00:00+07:00", "states": ["NZL", "LKA", "THA"],
            "co_chairs": ["NZL", "LKA"]}
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def _instant(text):
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, f"{text} carries no offset"
    return value


def test_admin_creates_a_period(admin_api, probe):
    response = admin_api.post(PERIODS, json=_period())

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == PERIOD_FIELDS
    assert isinstance(body["id"], int)
    assert body["name"] == "Bali Process JPA 2030"
    assert body["phase"] == "planning"
    assert body["states"] == ["LKA", "NZL", "THA"]
    assert body["co_chairs"] == ["LKA", "NZL"]
    assert _instant(body["starts_at"]) == datetime(2030, 9, 28, tzinfo=JAKARTA)
    assert _instant(body["ends_at"]) == datetime(2030, 10, 28, tzinfo=JAKARTA)
    assert probe.periods() == 1
    assert [e.object_id for e in probe.audit("period.created")] == [str(body["id"])]
    # What was stored reads back the same.
    again = admin_api.get(f"{PERIODS}/{body['id']}")
    assert again.status_code == 200
    assert again.json == body


def test_times_keep_the_submitted_instant_whatever_the_offset(admin_api):
    response = admin_api.post(PERIODS, json=_period(starts_at="2031-03-01T09:30:15.250000-05:00",
                                                    ends_at="2031-03-02T00:00:00Z"))

    assert response.status_code == 201, response.json
    starts = _instant(response.json["starts_at"])
    assert starts == datetime(2031, 3, 1, 14, 30, 15, 250000, tzinfo=UTC)
    assert _instant(response.json["ends_at"]) == datetime(2031, 3, 2, tzinfo=UTC)


def _window(start_offset, end_offset):
    now = datetime.now(UTC)
    return {"starts_at": (now + start_offset).isoformat(),
            "ends_at": (now + end_offset).isoformat()}


@pytest.mark.parametrize("window, phase", [
    ((timedelta(days=-30), timedelta(days=-1)), "closed"),
    ((timedelta(days=-1), timedelta(days=1)), "active"),
    ((timedelta(days=1), timedelta(days=30)), "planning"),
])
def test_phase_follows_the_clock(admin_api, window, phase):
    response = admin_api.post(PERIODS, json=_period(**_window(*window)))

    assert response.status_code == 201, response.json
    assert response.json["phase"] == phase
    assert admin_api.get(f"{PERIODS}/{response.json['id']}").json["phase"] == phase


@pytest.mark.parametrize("changes, field", [
    ({"starts_at": "2030-09-28T00:00:00"}, "starts_at"),
    ({"ends_at": "2030-10-28T00:00:00"}, "ends_at"),
    ({"starts_at": "28/09/2030"}, "starts_at"),
    ({"ends_at": "2030-09-28T00:00:00+07:00"}, "ends_at"),
    ({"ends_at": "2030-09-27T00:00:00+07:00"}, "ends_at"),
    ({"states": ["NZL", "XXX", "THA"], "co_chairs": ["NZL"]}, "states[1]"),
    ({"states": ["NZL", "lka"], "co_chairs": ["NZL"]}, "states[1]"),
    ({"states": ["NZL", "THA", "NZL"], "co_chairs": ["NZL"]}, "states[2]"),
    ({"co_chairs": ["NZL", "AUS"]}, "co_chairs[1]"),
    ({"states": [], "co_chairs": []}, "states"),
    ({"states": None}, "states"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "n" * 201}, "name"),
    ({"phase": "active"}, "phase"),
    ({"id": 7}, "id"),
], ids=["naive-start", "naive-end", "not-iso", "ends-at-start", "ends-before-start",
        "unknown-state", "lowercase-state", "duplicate-state", "co-chair-not-participant",
        "no-states", "states-missing", "empty-name", "blank-name", "long-name", "extra-phase",
        "extra-id"])
def test_bad_period_is_a_422_naming_the_field_and_writes_nothing(admin_api, probe, expect_error,
                                                                 changes, field):
    response = admin_api.post(PERIODS, json=_period(**changes))

    expect_error(response, 422, "validation_failed", fields=(field,))
    assert probe.periods() == 0
    assert probe.audit("period.created") == []


@pytest.mark.parametrize("role, state", [
    ("co_chair", "NZL"), ("liaison_officer", "NZL"), ("analyst", None)])
def test_only_the_administrator_creates_periods(people, probe, expect_error, role, state):
    api = people.make("not.admin", role, state)

    expect_error(api.post(PERIODS, json=_period()), 403, "forbidden")

    assert probe.periods() == 0
    refusals = probe.audit("permission.refused")
    assert [(e.actor_username, e.outcome) for e in refusals] == [("not.admin", "refused")]


@pytest.fixture
def two_periods(admin_api):
    """Period A with New Zealand and Sri Lanka (co-chairs), period B with Thailand and Malaysia."""
    a = admin_api.post(PERIODS, json=_period(name="A", states=["NZL", "LKA"],
                                             co_chairs=["NZL", "LKA"]))
    b = admin_api.post(PERIODS, json=_period(name="B", states=["THA", "MYS"],
                                             co_chairs=["THA"],
                                             starts_at="2032-01-01T00:00:00+00:00",
                                             ends_at="2032-02-01T00:00:00+00:00"))
    assert a.status_code == b.status_code == 201
    return a.json, b.json


@pytest.mark.parametrize("name, role, state, sees", [
    ("admin.two", "admin", None, {"A", "B"}),
    ("analyst", "analyst", None, {"A", "B"}),
    ("cochair.nzl", "co_chair", "NZL", {"A"}),
    ("nlo.lka", "liaison_officer", "LKA", {"A"}),
    ("nlo.tha", "liaison_officer", "THA", {"B"}),
    ("cochair.mys", "co_chair", "MYS", {"B"}),
    ("nlo.aus", "liaison_officer", "AUS", set()),
])
def test_each_role_sees_only_its_periods(people, two_periods, expect_error,
                                         name, role, state, sees):
    api = people.make(name, role, state)
    by_name = {p["name"]: p for p in two_periods}
    missing = api.get(f"{PERIODS}/987654")
    expect_error(missing, 404, "not_found")

    listed = api.get(PERIODS)

    assert listed.status_code == 200
    assert {p["name"] for p in listed.json["periods"]} == sees
    for period_name, period in by_name.items():
        response = api.get(f"{PERIODS}/{period['id']}")
        if period_name in sees:
            assert response.status_code == 200
            assert response.json == period
        else:
            # Indistinguishable from an id that does not exist: ids cannot be probed.
            assert response.status_code == 404
            assert response.get_json() == missing.get_json()
            assert period_name not in response.get_data(as_text=True)


def test_list_is_newest_first_with_full_periods(admin_api, two_periods):
    listed = admin_api.get(PERIODS).json["periods"]

    assert [p["name"] for p in listed] == ["B", "A"]
    assert all(set(p) == PERIOD_FIELDS for p in listed)


@pytest.mark.parametrize("pid", ["0", "987654", str(2**31), str(2**63), "99999999999999999999"])
def test_unknown_or_absurd_period_ids_are_404(admin_api, expect_error, pid):
    expect_error(admin_api.get(f"{PERIODS}/{pid}"), 404)


def test_states_reference_list(people):
    api = people.make("nlo.nzl", "liaison_officer", "NZL")

    response = api.get("/api/v1/states")

    assert response.status_code == 200
    states = {s["code"]: s for s in response.json["states"]}
    assert states["NZL"]["default_time_zone"] == "Pacific/Auckland"
    assert states["LKA"]["default_time_zone"] == "Asia/Colombo"
    assert all(len(code) == 3 and code.isupper() for code in states)
