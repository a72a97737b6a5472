"""Who may request, read and download packs and annexes, and what bad input answers (each
a 4xx naming what is wrong, nothing stored): NLO 404, administrator 403, a period or pack
the caller cannot see 404, a pack still building 409, an annex asked by anyone but an NLO
of a participating state 403 (a non-participating NLO: 404), an annex not ready yet 409.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from debrief.annex_models import Annex
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
    client = desk.api(username)
    base = f"{API}/periods/{desk.pid}/debrief/annex"
    for response in (client.post(base), client.get(base), client.get(f"{base}/status")):
        assert response.status_code == status, response.get_data(as_text=True)
    assert desk.audit("debrief.annex.requested") == []
    assert desk.audit("debrief.annex.downloaded") == []
    assert _annex_count(desk) == 0


def _annex_count(desk: Desk) -> int:
    with desk.app.extensions["jpa.db"].transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Annex)) or 0)


def test_annex_of_an_nlo(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    client = desk.api("nlo.tha")
    base = f"{API}/periods/{desk.pid}/debrief/annex"
    assert client.get(f"{base}/status").status_code == 404  # never requested
    early = client.get(base)
    assert early.status_code == 409 and "request one" in early.get_json()["error"]["message"]
    queued = client.post(base)
    assert queued.status_code == 202, queued.get_data(as_text=True)
    body = queued.get_json()
    assert body["state"] == "THA" and body["status"] == "building" and body["stage"] == "queued"
    again = client.post(base)  # one already queued: that one, not a second
    assert again.status_code == 202 and again.get_json()["id"] == body["id"]
    building = client.get(base)
    assert building.status_code == 409
    assert "still being built" in building.get_json()["error"]["message"]
    assert build_next(app) == 1
    status = client.get(f"{base}/status").get_json()
    assert status["status"] == "ready" and status["files"]
    response = client.get(base)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    assert 'filename="debrief-annex-period' in response.headers["Content-Disposition"]
    content = response.get_data()
    manifest = manifest_of(content)
    assert manifest["annex_state"] == "THA" and manifest["version"] == 0
    assert [f["name"] for f in manifest["files"]] == [f["name"] for f in status["files"]]
    assert "report.html" in entries(content)
    assert ['"state":"THA"' in e.details for e in desk.audit("debrief.annex.downloaded")] \
        == [True]
    assert _pack_count(desk) == 0  # an annex is not a pack version
    # Malaysia's NLO sees nothing of Thailand's annex.
    assert desk.api("nlo.mys").get(f"{base}/status").status_code == 404
    assert desk.api("nlo.mys").get(base).status_code == 409


def test_a_newer_annex_replaces_the_older(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    client = desk.api("nlo.tha")
    base = f"{API}/periods/{desk.pid}/debrief/annex"
    first = client.post(base).get_json()["id"]
    build_next(app)
    second = client.post(base).get_json()["id"]
    assert second != first
    assert client.get(base).status_code == 200  # the older ready one meanwhile
    build_next(app)
    assert client.get(f"{base}/status").get_json()["id"] == second
    assert _annex_count(desk) == 1


def test_routes_are_in_the_openapi_document(app: Flask) -> None:
    paths = app.test_client().get(f"{API}/openapi.json").get_json()["paths"]
    assert set(paths[f"{API}/periods/{{pid}}/debrief/packs"]) == {"get", "post"}
    assert "get" in paths[f"{API}/debrief/packs/{{pack_id}}"]
    assert "get" in paths[f"{API}/debrief/packs/{{pack_id}}/download"]
    assert set(paths[f"{API}/periods/{{pid}}/debrief/annex"]) == {"get", "post"}
    assert "get" in paths[f"{API}/periods/{{pid}}/debrief/annex/status"]
