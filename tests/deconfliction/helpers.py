"""Helpers of the deconfliction tests: the period and people every test works with, a `World`
that registers operations and reads conflicts through the documented HTTP API, direct reads
of the audit table, and a sink collecting what a real SMTP server (aiosmtpd) receives.

Imported as `tests.deconfliction.helpers` (a unique name: several test folders have a
conftest.py)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from core.audit import AuditEvent

API = "/api/v1"

# The joint period every test works in: a month in the future, so operations are `planned`.
PERIOD_START = datetime(2031, 9, 28, tzinfo=UTC)
PERIOD_END = datetime(2031, 10, 28, tzinfo=UTC)
STATES = ["THA", "MYS", "NZL", "LKA"]
CO_CHAIRS = ["NZL", "LKA"]

# Hot spots: (lat, lon) of a few busy places.
BANGKOK = (13.6900, 100.7501)
KUALA_LUMPUR = (2.7456, 101.7072)
COLOMBO = (7.1808, 79.8841)
AUCKLAND = (-37.0082, 174.7850)

# Every person in the tests; NLOs carry a name, an e-mail address and a phone number, which is
# what the other side of a conflict sees of them.
PEOPLE: dict[str, dict[str, Any]] = {
    "nlo.tha": {"role": "liaison_officer", "state": "THA", "full_name": "Somchai Srisuk",
                "email": "somchai.nlo@tha.example", "phone": "+66 2 205 1000"},
    "nlo.mys": {"role": "liaison_officer", "state": "MYS", "full_name": "Aminah Rahman",
                "email": "aminah.nlo@mys.example", "phone": "+60 3 2266 8000"},
    "nlo.nzl": {"role": "liaison_officer", "state": "NZL", "full_name": "Aroha Ngata",
                "email": "aroha.nlo@nzl.example", "phone": "+64 4 474 9400"},
    "nlo.lka": {"role": "liaison_officer", "state": "LKA", "full_name": "Nimal Perera",
                "email": "nimal.nlo@lka.example", "phone": "+94 11 242 1111"},
    "nlo2.tha": {"role": "liaison_officer", "state": "THA", "full_name": "Malee Chaiyo",
                 "email": "malee.nlo@tha.example", "phone": "+66 2 205 2000"},
    "nlo.aus": {"role": "liaison_officer", "state": "AUS", "full_name": "Jack Outsider",
                "email": "jack.nlo@aus.example", "phone": "+61 2 6141 6000"},
    "chair.nzl": {"role": "co_chair", "state": "NZL", "full_name": "Co-chair NZ",
                  "email": "chair@nzl.example"},
    "chair.lka": {"role": "co_chair", "state": "LKA", "full_name": "Co-chair LK",
                  "email": "chair@lka.example"},
    "chair.aus": {"role": "co_chair", "state": "AUS", "full_name": "Co-chair AU",
                  "email": "chair@aus.example"},
    "analyst": {"role": "analyst", "full_name": "Ana Lyst", "email": "analyst@jpa.example"},
    "admin": {"role": "admin", "full_name": "Platform Admin", "email": "admin@jpa.example"},
}


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment `day` days into the period (UTC)."""
    return PERIOD_START + timedelta(days=day, hours=hour, minutes=minute)


def iso(moment: datetime) -> str:
    """ISO 8601 with an offset, as the API wants it."""
    return moment.isoformat()


def site(name: str, point: tuple[float, float], radius_m: float | None = None) -> dict[str, Any]:
    """A site by coordinates (the default radius unless `radius_m` is given)."""
    location: dict[str, Any] = {"name": name, "lat": point[0], "lon": point[1]}
    if radius_m is not None:
        location["radius_m"] = radius_m
    return location


def operation_body(**fields: Any) -> dict[str, Any]:
    """A valid registration body; keywords replace fields (None drops one)."""
    body: dict[str, Any] = {
        "title": "Operation body", "type": "airport_checks", "lead_agency": "Police",
        "starts_at": iso(at(2)), "ends_at": iso(at(3)),
        "locations": [site("Somewhere quiet", (0.0, -150.0))],
        "targets": [],
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


@dataclass
class World:
    """The period, its people and their API clients; registers operations over HTTP."""

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

    # ------------------------------------------------------------ operations

    def register_raw(self, username: str, pid: int | None = None, **fields: Any) -> Any:
        """POST a registration and return the raw response."""
        return self.api(username).post(f"{API}/periods/{pid or self.pid}/operations",
                                       json=operation_body(**fields))

    def register(self, username: str, **fields: Any) -> dict[str, Any]:
        """Register an operation; asserts 201 and returns the body."""
        response = self.register_raw(username, **fields)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def patch(self, username: str, oid: int, **fields: Any) -> dict[str, Any]:
        """Edit an operation; asserts 200 and returns the body."""
        response = self.api(username).patch(f"{API}/operations/{oid}", json=fields)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def cancel(self, username: str, oid: int, reason: str = "plans changed") -> dict[str, Any]:
        """Cancel an operation (with a reason); asserts 200 and returns the body."""
        response = self.api(username).post(f"{API}/operations/{oid}/cancel",
                                           json={"reason": reason})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    # ------------------------------------------------------------ conflicts

    def conflicts(self, username: str, pid: int | None = None, **query: str) -> Any:
        """The period's conflicts as the user sees them (asserts 200)."""
        response = self.api(username).get(f"{API}/periods/{pid or self.pid}/conflicts",
                                          query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def conflict(self, username: str, cid: int) -> dict[str, Any]:
        """One conflict with its history (asserts 200)."""
        response = self.api(username).get(f"{API}/conflicts/{cid}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def notifications(self, username: str) -> dict[str, Any]:
        """The user's inbox (asserts 200)."""
        response = self.api(username).get(f"{API}/notifications")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    # ------------------------------------------------------------ database

    def audit(self, action: str | None = None) -> list[AuditEvent]:
        """Audit rows, oldest first, optionally of one action."""
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(query))

    def user_id(self, username: str) -> int:
        """A user's id."""
        return self.users[username]


def post_period(admin_client: Any, name: str, starts_at: datetime, ends_at: datetime,
                states: list[str], co_chairs: list[str]) -> int:
    """A period, created through the API by the administrator's client."""
    response = admin_client.post(f"{API}/periods", json={
        "name": name, "starts_at": iso(starts_at), "ends_at": iso(ends_at),
        "states": states, "co_chairs": co_chairs})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def make_period(world: World, name: str, starts_at: datetime, ends_at: datetime,
                states: list[str], co_chairs: list[str] | None = None) -> int:
    """Another period, made by the administrator through the API."""
    return post_period(world.api("admin"), name, starts_at, ends_at, states, co_chairs or [])


# ---------------------------------------------------------------- e-mail


class MailSink:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """Every message received, parsed."""
        return [email.message_from_bytes(e.original_content or e.content,
                                         policy=email.policy.default)
                for e in self.envelopes]

    def raw(self) -> list[bytes]:
        """Every message as received on the wire."""
        return [bytes(e.original_content or e.content) for e in self.envelopes]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """Messages addressed to `address`."""
        return [m for m, e in zip(self.messages, self.envelopes, strict=True)
                if address in e.rcpt_tos]


def body_text(message: email.message.EmailMessage) -> str:
    """The plain-text body of a message, decoded."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


@dataclass
class SmtpServer:
    """A running SMTP server on 127.0.0.1 and its sink."""

    host: str
    port: int
    sink: MailSink


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free local port, stopped afterwards."""
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, sink)
    finally:
        controller.stop()


def make_world(app: Flask, accounts: Any) -> World:
    """The period (THA, MYS, NZL, LKA; NZL and LKA co-chair) with everyone in PEOPLE."""
    users: dict[str, int] = {}
    for username, fields in PEOPLE.items():
        values = dict(fields)
        users[username] = accounts.create(username, values.pop("role"), values.pop("state", None),
                                          **values).id
    admin = accounts.api("admin")
    pid = post_period(admin, "Bali Process JPA 2031", PERIOD_START, PERIOD_END, STATES,
                      CO_CHAIRS)
    built = World(app, accounts, pid, users)
    built._clients["admin"] = admin
    return built
