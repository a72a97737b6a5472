"""Who may request, read and download packs and annexes, and what bad input answers (each
a 4xx naming what is wrong, nothing stored): NLO 404, administrator 403, a period or pack
the caller cannot see 404, a pack still building 409, an annex asked by anyone but an NLO
of a participating state 403 (a non-participating NLO: 404). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from debrief.models import Pack
from debrief.pack_builder import build_next
from tests.debrief.debrief_packs_support import API, Desk, entries, make_desk, manifest_of


def _pack_count(desk: Desk) -> int:
    with desk.app.extensions["jpa.db"].transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Pack)) or 0)


@pytest.mark.parametrize(("username", "status"), [
    ("nlo.tha", 404), ("admin", 403), ("chair.aus", 404), ("chair.tha", 403),
])
def test_who_may_not_request(app: Flask, accounts: Any, username: str, status: int) -> None:
    desk = make_desk(app, accounts)
    response = desk.request(username)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] in ("not_found", "forbidden")
    assert _pack_count(desk) == 0
    assert desk.audit("debrief.pack.requested") == []


def test_unknown_period_and_pack(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    assert desk.request("chair.nzl", pid=desk.pid + 999).status_code == 404
    for path in ("", "/download"):
        response = desk.api("chair.nzl").get(f"{API}/debrief/packs/424242{path}")
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "No such debrief pack."
    assert _pack_count(desk) == 0


def test_readers_of_a_pack(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    pack_id = desk.queued("analyst")
    for username, status in (("chair.nzl", 200), ("chair.tha", 200), ("analyst", 200),
                             ("nlo.tha", 404), ("chair.aus", 404), ("admin", 403)):
        response = desk.api(username).get(f"{API}/debrief/packs/{pack_id}")
        assert response.status_code == status, username
        listed = desk.api(username).get(f"{API}/periods/{desk.pid}/debrief/packs")
        assert listed.status_code == status, username


def test_download_while_building_is_409(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    pack_id = desk.queued()
    response = desk.api("chair.nzl").get(f"{API}/debrief/packs/{pack_id}/download")
    assert response.status_code == 409
    assert "still being built" in response.get_json()["error"]["message"]
    assert desk.audit("debrief.pack.downloaded") == []
    build_next(app)
    assert desk.api("nlo.tha").get(f"{API}/debrief/packs/{pack_id}/download").status_code == 404
    assert desk.api("admin").get(f"{API}/debrief/packs/{pack_id}/download").status_code == 403
    assert desk.audit("debrief.pack.downloaded") == []


@pytest.mark.parametrize(("username", "status"), [
    ("chair.nzl", 403), ("analyst", 403), ("admin", 403), ("nlo.aus", 404),
])
def test_annex_refused(app: Flask, accounts: Any, username: str, status: int) -> None:
    desk = make_desk(app, accounts)
    response = desk.api(username).get(f"{API}/periods/{desk.pid}/debrief/annex")
    assert response.status_code == status, response.get_data(as_text=True)
    assert desk.audit("debrief.annex.downloaded") == []


def test_annex_of_an_nlo(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    response = desk.api("nlo.tha").get(f"{API}/periods/{desk.pid}/debrief/annex")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert 'filename="debrief-annex-period' in response.headers["Content-Disposition"]
    content = response.get_data()
    manifest = manifest_of(content)
    assert manifest["annex_state"] == "THA" and manifest["version"] == 0
    assert "report.html" in entries(content)
    assert ['"state":"THA"' in e.details for e in desk.audit("debrief.annex.downloaded")] \
        == [True]
    assert _pack_count(desk) == 0  # an annex is not a stored version


def test_routes_are_in_the_openapi_document(app: Flask) -> None:
    paths = app.test_client().get(f"{API}/openapi.json").get_json()["paths"]
    assert set(paths[f"{API}/periods/{{pid}}/debrief/packs"]) == {"get", "post"}
    assert "get" in paths[f"{API}/debrief/packs/{{pack_id}}"]
    assert "get" in paths[f"{API}/debrief/packs/{{pack_id}}/download"]
    assert "get" in paths[f"{API}/periods/{{pid}}/debrief/annex"]
