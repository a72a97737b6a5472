"""Operation and conflict pages keep need-to-know: every page, every role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.identity.models import User
from core.identity.services import Principal
from operations import services as operations
from operations.models import Period

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(app, accounts):
    """A period of THA, MYS and NZL; THA and MYS register operations sharing a phone."""
    admin = accounts.create("adm", "admin")
    users = {
        "tha": accounts.create("nlo.tha", "liaison_officer", "THA", full_name="Somchai"),
        "mys": accounts.create("nlo.mys", "liaison_officer", "MYS", full_name="Aisyah"),
        "nzl": accounts.create("nlo.nzl", "liaison_officer", "NZL"),
        "co": accounts.create("co.nzl", "co_chair", "NZL"),
        "an": accounts.create("ana", "analyst"),
    }
    now = datetime.now(UTC)
    key = app.extensions["jpa.settings"].blinding_key.encode()
    with app.extensions["jpa.db"].transaction() as session:
        period = operations.create_period(
            session, actor=Principal.of(admin, "x"), name="P", starts_at=now,
            ends_at=now + timedelta(days=20), states=["THA", "MYS", "NZL"], co_chairs=["NZL"])
        ops = {}
        for who, phone, title, label in (("tha", "081 234 5678", "Secret Thai title", "Thai K"),
                                         ("mys", "+66 81 234 5678", "Secret KL title", "MY R")):
            op, outcome = operations.register_operation(
                session, actor=Principal.of(users[who], "x"), period_id=period.id,
                registration=operations.Registration(
                    title=title, type="network_targeting", lead_agency="Agency " + who,
                    starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2),
                    locations=[operations.LocationData(site="BKK" if who == "tha" else "KUL")],
                    targets=[operations.TargetData(kind="phone", value=phone, label=label)]),
                blinding_key=key)
            ops[who] = op.id
        conflict_id = outcome.current[0].id
    return {"period": period.id, "ops": ops, "conflict": conflict_id}


def _as(app, web_cls, username):
    browser = web_cls(app.test_client())
    assert browser.login(username, PASSWORD).status_code == 302
    return browser.client


def test_owner_sees_full_detail_and_whom_to_call(app, web, world):
    client = _as(app, type(web), "nlo.tha")
    page = client.get(f"/operations/{world['ops']['tha']}").get_data(as_text=True)
    assert "Secret Thai title" in page and "Thai K" in page
    assert "Aisyah" in page  # the counterpart's contact officer
    assert "Secret KL title" not in page and "MY R" not in page and "Agency mys" not in page
    assert "234 5678" not in page


@pytest.mark.parametrize("path", ["/operations/{mys}", "/operations/{mys}/edit",
                                  "/conflicts/999999"])
def test_another_states_operation_is_not_found(app, web, world, path):
    client = _as(app, type(web), "nlo.tha")
    url = path.format(mys=world["ops"]["mys"])
    assert client.get(url).status_code == 404


def test_a_state_outside_the_conflict_cannot_open_it(app, web, world):
    client = _as(app, type(web), "nlo.nzl")
    assert client.get(f"/conflicts/{world['conflict']}").status_code == 404
    assert client.get(f"/operations/{world['ops']['tha']}").status_code == 404
    listing = client.get(f"/periods/{world['period']}/conflicts").get_data(as_text=True)
    assert "No conflicts" in listing


def test_co_chair_sees_pointers_only(app, web, world):
    client = _as(app, type(web), "co.nzl")
    page = client.get(f"/periods/{world['period']}/conflicts").get_data(as_text=True)
    assert "THA \u2013 MYS" in page and "target" in page
    for secret in ("Thai K", "MY R", "Secret Thai title", "Aisyah", "Somchai"):
        assert secret not in page
    detail = client.get(f"/operations/{world['ops']['tha']}").get_data(as_text=True)
    assert "Secret Thai title" not in detail and "Agency tha" not in detail
    assert "Network targeting" in detail


def test_analyst_sees_counts_and_admin_is_refused(app, web, world):
    analyst = _as(app, type(web), "ana")
    page = analyst.get(f"/periods/{world['period']}/conflicts").get_data(as_text=True)
    assert "counts only" in page and "THA" not in page.split("<main")[1].split("Total")[0]
    assert analyst.get(f"/conflicts/{world['conflict']}").status_code == 403
    admin = _as(app, type(web), "adm")
    assert admin.get(f"/periods/{world['period']}/operations").status_code == 403
    assert admin.get(f"/operations/{world['ops']['tha']}").status_code == 403


def test_party_acknowledges_and_resolves_through_the_pages(app, web, world, csrf_of):
    client = _as(app, type(web), "nlo.mys")
    page = client.get(f"/conflicts/{world['conflict']}").get_data(as_text=True)
    token = csrf_of(page)
    response = client.post(f"/conflicts/{world['conflict']}/acknowledge",
                           data={"csrf_token": token})
    assert response.status_code == 302
    response = client.post(f"/conflicts/{world['conflict']}/resolve",
                           data={"csrf_token": token, "resolution": "joint",
                                 "note": "joint desk at KUL"})
    page = client.get(f"/conflicts/{world['conflict']}").get_data(as_text=True)
    assert "Resolved" in page and "joint desk at KUL" in page and "by MYS" in page
    # Without the CSRF token nothing changes.
    other = _as(app, type(web), "nlo.tha")
    assert other.post(f"/conflicts/{world['conflict']}/acknowledge").status_code == 400


def test_editing_through_the_form_rechecks_and_clears(app, web, world, csrf_of):
    client = _as(app, type(web), "nlo.tha")
    oid = world["ops"]["tha"]
    page = client.get(f"/operations/{oid}/edit").get_data(as_text=True)
    assert 'value="BKK"' in page and "234 5678" not in page
    start = datetime.now(UTC) + timedelta(days=1)
    form = {
        "csrf_token": csrf_of(page), "title": "Secret Thai title", "type": "network_targeting",
        "lead_agency": "Agency tha", "time_zone": "UTC",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "sites-0-airport": "BKK",
        # New targets replace the old ones: the shared phone is gone.
        "targets-0-kind": "phone", "targets-0-value": "+66 2 123 4567",
        "targets-0-label": "Office line",
    }
    response = client.post(f"/operations/{oid}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(f"/operations/{oid}").get_data(as_text=True)
    assert "phone: Office line" in detail and "phone: Thai K" not in detail
    assert "Cleared" in detail
    # A half-filled target row is refused beside its field and changes nothing.
    page = client.get(f"/operations/{oid}/edit").get_data(as_text=True)
    bad = {**form, "csrf_token": csrf_of(page), "targets-0-value": ""}
    response = client.post(f"/operations/{oid}/edit", data=bad)
    assert response.status_code == 422
    assert "never stored" in response.get_data(as_text=True)


def test_a_site_shows_its_airport_code_once(app, web, world):
    """An airport's own name already ends with its code; a name of the NLO's gets the code."""
    key = app.extensions["jpa.settings"].blinding_key.encode()
    with app.extensions["jpa.db"].transaction() as session:
        tha = session.scalar(select(User).where(User.username == "nlo.tha"))
        period = session.get(Period, world["period"])
        named, _ = operations.register_operation(
            session, actor=Principal.of(tha, "x"), period_id=world["period"],
            registration=operations.Registration(
                title="Gate sweep", type="airport_checks", lead_agency="Immigration",
                starts_at=period.starts_at + timedelta(days=3),
                ends_at=period.starts_at + timedelta(days=4),
                locations=[operations.LocationData(name="Terminal 2 gates", site="BKK")],
                targets=[]),
            blinding_key=key)
    client = _as(app, type(web), "nlo.tha")
    airport_page = client.get(f"/operations/{world['ops']['tha']}").get_data(as_text=True)
    assert "(BKK)" in airport_page and "[BKK]" not in airport_page
    named_page = client.get(f"/operations/{named.id}").get_data(as_text=True)
    assert "Terminal 2 gates [BKK]" in named_page
