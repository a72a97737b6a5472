"""A period's press templates: the ten defaults seeded once (also with two first reads at
once), edited by the co-chairs, checked like a release body, used by the next release."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from press.defaults import default_template
from press.models import PressTemplate
from press.period_templates import seed_templates
from tests.outcomes.helpers import API
from tests.press.press_workflow_support import Newsroom, build_newsroom
from tests.security.sec_core_world import expect_error


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    return build_newsroom(app, accounts)


def _url(newsroom: Newsroom, scope: str = "regional", language: str = "en") -> str:
    return f"{API}/periods/{newsroom.pid}/press-templates/{scope}/{language}"


def _rows(newsroom: Newsroom) -> int:
    with newsroom.app.extensions["jpa.db"].transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(PressTemplate)
                              .where(PressTemplate.period_id == newsroom.pid)) or 0


def test_the_ten_defaults_are_seeded_on_first_read(newsroom: Newsroom) -> None:
    assert _rows(newsroom) == 0
    response = newsroom.api("nlo.tha").get(f"{API}/periods/{newsroom.pid}/press-templates")
    assert response.status_code == 200, response.get_data(as_text=True)
    found = response.get_json()["templates"]
    assert [(t["scope"], t["language"]) for t in found] == [
        (s, lang) for s in ("regional", "national") for lang in ("en", "fr", "id", "ms", "th")]
    assert found[0]["body"] == default_template("regional", "en")
    newsroom.api("chair.nzl").get(f"{API}/periods/{newsroom.pid}/press-templates")
    assert _rows(newsroom) == 10


def test_two_first_reads_at_once_still_leave_ten_rows(newsroom: Newsroom) -> None:
    database = newsroom.app.extensions["jpa.db"]
    barrier, errors = threading.Barrier(2), []

    def first_read() -> None:
        try:
            barrier.wait(timeout=10)
            with database.transaction() as session:
                seed_templates(session, newsroom.pid)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=first_read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert _rows(newsroom) == 10


def test_an_edited_template_is_used_by_the_next_release(newsroom: Newsroom) -> None:
    body = "# {{ period.name }}\n\nThe states made {{ figures.arrests }} arrests."
    response = newsroom.api("chair.lka").put(_url(newsroom), json={"body": body})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["body"] == body
    assert newsroom.api("nlo.tha").get(_url(newsroom)).get_json()["body"] == body
    release = newsroom.create("chair.nzl")
    assert release["body"] == body
    assert "The states made 0 arrests." in release["rendered"]["text"]
    national = newsroom.create("nlo.tha", scope="national", title="Thailand's results")
    assert national["body"] == default_template("national", "en")
    assert [a for a, _, _ in newsroom.audit("press.template")] == ["press.template"]


def test_a_bad_template_is_refused_with_its_line(newsroom: Newsroom) -> None:
    before = newsroom.api("chair.nzl").get(_url(newsroom)).get_json()["body"]
    for body, line in (("Fine\n\n{{ figures.nothing_such }}", "line 3"),
                       ("{{ figures.arrests", "line 1"),
                       ("ok\n{{ ''.__class__ }}", "line 2")):
        error = expect_error(newsroom.api("chair.nzl").put(_url(newsroom), json={"body": body}),
                             422, fields=("body",))
        assert line in error["fields"]["body"], error
    big = "x" * 100_001
    expect_error(newsroom.api("chair.nzl").put(_url(newsroom), json={"body": big}), 422,
                 fields=("body",))
    assert newsroom.api("chair.nzl").get(_url(newsroom)).get_json()["body"] == before
    assert newsroom.audit("press.template") == []


def test_only_the_periods_co_chairs_edit_templates(newsroom: Newsroom) -> None:
    for username in ("nlo.tha", "chair.tha", "analyst", "admin"):
        response = newsroom.api(username).put(_url(newsroom), json={"body": "Hello"})
        assert response.status_code == 403, (username, response.get_data(as_text=True))
    assert newsroom.api("chair.nzl").get(_url(newsroom, language="xx")).status_code == 404
    assert newsroom.api("admin").get(f"{API}/periods/{newsroom.pid}/press-templates") \
        .status_code == 403


def test_the_openapi_document_lists_the_new_paths(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/periods/{pid}/press-settings"])
    assert "get" in paths["/api/v1/periods/{pid}/press-templates"]
    assert {"get", "put"} <= set(
        paths["/api/v1/periods/{pid}/press-templates/{scope}/{language}"])
