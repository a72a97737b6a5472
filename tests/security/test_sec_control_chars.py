"""NUL and other control characters are refused centrally: API bodies (keys and values at any
depth), API query strings, and every form field and query-string value of the pages."""

from __future__ import annotations

import pytest

from operations.models import Operation
from tests.conftest import PASSWORD, WebAuth, csrf_token_from
from tests.deconfliction.helpers import API, at, operation_body
from tests.security.sec_core_world import build_world, count, expect_error

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def world(app, accounts):
    """A period with NLOs of four states."""
    return build_world(app, accounts)


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"],
                         ids=["nul", "soh", "esc", "del", "nel", "c1-last"])
def test_a_control_character_in_the_login_username_is_a_422_naming_it(client, accounts,
                                                                       character):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")

    response = client.post(TOKEN, json={"username": f"nlo.nzl{character}",
                                        "password": PASSWORD})

    error = expect_error(response, 422, "validation_failed", fields=("username",))
    assert "control" in error["fields"]["username"]
    assert character not in response.get_data(as_text=True)


def test_a_nul_deep_inside_a_registration_names_its_path_and_stores_nothing(app, world):
    targets = [{"kind": "phone", "value": "+66 81 234 5678", "label": "Subject A"},
               {"kind": "phone", "value": "+66 81 234 5679", "label": "Subject\x00B"}]
    before = count(app, Operation)

    response = world.register_raw("nlo.tha", targets=targets)

    expect_error(response, 422, "validation_failed", fields=("targets[1].label",))
    assert count(app, Operation) == before


def test_a_control_character_in_a_key_names_the_object_holding_it(world):
    body = operation_body(contact={"name": "Desk", "ph\x00one": "+66 2 205 1000"})

    response = world.api("nlo.tha").post(f"{API}/periods/{world.pid}/operations", json=body)

    error = expect_error(response, 422, "validation_failed", fields=("contact",))
    assert "\x00" not in response.get_data(as_text=True)
    assert "control" in error["fields"]["contact"]


def test_tab_and_line_breaks_are_still_accepted(world):
    created = world.register("nlo.tha", lead_agency="Royal Thai Police\tImmigration\r\nBKK")

    assert "\t" in created["lead_agency"] and "\n" in created["lead_agency"]


def test_a_control_character_in_an_api_query_string_is_a_422(world):
    response = world.api("nlo.tha").get(f"{API}/periods/{world.pid}/conflicts",
                                        query_string={"status": "open\x00"})

    expect_error(response, 422, "validation_failed", fields=("status",))


# ---------------------------------------------------------------- pages


def test_a_nul_in_the_login_form_is_refused_with_a_page_naming_the_field(client, accounts):
    accounts.create("nlo.nzl", "liaison_officer", "NZL")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))

    response = client.post("/login", data={"username": "nlo.nzl\x00", "password": PASSWORD,
                                           "csrf_token": token})

    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    assert "username" in page and "control characters" in page
    assert "jpa_session" not in response.headers.get("Set-Cookie", "")


def test_a_control_character_in_a_registration_form_stores_nothing(app, world, client):
    web = WebAuth(client)
    assert web.login("nlo.tha").status_code == 302
    path = f"/periods/{world.pid}/operations/new"
    token = web.csrf(path)
    before = count(app, Operation)

    form = {"csrf_token": token, "title": "Night\x1bwatch", "type": "airport_checks",
            "lead_agency": "Police", "time_zone": "UTC",
            "starts_at": at(2).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(3).strftime("%Y-%m-%dT%H:%M"), "sites-0-airport": "BKK"}

    response = client.post(path, data=form)

    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert "title" in response.get_data(as_text=True)
    assert count(app, Operation) == before


def test_a_control_character_in_a_page_query_string_is_refused(client):
    response = client.get("/login", query_string={"next": "/periods\x00"})

    assert response.status_code == 422
    assert "next" in response.get_data(as_text=True)
