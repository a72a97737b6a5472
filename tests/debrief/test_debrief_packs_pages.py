"""The packs' pages: a co-chair builds a new pack from the packs page, watches its page
(progress bar, status words, the JSON status route its script polls with the login
session), then downloads it and views report.html under a CSP that runs and fetches
nothing; the period page links co-chairs to the packs and NLOs to their annex; NLOs never
see a pack page. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, g, render_template

from core.identity.models import User
from core.identity.services import Principal
from debrief import page_parts
from debrief.pack_builder import build_next
from operations.models import Period
from tests.conftest import WebAuth
from tests.debrief.debrief_packs_support import entries, make_desk


def test_co_chair_builds_and_downloads_from_the_pages(app: Flask, accounts: Any,
                                                      web: WebAuth) -> None:
    desk = make_desk(app, accounts)
    web.login("chair.nzl")
    period_page = web.client.get(f"/periods/{desk.pid}").get_data(as_text=True)
    assert f"/periods/{desk.pid}/debrief/packs" in period_page
    page = web.client.get(f"/periods/{desk.pid}/debrief/packs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="pack-request"' in html and "No debrief pack yet." in html

    refused = web.client.post(f"/periods/{desk.pid}/debrief/packs", data={})
    assert refused.status_code == 400  # no CSRF token: nothing queued
    assert desk.audit("debrief.pack.requested") == []

    made = web.client.post(f"/periods/{desk.pid}/debrief/packs",
                           data={"csrf_token": web.csrf(f"/periods/{desk.pid}/debrief/packs")})
    assert made.status_code == 302
    pack_url = made.headers["Location"]
    pack_id = int(re.search(r"/debrief/packs/(\d+)$", pack_url).group(1))  # type: ignore[union-attr]
    building = web.client.get(pack_url).get_data(as_text=True)
    assert 'id="pack-progress"' in building and 'id="pack-status"' in building
    assert "Queued" in building and "pack_progress.js" in building
    assert '<meta http-equiv="refresh"' in building  # inside <noscript>
    assert 'id="pack-download"' not in building
    status = web.client.get(f"/debrief/packs/{pack_id}/status",
                            headers={"Accept": "application/json"})
    assert status.status_code == 200
    assert status.get_json() == {"id": pack_id, "version": 1, "status": "building",
                                 "progress": 0, "stage": "queued",
                                 "words": "Queued: waiting for the builder (0 %)"}
    assert web.client.get(f"/debrief/packs/{pack_id}/download").status_code == 409
    with web.client.get("/debrief/static/pack_progress.js") as script:
        assert script.status_code == 200 and b"pack-progress" in script.get_data()

    build_next(app)
    ready = web.client.get(pack_url).get_data(as_text=True)
    assert 'id="pack-download"' in ready and 'id="pack-files"' in ready
    assert "report.html" in ready and "pack_progress.js" not in ready
    assert web.client.get(f"/debrief/packs/{pack_id}/status").get_json()["status"] == "ready"
    zipped = web.client.get(f"/debrief/packs/{pack_id}/download")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"
    report = web.client.get(f"/debrief/packs/{pack_id}/report.html")
    assert report.status_code == 200
    assert report.get_data() == entries(zipped.get_data())["report.html"]
    csp = report.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    listing = web.client.get(f"/periods/{desk.pid}/debrief/packs").get_data(as_text=True)
    assert "Version 1" in listing and f"/debrief/packs/{pack_id}/download" in listing


def test_nlo_gets_the_annex_link_and_no_pack(app: Flask, accounts: Any, web: WebAuth) -> None:
    desk = make_desk(app, accounts)
    pack_id = desk.queued()
    web.login("nlo.tha")
    period_page = web.client.get(f"/periods/{desk.pid}").get_data(as_text=True)
    assert f"/periods/{desk.pid}/debrief/annex" in period_page
    assert f"/periods/{desk.pid}/debrief/packs" not in period_page
    assert web.client.get(f"/debrief/packs/{pack_id}").status_code == 404
    assert web.client.get(f"/periods/{desk.pid}/debrief/packs").status_code == 404
    page = web.client.get(f"/periods/{desk.pid}/debrief/annex").get_data(as_text=True)
    assert 'id="annex-request"' in page and 'id="pack-download"' not in page
    assert web.client.get(f"/periods/{desk.pid}/debrief/annex/download").status_code == 409
    token = web.csrf(f"/periods/{desk.pid}/debrief/annex")
    queued = web.client.post(f"/periods/{desk.pid}/debrief/annex", data={"csrf_token": token})
    assert queued.status_code == 302
    building = web.client.get(f"/periods/{desk.pid}/debrief/annex").get_data(as_text=True)
    assert 'id="pack-progress"' in building and 'id="annex-request"' not in building
    status = web.client.get(f"/periods/{desk.pid}/debrief/annex/status").get_json()
    assert status["status"] == "building" and status["stage"] == "queued"
    build_next(app)  # the pack first (requested first), then the annex
    build_next(app)
    ready = web.client.get(f"/periods/{desk.pid}/debrief/annex").get_data(as_text=True)
    assert 'id="pack-download"' in ready and 'id="pack-files"' in ready
    annex = web.client.get(f"/periods/{desk.pid}/debrief/annex/download")
    assert annex.status_code == 200 and annex.mimetype == "application/zip"


def test_analyst_may_build_and_a_participant_co_chair_may_only_read(
        app: Flask, accounts: Any, web: WebAuth) -> None:
    desk = make_desk(app, accounts)
    web.login("chair.tha")
    html = web.client.get(f"/periods/{desk.pid}/debrief/packs").get_data(as_text=True)
    assert 'id="pack-request"' not in html
    refused = web.client.post(f"/periods/{desk.pid}/debrief/packs",
                              data={"csrf_token": web.csrf(f"/periods/{desk.pid}/debrief/packs")})
    assert refused.status_code == 403
    web.logout()
    web.login("analyst")
    html = web.client.get(f"/periods/{desk.pid}/debrief/packs").get_data(as_text=True)
    assert 'id="pack-request"' in html


def test_the_debrief_page_gets_a_packs_section(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    pack_id = desk.queued()
    build_next(app)
    database = app.extensions["jpa.db"]
    with app.test_request_context("/"), database.transaction(write=False) as session:
        for username, expected in (("chair.nzl", True), ("analyst", True), ("nlo.tha", False),
                                   ("admin", False)):
            user = session.get(User, desk.users[username])
            period = session.get(Period, desk.pid)
            assert user is not None and period is not None
            principal = Principal.of(user, "test")
            found = [p for p in page_parts.parts(session, principal, period)
                     if p.template == "debrief/_pack_section.html"]
            assert bool(found) is expected, username
            if expected:
                g.principal = principal  # what the section's template reads (csrf, zone)
                html = render_template(found[0].template, period=period, **found[0].context)
                assert f"/debrief/packs/{pack_id}/download" in html
                assert 'id="pack-request"' in html  # both may build
