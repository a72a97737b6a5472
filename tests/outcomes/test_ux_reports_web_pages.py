"""The report pages (issue 14, point 4) through the real web stack, SQLite and PostgreSQL: the
form refuses a second report of a day with a link to amend the first, "Nothing to report
today" is an explicit button, and the reports list, amend, retract and history pages do what
the API does, to the owner's state only."""

from __future__ import annotations

import html
import re

import pytest

from outcomes.models import Report, ReportVersion
from tests.outcomes.helpers import NLO_OF

DAY = "2015-10-01"


def _login(web, username: str = NLO_OF["THA"]) -> None:
    assert web.login(username).status_code == 302


def _post(web, client, page: str, fields: dict[str, str]):
    return client.post(page, data={"csrf_token": web.csrf(page), **fields})


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_second_report_of_a_day_is_refused_with_a_link_to_amend_the_first(desk, web, client):
    first = desk.submit("nlo.tha", DAY, {"arrests": 4})
    _login(web)
    page = f"/periods/{desk.pid}/report"
    response = _post(web, client, page, {"date": DAY, "v-arrests": "1"})
    assert response.status_code == 409
    text = _text(response)
    assert "<title>Error: " in text and "There is a problem" in text
    assert f'href="/reports/{first["id"]}/amend"' in text
    assert "already reported" in text and 'href="#date"' in text
    assert desk.count(Report) == 1
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 4


def test_an_empty_form_is_not_a_nil_report_but_the_button_is(desk, web, client):
    _login(web)
    page = f"/periods/{desk.pid}/report"
    response = _post(web, client, page, {"date": DAY})
    assert response.status_code == 422
    assert "Nothing to report today" in _text(response)
    assert desk.count(Report) == 0
    response = _post(web, client, page, {"date": DAY, "nil": "1", "v-arrests": "2"})
    assert response.status_code == 422 and "clear them" in _text(response)
    assert desk.count(Report) == 0
    response = _post(web, client, page, {"date": DAY, "nil": "1"})
    assert response.status_code == 302
    [report] = desk.own_reports("nlo.tha")
    assert report["nil"] is True
    assert desk.completeness("chair.nzl")["states"]["THA"][DAY] is True


def test_the_reports_list_shows_date_operation_version_and_status(desk, web, client):
    kept = desk.submit("nlo.tha", DAY, {"arrests": 4})
    desk.amend("nlo.tha", kept["id"], {"arrests": 5})
    gone = desk.submit("nlo.tha", "2015-10-02", {})
    desk.retract("nlo.tha", gone["id"], "wrong day")
    desk.submit("nlo.mys", DAY, {"arrests": 9})
    _login(web)
    response = client.get(f"/periods/{desk.pid}/reports")
    assert response.status_code == 200
    text = _text(response)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", text, re.S)
    assert len(rows) == 2  # THA's own only, newest date first
    assert "2015-10-02" in rows[0] and "Retracted: wrong day" in rows[0]
    assert "2015-10-01" in rows[1] and "No operation" in rows[1]
    assert '<td class="num">2</td>' in rows[1] and "Current" in rows[1]
    assert f'/reports/{kept["id"]}/amend' in rows[1]
    assert f'/reports/{gone["id"]}/amend' not in rows[0]


def test_the_amend_page_is_pre_filled_and_saves_a_new_version(desk, web, client):
    rid = desk.submit("nlo.tha", DAY, {"arrests": 4,
                                       "victims_assisted": {"female_child": 2}})["id"]
    _login(web)
    page = f"/reports/{rid}/amend"
    form = _text(client.get(page))
    assert re.search(r'id="v-arrests" name="v-arrests" value="4"', form)
    assert re.search(r'id="v-victims_assisted-female_child" '
                     r'name="v-victims_assisted-female_child" value="2"', form)
    bad = _post(web, client, page, {"v-arrests": "-1"})
    assert bad.status_code == 422 and 'id="v-arrests-error"' in _text(bad)
    assert desk.count(ReportVersion) == 1
    saved = _post(web, client, page, {"v-arrests": "5", "v-victims_assisted-female_child": "2",
                                      "note": "one more confirmed"})
    assert saved.status_code == 302
    history = desk.history("nlo.tha", rid)
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["note"] == "one more confirmed"
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 5


def test_retraction_asks_for_a_reason_and_then_frees_the_day(desk, web, client):
    rid = desk.submit("nlo.tha", DAY, {"arrests": 4})["id"]
    _login(web)
    page = f"/reports/{rid}/retract"
    confirm = _text(client.get(page))
    assert "Retract report" in confirm and "Arrests: 4" in confirm
    refused = _post(web, client, page, {"reason": "  "})
    assert refused.status_code == 422 and 'id="reason-error"' in _text(refused)
    assert desk.history("nlo.tha", rid)["retracted"] is False
    done = _post(web, client, page, {"reason": "sent for the wrong day"})
    assert done.status_code == 302
    assert desk.history("nlo.tha", rid)["retraction_reason"] == "sent for the wrong day"
    assert desk.totals("chair.nzl")["totals"]["arrests"] == 0
    # Retracted: no amend form any more, and the day is free for a new report.
    assert client.get(f"/reports/{rid}/amend").status_code == 302
    desk.submit("nlo.tha", DAY, {"arrests": 1})


def test_the_history_shows_every_version_in_the_users_zone(desk, web, client):
    rid = desk.submit("nlo.tha", DAY, {"arrests": 4})["id"]
    desk.amend("nlo.tha", rid, {"arrests": 5}, note="checked")
    _login(web)
    text = _text(client.get(f"/reports/{rid}/history"))
    assert "<caption>Versions</caption>" in text
    assert "Arrests: 4" in text and "Arrests: 5" in text and "checked" in text
    assert text.count("+07") >= 2  # Bangkok, the THA NLO's zone


@pytest.mark.parametrize("username", ["nlo.mys", "nlo.aus"])
@pytest.mark.parametrize("page", ["amend", "retract", "history"])
def test_another_states_report_pages_are_404(desk, web, client, username, page):
    rid = desk.submit("nlo.tha", DAY, {"arrests": 4})["id"]
    _login(web, username)
    assert client.get(f"/reports/{rid}/{page}").status_code == 404
    if page != "history":
        token = web.csrf("/")
        assert client.post(f"/reports/{rid}/{page}", data={
            "csrf_token": token, "reason": "x", "v-arrests": "9"}).status_code == 404
    assert desk.history("nlo.tha", rid)["versions"][-1]["version"] == 1


@pytest.mark.parametrize("username", ["chair.nzl", "analyst", "admin"])
def test_other_roles_have_no_report_pages(desk, web, client, username):
    rid = desk.submit("nlo.tha", DAY, {"arrests": 4})["id"]
    _login(web, username)
    assert client.get(f"/periods/{desk.pid}/reports").status_code in (403, 404)
    assert client.get(f"/reports/{rid}/history").status_code in (403, 404)
