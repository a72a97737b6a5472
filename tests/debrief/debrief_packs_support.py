"""Helpers of the debrief packs' tests: the 2015 period with people of every role (through
the API), a pack requested over the API, the ZIP read back, and the audit rows.

Imported as `tests.debrief.debrief_packs_support` (a unique name across tests/)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select

from core.audit import AuditEvent
from debrief.models import Pack
from tests.outcomes.helpers import API, CO_CHAIRS, PAST_END, PAST_START, STATES, make_period

PEOPLE: dict[str, dict[str, Any]] = {
    "nlo.tha": {"role": "liaison_officer", "state": "THA"},
    "nlo.mys": {"role": "liaison_officer", "state": "MYS"},
    "nlo.aus": {"role": "liaison_officer", "state": "AUS"},  # not a participant
    "chair.nzl": {"role": "co_chair", "state": "NZL", "email": "chair@nzl.example"},
    "chair.tha": {"role": "co_chair", "state": "THA"},  # participant, not a co-chair
    "chair.aus": {"role": "co_chair", "state": "AUS"},  # not a participant
    "analyst": {"role": "analyst"},
    "admin": {"role": "admin"},
}


@dataclass
class Desk:
    """The period, its people and their API clients."""

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

    def request(self, username: str = "chair.nzl", pid: int | None = None) -> Any:
        """POST a pack request; the raw response."""
        return self.api(username).post(f"{API}/periods/{pid or self.pid}/debrief/packs")

    def queued(self, username: str = "chair.nzl") -> int:
        """Request a pack (asserts 202); its id."""
        response = self.request(username)
        assert response.status_code == 202, response.get_data(as_text=True)
        return int(response.get_json()["id"])

    def pack(self, pack_id: int, username: str = "chair.nzl") -> dict[str, Any]:
        """GET one pack (asserts 200)."""
        response = self.api(username).get(f"{API}/debrief/packs/{pack_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def download(self, pack_id: int, username: str = "chair.nzl") -> bytes:
        """Download a ready pack (asserts 200 and a ZIP)."""
        response = self.api(username).get(f"{API}/debrief/packs/{pack_id}/download")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/zip"
        return response.get_data()

    def row(self, pack_id: int) -> Pack:
        """The pack's row as stored (with its content)."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            pack = session.get(Pack, pack_id)
            assert pack is not None
            _ = pack.content  # load the deferred column inside the transaction
            return pack

    def audit(self, action: str) -> list[AuditEvent]:
        """Audit rows of one action, oldest first."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                        .order_by(AuditEvent.seq)))


def make_desk(app: Flask, accounts: Any) -> Desk:
    """The 2015 period (LKA MDV MYS NZL THA; LKA and NZL co-chair) with everyone in PEOPLE."""
    users: dict[str, int] = {}
    for username, fields in PEOPLE.items():
        values = dict(fields)
        users[username] = accounts.create(username, values.pop("role"), values.pop("state", None),
                                          **values).id
    admin = accounts.api("admin")
    pid = make_period(admin, "Bali Process JPA 2015", PAST_START, PAST_END, STATES, CO_CHAIRS)
    desk = Desk(app, accounts, pid, users)
    desk._clients["admin"] = admin
    return desk


def entries(content: bytes) -> dict[str, bytes]:
    """Every entry of a ZIP by name, in the archive's order."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def manifest_of(content: bytes) -> dict[str, Any]:
    """The ZIP's manifest.json."""
    return json.loads(entries(content)["manifest.json"])


def sha256(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()
