"""Who sees and who may write which release: regional ones to the period's participants,
co-chairs and analysts; national ones to their own state, the co-chairs and analysts;
analysts read only; administrators not at all; an unseen release is 404."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.outcomes.helpers import API, error_of
from tests.press.press_workflow_support import Newsroom, build_newsroom


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    return build_newsroom(app, accounts)


def _listed(newsroom: Newsroom, username: str) -> Any:
    return newsroom.api(username).get(f"{API}/periods/{newsroom.pid}/press-releases")


def test_who_sees_regional_and_national_releases(newsroom: Newsroom) -> None:
    regional = newsroom.create("chair.nzl")["id"]
    national = newsroom.create("nlo.tha", scope="national", title="Thailand")["id"]
    for username, ids in (("chair.nzl", [regional, national]),
                          ("chair.tha", [regional, national]),
                          ("analyst", [regional, national]),
                          ("nlo.tha", [regional, national]),
                          ("nlo2.tha", [regional, national]),
                          ("nlo.mys", [regional])):
        response = _listed(newsroom, username)
        assert response.status_code == 200, username
        assert [r["id"] for r in response.get_json()["releases"]] == ids, username
    newsroom.get("nlo.mys", national, 404)
    newsroom.get("nlo.aus", regional, 404)
    error_of(_listed(newsroom, "nlo.aus"), 404)
    error_of(_listed(newsroom, "admin"), 403)
    error_of(newsroom.api("admin").get(f"{API}/press-releases/{regional}"), 403)


def test_analysts_read_only_and_others_may_not_write(newsroom: Newsroom) -> None:
    rid = newsroom.create("chair.nzl")["id"]
    before = newsroom.get("chair.nzl", rid)
    for username in ("analyst", "nlo.tha", "chair.tha"):  # chair.tha: not a co-chair here
        error_of(newsroom.api(username).patch(f"{API}/press-releases/{rid}",
                                              json={"title": "x"}), 403)
        newsroom.act(username, rid, "submit", 403)
    newsroom.act("analyst", rid, "approve", 403)
    assert newsroom.get("chair.nzl", rid) == before


@pytest.mark.parametrize(("username", "scope", "status"), [
    ("chair.tha", "regional", 403),  # a participant's co-chair-role user, not a co-chair
    ("nlo.tha", "regional", 403),
    ("chair.nzl", "national", 403),
    ("analyst", "regional", 403),
    ("admin", "regional", 403),
])
def test_who_may_create_which_release(newsroom: Newsroom, username: str, scope: str,
                                      status: int) -> None:
    before = newsroom.counts()
    newsroom.create(username, status, scope=scope)
    assert newsroom.counts() == before


def test_the_release_is_in_the_openapi_document(newsroom: Newsroom) -> None:
    document = newsroom.app.test_client().get(f"{API}/openapi.json").get_json()
    paths = document["paths"]
    for path in ("/api/v1/periods/{pid}/signoffs", "/api/v1/periods/{pid}/press-releases",
                 "/api/v1/press-releases/{rid}", "/api/v1/press-releases/{rid}/submit",
                 "/api/v1/press-releases/{rid}/approve", "/api/v1/press-releases/{rid}/schedule",
                 "/api/v1/press-releases/{rid}/publish", "/api/v1/press-releases/{rid}/correct",
                 "/api/v1/press-releases/{rid}/withdraw"):
        assert path in paths, path
    assert "ReleaseOut" in str(document["components"]["schemas"])
