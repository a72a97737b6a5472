"""The shared safe-CSV helper: formula-like text is neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from core.csvsafe import csv_document, safe_cell

TRIGGERS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x", "  =1+1", "\t=1",
            "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20x", "-", "=", "@"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_formula_like_text_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Arrests", "a=b", "1-2", "e-mail", "", "'quoted", "x@y.z"])
def test_plain_text_is_kept(text):
    assert safe_cell(text) == text


def test_numbers_stay_numbers_and_other_values_become_text():
    assert safe_cell(-5) == -5
    assert safe_cell(-2.5) == -2.5
    assert safe_cell(0) == 0
    assert safe_cell(None) == ""
    assert safe_cell(True) == "True"


def test_a_document_quotes_text_and_leaves_numbers_bare():
    text = csv_document([["label", "value"], ["-2+3", -2], ["=cmd", 7], ['say "hi", then', 1.5]])
    assert text.splitlines() == ['"label","value"', '"\'-2+3",-2', '"\'=cmd",7',
                                 '"say ""hi"", then",1.5']
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))
    assert rows[1] == ["'-2+3", -2.0] and rows[3] == ['say "hi", then', 1.5]
