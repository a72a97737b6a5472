"""Helpers of the outcome-reporting tests: the periods and people every test works with, a
`Desk` that submits, amends and retracts reports and reads totals and completeness through
the documented HTTP API, and an independent reference (`Ledger`) of what the service should
answer, computed only from what the test sent.

Imported as `tests.outcomes.helpers` (a unique name: several test folders have a
conftest.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select

API = "/api/v1"

# The first Bali Process JPA: 28 Sep - 28 Oct 2015, midnight in Jakarta (+07:00). Long over,
# so every local date of it may be reported and completeness covers the whole window.
PAST_START = datetime.fromisoformat("2015-09-28T00:00:00+07:00")
PAST_END = datetime.fromisoformat("2015-10-28T00:00:00+07:00")
STATES = ["LKA", "MDV", "MYS", "NZL", "THA"]
CO_CHAIRS = ["LKA", "NZL"]

# Each state's zone, written down here rather than asked of the service.
ZONES = {"LKA": "Asia/Colombo", "MDV": "Indian/Maldives", "MYS": "Asia/Kuala_Lumpur",
         "NZL": "Pacific/Auckland", "THA": "Asia/Bangkok", "AUS": "Australia/Sydney",
         "IDN": "Asia/Jakarta", "PHL": "Asia/Manila"}

DEFAULT_KEYS = [
    "victims_assisted", "suspects_identified", "arrests", "search_warrants",
    "new_investigations", "parallel_investigations", "international_enquiries",
    "intelligence_reports_shared", "fraudulent_documents_seized", "smuggled_migrants_detected",
    "persons_checked", "locations_checked", "awareness_activities", "training_sessions",
    "officers_trained",
]
PERSON_CATEGORIES = ["female_adult", "male_adult", "female_child", "male_child", "unknown"]
CATEGORISED = {"victims_assisted": PERSON_CATEGORIES,
               "smuggled_migrants_detected": PERSON_CATEGORIES}
UNITS = {"persons", "cases", "items", "activities"}

PEOPLE: dict[str, dict[str, Any]] = {
    "nlo.tha": {"role": "liaison_officer", "state": "THA"},
    "nlo2.tha": {"role": "liaison_officer", "state": "THA"},
    "nlo.mys": {"role": "liaison_officer", "state": "MYS"},
    "nlo.nzl": {"role": "liaison_officer", "state": "NZL"},
    "nlo.lka": {"role": "liaison_officer", "state": "LKA"},
    "nlo.mdv": {"role": "liaison_officer", "state": "MDV"},
    "nlo.aus": {"role": "liaison_officer", "state": "AUS"},  # not a participant
    "chair.nzl": {"role": "co_chair", "state": "NZL"},
    "chair.tha": {"role": "co_chair", "state": "THA"},  # participant, not a co-chair
    "chair.aus": {"role": "co_chair", "state": "AUS"},  # not a participant
    "analyst": {"role": "analyst"},
    "admin": {"role": "admin"},
}
NLO_OF = {"THA": "nlo.tha", "MYS": "nlo.mys", "NZL": "nlo.nzl", "LKA": "nlo.lka",
          "MDV": "nlo.mdv"}
SEES_EVERY_STATE = ["chair.nzl", "chair.tha", "analyst", "admin"]


def local_dates(state: str, starts_at: datetime, ends_at: datetime,
                until: datetime | None = None) -> list[str]:
    """The state's local dates touched by a half-open window, as ISO strings."""
    zone = ZoneInfo(ZONES[state])
    last_moment = ends_at - timedelta(microseconds=1)
    if until is not None:
        last_moment = min(last_moment, until)
    first = starts_at.astimezone(zone).date()
    last = last_moment.astimezone(zone).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def error_of(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """Assert the JSON error envelope with a status and the named fields; return its inside."""
    assert response.status_code == status, (response.status_code,
                                            response.get_data(as_text=True))
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert set(body) == {"error"}, body
    for name in fields:
        assert name in body["error"]["fields"], (name, body["error"])
        assert body["error"]["fields"][name].strip()
    return body["error"]


# ---------------------------------------------------------------- the independent reference


def amount(value: Any) -> int:
    """What one submitted value adds to its indicator's total."""
    return sum(value.values()) if isinstance(value, dict) else int(value)


def categories_of(key: str, value: Any) -> dict[str, int]:
    """A categorised value's breakdown; a bare number counts as `unknown`."""
    if isinstance(value, dict):
        return dict(value)
    return {"unknown": int(value)}


@dataclass
class Sent:
    """One report as the test sent it: every version's values, and whether it was retracted."""

    rid: int
    state: str
    day: str
    versions: list[dict[str, Any]]
    retracted: bool = False

    @property
    def current(self) -> dict[str, Any]:
        return self.versions[-1]


@dataclass
class Ledger:
    """What the service should answer, computed from what was sent and nothing else."""

    reports: dict[int, Sent] = field(default_factory=dict)

    def add(self, sent: Sent) -> None:
        self.reports[sent.rid] = sent

    def live(self) -> list[Sent]:
        return [r for r in self.reports.values() if not r.retracted]

    def by_state(self, states: list[str], keys: list[str]) -> dict[str, dict[str, int]]:
        sums = {s: dict.fromkeys(keys, 0) for s in states}
        for report in self.live():
            for key, value in report.current.items():
                sums[report.state][key] += amount(value)
        return sums

    def regional(self, keys: list[str]) -> dict[str, int]:
        sums = dict.fromkeys(keys, 0)
        for report in self.live():
            for key, value in report.current.items():
                sums[key] += amount(value)
        return sums

    def breakdown(self, categorised: dict[str, list[str]]) -> dict[str, dict[str, int]]:
        sums = {key: dict.fromkeys(cats, 0) for key, cats in categorised.items()}
        for report in self.live():
            for key, value in report.current.items():
                if key in categorised:
                    for category, count in categories_of(key, value).items():
                        sums[key][category] += count
        return sums

    def series(self) -> dict[str, dict[str, int]]:
        """Per indicator, per date, the non-zero daily sums."""
        days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for report in self.live():
            for key, value in report.current.items():
                days[key][report.day] += amount(value)
        return {key: {d: v for d, v in per_day.items() if v}
                for key, per_day in days.items() if any(per_day.values())}

    def reported(self) -> set[tuple[str, str]]:
        return {(r.state, r.day) for r in self.live()}


def nonzero_series(series: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    """The service's daily series without zero entries, for comparison with the reference."""
    found: dict[str, dict[str, int]] = {}
    for key, points in series.items():
        days = {p["date"]: p["value"] for p in points if p["value"]}
        assert len({p["date"] for p in points}) == len(points), (key, points)
        if days:
            found[key] = days
    return found


# ---------------------------------------------------------------- the desk


@dataclass
class Desk:
    """A period, its people and their API clients; submits and reads reports over HTTP."""

    app: Flask
    accounts: Any
    pid: int
    users: dict[str, int]
    ledger: Ledger = field(default_factory=Ledger)
    _clients: dict[str, Any] = field(default_factory=dict)

    def api(self, username: str) -> Any:
        """The user's bearer-token client (one token per user per test)."""
        if username not in self._clients:
            self._clients[username] = self.accounts.api(username)
        return self._clients[username]

    # ------------------------------------------------------------ writes

    def submit_raw(self, username: str, day: str | date, values: Any = None,
                   pid: int | None = None, headers: dict[str, str] | None = None,
                   **extra: Any) -> Any:
        body: dict[str, Any] = {"date": str(day), **extra}
        if values is not None:
            body["values"] = values
        return self.api(username).post(f"{API}/periods/{pid or self.pid}/reports", json=body,
                                       headers=headers)

    def submit(self, username: str, day: str | date, values: dict[str, Any] | None = None,
               **extra: Any) -> dict[str, Any]:
        """Submit a report (asserts 201) and record it in the ledger."""
        response = self.submit_raw(username, day, values, **extra)
        assert response.status_code == 201, response.get_data(as_text=True)
        body = response.get_json()
        if extra.get("pid") in (None, self.pid):
            self.ledger.add(Sent(body["id"], body["state"], body["date"], [dict(values or {})]))
        return body

    def amend_raw(self, username: str, rid: int, values: Any, **extra: Any) -> Any:
        headers = extra.pop("headers", None)
        return self.api(username).post(f"{API}/reports/{rid}/amend",
                                       json={"values": values, **extra}, headers=headers)

    def amend(self, username: str, rid: int, values: dict[str, Any],
              **extra: Any) -> dict[str, Any]:
        """Amend a report (asserts 201) and record the new version in the ledger."""
        response = self.amend_raw(username, rid, values, **extra)
        assert response.status_code == 201, response.get_data(as_text=True)
        if rid in self.ledger.reports:
            self.ledger.reports[rid].versions.append(dict(values))
        return response.get_json()

    def retract_raw(self, username: str, rid: int, reason: Any = "entered twice") -> Any:
        return self.api(username).post(f"{API}/reports/{rid}/retract", json={"reason": reason})

    def retract(self, username: str, rid: int, reason: str = "entered twice") -> dict[str, Any]:
        """Retract a report (asserts 200) and mark it in the ledger."""
        response = self.retract_raw(username, rid, reason)
        assert response.status_code == 200, response.get_data(as_text=True)
        if rid in self.ledger.reports:
            self.ledger.reports[rid].retracted = True
        return response.get_json()

    # ------------------------------------------------------------ reads

    def get_ok(self, username: str, url: str) -> Any:
        response = self.api(username).get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        return response.get_json()

    def totals(self, username: str, pid: int | None = None) -> dict[str, Any]:
        return self.get_ok(username, f"{API}/periods/{pid or self.pid}/totals")

    def completeness(self, username: str, pid: int | None = None) -> dict[str, Any]:
        return self.get_ok(username, f"{API}/periods/{pid or self.pid}/completeness")

    def history(self, username: str, rid: int) -> dict[str, Any]:
        return self.get_ok(username, f"{API}/reports/{rid}/history")

    def indicators(self, username: str, pid: int | None = None) -> list[dict[str, Any]]:
        return self.get_ok(username, f"{API}/periods/{pid or self.pid}/indicators")

    def own_reports(self, username: str, pid: int | None = None) -> list[dict[str, Any]]:
        return self.get_ok(username, f"{API}/periods/{pid or self.pid}/reports")["reports"]

    # ------------------------------------------------------------ database

    def count(self, model: type) -> int:
        """Rows of a table, read straight from the database."""
        with self.app.extensions["jpa.db"].transaction(write=False) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0


def make_period(admin: Any, name: str, starts_at: datetime, ends_at: datetime,
                states: list[str], co_chairs: list[str]) -> int:
    """A period made by the administrator through the API."""
    response = admin.post(f"{API}/periods", json={
        "name": name, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
        "states": states, "co_chairs": co_chairs})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]
