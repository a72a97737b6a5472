"""Data of the deconfliction benchmark: the synthetic workload and the seeded databases."""

from __future__ import annotations

import math
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
BLINDING = "bench-blinding-key-that-is-long-enough-012345678"
PASSWORD = "benchmark passphrase for every officer"
PERIOD_START = datetime(2031, 3, 1, tzinfo=UTC)
PERIOD_DAYS = 60
DEFAULT_SIZES = (1_000, 10_000, 100_000)
TIMED = 200
BATCH = 250
STATES = ("AUS", "IDN", "KHM", "LKA", "MDV", "MYS", "NZL", "PHL", "THA", "VNM")
# (name, lat, lon): where most operations happen, with a spread of ~0.4 degrees around each.
TOWNS = (
    ("Bangkok", 13.75, 100.50), ("Chiang Mai", 18.79, 98.98), ("Phuket", 7.88, 98.39),
    ("Kuala Lumpur", 3.14, 101.69), ("Penang", 5.41, 100.33), ("Johor Bahru", 1.49, 103.74),
    ("Kota Kinabalu", 5.98, 116.07), ("Jakarta", -6.21, 106.85), ("Surabaya", -7.25, 112.75),
    ("Medan", 3.59, 98.67), ("Makassar", -5.15, 119.43), ("Denpasar", -8.65, 115.22),
    ("Batam", 1.08, 104.03), ("Manila", 14.60, 120.98), ("Cebu", 10.32, 123.89),
    ("Davao", 7.19, 125.46), ("Zamboanga", 6.92, 122.08), ("Ho Chi Minh City", 10.82, 106.63),
    ("Hanoi", 21.03, 105.85), ("Phnom Penh", 11.56, 104.92), ("Poipet", 13.66, 102.56),
    ("Colombo", 6.93, 79.86), ("Male", 4.18, 73.51), ("Sydney", -33.87, 151.21),
    ("Melbourne", -37.81, 144.96), ("Brisbane", -27.47, 153.03), ("Perth", -31.95, 115.86),
    ("Darwin", -12.46, 130.84), ("Christmas Island", -10.42, 105.68), ("Auckland", -36.85, 174.76),
    ("Port Moresby", -9.44, 147.18), ("Dili", -8.56, 125.56),
)
BUSY_AIRPORTS = ("BKK", "KUL", "SYD", "CGK", "MNL")
AIRPORT_SHARE = 0.20
AIRPORT_SPREAD_M = 3_000
HOT_PHONE_USERS = 25
HTTP_MIX = 10_000  # HTTP requests are drawn from the mix of a 10,000-operation period
NAMES = ("Ahmad", "Siti", "Nguyen", "Somchai", "Maria", "Jose", "Budi", "Dewi", "Ali", "Chen",
         "Kumar", "Perera", "Santos", "Reyes", "Tan", "Lim", "Wong", "Rahman", "Ibrahim", "Lee",
         "Sok", "Chan", "Pham", "Tran", "Smith", "Brown", "Wilson", "Taylor", "Fernando", "Silva")
OP_TYPES = ("airport_checks", "transit_hub_checks", "workplace_inspections", "network_targeting",
            "other")


# ---------------------------------------------------------------- the workload


class Workload:
    """Deterministic synthetic registrations of one period of `size` operations."""

    def __init__(self, size: int, seed: int = 2015) -> None:
        from operations.services import resolve_airport

        self.rng = random.Random(seed)
        self.size = size
        self.airports = [(*resolve_airport(code, field="site")[1:], code)
                         for code in BUSY_AIRPORTS]
        hot = max(3, size // 2000)
        self.hot_phones = [self._phone() for _ in range(hot)]
        users = self.rng.sample(range(size), min(size, hot * HOT_PHONE_USERS))
        self.hot_of = {index: self.hot_phones[n % hot] for n, index in enumerate(users)}
        self.hot_share = len(users) / size
        self._serial = 0

    def _phone(self) -> str:
        import phonenumbers

        while True:
            candidate = self.rng.choice((
                lambda: f"+66 8{self.rng.randint(1, 9)} {self.rng.randint(0, 9999999):07d}",
                lambda: f"+60 1{self.rng.choice('2346789')} {self.rng.randint(0, 9999999):07d}",
                lambda: f"+61 4{self.rng.randint(0, 99999999):08d}",
                lambda: f"+62 81{self.rng.randint(1, 3)} {self.rng.randint(0, 99999999):08d}",
            ))()
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)):
                return candidate

    def _site(self, number: int) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < AIRPORT_SHARE:
            lat, lon, code = rng.choice(self.airports)
            distance = AIRPORT_SPREAD_M * math.sqrt(rng.random())
            bearing = rng.uniform(0, 2 * math.pi)
            dlat = distance * math.cos(bearing) / 111_195
            dlon = distance * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
            return {"name": f"{code} {rng.choice(('gate', 'terminal', 'cargo'))} {number}",
                    "lat": lat + dlat, "lon": lon + dlon, "radius_m": rng.uniform(50, 200)}
        name, lat, lon = rng.choice(TOWNS)
        return {"name": f"{name} site {number}",
                "lat": max(-89.0, min(89.0, rng.gauss(lat, 0.4))),
                "lon": (rng.gauss(lon, 0.4) + 180) % 360 - 180,
                "radius_m": rng.uniform(100, 1000)}

    def body(self, index: int | None = None) -> dict[str, Any]:
        """One registration as the API takes it (index: the operation's place in the build;
        None for the extra, timed ones, which carry a hot number with the same frequency)."""
        rng = self.rng
        self._serial += 1
        serial = self._serial
        days = rng.uniform(1, 7)
        start = PERIOD_START + timedelta(hours=rng.uniform(0, (PERIOD_DAYS - days) * 24))
        if index is None:
            hot = rng.choice(self.hot_phones) if rng.random() < self.hot_share else None
        else:
            hot = self.hot_of.get(index)
        phone = hot or self._phone()
        given, family = rng.choice(NAMES), rng.choice(NAMES)
        dob = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return {
            "state": rng.choice(STATES),
            "title": f"Operation {serial}",
            "type": rng.choice(OP_TYPES),
            "lead_agency": "Police",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=days)).isoformat(),
            "locations": [self._site(2 * serial), self._site(2 * serial + 1)],
            "targets": [
                {"kind": "phone", "value": phone, "label": "Handset"},
                {"kind": "passport", "value": f"B{serial:08d}{rng.randint(0, 9)}",
                 "label": "Passport"},
                {"kind": "person", "value": f"{given} {family} {serial}", "label": "Subject",
                 "dob": dob},
                {"kind": "vehicle", "value": f"{rng.choice('ABCDEFGH')}{serial:07d}",
                 "label": "Vehicle"},
                {"kind": "email", "value": f"agent{serial}@mail.example", "label": "Mailbox"},
            ],
        }


def registration_of(body: dict[str, Any]) -> Any:
    """The service layer's Registration for one body."""
    from operations.services import LocationData, Registration, TargetData

    return Registration(
        title=body["title"], type=body["type"], lead_agency=body["lead_agency"],
        starts_at=datetime.fromisoformat(body["starts_at"]),
        ends_at=datetime.fromisoformat(body["ends_at"]),
        locations=[LocationData(**location) for location in body["locations"]],
        targets=[TargetData(**target) for target in body["targets"]])


# ---------------------------------------------------------------- databases


@contextmanager
def database_url(backend: str, directory: Path) -> Iterator[str]:
    """An empty, migrated database: a SQLite file, or a PostgreSQL database of our own."""
    from alembic import command
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core.cli import alembic_config

    def upgrade(url: str) -> None:
        config = alembic_config(url)
        config.attributes["skip_logging"] = True
        command.upgrade(config, "head")

    if backend == "sqlite":
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
        upgrade(url)
        yield url
        return
    server = os.environ["JPA_TEST_POSTGRES_URL"]
    name = f"jpa_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            upgrade(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Setup:
    """An application over a seeded database: one NLO per state and a 60-day period."""

    app: Any
    period_id: int
    officers: dict[str, Any]  # state -> Principal

    @property
    def database(self) -> Any:
        """The application's Database."""
        return self.app.extensions["jpa.db"]


def seed(url: str, instance: Path) -> Setup:
    """The application with cheap argon2 (as tests/conftest.make_settings), users and a period."""
    from app import create_app
    from core.identity import services as identity
    from core.identity.services import Principal
    from core.settings import load_settings
    from operations import services as operations

    settings = load_settings({"JPA_DATABASE_URL": url}, instance_path=instance,
                             secret_key=SECRET, blinding_key=BLINDING, argon2_time_cost=1,
                             argon2_memory_kib=1024, argon2_parallelism=1, testing=True,
                             base_url="http://bench.example", two_factor="optional")
    app = create_app(settings)
    database = app.extensions["jpa.db"]
    policy = app.extensions["jpa.identity"]
    with database.transaction() as session:
        admin = identity.create_user(session, actor=None, policy=policy, username="bench.admin",
                                     password=PASSWORD, role="admin")
        officers = {state: identity.create_user(
            session, actor=None, policy=policy, username=f"nlo.{state.lower()}",
            password=PASSWORD, role="liaison_officer", state=state,
            full_name=f"Liaison officer {state}", email=f"nlo.{state.lower()}@example.org",
            phone="+66 2 123 4567") for state in STATES}
    with database.transaction() as session:
        period = operations.create_period(
            session, actor=Principal.of(admin, "bench"), name="Benchmark JPA",
            starts_at=PERIOD_START, ends_at=PERIOD_START + timedelta(days=PERIOD_DAYS),
            states=list(STATES), co_chairs=["NZL", "LKA"])
    return Setup(app, period.id, {state: Principal.of(user, "bench")
                                  for state, user in officers.items()})


def register(setup: Setup, session: Any, body: dict[str, Any]) -> Any:
    """One registration through the service layer (what the API handler does)."""
    from operations import services as operations

    operation, outcome = operations.register_operation(
        session, actor=setup.officers[body["state"]], period_id=setup.period_id,
        registration=registration_of(body), blinding_key=BLINDING.encode(),
        base_url="http://bench.example")
    return operation, outcome


def autovacuum_is_off(setup: Setup) -> bool:
    """Whether this is PostgreSQL with autovacuum off (so no table ever gets statistics)."""
    from sqlalchemy import text

    if not setup.database.is_postgresql:
        return False
    with setup.database.engine.connect() as connection:
        return connection.execute(text("SHOW autovacuum")).scalar() == "off"


def analyze(setup: Setup) -> None:
    """ANALYZE, as autovacuum's auto-analyze would have done."""
    from sqlalchemy import text

    with setup.database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def build(setup: Setup, workload: Workload, *, progress: bool) -> float:
    """Register `workload.size` operations in batches; returns the seconds it took.

    On a PostgreSQL server with autovacuum off, the planner never gets statistics and picks
    plans that read every row of the period (the target lookup scans every target), which is
    not what production sees; so ANALYZE runs whenever the register grew by 10 % (autovacuum's
    default auto-analyze scale factor) and once at the end.
    """
    emulate_autoanalyze = autovacuum_is_off(setup)
    analyzed_at = 0
    started = time.perf_counter()
    done = 0
    step = max(BATCH, workload.size // 10)
    while done < workload.size:
        count = min(BATCH, workload.size - done)
        with setup.database.transaction() as session:
            for index in range(done, done + count):
                register(setup, session, workload.body(index))
        done += count
        if emulate_autoanalyze and (done >= 1.1 * analyzed_at + 50 or done == workload.size):
            analyze(setup)
            analyzed_at = done
        if progress and done % step < BATCH:
            elapsed = time.perf_counter() - started
            print(f"    built {done:>7,} in {elapsed:7.1f} s ({done / elapsed:6.0f} ops/s)",
                  file=sys.stderr, flush=True)
    return time.perf_counter() - started
