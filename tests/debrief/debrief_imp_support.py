"""The world of the improvement-plan tests: the 2015 newsroom (LKA MDV MYS NZL THA; LKA and
NZL co-chair; chair.tha takes part without co-chairing; nlo.aus is outside), a later 2016
period of some of the same states, objectives written straight into the table (their API is
another room's), and readers of what the database holds.

Imported as `tests.debrief.debrief_imp_support` (a unique name across tests/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.notify import Notification, OutboxMail
from debrief.models import ImprovementItem, Objective
from tests.outcomes.helpers import API, make_period
from tests.press.press_workflow_support import Newsroom, build_newsroom

LATER_START = datetime.fromisoformat("2016-09-26T00:00:00+07:00")
LATER_END = datetime.fromisoformat("2016-10-26T00:00:00+07:00")
LATER_STATES = ["IDN", "MYS", "NZL", "THA"]


def item_body(**fields: Any) -> dict[str, Any]:
    """A valid new item owned by Thailand; keywords replace fields (None drops one)."""
    body: dict[str, Any] = {
        "issue": "Victim referral at the border depended on one interpreter per shift.",
        "corrective_action": "Train a pool of interpreters for the southern checkpoints.",
        "owner_state": "THA", "owner": "Royal Thai Police", "due_on": "2016-03-31",
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


@dataclass
class Plan:
    """The newsroom plus what the improvement plan's tests need."""

    room: Newsroom

    @property
    def app(self) -> Flask:
        return self.room.app

    @property
    def pid(self) -> int:
        return self.room.pid

    def api(self, username: str) -> Any:
        return self.room.api(username)

    def create(self, username: str = "chair.nzl", expect: int = 201, pid: int | None = None,
               **fields: Any) -> Any:
        """POST an item (asserts the status); the JSON body."""
        response = self.api(username).post(f"{API}/periods/{pid or self.pid}/improvements",
                                           json=item_body(**fields))
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()

    def patch(self, username: str, iid: int, expect: int = 200, **fields: Any) -> Any:
        """PATCH an item (asserts the status); the JSON body."""
        response = self.api(username).patch(f"{API}/improvements/{iid}", json=fields)
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()

    def get(self, username: str, iid: int, expect: int = 200) -> Any:
        response = self.api(username).get(f"{API}/improvements/{iid}")
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()

    def listing(self, username: str, pid: int | None = None, expect: int = 200,
                **query: str) -> Any:
        """GET a period's plan with filters (asserts the status); the JSON body."""
        response = self.api(username).get(f"{API}/periods/{pid or self.pid}/improvements",
                                          query_string=query)
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.get_json()

    def later_period(self) -> int:
        """A 2016 period of IDN, MYS, NZL and THA (NZL co-chairs)."""
        return make_period(self.api("admin"), "Bali Process JPA 2016", LATER_START, LATER_END,
                           LATER_STATES, ["NZL"])

    def objective(self, pid: int, title: str = "Victims identified and referred") -> int:
        """An objective of a period, written straight into the table."""
        with self.app.extensions["jpa.db"].transaction() as session:
            objective = Objective(period_id=pid, position=0, title=title, description="",
                                  indicator_keys=[])
            session.add(objective)
            session.flush()
            return objective.id

    def count(self) -> int:
        """Items stored, in every period."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return session.scalar(select(func.count()).select_from(ImprovementItem)) or 0

    def stored(self, iid: int) -> dict[str, Any]:
        """An item's columns as stored."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            item = session.get(ImprovementItem, iid)
            assert item is not None
            return {c.name: getattr(item, c.name) for c in ImprovementItem.__table__.columns}

    def inbox(self, username: str) -> list[str]:
        """The user's notification subjects, oldest first."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(select(Notification.subject).where(
                Notification.user_id == self.room.users[username]).order_by(Notification.id)))

    def outbox(self, username: str) -> list[str]:
        """Subjects of the mail queued for the user (`<username>@example.org`)."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(select(OutboxMail.subject).where(
                OutboxMail.recipient == f"{username}@example.org").order_by(OutboxMail.id)))

    def audit(self) -> list[tuple[str, str | None, str | None, str]]:
        """(action, actor, object id, details) of the improvement plan's audit rows."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return [tuple(row) for row in session.execute(  # type: ignore[misc]
                select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.object_id,
                       AuditEvent.details)
                .where(AuditEvent.action.startswith("debrief.improvement."))
                .order_by(AuditEvent.seq))]


def build_plan(app: Flask, accounts: Any) -> Plan:
    """Everyone of the newsroom and its 2015 period."""
    return Plan(build_newsroom(app, accounts))
