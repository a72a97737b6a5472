"""States as reference data: ISO 3166-1 alpha-3 codes, each with a default IANA zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationFailed
from core.states import all_states, check_time_zone, get_state, known_time_zones

BALI_PROCESS_CAPITAL_ZONES = {
    "AUS": "Australia/Sydney",  # Canberra keeps Sydney's time
    "IDN": "Asia/Jakarta",
    "MYS": "Asia/Kuala_Lumpur",
    "MDV": "Indian/Maldives",
    "NZL": "Pacific/Auckland",  # Wellington keeps Auckland's time
    "PHL": "Asia/Manila",
    "LKA": "Asia/Colombo",
    "THA": "Asia/Bangkok",
}


def test_known_code():
    state = get_state("NZL")
    assert state.code == "NZL"
    assert state.name == "New Zealand"
    assert state.default_time_zone == "Pacific/Auckland"


@pytest.mark.parametrize("code", ["XYZ", "NZ", "NZLA", "", "   ", "123"])
def test_unknown_code_is_a_validation_error_naming_the_field(code):
    with pytest.raises(ValidationFailed) as caught:
        get_state(code)
    assert set(caught.value.fields) == {"state"}
    assert "ISO 3166-1 alpha-3" in caught.value.fields["state"]
    assert caught.value.status == 422


def test_the_caller_names_the_field():
    with pytest.raises(ValidationFailed) as caught:
        get_state("XYZ", field="states[2]")
    assert set(caught.value.fields) == {"states[2]"}
    assert "unknown state code" in caught.value.fields["states[2]"]


def test_a_value_that_is_not_text_is_a_validation_error():
    with pytest.raises(ValidationFailed) as caught:
        get_state(None, field="co_chairs[0]")  # type: ignore[arg-type]
    assert set(caught.value.fields) == {"co_chairs[0]"}


@pytest.mark.parametrize(("code", "zone"), sorted(BALI_PROCESS_CAPITAL_ZONES.items()))
def test_bali_process_states_default_to_their_capitals_zone(code, zone):
    assert get_state(code).default_time_zone == zone


def test_every_state_has_a_zone_that_resolves():
    states = all_states()
    assert len(states) >= 249  # every ISO 3166-1 entry
    unresolved = []
    for code, state in states.items():
        assert state.code == code and len(code) == 3 and code.isupper()
        assert state.name
        try:
            ZoneInfo(state.default_time_zone)
        except Exception:  # noqa: BLE001 - collect every failure, report them together
            unresolved.append((code, state.default_time_zone))
    assert unresolved == []
    assert {s.default_time_zone for s in states.values()} <= known_time_zones()


def test_check_time_zone():
    assert check_time_zone("Asia/Colombo") == ZoneInfo("Asia/Colombo")
    with pytest.raises(ValidationFailed) as caught:
        check_time_zone("Mars/Olympus_Mons")
    assert set(caught.value.fields) == {"time_zone"}
    with pytest.raises(ValidationFailed) as caught:
        check_time_zone("../../etc/passwd", field="users[0].time_zone")
    assert set(caught.value.fields) == {"users[0].time_zone"}


@settings(deadline=None)  # the first call builds the table of states (cached afterwards)
@given(st.text(max_size=6))
def test_get_state_either_finds_the_exact_code_or_names_the_field(code):
    try:
        state = get_state(code, field="the_field")
    except ValidationFailed as error:
        assert set(error.fields) == {"the_field"}
    else:
        assert state.code == code
