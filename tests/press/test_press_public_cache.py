"""The public micro-cache (press.published.PublicCache): answers kept PUBLIC_TTL_SECONDS and
dropped in this process as soon as a publication, correction or withdrawal commits."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from press.published import PUBLIC_TTL_SECONDS, PublicCache, StoredDocument
from tests.outcomes.helpers import STATES
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


def _approved(newsroom: Newsroom) -> int:
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    return rid


def test_a_cached_404_gives_way_to_the_publication_at_once(newsroom: Newsroom) -> None:
    rid = _approved(newsroom)
    url = newsroom.get("chair.nzl", rid)["public_url"]
    client = newsroom.app.test_client()
    assert client.get(url).status_code == 404  # now cached as a 404
    assert client.get(url).status_code == 404
    newsroom.act("chair.nzl", rid, "publish")
    assert client.get(url).status_code == 200  # not after the TTL: at once


def test_a_correction_and_a_withdrawal_show_at_once(newsroom: Newsroom) -> None:
    rid = _approved(newsroom)
    newsroom.act("chair.nzl", rid, "publish")
    url = newsroom.get("chair.nzl", rid)["public_url"]
    client = newsroom.app.test_client()
    first = client.get(url)
    newsroom.act("chair.nzl", rid, "correct", note="Arrest figure clarified",
                 body="Officers made {{ figures.arrests }} arrests in total.")
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    newsroom.act("chair.lka", rid, "publish")
    second = client.get(url)
    assert second.data != first.data and second.headers["ETag"] != first.headers["ETag"]
    assert b"Arrest figure clarified" in second.data
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    newsroom.act("chair.nzl", rid, "withdraw", note="Published in error")
    assert b"Published in error" in client.get(url).data


def test_entries_expire_after_the_ttl() -> None:
    cache = PublicCache()
    document = StoredDocument(data=b"x", etag='"e"')
    cache.put(("slug", "html", None), 100.0, document)
    cache.put(("gone", "html", None), 100.0, None)
    assert cache.get(("slug", "html", None), 100.0 + PUBLIC_TTL_SECONDS / 2) == (True, document)
    assert cache.get(("gone", "html", None), 100.0) == (True, None)  # a cached 404
    assert cache.get(("slug", "html", None), 100.0 + PUBLIC_TTL_SECONDS) == (False, None)
    assert cache.get(("slug", "html", 1), 100.0) == (False, None)  # each version its own key
