"""The newsroom of the press workflow tests: the 2015 window (LKA MDV MYS NZL THA; LKA and
NZL co-chair, long over) with people of every role, each with an e-mail address, API clients,
and readers of what the database holds (notifications, outbox, audit rows).

Imported as `tests.press.press_workflow_support` (a unique name across tests/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.notify import Notification, OutboxMail
from press.models import Approval, Release, ReleaseVersion, SignOff
from tests.outcomes.helpers import API, CO_CHAIRS, PAST_END, PAST_START, STATES, make_period

PEOPLE: dict[str, dict[str, Any]] = {
    "nlo.tha": {"role": "liaison_officer", "state": "THA"},
    "nlo2.tha": {"role": "liaison_officer", "state": "THA"},
    "nlo.mys": {"role": "liaison_officer", "state": "MYS"},
    "nlo.nzl": {"role": "liaison_officer", "state": "NZL"},
    "nlo.lka": {"role": "liaison_officer", "state": "LKA"},
    "nlo.mdv": {"role": "liaison_officer", "state": "MDV"},
    "nlo.aus": {"role": "liaison_officer", "state": "AUS"},  # not a participant
    "chair.nzl": {"role": "co_chair", "state": "NZL"},
    "chair.lka": {"role": "co_chair", "state": "LKA"},
    "chair.tha": {"role": "co_chair", "state": "THA"},  # participant, not a co-chair
    "analyst": {"role": "analyst"},
    "admin": {"role": "admin"},
}
NLO_OF = {"THA": "nlo.tha", "MYS": "nlo.mys", "NZL": "nlo.nzl", "LKA": "nlo.lka",
          "MDV": "nlo.mdv"}
MODELS = {"releases": Release, "versions": ReleaseVersion, "approvals": Approval,
          "signoffs": SignOff}


@dataclass
class Newsroom:
    """A period, its people and their API clients."""

    app: Flask
    accounts: Any
    pid: int
    users: dict[str, int]
    _clients: dict[str, Any] = field(default_factory=dict)

    def api(self, username: str) -> Any:
        """The user's bearer-token client (one token per user per test)."""
        if username not in self._clients:
            self._clients[username] = self.accounts.api(username)
        return self._clients[username]

    # ------------------------------------------------------------ reports

    def report(self, username: str, day: str, values: dict[str, Any]) -> int:
        """Submit a report (asserts 201); its id."""
        response = self.api(username).post(f"{API}/periods/{self.pid}/reports",
                                           json={"date": day, "values": values})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()["id"]

    # ------------------------------------------------------------ press

    def sign(self, username: str) -> dict[str, Any]:
        """Sign off the user's state's figures (asserts 201)."""
        response = self.api(username).post(f"{API}/periods/{self.pid}/signoffs")
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def signoffs(self, username: str) -> Any:
        return self.api(username).get(f"{API}/periods/{self.pid}/signoffs")

    def create(self, username: str, status: int = 201, **body: Any) -> Any:
        """POST a release; asserts the status; the JSON body."""
        body.setdefault("scope", "regional")
        body.setdefault("language", "en")
        body.setdefault("title", "Regional results of the JPA")
        response = self.api(username).post(f"{API}/periods/{self.pid}/press-releases",
                                           json=body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def act(self, username: str, rid: int, step: str, status: int = 200, **body: Any) -> Any:
        """POST /press-releases/{rid}/{step}; asserts the status; the JSON body."""
        response = self.api(username).post(f"{API}/press-releases/{rid}/{step}", json=body)
        assert response.status_code == status, (step, response.get_data(as_text=True))
        return response.get_json()

    def patch(self, username: str, rid: int, status: int = 200, **body: Any) -> Any:
        response = self.api(username).patch(f"{API}/press-releases/{rid}", json=body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def get(self, username: str, rid: int, status: int = 200) -> Any:
        response = self.api(username).get(f"{API}/press-releases/{rid}")
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def approve_all(self, rid: int, states: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for state in states or STATES:
            body = self.act(NLO_OF[state], rid, "approve")
        return body

    # ------------------------------------------------------------ database

    def count(self, model: type) -> int:
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    def counts(self) -> dict[str, int]:
        """Rows of every press table: to show that a refused request stored nothing."""
        return {name: self.count(model) for name, model in MODELS.items()}

    def inbox_of(self) -> dict[str, list[str]]:
        """Every user's notification subjects, by username."""
        names = {uid: name for name, uid in self.users.items()}
        found: dict[str, list[str]] = {name: [] for name in self.users}
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            for user_id, subject in session.execute(
                    select(Notification.user_id, Notification.subject)
                    .order_by(Notification.id)):
                found[names[user_id]].append(subject)
        return found

    def mail_to(self) -> dict[str, list[str]]:
        """Every queued e-mail's subject, by recipient username."""
        found: dict[str, list[str]] = {}
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            for recipient, subject in session.execute(
                    select(OutboxMail.recipient, OutboxMail.subject).order_by(OutboxMail.id)):
                found.setdefault(recipient.split("@")[0], []).append(subject)
        return found

    def audit(self, prefix: str = "press.") -> list[tuple[str, str | None, str | None]]:
        """(action, actor, object id) of the audit rows whose action starts with prefix."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return [(a, u, o) for a, u, o in session.execute(
                select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.object_id)
                .where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.seq))]


def build_newsroom(app: Flask, accounts: Any) -> Newsroom:
    """Everyone in PEOPLE (with an e-mail address) and the 2015 period."""
    users: dict[str, int] = {}
    for username, fields in PEOPLE.items():
        users[username] = accounts.create(username, fields["role"], fields.get("state"),
                                          email=f"{username}@example.org").id
    room = Newsroom(app, accounts, 0, users)
    room.pid = make_period(room.api("admin"), "Bali Process JPA 2015", PAST_START, PAST_END,
                           STATES, CO_CHAIRS)
    return room

