"""`jpa demo` says how two-factor sign-in stands: optional in the demo that `make run` starts
(JPA_TWO_FACTOR=optional), required by default otherwise."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings


@pytest.fixture
def settings(tmp_path, database_url, request):
    """The mode under test (indirect parameter), SQLite and PostgreSQL."""
    return make_settings(tmp_path, database_url, two_factor=request.param)


@pytest.mark.parametrize("settings, words", [
    ("optional", "Two-factor sign-in is optional in this demo"),
    ("required", "Two-factor sign-in is required (JPA_TWO_FACTOR=required, the default)"),
], indirect=["settings"])
def test_the_demo_logins_say_whether_two_factor_is_required(runner, settings, words):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo logins" in result.output
    assert words in result.output
