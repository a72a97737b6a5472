"""The scheduler job `press.publish_scheduled`: a scheduled release is published at its
embargo time exactly once, by one pass or by two scheduler processes at once, and everyone
concerned is told by e-mail through a real SMTP server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from core.scheduler import run_pending
from core.settings import Settings
from press.jobs import PUBLISH_JOB
from press.models import ReleaseVersion
from tests.conftest import make_settings
from tests.outcomes.helpers import STATES
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp_server: Any) -> Settings:
    """Test settings with the real SMTP server, so a pass delivers the mail it queued."""
    return make_settings(tmp_path, database_url, smtp_host=smtp_server.host,
                         smtp_port=smtp_server.port)


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    return build_newsroom(app, accounts)


def _scheduled(newsroom: Newsroom) -> tuple[int, datetime]:
    newsroom.report("nlo.tha", "2015-10-01", {"arrests": 4})
    for state in STATES:
        newsroom.sign(NLO_OF[state])
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    body = newsroom.act("chair.nzl", rid, "schedule", publish_at=at.isoformat())
    assert body["status"] == "scheduled"
    return rid, at


def _ours(results: list[Any]) -> list[tuple[str, str | None]]:
    return [(r.outcome, r.detail) for r in results if r.job_id == PUBLISH_JOB]


def test_the_job_publishes_at_the_embargo_exactly_once(newsroom: Newsroom,
                                                       smtp_server: Any) -> None:
    rid, at = _scheduled(newsroom)
    url = newsroom.get("chair.nzl", rid)["public_url"]
    client = newsroom.app.test_client()
    assert _ours(run_pending(newsroom.app, now=at - timedelta(minutes=1))) == []
    assert client.get(url).status_code == 404  # under embargo
    assert _ours(run_pending(newsroom.app, now=at + timedelta(minutes=1))) == [
        ("ok", "published")]
    assert client.get(url).status_code == 200
    body = newsroom.get("chair.nzl", rid)
    assert body["status"] == "published" and body["version"] == 1
    assert _ours(run_pending(newsroom.app, now=at + timedelta(minutes=2))) == []
    assert newsroom.count(ReleaseVersion) == 1
    publications = [a for a in newsroom.audit() if a[0] == "press.publish"]
    assert publications == [("press.publish", "scheduler", str(rid))]
    # The pass sent the notices through SMTP: co-chairs and every NLO, none twice.
    told = sorted(m["To"] for m in smtp_server.sink.messages
                  if "published" in m["Subject"])
    expected = sorted(f"{u}@example.org" for u in
                      ["chair.nzl", "chair.lka", "nlo2.tha", *NLO_OF.values()])
    assert told == expected


def test_two_scheduler_processes_publish_once(newsroom: Newsroom) -> None:
    rid, at = _scheduled(newsroom)
    moment = at + timedelta(seconds=30)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def one_pass() -> None:
        barrier.wait()
        results.extend(run_pending(newsroom.app, now=moment))

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(outcome for outcome, _ in _ours(results))
    assert outcomes.count("ok") == 1, results
    assert newsroom.count(ReleaseVersion) == 1
    assert newsroom.get("chair.nzl", rid)["version"] == 1


def test_an_edit_after_scheduling_stops_the_publication(newsroom: Newsroom) -> None:
    rid, at = _scheduled(newsroom)
    newsroom.patch("chair.nzl", rid, title="Held back")
    assert _ours(run_pending(newsroom.app, now=at + timedelta(minutes=1))) == []
    body = newsroom.get("chair.nzl", rid)
    assert body["status"] == "draft" and body["version"] == 0
