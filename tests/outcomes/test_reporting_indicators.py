"""Indicators over the HTTP API: the default catalogue with its definitions, and the
period-specific indicators a co-chair of the period or an administrator may add."""

from __future__ import annotations

import pytest

from tests.outcomes.helpers import (
    API,
    CATEGORISED,
    DEFAULT_KEYS,
    PAST_END,
    PAST_START,
    UNITS,
    error_of,
    make_period,
)

BOATS = {"key": "boats_intercepted", "label": "Boats intercepted", "unit": "items",
         "definition": "Vessels stopped at sea carrying smuggled migrants.",
         "categories": ["wooden", "steel"]}


def _add(desk, username, pid=None, **fields):
    body = {"key": "victim_referrals", "label": "Victim referrals", "unit": "cases",
            "definition": "Referrals to a national referral mechanism.", **fields}
    return desk.api(username).post(f"{API}/periods/{pid or desk.pid}/indicators", json=body)


@pytest.mark.parametrize("username", ["nlo.tha", "chair.nzl", "analyst", "admin"])
def test_every_role_that_sees_the_period_gets_the_default_catalogue(desk, username):
    indicators = desk.indicators(username)
    assert [i["key"] for i in indicators] == DEFAULT_KEYS
    for indicator in indicators:
        assert set(indicator) <= {"key", "label", "unit", "definition", "categories"}
        assert indicator["label"].strip(), indicator
        assert indicator["unit"] in UNITS, indicator
        definition = indicator["definition"]
        # One paragraph: a few sentences, no blank line, no stray whitespace.
        assert len(definition) >= 40, indicator
        assert "\n" not in definition and definition == definition.strip(), indicator
        assert definition.rstrip().endswith("."), indicator
        if indicator["key"] in CATEGORISED:
            assert indicator["categories"] == CATEGORISED[indicator["key"]]
        else:
            assert "categories" not in indicator, indicator


def test_catalogue_units_match_what_is_counted(desk):
    units = {i["key"]: i["unit"] for i in desk.indicators("chair.nzl")}
    assert units["victims_assisted"] == units["arrests"] == units["officers_trained"] == "persons"
    assert units["new_investigations"] == units["parallel_investigations"] == "cases"
    assert units["search_warrants"] == units["fraudulent_documents_seized"] == "items"
    assert units["awareness_activities"] == units["training_sessions"] == "activities"
    assert set(units.values()) == UNITS


@pytest.mark.parametrize("username", ["nlo.aus", "chair.aus"])
def test_a_state_outside_the_period_gets_404(desk, username):
    error_of(desk.api(username).get(f"{API}/periods/{desk.pid}/indicators"), 404)


def test_unknown_period_is_404(desk):
    error_of(desk.api("admin").get(f"{API}/periods/999999/indicators"), 404)


@pytest.mark.parametrize("username", ["chair.nzl", "admin"])
def test_co_chair_of_the_period_or_admin_adds_an_indicator(desk, username):
    response = _add(desk, username)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"key": "victim_referrals", "label": "Victim referrals",
                                   "unit": "cases",
                                   "definition": "Referrals to a national referral mechanism."}
    keys = [i["key"] for i in desk.indicators("nlo.tha")]
    assert keys == [*DEFAULT_KEYS, "victim_referrals"]


@pytest.mark.parametrize(("username", "status"), [
    ("nlo.tha", 403), ("analyst", 403), ("chair.tha", 403), ("chair.aus", 404)])
def test_others_may_not_add_indicators(desk, username, status):
    error_of(_add(desk, username), status)
    assert [i["key"] for i in desk.indicators("admin")] == DEFAULT_KEYS


@pytest.mark.parametrize(("fields", "field_name"), [
    ({"key": "Bad Key"}, "key"),
    ({"key": "with.dot"}, "key"),
    ({"key": "_"}, "key"),
    ({"key": ""}, "key"),
    ({"unit": "euros"}, "unit"),
    ({"label": ""}, "label"),
    ({"categories": []}, "categories"),
    ({"categories": ["a", "a"]}, "categories"),
])
def test_a_bad_indicator_is_422_naming_the_field(desk, fields, field_name):
    error_of(_add(desk, "admin", **fields), 422, field_name)
    assert [i["key"] for i in desk.indicators("admin")] == DEFAULT_KEYS


@pytest.mark.parametrize("key", ["arrests", "victim_referrals"])
def test_an_existing_key_is_409(desk, key):
    assert _add(desk, "admin").status_code == 201
    error_of(_add(desk, "chair.nzl", key=key), 409, "key")
    keys = [i["key"] for i in desk.indicators("admin")]
    assert keys.count(key) == 1


def test_a_period_indicator_belongs_to_its_period_only(desk):
    other = make_period(desk.api("admin"), "Another JPA", PAST_START, PAST_END,
                        ["THA", "NZL"], ["NZL"])
    assert _add(desk, "admin", **BOATS).status_code == 201
    assert [i["key"] for i in desk.indicators("nlo.tha", pid=other)] == DEFAULT_KEYS
    error_of(desk.submit_raw("nlo.tha", "2015-10-01", {"boats_intercepted": 1}, pid=other), 422,
             "values.boats_intercepted")


def test_reports_use_a_categorised_period_indicator(desk):
    assert _add(desk, "chair.nzl", **BOATS).status_code == 201
    listed = desk.indicators("nlo.tha")[-1]
    assert listed["categories"] == ["wooden", "steel"]
    desk.submit("nlo.tha", "2015-10-01", {"boats_intercepted": {"wooden": 2, "steel": 1}})
    desk.submit("nlo.mys", "2015-10-02", {"boats_intercepted": {"wooden": 4}})
    # No `unknown` category here, so a bare number cannot be placed.
    error_of(desk.submit_raw("nlo.tha", "2015-10-03", {"boats_intercepted": 3}), 422,
             "values.boats_intercepted")
    error_of(desk.submit_raw("nlo.tha", "2015-10-03",
                             {"boats_intercepted": {"rubber": 1}}), 422,
             "values.boats_intercepted.rubber")
    totals = desk.totals("chair.nzl")
    assert totals["totals"]["boats_intercepted"] == 7
    assert totals["breakdown"]["boats_intercepted"] == {"wooden": 6, "steel": 1}
    assert totals["by_state"]["THA"]["boats_intercepted"] == 3
    assert totals["by_state"]["MYS"]["boats_intercepted"] == 4
