"""Identifier normalisation: variants of one identifier meet; invalid values are refused."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from deconfliction.identifiers import (
    InvalidIdentifier,
    Kind,
    blind,
    blind_target,
    normalise,
    normalise_dob,
    period_key,
)

KEY = period_key(b"k" * 32, 1)
FULL_WIDTH_AB123456 = "\uff21\uff22\uff11\uff12\uff13\uff14\uff15\uff16"


@pytest.mark.parametrize(("kind", "variants", "region_of_each"), [
    ("phone", ["081 234 5678", "+66 81 234 5678", "+66-81-234-5678", "001 66 81 234 5678"],
     ["TH", None, None, "TH"]),
    ("phone", ["(09) 309 4567", "+64 9 309 4567"], ["NZ", None]),
    ("passport", ["AB 123-456", "ab123456", FULL_WIDTH_AB123456], [None] * 3),
    ("vehicle", ["กข 1234", "กข-1234"], [None] * 2),
    ("id_document", ["x-99.1", "X991"], [None] * 2),
    ("person", ["José García López", "lopez, garcia jose", "GARCÍA-LÓPEZ José"], [None] * 3),
    ("organisation", ["Blue  Star Shipping Ltd.", "ltd shipping star blue"], [None] * 2),
    ("vessel", ["IMO 9074729", "9074729", "imo9074729"], [None] * 3),
    ("email", [" Boss@Example.ORG ", "boss@example.org"], [None] * 2),
    ("iban", ["GB82 WEST 1234 5698 7654 32", "gb82west12345698765432"], [None] * 2),
    ("other", ["  Case-42 ", "case-42"], [None] * 2),
])
def test_variants_of_one_identifier_meet(kind, variants, region_of_each):
    forms = {normalise(kind, v, region=r) for v, r in zip(variants, region_of_each, strict=True)}
    assert len(forms) == 1


def test_thai_letters_are_kept():
    assert normalise("vehicle", "กข 1234") == "กข1234"


def test_phone_is_e164():
    assert normalise("phone", "081 234 5678", region="TH") == "+66812345678"


@pytest.mark.parametrize(("kind", "value"), [
    ("phone", "12"), ("phone", "+999 123"), ("phone", "not a number"),
    ("vessel", "9074728"), ("vessel", "IMO 12345"), ("iban", "GB82 WEST 1234 5698 7654 33"),
    ("email", "no-at-sign"), ("passport", "--- ..."), ("person", "1234"), ("other", "   "),
])
def test_invalid_values_are_refused_without_quoting_them(kind, value):
    with pytest.raises(InvalidIdentifier) as refused:
        normalise(kind, value)
    assert value.strip() == "" or value not in str(refused.value)


def test_date_of_birth_is_a_real_date():
    assert normalise_dob("1980-02-29") == "1980-02-29"
    for bad in ("1981-02-29", "29/02/1980", "1980-2-9"):
        with pytest.raises(InvalidIdentifier):
            normalise_dob(bad)


def test_blinding_depends_on_period_and_kind():
    assert blind(KEY, "passport", "A1") != blind(period_key(b"k" * 32, 2), "passport", "A1")
    assert blind(KEY, "passport", "A1") != blind(KEY, "id_document", "A1")
    target = blind_target(KEY, kind="phone", value="+66 81 234 5678", label="Subject A")
    assert target.blind == blind(KEY, "phone", "+66812345678")
    assert "812345678" not in repr(target)


def test_only_persons_have_a_dob():
    with pytest.raises(InvalidIdentifier):
        blind_target(KEY, kind="passport", value="A1", label="x", dob="1980-01-01")


text_kinds = st.sampled_from([Kind.PASSPORT, Kind.ID_DOCUMENT, Kind.VEHICLE, Kind.PERSON,
                              Kind.ORGANISATION, Kind.EMAIL, Kind.OTHER])


@given(text_kinds, st.text(min_size=1, max_size=60))
def test_normalisation_is_idempotent(kind, value):
    try:
        once = normalise(kind, value)
    except InvalidIdentifier:
        assume(False)
        return
    assert normalise(kind, once) == once


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd"]), min_size=1, max_size=20),
       st.lists(st.sampled_from([" ", "-", ".", "/"]), max_size=4))
def test_document_numbers_ignore_case_and_separators(core_text, separators):
    decorated = core_text
    for index, separator in enumerate(separators):
        position = (index * 3) % (len(decorated) + 1)
        decorated = decorated[:position] + separator + decorated[position:]
    assert normalise("passport", decorated) == normalise("passport", core_text)


@given(st.lists(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1,
                        max_size=8), min_size=1, max_size=4), st.randoms())
def test_person_names_ignore_order_and_case(tokens, random):
    shuffled = tokens[:]
    random.shuffle(shuffled)
    assert normalise("person", " ".join(tokens)) == normalise("person", ", ".join(shuffled))


@given(st.integers(1_000_000 // 10, 999_999))
def test_any_six_digits_with_their_check_digit_are_a_valid_imo(six):
    digits = [int(d) for d in f"{six:06d}"]
    check = sum(d * (7 - i) for i, d in enumerate(digits)) % 10
    number = f"{six:06d}{check}"
    assert normalise("vessel", f"IMO {number}") == number
