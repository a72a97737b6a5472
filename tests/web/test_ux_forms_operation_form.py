"""Issue 14 point 3 through the Flask client (SQLite and PostgreSQL): the registration and
edit forms report every problem in one pass, in plain words, with a GOV.UK error summary; a
city given as a time zone keeps the form and suggests the name; rows are added and removed
without script; on edit the targets are rows, kept by a blank value, never shown back."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.field_words import in_words, plain_message
from core.identity.services import Principal
from operations import services as operations
from operations.form_rows import suggest_time_zones
from operations.models import Operation
from tests.conftest import csrf_token_from

PHONE = "081 234 5678"
PASSPORT = "TP-4455667"
PATHS = ("starts_at", "ends_at", "lead_agency", "locations[", "targets[", "contact.",
         "time_zone:", "radius_m")


@pytest.fixture
def world(app, accounts):
    """A period of THA and MYS (now to 20 days on); MYS has an operation with THA's phone."""
    admin = accounts.create("adm.uxf", "admin")
    accounts.create("nlo.tha.uxf", "liaison_officer", "THA", full_name="Somchai")
    mys = accounts.create("nlo.mys.uxf", "liaison_officer", "MYS", full_name="Aisyah")
    now = datetime.now(UTC)
    with app.extensions["jpa.db"].transaction() as session:
        period = operations.create_period(
            session, actor=Principal.of(admin, "x"), name="P forms", starts_at=now,
            ends_at=now + timedelta(days=20), states=["THA", "MYS"], co_chairs=["MYS"])
        operations.register_operation(
            session, actor=Principal.of(mys, "x"), period_id=period.id,
            registration=operations.Registration(
                title="KL checks", type="airport_checks", lead_agency="RMP",
                starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2),
                locations=[operations.LocationData(site="KUL")],
                targets=[operations.TargetData(kind="phone", value="+66 81 234 5678",
                                               label="MY R")]),
            blinding_key=app.extensions["jpa.settings"].blinding_key.encode())
        return period.id


@pytest.fixture
def nlo(world, web):
    """THA's NLO signed in."""
    assert web.login("nlo.tha.uxf").status_code == 302
    return web.client


def _day(days: int, hour: int = 8) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _form(page: str, **fields: str) -> dict[str, str]:
    data = {"csrf_token": csrf_token_from(page), "title": "Operation Kite",
            "type": "network_targeting", "lead_agency": "Royal Thai Police", "time_zone": "UTC",
            "starts_at": _day(1), "ends_at": _day(1, 20), "sites-0-airport": "BKK",
            "targets-0-kind": "phone", "targets-0-value": PHONE,
            "targets-0-label": "Kite handset", "targets-1-kind": "passport",
            "targets-1-value": PASSPORT, "targets-1-label": "Kite passport"}
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def _error_of(page: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    assert match, f"no inline error for {field_id}"
    return html.unescape(match.group(1))


def _summary_links(page: str) -> list[str]:
    box = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">', box)


def _rows(page: str, kind: str) -> int:
    """Rows on the page (not the blank one inside <template> that the script copies)."""
    return re.sub(r"<template.*?</template>", "", page, flags=re.S).count(
        f'class="row grid-form {kind}-row"')


def _operations(app) -> int:
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Operation)) or 0


def test_every_problem_is_reported_in_one_pass_with_a_summary(app, world, nlo):
    url = f"/periods/{world}/operations/new"
    page = nlo.get(url).get_data(as_text=True)
    response = nlo.post(url, data=_form(
        page, title="", starts_at=_day(-2), ends_at=_day(30), **{
            "sites-0-airport": "QQQ", "sites-1-name": "Pier 4", "sites-1-lat": "13.7",
            "targets-0-value": "12", "targets-1-dob": "1990-01-01",
            "contact_name": "Somchai", "contact_phone": "call me"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Error: Register an operation" in page
    assert "There is a problem" in page
    # The request model's problems and the service's, together.
    expected = {"title", "starts_at", "ends_at", "sites-0-airport", "sites-1-airport",
                "targets-0-value", "targets-1-dob", "contact_phone"}
    assert expected <= set(_summary_links(page)), _summary_links(page)
    assert "within the period" in _error_of(page, "starts_at")
    assert "IATA" in _error_of(page, "sites-0-airport")
    assert "only a person" in _error_of(page, "targets-1-dob")
    text = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
    for path in PATHS:
        assert path not in text, path
    assert _operations(app) == 1  # MYS's only


def test_a_city_for_a_time_zone_suggests_the_name_and_keeps_the_form(app, world, nlo):
    url = f"/periods/{world}/operations/new"
    page = nlo.get(url).get_data(as_text=True)
    response = nlo.post(url, data=_form(page, time_zone="Bangkok"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Asia/Bangkok" in _error_of(page, "time_zone")
    assert 'value="Operation Kite"' in page and 'value="Royal Thai Police"' in page
    assert 'value="BKK"' in page and 'value="Kite handset"' in page
    assert f'value="{_day(1)}"' in page
    assert PHONE not in page and PASSPORT not in page
    response = nlo.post(url, data=_form(page, time_zone="Asia/Bangkok"))
    assert response.status_code == 302
    assert _operations(app) == 2


def test_time_zone_suggestions():
    assert suggest_time_zones("Bangkok") == ["Asia/Bangkok"]
    assert suggest_time_zones("kuala lumpur") == ["Asia/Kuala_Lumpur"]
    assert "Pacific/Auckland" in suggest_time_zones("Aukland")
    assert suggest_time_zones("") == []


def test_rows_are_added_and_removed_without_script(app, world, nlo):
    url = f"/periods/{world}/operations/new"
    page = nlo.get(url).get_data(as_text=True)
    assert _rows(page, "site") == 1
    assert _rows(page, "target") == 1
    response = nlo.post(url, data=_form(page, add_site="1", **{"sites-0-airport": "CNX"}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _rows(page, "site") == 2
    assert 'value="CNX"' in page and "There is a problem" not in page
    assert _operations(app) == 1  # nothing saved
    # Remove the first target: the second becomes the first, its label kept.
    response = nlo.post(url, data=_form(page, remove_target="0"))
    page = response.get_data(as_text=True)
    assert _rows(page, "target") == 1
    assert 'id="targets-0-label"' in page and 'value="Kite passport"' in page
    assert "Kite handset" not in page and PASSPORT not in page


def test_the_form_shows_the_window_and_limits_the_dates(world, nlo):
    page = nlo.get(f"/periods/{world}/operations/new").get_data(as_text=True)
    assert 'id="period-window"' in page and "The period runs from" in page
    assert re.search(r'id="starts_at"[^>]* max="\d{4}-\d\d-\d\dT\d\d:\d\d"', page) or \
        re.search(r'max="[^"]+"[^>]* id="starts_at"', page)
    assert re.search(r'min="\d{4}-\d\d-\d\dT\d\d:\d\d"', page)


def _register(app, nlo, world) -> str:
    url = f"/periods/{world}/operations/new"
    page = nlo.get(url).get_data(as_text=True)
    created = nlo.post(url, data=_form(page))
    assert created.status_code == 302, created.get_data(as_text=True)
    return created.headers["Location"]


def test_an_edit_lists_the_targets_and_keeps_a_blank_value(app, world, nlo):
    detail_url = _register(app, nlo, world)
    page = nlo.get(detail_url + "/edit").get_data(as_text=True)
    assert "Kite handset" in page and "Kite passport" in page
    assert PHONE not in page and PASSPORT not in page and "5678" not in page
    assert 'name="targets-0-keep" type="hidden" value="0"' in page
    assert "Phone number “Kite handset” (registered)" in page
    # Keep the phone under a new label, drop the passport, add an e-mail.
    data = _form(page, **{"targets-0-value": "", "targets-0-label": "Kite handset (new)",
                          "targets-0-keep": "0", "targets-1-kind": "email",
                          "targets-1-value": "kite@example.org", "targets-1-label": "Kite mail",
                          "targets_listed": "1"})
    response = nlo.post(detail_url + "/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = nlo.get(detail_url).get_data(as_text=True)
    assert "Kite handset (new)" in detail and "Kite mail" in detail
    assert "Kite passport" not in detail
    # The kept phone still meets MYS's: the conflict stays (its blinded value was kept).
    assert "Cleared" not in detail and "MYS" in detail


def test_an_edit_that_removes_every_row_leaves_no_targets(app, world, nlo):
    detail_url = _register(app, nlo, world)
    page = nlo.get(detail_url + "/edit").get_data(as_text=True)
    data = {name: value for name, value in _form(page, targets_listed="1").items()
            if not name.startswith("targets-")}
    assert nlo.post(detail_url + "/edit", data=data).status_code == 302
    detail = nlo.get(detail_url).get_data(as_text=True)
    assert "phone: Kite handset" not in detail and "passport: Kite passport" not in detail
    assert "Cleared" in detail  # the shared phone is gone


@pytest.mark.parametrize("fields", [
    {"targets-0-kind": "email", "targets-0-value": ""},  # a new kind needs a new value
    {"targets-0-value": "", "targets-0-dob": "1990-01-01"},
    {"targets-0-keep": "7", "targets-0-value": ""},  # no such registered target
])
def test_a_kept_row_that_cannot_stand_is_refused_beside_its_field(app, world, nlo, fields):
    detail_url = _register(app, nlo, world)
    page = nlo.get(detail_url + "/edit").get_data(as_text=True)
    data = _form(page, **{"targets-0-keep": "0", "targets_listed": "1", **fields})
    response = nlo.post(detail_url + "/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _error_of(page, "targets-0-value")
    assert "There is a problem" in page
    assert "Kite passport" in nlo.get(detail_url).get_data(as_text=True)  # unchanged


def test_field_paths_in_words():
    assert in_words("starts_at") == "Starts"
    assert in_words("locations[1].site") == "Site 2 airport code"
    assert in_words("contact.phone") == "Contact officer phone"
    assert in_words("values.victims_assisted.female_adult") == \
        "victims assisted, female adult"
    assert in_words("values.arrests", names={"arrests": "Arrests"}) == "Arrests"
    assert plain_message("must be after starts_at") == "must be after the start"


def test_rows_stop_at_what_the_api_takes(app, world, nlo):
    url = f"/periods/{world}/operations/new"
    page = nlo.get(url).get_data(as_text=True)
    sites = {f"sites-{index}-airport": "BKK" for index in range(50)}
    response = nlo.post(url, data=_form(page, add_site="1", **sites))
    page = response.get_data(as_text=True)
    assert _rows(page, "site") == 50
    assert "Add another site" not in page
    # One more than the API takes is refused by name, not dropped without a word.
    response = nlo.post(url, data=_form(page, **sites, **{"sites-50-airport": "CNX"}))
    assert response.status_code == 422
    assert "at most 50 sites" in _error_of(response.get_data(as_text=True), "sites-0-airport")
    assert _operations(app) == 1


def test_a_number_that_does_not_read_is_refused_not_dropped(app, world, nlo):
    url = f"/periods/{world}/operations/new"
    page = nlo.get(url).get_data(as_text=True)
    response = nlo.post(url, data=_form(page, **{"sites-0-radius_m": "wide",
                                                 "sites-1-lat": "north"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "radius in metres as a number" in _error_of(page, "sites-0-radius_m")
    assert "latitude as a number" in _error_of(page, "sites-1-lat")
    assert _operations(app) == 1
