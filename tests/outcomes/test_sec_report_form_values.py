"""The report page takes figures written in the digits 0-9 only, from 0 to the per-value limit:
anything else (`²`, Arabic-Indic or full-width digits, `1e3`, `-1`, 5,000 digits) is an inline
error naming the indicator in plain words, and nothing is stored; never a 500."""

from __future__ import annotations

import html
import re

import pytest

from outcomes.models import Report, ReportValue
from outcomes.services import MAX_VALUE
from tests.outcomes.helpers import NLO_OF, error_of

DAY = "2015-10-01"


def _post(desk, web, client, fields: dict[str, str]):
    assert web.login(NLO_OF["THA"]).status_code == 302
    page = f"/periods/{desk.pid}/report"
    return client.post(page, data={"csrf_token": web.csrf(page), "date": DAY, **fields})


def _error_of(page: str, name: str) -> str:
    match = re.search(rf'<p class="error" id="{re.escape(name)}-error">(.*?)</p>', page, re.S)
    assert match, f"no inline error for {name}"
    return html.unescape(match.group(1))


BAD = ["²", "١٢", "\uff11\uff12", "1e3", "-1", "+5", "1.5", "1,000", "0x10", "9" * 5000,
       str(MAX_VALUE + 1), "12 3"]


@pytest.mark.parametrize("text", BAD, ids=lambda t: t if len(t) < 12 else f"{len(t)} digits")
def test_a_bad_figure_is_an_inline_error_naming_the_indicator(desk, web, client, text):
    response = _post(desk, web, client, {"v-arrests": text, "v-search_warrants": "3"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = _error_of(page, "v-arrests")
    assert "Arrests" in message
    assert f"{MAX_VALUE:,}" in message
    assert "values.arrests" not in page  # the summary speaks of the indicator, not a path
    assert desk.count(Report) == 0 and desk.count(ReportValue) == 0


def test_a_bad_category_figure_names_the_indicator_and_the_category(desk, web, client):
    response = _post(desk, web, client, {"v-victims_assisted-female_child": "²"})
    assert response.status_code == 422
    message = _error_of(response.get_data(as_text=True), "v-victims_assisted-female_child")
    assert "Trafficked persons assisted" in message and "female child" in message.lower()
    assert desk.count(Report) == 0


def test_the_largest_allowed_figure_and_spaces_around_it_are_accepted(desk, web, client):
    response = _post(desk, web, client, {"v-arrests": f" {MAX_VALUE} ", "v-search_warrants": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    totals = desk.totals("nlo.tha")
    assert totals["by_state"]["THA"]["arrests"] == MAX_VALUE


@pytest.mark.parametrize("value", [MAX_VALUE + 1, 10**30, -1, 1.5, "12", True])
def test_the_api_refuses_the_same_values_by_field(desk, value):
    response = desk.submit_raw("nlo.tha", DAY, {"arrests": value})
    error_of(response, 422, "values.arrests")
    assert desk.count(Report) == 0


@pytest.mark.parametrize("text", ["²", "9" * 5000, str(2**31), "-3"],
                         ids=["superscript", "5000 digits", "2**31", "negative"])
def test_a_bad_operation_is_an_error_naming_it(desk, web, client, text):
    response = _post(desk, web, client, {"v-arrests": "1", "operation_id": text})
    assert response.status_code == 422
    assert "Operation:" in response.get_data(as_text=True)
    assert desk.count(Report) == 0


def test_the_api_refuses_a_figure_of_5000_digits_by_status_not_500(desk):
    body = '{"date": "' + str(DAY) + '", "values": {"arrests": ' + "9" * 5000 + "}}"
    response = desk.api("nlo.tha").post(f"/api/v1/periods/{desk.pid}/reports", data=body,
                                        content_type="application/json")
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert desk.count(Report) == 0
