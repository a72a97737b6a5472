"""JPA_TWO_FACTOR: `required` by default, `optional` on request, anything else refused at
start-up with a message naming the variable."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings


def test_two_factor_is_required_by_default(tmp_path):
    assert load_settings({}, instance_path=tmp_path).two_factor == "required"


@pytest.mark.parametrize("value, expected", [("optional", "optional"), ("Required", "required"),
                                             (" optional ", "optional")])
def test_the_variable_chooses_the_mode(tmp_path, value, expected):
    settings = load_settings({"JPA_TWO_FACTOR": value}, instance_path=tmp_path)
    assert settings.two_factor == expected


@pytest.mark.parametrize("value", ["off", "yes", "0", "requried"])
def test_an_unknown_mode_stops_the_service_naming_the_variable(tmp_path, value):
    with pytest.raises(SettingsError, match="JPA_TWO_FACTOR"):
        load_settings({"JPA_TWO_FACTOR": value}, instance_path=tmp_path)
