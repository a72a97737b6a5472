"""The world of the debrief objectives and questionnaire tests: the press newsroom (the 2015
window, long over: LKA MDV MYS NZL THA, LKA and NZL co-chairing, people of every role with
e-mail addresses) plus a period running now, and helpers that drive the debrief
API and read what the database holds.

Imported as `tests.debrief.debrief_q_support` (a unique name across tests/)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.notify import Notification, OutboxMail
from debrief.models import DebriefSettings, Objective, Rating, Response
from tests.conftest import PASSWORD, WebAuth, csrf_token_from
from tests.outcomes.helpers import API, CO_CHAIRS, STATES, make_period
from tests.press.press_workflow_support import NLO_OF, Newsroom, build_newsroom

MODELS = {"objectives": Objective, "settings": DebriefSettings, "responses": Response,
          "ratings": Rating}
TEN_TITLES = ["Enhanced regional cooperation", "Intelligence gathering",
              "Facilitators identified", "Victims identified and rescued", "Trust",
              "Information exchange", "Network of contacts", "Gaps identified",
              "Further common operations", "Awareness"]


@dataclass
class Debrief:
    """The newsroom's past period (`pid`) and a running one (`live`), with API helpers."""

    room: Newsroom
    live: int
    _objective_ids: dict[int, list[int]] = field(default_factory=dict)

    @property
    def app(self) -> Flask:
        return self.room.app

    @property
    def pid(self) -> int:
        return self.room.pid

    def api(self, username: str) -> Any:
        return self.room.api(username)

    # ------------------------------------------------------------ objectives and settings

    def objectives(self, username: str = "chair.nzl", pid: int | None = None) -> list[dict]:
        response = self.api(username).get(f"{API}/periods/{pid or self.pid}/objectives")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["objectives"]

    def objective_ids(self, pid: int | None = None) -> list[int]:
        return [o["id"] for o in self.objectives("chair.nzl", pid)]

    def debrief(self, username: str = "chair.nzl", pid: int | None = None) -> dict[str, Any]:
        response = self.api(username).get(f"{API}/periods/{pid or self.pid}/debrief")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def open_live(self) -> None:
        """Open the running period's questionnaire now (its co-chair)."""
        at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        response = self.api("chair.nzl").patch(f"{API}/periods/{self.live}/debrief",
                                               json={"opens_at": at})
        assert response.status_code == 200, response.get_data(as_text=True)

    # ------------------------------------------------------------ answers

    def answers(self, pid: int | None = None, letter: str = "S", **overrides: Any,
                ) -> dict[str, Any]:
        """A complete set of answers: every question, usefulness, every objective rated."""
        body: dict[str, Any] = {
            "worked": "The joint **briefing** worked.",
            "did_not_work": "Reporting on weekends did not.",
            "do_differently": "Name a deputy NLO.",
            "next_steps": "- review in December\n- training in March",
            "good_practice": "",
            "deconfliction_usefulness": 4,
            "ratings": [{"objective_id": oid, "rating": letter, "comment": f"about {oid}"}
                        for oid in self.objective_ids(pid)],
        }
        body.update(overrides)
        return body

    def put(self, username: str, state: str, body: dict[str, Any],
            pid: int | None = None) -> Any:
        return self.api(username).put(
            f"{API}/periods/{pid or self.pid}/debrief/responses/{state}", json=body)

    def submit(self, username: str, state: str, pid: int | None = None) -> Any:
        return self.api(username).post(
            f"{API}/periods/{pid or self.pid}/debrief/responses/{state}/submit")

    def answer_and_submit(self, state: str, pid: int | None = None, **overrides: Any,
                          ) -> dict[str, Any]:
        """The state's NLO saves complete answers and submits them (asserts both)."""
        username = NLO_OF[state]
        saved = self.put(username, state, self.answers(pid, **overrides), pid)
        assert saved.status_code == 200, saved.get_data(as_text=True)
        done = self.submit(username, state, pid)
        assert done.status_code == 200, done.get_data(as_text=True)
        return done.get_json()

    def responses(self, username: str, pid: int | None = None) -> Any:
        return self.api(username).get(f"{API}/periods/{pid or self.pid}/debrief/responses")

    # ------------------------------------------------------------ database

    def count(self, model: type) -> int:
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    def counts(self) -> dict[str, int]:
        """Rows of every debrief table this brief writes: a refused request stores nothing."""
        return {name: self.count(model) for name, model in MODELS.items()}

    def stored_responses(self) -> list[tuple[str, str, str]]:
        """(state, status, worked) of every stored response."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return [tuple(row) for row in session.execute(  # type: ignore[misc]
                select(Response.state, Response.status, Response.worked)
                .order_by(Response.state))]

    def audit(self, prefix: str = "debrief.") -> list[tuple[str, str | None, str | None]]:
        return self.room.audit(prefix)

    def inbox(self) -> dict[str, list[str]]:
        return self.room.inbox_of()

    def outbox(self) -> list[tuple[str, str]]:
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return [(r, s) for r, s in session.execute(
                select(OutboxMail.recipient, OutboxMail.subject).order_by(OutboxMail.id))]

    def notifications_of(self, username: str) -> list[str]:
        uid = self.room.users[username]
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(select(Notification.subject).where(
                Notification.user_id == uid).order_by(Notification.id)))

    def audit_rows(self, action: str) -> list[AuditEvent]:
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                        .order_by(AuditEvent.seq)))


def build_debrief(app: Flask, accounts: Any) -> Debrief:
    """The newsroom and a second period with the same states, running now (10 days in,
    60 days to go)."""
    room = build_newsroom(app, accounts)
    now = datetime.now(UTC).replace(microsecond=0)
    live = make_period(room.api("admin"), "JPA under way", now - timedelta(days=10),
                       now + timedelta(days=60), STATES, CO_CHAIRS)
    return Debrief(room, live)


@pytest.fixture
def world(app: Flask, accounts: Any) -> Debrief:
    """The debrief world (see build_debrief)."""
    return build_debrief(app, accounts)


# ---------------------------------------------------------------- pages


def browser(app: Flask, username: str, password: str = PASSWORD) -> Any:
    """A fresh test client logged in through the login form."""
    client = app.test_client()
    assert WebAuth(client).login(username, password).status_code == 302
    return client


def post_form(client: Any, page: str, to: str | None = None, **fields: Any) -> Any:
    """Submit a form of `page` (with its CSRF token) to `to` (default: the page itself)."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(to or page, data={"csrf_token": token, **fields})


def text_of(response: Any) -> str:
    """The page's HTML with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def error_fields(response: Any, status: int) -> dict[str, str]:
    """Assert the JSON error envelope with `status`; its fields."""
    assert response.status_code == status, (response.status_code,
                                            response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]["fields"]
