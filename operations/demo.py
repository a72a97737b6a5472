"""The demo period: the first Bali Process JPA (28 Sep - 28 Oct 2015) and a user of every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.identity.models import User
from core.identity.services import IdentityPolicy, create_user
from operations.models import Operation, Period, PeriodState

DEMO_PERIOD_NAME = "Bali Process Joint Period of Action 2015 (demo)"
DEMO_PASSWORD = "bali-process-2015"  # noqa: S105 - printed for the demo on purpose
DEMO_STATES = ["AUS", "IDN", "MYS", "MDV", "NZL", "PHL", "LKA", "THA"]
DEMO_CO_CHAIRS = ["NZL", "LKA"]
_JAKARTA = timezone(timedelta(hours=7))

DEMO_USERS: list[tuple[str, str, str | None, str]] = [
    ("admin", "admin", None, "Platform Administrator"),
    ("cochair.nzl", "co_chair", "NZL", "Aroha Ngata"),
    ("cochair.lka", "co_chair", "LKA", "Nimal Perera"),
    ("analyst", "analyst", None, "Dana Analyst"),
    ("nlo.aus", "liaison_officer", "AUS", "Sam Taylor"),
    ("nlo.idn", "liaison_officer", "IDN", "Budi Santoso"),
    ("nlo.mys", "liaison_officer", "MYS", "Aisyah Rahman"),
    ("nlo.mdv", "liaison_officer", "MDV", "Ahmed Shareef"),
    ("nlo.nzl", "liaison_officer", "NZL", "Mere Wihongi"),
    ("nlo.phl", "liaison_officer", "PHL", "Maria Santos"),
    ("nlo.lka", "liaison_officer", "LKA", "Kamal Silva"),
    ("nlo.tha", "liaison_officer", "THA", "Somchai Wong"),
]


@dataclass
class DemoResult:
    """What `seed_demo` made and the logins to print."""

    period_id: int
    period_name: str
    created_users: int
    created_operations: int = 0
    created_reports: int = 0
    logins: list[tuple[str, str, str | None]] = field(default_factory=list)


# Seeds the demo period's reports (outcomes.demo.seed_demo_reports, registered by outcomes with
# `register_report_seeder`); returns how many it made.
ReportSeeder = Callable[[Session, Period], int]
_REPORT_SEEDER = "operations.demo_report_seeder"


def register_report_seeder(app: Flask, seeder: ReportSeeder) -> None:
    """Let `jpa demo` seed the demo period's reports with `seeder` (outcomes registers it)."""
    app.extensions[_REPORT_SEEDER] = seeder


def report_seeder(app: Flask) -> ReportSeeder | None:
    """The registered seeder of the demo's reports, if any."""
    return app.extensions.get(_REPORT_SEEDER)


def seed_demo(session: Session, *, policy: IdentityPolicy, blinding_key: bytes | None = None,
              seed_reports: ReportSeeder | None = None) -> DemoResult:
    """Create the demo users and period unless they exist (running it twice changes nothing);
    `seed_reports` adds the period's reports (outcomes.demo.seed_demo_reports)."""
    created = 0
    for username, role, state, full_name in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            email = f"{username}@demo.jpa.invalid"
            create_user(session, actor=None, policy=policy, username=username,
                        password=DEMO_PASSWORD, role=role, state=state, full_name=full_name,
                        email=email, phone="+64 4 000 0000" if state == "NZL" else None)
            created += 1
    period = session.scalar(select(Period).where(Period.name == DEMO_PERIOD_NAME))
    if period is None:
        period = Period(name=DEMO_PERIOD_NAME,
                        starts_at=datetime(2015, 9, 28, tzinfo=_JAKARTA),
                        ends_at=datetime(2015, 10, 28, tzinfo=_JAKARTA))
        period.participants = [PeriodState(state=code, is_co_chair=code in DEMO_CO_CHAIRS)
                               for code in sorted(DEMO_STATES)]
        session.add(period)
        session.flush()
        audit.record(session, action="period.created", actor_username="demo",
                     object_type="period", object_id=period.id)
    operations = seed_demo_operations(session, period=period, blinding_key=blinding_key) \
        if blinding_key else 0
    reports = seed_reports(session, period) if seed_reports is not None else 0
    logins = [(username, role, state) for username, role, state, _ in DEMO_USERS]
    return DemoResult(period.id, period.name, created, operations, reports, logins)


def _window(day: int, hours: int, start_hour: int = 8) -> tuple[datetime, datetime]:
    start = datetime(2015, 9, 28, start_hour, tzinfo=_JAKARTA) + timedelta(days=day)
    return start, start + timedelta(hours=hours)


# (state, title, type, agency, day offset, hours, sites, targets); sites are IATA codes or
# (name, lat, lon, radius); targets (kind, value, label[, dob]). A few deliberately collide.
DEMO_OPERATIONS: list[tuple[Any, ...]] = [
    ("THA", "Suvarnabhumi departure checks", "airport_checks", "Royal Thai Police", 1, 72,
     ["BKK"], [("phone", "081 234 5678", "Facilitator 'K'"), ("passport", "AA 1234567", "Doc 1")]),
    ("THA", "Sadao border crossing checks", "transit_hub_checks", "Immigration Bureau", 5, 48,
     [("Sadao checkpoint", 6.6375, 100.4243, 1500)], [("vehicle", "กข 1234", "Van seen 2015-09")]),
    ("MYS", "KLIA transit checks", "airport_checks", "Royal Malaysia Police", 2, 96,
     ["KUL"], []),
    ("MYS", "Bukit Kayu Hitam checks", "transit_hub_checks", "Immigration Department", 6, 24,
     [("Bukit Kayu Hitam ICQS", 6.6280, 100.4230, 1000)], []),
    ("MYS", "Recruitment network", "network_targeting", "Royal Malaysia Police", 0, 24 * 20,
     [("Kuala Lumpur", 3.1390, 101.6869, 5000)],
     [("phone", "+66 81 234 5678", "Recruiter A"), ("email", "jobs.abroad@example.org",
                                                      "Advert mailbox")]),
    ("IDN", "Soekarno-Hatta checks", "airport_checks", "Indonesian National Police", 1, 48,
     ["CGK"], []),
    ("IDN", "Riau islands vessel watch", "network_targeting", "Bakamla", 3, 24 * 10,
     [("Tanjung Pinang port", 0.9186, 104.4467, 3000)], [("vessel", "IMO 9074729", "KM Bahari")]),
    ("IDN", "KLIA passengers bound for Jakarta", "airport_checks", "Directorate General of "
     "Immigration", 3, 24, ["KUL"], []),
    ("AUS", "Sydney arrivals profiling", "airport_checks", "Australian Border Force", 4, 72,
     ["SYD"], []),
    ("AUS", "Maritime people-smuggling venture", "network_targeting", "AFP", 0, 24 * 25,
     [("Darwin", -12.4634, 130.8456, 10000)],
     [("vessel", "9074729", "Vessel of interest 3"), ("iban", "GB82 WEST 1234 5698 7654 32",
                                                       "Payments account")]),
    ("NZL", "Auckland departure checks", "airport_checks", "New Zealand Police", 2, 48,
     ["AKL"], []),
    ("LKA", "Colombo airport checks", "airport_checks", "Sri Lanka Police CID", 3, 72,
     ["CMB"], [("person", "Kumara Perera", "Broker P", "1975-04-12")]),
    ("MDV", "Malé airport checks", "airport_checks", "Maldives Police Service", 3, 48,
     ["MLE"], []),
    ("MDV", "Resort workplace inspections", "workplace_inspections", "Labour Relations Authority",
     8, 72, [("Hulhumalé worksites", 4.2110, 73.5400, 2000)],
     [("person", "PERERA, Kumara", "Recruiter from LKA", "1975-04-12")]),
    ("PHL", "NAIA departure checks", "airport_checks", "Bureau of Immigration", 1, 72,
     ["MNL"], []),
    ("PHL", "Manila port transit checks", "transit_hub_checks", "Philippine Coast Guard", 9, 48,
     [("Manila North Harbor", 14.6090, 120.9570, 1500)], []),
]


def seed_demo_operations(session: Session, *, period: Period, blinding_key: bytes) -> int:
    """Register the demo operations once, through the service layer, as each state's NLO."""
    from core.identity.services import Principal
    from operations import services

    if session.scalar(select(Operation.id).where(Operation.period_id == period.id).limit(1)):
        return 0
    officers = {user.state: user for user in session.scalars(
        select(User).where(User.role == "liaison_officer", User.username.like("nlo.%")))}
    count = 0
    for state, title, kind, agency, day, hours, sites, targets in DEMO_OPERATIONS:
        officer = officers.get(state)
        if officer is None:
            continue
        starts_at, ends_at = _window(day, hours)
        locations = [services.LocationData(site=s) if isinstance(s, str) else
                     services.LocationData(name=s[0], lat=s[1], lon=s[2], radius_m=s[3])
                     for s in sites]
        target_data = [services.TargetData(kind=t[0], value=t[1], label=t[2],
                                           dob=t[3] if len(t) > 3 else None) for t in targets]
        services.register_operation(
            session, actor=Principal.of(officer, "demo"), period_id=period.id,
            registration=services.Registration(
                title=title, type=kind, lead_agency=agency, starts_at=starts_at,
                ends_at=ends_at, locations=locations, targets=target_data),
            blinding_key=blinding_key)
        count += 1
    return count
