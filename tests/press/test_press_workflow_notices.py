"""Every step tells the people who must act, in the inbox and by e-mail, and never the
person who acted; every step leaves an audit row."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from core.notify import OutboxMail
from tests.outcomes.helpers import STATES
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom

APPROVERS = ["nlo.tha", "nlo2.tha", "nlo.mys", "nlo.nzl", "nlo.lka", "nlo.mdv"]


@pytest.fixture
def newsroom(app: Flask, accounts: Any) -> Newsroom:
    """The 2015 window (LKA MDV MYS NZL THA; LKA and NZL co-chair) and its people."""
    room = build_newsroom(app, accounts)
    room.report("nlo.tha", "2015-10-01", {"arrests": 4})
    for state in STATES:
        room.sign(NLO_OF[state])
    return room


def _told(newsroom: Newsroom, word: str) -> tuple[list[str], list[str]]:
    """Who has a notification (and an e-mail) whose subject has `word`."""
    inbox = sorted(u for u, subjects in newsroom.inbox_of().items()
                   if any(word in s for s in subjects))
    mail = sorted(u for u, subjects in newsroom.mail_to().items()
                  if any(word in s for s in subjects))
    return inbox, mail


def test_submission_asks_every_approving_nlo_but_not_the_author(newsroom: Newsroom) -> None:
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    inbox, mail = _told(newsroom, "to approve")
    assert inbox == mail == sorted(APPROVERS)
    assert "nlo.aus" not in inbox


def test_a_national_release_asks_its_own_state_never_the_actor(newsroom: Newsroom) -> None:
    rid = newsroom.create("nlo.tha", scope="national", title="Thailand")["id"]
    newsroom.act("nlo.tha", rid, "submit")
    assert _told(newsroom, "to approve") == (["nlo2.tha"], ["nlo2.tha"])


def test_the_last_approval_tells_the_authors_and_publication_tells_everyone_else(
        newsroom: Newsroom) -> None:
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid, STATES[:-1])
    assert _told(newsroom, "approved") == ([], [])  # not yet every state
    newsroom.act(NLO_OF[STATES[-1]], rid, "approve")
    assert _told(newsroom, "approved") == (["chair.lka", "chair.nzl"],
                                           ["chair.lka", "chair.nzl"])
    newsroom.act("chair.lka", rid, "publish")
    inbox, mail = _told(newsroom, "published")
    assert inbox == mail == sorted(["chair.nzl", *APPROVERS])  # not chair.lka, who published
    actions = [(a, u) for a, u, o in newsroom.audit() if o == str(rid) and a != "press.signoff"]
    assert actions == [("press.create", "chair.nzl"), ("press.submit", "chair.nzl"),
                       *[("press.approve", NLO_OF[s]) for s in STATES],
                       ("press.publish", "chair.lka")]


def test_scheduling_tells_the_embargo_in_each_users_own_zone(newsroom: Newsroom,
                                                              accounts: Any) -> None:
    accounts.create("chair2.nzl", "co_chair", "NZL", email="chair2.nzl@example.org",
                    time_zone="Pacific/Auckland")
    rid = newsroom.create("chair.nzl")["id"]
    newsroom.act("chair.nzl", rid, "submit")
    newsroom.approve_all(rid)
    newsroom.act("chair.nzl", rid, "schedule", publish_at="2999-01-01T00:00:00+00:00")
    with newsroom.app.extensions["jpa.db"].transaction(write=False) as session:
        bodies = {r: b for r, b in session.execute(
            select(OutboxMail.recipient, OutboxMail.body)
            .where(OutboxMail.subject.startswith("Press release scheduled")))}
    assert "2999-01-01 13:00 (Pacific/Auckland)" in bodies["chair2.nzl@example.org"]
    assert "chair.nzl@example.org" not in bodies
