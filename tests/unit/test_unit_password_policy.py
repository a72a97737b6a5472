"""Password policy: 12 to 128 characters, never containing the username, no composition rules."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.errors import ValidationFailed
from core.identity.services import PASSWORD_MAX, PASSWORD_MIN, check_password_policy


def refusal(password: str, username: str = "bob", **kwargs: str) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password, username, **kwargs)
    return caught.value.fields


def test_the_limits_are_12_and_128():
    assert (PASSWORD_MIN, PASSWORD_MAX) == (12, 128)


@pytest.mark.parametrize("length", [12, 13, 64, 127, 128])
def test_lengths_inside_the_limits_are_accepted(length):
    check_password_policy("x" * length, "bob")


@pytest.mark.parametrize(("length", "words"), [(0, "at least 12"), (1, "at least 12"),
                                                (11, "at least 12"), (129, "at most 128"),
                                                (1000, "at most 128")])
def test_lengths_outside_the_limits_are_refused(length, words):
    fields = refusal("x" * length)
    assert set(fields) == {"password"}
    assert words in fields["password"]


def test_length_counts_characters_not_bytes():
    check_password_policy("é" * 12, "bob")  # 24 bytes, 12 characters
    assert "at least 12" in refusal("é" * 11)["password"]


@pytest.mark.parametrize("password", ["alice-is-my-password", "my ALICE passphrase",
                                      "xxAlIcExxxxx", "correct horse alice"])
def test_the_username_inside_in_any_case_is_refused(password):
    fields = refusal(password, username="Alice")
    assert set(fields) == {"password"}
    assert "username" in fields["password"]


def test_no_composition_rules():
    check_password_policy("aaaaaaaaaaaa", "bob")
    check_password_policy("correct horse battery staple", "bob")
    check_password_policy("            ", "bob")
    check_password_policy("123456789012", "bob")


def test_the_error_names_the_field_given():
    assert set(refusal("short", field="new_password")) == {"new_password"}


@given(password=st.text(min_size=PASSWORD_MIN, max_size=PASSWORD_MAX),
       username=st.from_regex(r"[A-Za-z0-9._@-]{3,20}", fullmatch=True))
def test_any_long_enough_password_without_the_username_is_accepted(password, username):
    assume(username.casefold() not in password.casefold())
    check_password_policy(password, username)


@given(password=st.text(max_size=PASSWORD_MIN - 1), username=st.text(max_size=20))
def test_any_short_password_is_refused(password, username):
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password, username)
    assert set(caught.value.fields) == {"password"}


@given(prefix=st.text(max_size=20), suffix=st.text(max_size=20),
       username=st.from_regex(r"[A-Za-z0-9._@-]{3,20}", fullmatch=True),
       upper=st.booleans())
def test_any_password_containing_the_username_is_refused(prefix, suffix, username, upper):
    inside = username.upper() if upper else username.lower()
    password = (prefix + inside + suffix).ljust(PASSWORD_MIN, "z")
    assume(len(password) <= PASSWORD_MAX)
    with pytest.raises(ValidationFailed) as caught:
        check_password_policy(password, username)
    assert "username" in caught.value.fields["password"]
