"""An administrator sets up a period through the page; times show in each viewer's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.audit import AuditEvent
from operations.models import Period, PeriodState


def _form(web, **overrides: str) -> dict[str, str]:
    values = {
        "name": "Bali Process JPA 2030",
        "starts_at": "2030-01-15T12:00",
        "ends_at": "2030-02-15T12:00",
        "time_zone": "Pacific/Auckland",
        "states": "NZL lka, tha",
        "co_chairs": "nzl LKA",
        "csrf_token": web.csrf("/admin/periods/new"),
    }
    values.update(overrides)
    return values


def test_new_period_form_defaults_to_the_admins_zone(logged_in, client):
    logged_in("admin", "admin", time_zone="Asia/Bangkok")
    response = client.get("/admin/periods/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'id="time_zone"[^>]*value="Asia/Bangkok"|value="Asia/Bangkok"[^>]*'
                     r'id="time_zone"', html)
    for name in ("name", "starts_at", "ends_at", "states", "co_chairs"):
        assert f'name="{name}"' in html
    assert 'type="datetime-local"' in html


def test_admin_creates_a_period_and_sees_it(logged_in, client, web, store):
    logged_in("admin", "admin")
    response = client.post("/admin/periods/new", data=_form(web))
    assert response.status_code == 302
    [period] = store.periods()
    assert response.headers["Location"] == f"/periods/{period.id}"
    assert period.name == "Bali Process JPA 2030"
    # 12:00 in Auckland (NZDT, +13:00) on 15 January is 23:00 UTC the day before.
    assert period.starts_at == datetime(2030, 1, 14, 23, 0, tzinfo=UTC)
    assert period.ends_at == datetime(2030, 2, 14, 23, 0, tzinfo=UTC)
    assert period.states == ["LKA", "NZL", "THA"]
    assert period.co_chairs == ["LKA", "NZL"]
    [audited] = store.audit("period.created")
    assert audited.object_id == str(period.id)
    assert audited.actor_username == "admin"

    detail = client.get(f"/periods/{period.id}")
    assert detail.status_code == 200
    page = detail.get_data(as_text=True)
    assert "Bali Process JPA 2030" in page
    assert "created" in page  # the flash message
    assert "Sri Lanka (LKA) — <strong>co-chair</strong>" in page
    assert "Thailand (THA)</li>" in page

    listing = client.get("/periods").get_data(as_text=True)
    assert "Bali Process JPA 2030" in listing
    assert f'href="/periods/{period.id}"' in listing


def test_times_show_in_the_viewers_zone(logged_in, client, web, accounts, browser):
    logged_in("admin.bkk", "admin", time_zone="Asia/Bangkok")
    client.post("/admin/periods/new", data=_form(web))
    # Bangkok is UTC+7: 23:00 UTC on 14 January is 06:00 on the 15th.
    page = client.get("/periods").get_data(as_text=True)
    assert "15 Jan 2030 06:00" in page
    assert "15 Feb 2030 06:00" in page
    assert "Times are shown in Asia/Bangkok" in page

    accounts.create("nlo.nzl", "liaison_officer", "NZL")  # Pacific/Auckland by default
    nzl = browser()
    nzl.login("nlo.nzl")
    page = nzl.client.get("/periods").get_data(as_text=True)
    assert "15 Jan 2030 12:00 NZDT" in page
    assert "06:00" not in page


def test_missing_co_chairs_are_allowed(logged_in, client, web, store):
    logged_in("admin", "admin")
    response = client.post("/admin/periods/new", data=_form(web, co_chairs=""))
    assert response.status_code == 302
    assert store.periods()[0].co_chairs == []


@pytest.mark.parametrize("overrides, field, message", [
    ({"states": "NZL ZZZ"}, "states", "unknown state code"),
    ({"starts_at": "2030-02-01T00:00", "ends_at": "2030-01-01T00:00"}, "ends_at",
     "must be after starts_at"),
    ({"starts_at": "2030-02-01T00:00", "ends_at": "2030-02-01T00:00"}, "ends_at",
     "must be after starts_at"),
    ({"co_chairs": "AUS"}, "co_chairs", "not among the participating states"),
    ({"states": "NZL NZL"}, "states", "listed twice"),
    ({"states": ""}, "states", "This field is required"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "unknown time zone"),
    ({"starts_at": "next tuesday"}, "starts_at", "give a date and time"),
    ({"name": ""}, "name", "This field is required"),
])
def test_invalid_period_is_shown_inline_and_creates_nothing(
        logged_in, client, web, store, field_of, overrides, field, message):
    logged_in("admin", "admin")
    response = client.post("/admin/periods/new", data=_form(web, **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = field_of(html, field)
    assert 'aria-invalid="true"' in block
    assert f'id="{field}-error"' in block
    assert message in block
    assert 'class="error-summary"' in html
    # What was typed is kept in the form.
    assert "Bali Process JPA 2030" in html or field == "name"
    assert store.count(Period) == 0
    assert store.count(PeriodState) == 0
    assert store.audit("period.created") == []
    assert store.count(AuditEvent) == len(store.audit("user.created")) + len(
        store.audit("login.success"))
