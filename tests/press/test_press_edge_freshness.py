"""press.edge keeps the public cache's freshness rules: in the process that publishes,
corrects or withdraws, the old ETag stops getting a 304 and the old bytes stop being the 200
at once; a change committed by another process (seen here only in the database) stops both
within PUBLIC_TTL_SECONDS."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from operations.models import Period
from press.documents import render_documents
from press.models import Release, ReleaseVersion
from press.published import PUBLIC_TTL_SECONDS, as_published_release
from tests.outcomes.helpers import STATES
from tests.press.press_edge_support import dispatch_count
from tests.press.press_public_support import public_world, store_release
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom

DAY = {"arrests": 4, "victims_assisted": {"female_adult": 6, "male_child": 1}}


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window and its people, with every state's figures signed off."""
    room = build_newsroom(app, accounts)
    room.report("nlo.tha", "2015-10-01", DAY)
    for state in STATES:
        room.sign(NLO_OF[state])
    return room


def _published(newsroom: Newsroom) -> tuple[int, str]:
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    newsroom.act("chair.nzl", rid, "publish")
    return rid, newsroom.get("chair.nzl", rid)["public_url"]


def _revalidate(client: Any, path: str, etag: str) -> Any:
    return client.get(path, headers={"If-None-Match": etag})


def test_this_processs_correction_and_withdrawal_end_the_old_304_at_once(
        newsroom: Newsroom) -> None:
    rid, url = _published(newsroom)
    client = newsroom.app.test_client()
    first, text = client.get(url), client.get(f"{url}.txt")
    with dispatch_count(newsroom.app) as dispatched:
        assert _revalidate(client, url, first.headers["ETag"]).status_code == 304
    assert dispatched == []  # the gate answered
    newsroom.act("chair.nzl", rid, "correct", note="Arrest figure clarified",
                 body="Officers made {{ figures.arrests }} arrests in total.")
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    newsroom.act("chair.lka", rid, "publish")
    corrected = _revalidate(client, url, first.headers["ETag"])
    assert corrected.status_code == 200 and b"Arrest figure clarified" in corrected.data
    assert corrected.headers["ETag"] != first.headers["ETag"]
    assert _revalidate(client, f"{url}.txt", text.headers["ETag"]).status_code == 200
    text = client.get(f"{url}.txt")
    with dispatch_count(newsroom.app) as dispatched:
        assert _revalidate(client, url, corrected.headers["ETag"]).status_code == 304
        assert _revalidate(client, f"{url}.txt", text.headers["ETag"]).status_code == 304
    assert dispatched == []
    newsroom.act("chair.nzl", rid, "withdraw", note="Published in error")
    withdrawn = _revalidate(client, url, corrected.headers["ETag"])
    assert withdrawn.status_code == 200 and b"Published in error" in withdrawn.data
    assert _revalidate(client, f"{url}.txt", text.headers["ETag"]).status_code == 200


def _withdraw_in_another_process(app: Flask, slug: str, note: str) -> None:
    """What another worker's withdrawal leaves in the database, without this process hearing
    of it (press.publication.store_documents would drop this process's cache)."""
    with app.extensions["jpa.db"].transaction() as session:
        release = session.scalars(select(Release).where(Release.slug == slug)).one()
        release.status, release.withdrawn_at = "withdrawn", datetime.now(UTC)
        release.withdrawal_note = note
        rows = list(session.scalars(select(ReleaseVersion).where(
            ReleaseVersion.release_id == release.id).order_by(ReleaseVersion.number)))
        period = session.get(Period, release.period_id)
        assert period is not None
        plain = as_published_release(release, rows, period.name)
        for row, version in zip(rows, plain.versions, strict=True):
            rendered = render_documents(version)
            row.html, row.text, row.pdf = rendered.html, rendered.text, rendered.pdf
            row.etag_html, row.etag_text = rendered.etag("html"), rendered.etag("text")
            row.etag_pdf = rendered.etag("pdf")


def test_another_processs_withdrawal_ends_the_old_304_within_the_ttl(
        client: Any, app: Flask, accounts: Any) -> None:
    store_release(app, public_world(app, accounts), "jpa-2031-elsewhere", versions=1)
    paths = ("/press/jpa-2031-elsewhere", "/press/jpa-2031-elsewhere.pdf")
    tags = {path: client.get(path).headers["ETag"] for path in paths}
    with dispatch_count(app) as dispatched:
        for path, etag in tags.items():
            assert _revalidate(client, path, etag).status_code == 304
    assert dispatched == []
    _withdraw_in_another_process(app, "jpa-2031-elsewhere", "Withdrawn by another worker")
    time.sleep(PUBLIC_TTL_SECONDS)  # the window the cache documents, no longer
    for path, etag in tags.items():
        response = _revalidate(client, path, etag)
        assert response.status_code == 200, path
        assert response.headers["ETag"] != etag
    assert b"Withdrawn by another worker" in client.get(paths[0]).data


def test_this_processs_correction_and_withdrawal_change_the_plain_200_at_once(
        newsroom: Newsroom) -> None:
    rid, url = _published(newsroom)
    client = newsroom.app.test_client()
    paths = (url, f"{url}.txt", f"{url}.pdf")
    before = {path: client.get(path) for path in paths}
    with dispatch_count(newsroom.app) as dispatched:
        for path in paths:
            again = client.get(path)
            assert again.status_code == 200 and again.data == before[path].data
    assert dispatched == []  # the gate answered, from the cache
    newsroom.act("chair.nzl", rid, "correct", note="Arrest figure clarified",
                 body="Officers made {{ figures.arrests }} arrests in total.")
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    newsroom.act("chair.lka", rid, "publish")
    with dispatch_count(newsroom.app) as dispatched:
        corrected = {path: client.get(path) for path in paths}
        for path in paths:
            assert corrected[path].status_code == 200
            assert corrected[path].headers["ETag"] != before[path].headers["ETag"]
            assert corrected[path].data != before[path].data
            assert client.get(path).data == corrected[path].data  # the gate, refilled
    assert dispatched == list(paths)  # the correction dropped the cache: Flask read anew
    assert b"Arrest figure clarified" in corrected[url].data
    assert b"Arrest figure clarified" in corrected[f"{url}.txt"].data
    newsroom.act("chair.nzl", rid, "withdraw", note="Published in error")
    for path in paths:
        withdrawn = client.get(path)
        assert withdrawn.status_code == 200
        assert withdrawn.headers["ETag"] != corrected[path].headers["ETag"]
    assert b"Published in error" in client.get(url).data
    assert b"Published in error" in client.get(f"{url}.txt").data


def test_another_processs_withdrawal_changes_the_plain_200_within_the_ttl(
        client: Any, app: Flask, accounts: Any) -> None:
    store_release(app, public_world(app, accounts), "jpa-2031-elsewhere", versions=1)
    paths = ("/press/jpa-2031-elsewhere", "/press/jpa-2031-elsewhere.txt")
    before = {path: client.get(path) for path in paths}
    _withdraw_in_another_process(app, "jpa-2031-elsewhere", "Withdrawn by another worker")
    time.sleep(PUBLIC_TTL_SECONDS)  # the window the cache documents, no longer
    with dispatch_count(app) as dispatched:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["ETag"] != before[path].headers["ETag"]
            assert b"Withdrawn by another worker" in response.data
    assert dispatched == list(paths)  # the expired entries went to Flask, which read anew
