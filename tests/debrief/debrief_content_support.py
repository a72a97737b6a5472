"""Helpers of the debrief pack content tests: a closed 2015 period (LKA, MDV, MYS, NZL, THA)
with figures reported through the API, and operations, conflicts, a press release, objectives,
responses, ratings and an improvement plan written straight into the tables (the services that
write them live in other packages' worktrees).

Every piece of operational text of Thailand and Malaysia carries a marker (`THA_SECRETS`,
`MYS_SECRETS`) so that a test can search every file of a pack for it.

Imported as `tests.debrief.debrief_content_support` (a unique name across the tree)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from pypdf import PdfReader
from sqlalchemy.orm import Session

from core.scheduler import JobRun
from debrief.models import DebriefSettings, ImprovementItem, Objective, Rating, Response
from debrief.pack_content import PackRequest, build_pack_files
from deconfliction.models import ConflictEvent, ConflictRecord, RegisterEntry
from operations.models import Operation, OperationSite, OperationTarget
from press.models import Release, ReleaseVersion
from tests.outcomes.helpers import API, CO_CHAIRS, PAST_END, PAST_START, STATES, make_period

PERIOD_NAME = "Bali Process JPA 2015"
NLO_OF = {state: f"nlo.{state.lower()}" for state in STATES}
GENERATED_AT = datetime(2015, 11, 20, 9, 30, tzinfo=UTC)

# What Thailand and Malaysia registered: titles, agencies, sites, target labels, notes.
THA_SECRETS = {"title": "Operation Kingfisher Tha", "agency": "Royal Thai Police Unit 7",
               "site": "Suvarnabhumi Cargo Gate 9", "label": "Somsak boat phone",
               "contact": "Khun Prasert"}
MYS_SECRETS = {"title": "Ops Harimau Malaya", "agency": "PDRM Bukit Aman D5",
               "site": "KLIA2 Pier Q", "label": "Ali bin Abu passport",
               "note": "Harimau resolution note", "contact": "Inspector Zainal"}


@dataclass
class PackWorld:
    """The period, its people and their API clients; builds packs straight from the tables."""

    app: Flask
    accounts: Any
    pid: int = 0
    report_ids: dict[str, int] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict)

    def api(self, username: str) -> Any:
        """The user's bearer-token client (one token per user per test)."""
        if username not in self._clients:
            self._clients[username] = self.accounts.api(username)
        return self._clients[username]

    def session(self, *, write: bool = True) -> Any:
        """One transaction on the application's database."""
        return self.app.extensions["jpa.db"].transaction(write=write)

    def report(self, state: str, day: str, values: dict[str, Any]) -> int:
        """A daily report through the API (asserts 201); its id."""
        response = self.api(NLO_OF[state]).post(f"{API}/periods/{self.pid}/reports",
                                                json={"date": day, "values": values})
        assert response.status_code == 201, response.get_data(as_text=True)
        rid: int = response.get_json()["id"]
        self.report_ids[f"{state} {day}"] = rid
        return rid

    def amend(self, state: str, rid: int, values: dict[str, Any]) -> None:
        """Amend a report through the API (asserts 201)."""
        response = self.api(NLO_OF[state]).post(f"{API}/reports/{rid}/amend",
                                                json={"values": values, "note": "typo"})
        assert response.status_code == 201, response.get_data(as_text=True)

    def build(self, *, version: int = 1, handling: str = "H2", annex: str | None = None,
              generated_at: datetime = GENERATED_AT,
              stages: list[tuple[int, str]] | None = None) -> dict[str, bytes]:
        """The pack's files, as the machinery would get them."""
        seen = stages if stages is not None else []
        request = PackRequest(period_id=self.pid, version=version, handling=handling,
                              generated_at=generated_at, annex_state=annex)
        with self.session(write=False) as session:
            return build_pack_files(session, request,
                                    lambda percent, stage: seen.append((percent, stage)))


def make_pack_world(app: Flask, accounts: Any) -> PackWorld:
    """The 2015 period with figures, operations, conflicts, a release and a debrief."""
    for state in STATES:
        accounts.create(NLO_OF[state], "liaison_officer", state,
                        email=f"nlo.{state.lower()}@example.org")
    accounts.create("chair.nzl", "co_chair", "NZL", email="chair.nzl@example.org")
    accounts.create("admin", "admin", email="admin@example.org")
    world = PackWorld(app, accounts)
    world.pid = make_period(world.api("admin"), PERIOD_NAME, PAST_START, PAST_END, STATES,
                            CO_CHAIRS)
    world.report("THA", "2015-09-28", {"arrests": 3, "suspects_identified": 5})
    world.report("THA", "2015-09-29", {"arrests": 2})
    world.report("MYS", "2015-09-28", {"arrests": 4, "search_warrants": 1})
    world.report("LKA", "2015-10-01", {"arrests": 0})
    with world.session() as session:
        seed_operations(session, world.pid)
        seed_press(session, world.pid)
        seed_debrief(session, world.pid)
    return world


def _at(day: int, hour: int = 0) -> datetime:
    return PAST_START.astimezone(UTC) + timedelta(days=day, hours=hour)


def _operation(session: Session, pid: int, state: str, secrets: dict[str, str],
               kind: str = "airport_checks") -> Operation:
    operation = Operation(
        period_id=pid, owner_state=state, title=secrets["title"], type=kind,
        lead_agency=secrets["agency"], starts_at=_at(2), ends_at=_at(4),
        contact_name=secrets["contact"], contact_email=f"desk@{state.lower()}.example")
    operation.sites = [OperationSite(position=0, name=secrets["site"], iata="BKK", lat=13.69,
                                     lon=100.75, radius_m=500.0)]
    operation.targets = [OperationTarget(position=0, kind="phone", label=secrets["label"])]
    session.add(operation)
    session.flush()
    session.add(RegisterEntry(
        op_id=operation.id, period_id=pid, state=state, starts_at=operation.starts_at,
        ends_at=operation.ends_at, contact_name=secrets["contact"],
        contact_email=f"desk@{state.lower()}.example", contact_phone="+00 1234"))
    return operation


def seed_operations(session: Session, pid: int) -> None:
    """Thailand's and Malaysia's operations, one conflict between them (acknowledged by both
    after 2 and 6 hours, resolved, escalated once), and an operation of New Zealand."""
    tha = _operation(session, pid, "THA", THA_SECRETS)
    mys = _operation(session, pid, "MYS", MYS_SECRETS)
    _operation(session, pid, "NZL", {"title": "NZL op", "agency": "NZ Police",
                                     "site": "AKL", "label": "nzl label",
                                     "contact": "Aroha"}, kind="network_targeting")
    session.flush()
    detected = _at(1)
    record = ConflictRecord(
        period_id=pid, op_a=tha.id, op_b=mys.id, state_a="THA", state_b="MYS",
        status="resolved", severity="high",
        reasons=[{"kind": "target", "target_kind": "phone", "label_a": THA_SECRETS["label"],
                  "label_b": MYS_SECRETS["label"]},
                 {"kind": "location", "label_a": THA_SECRETS["site"],
                  "label_b": MYS_SECRETS["site"]}],
        acknowledged_a=detected + timedelta(hours=2),
        acknowledged_b=detected + timedelta(hours=6), resolution="joint",
        resolution_note=MYS_SECRETS["note"], detected_at=detected, updated_at=detected)
    session.add(record)
    session.flush()
    session.add(ConflictEvent(conflict_id=record.id, action="resolved", status="resolved",
                              actor_state="MYS", note=MYS_SECRETS["note"]))
    session.add(JobRun(job_id="operations.conflict_escalation",
                       slot=f"conflict {record.id} opened 2015-09-29T00:00:00.000000Z",
                       started_at=detected, finished_at=detected, outcome="ok",
                       detail=f"escalated conflict #{record.id} (24h) to 2 co-chair(s)"))


def seed_press(session: Session, pid: int) -> None:
    """One published regional release in English."""
    published = _at(5)
    release = Release(period_id=pid, scope="regional", state=None, language="en",
                      slug="jpa-2015-results", status="published", title="JPA 2015 results",
                      body="body", version=1)
    session.add(release)
    session.flush()
    session.add(ReleaseVersion(
        release_id=release.id, number=1, title="JPA 2015 results", body="body",
        html_body="<p>x</p>", text_body="x", html=b"<p>x</p>", text=b"x", pdf=b"%PDF",
        etag_html="a", etag_text="b", etag_pdf="c", figures={}, preliminary=False,
        published_at=published))


def seed_debrief(session: Session, pid: int) -> None:
    """Three objectives, a summary, THA's and MYS's submitted responses (and NZL's draft),
    their ratings, and two improvement items."""
    objectives = [Objective(period_id=pid, position=n, title=title, indicator_keys=[])
                  for n, title in enumerate(("Disrupt networks", "Share information",
                                             "Protect victims"), start=1)]
    session.add_all(objectives)
    session.add(DebriefSettings(
        period_id=pid, handling="H2",
        summary="A **good** period. See [the site](http://evil.example/x).\n\n"
                "<script>alert(1)</script>"))
    session.flush()
    answers = {
        "THA": dict(worked="Joint *hotline* worked", did_not_work="=HYPERLINK(\"x\")",
                    do_differently="Start earlier", next_steps="Meet in March",
                    good_practice="", deconfliction_usefulness=5),
        "MYS": dict(worked="Fast replies", did_not_work="Slow visas",
                    do_differently="More liaison", next_steps="Train staff",
                    good_practice="Night shifts", deconfliction_usefulness=4),
        "NZL": dict(worked="NZL DRAFT ANSWER", did_not_work="", do_differently="",
                    next_steps="", good_practice="", deconfliction_usefulness=None),
    }
    ratings = {"THA": ("P", "S", "U"), "MYS": ("S", "M", "U"), "NZL": ("P", "P", "P")}
    for state, fields in answers.items():
        submitted = state != "NZL"
        response = Response(period_id=pid, state=state,
                            status="submitted" if submitted else "draft",
                            submitted_at=_at(35) if submitted else None, **fields)
        session.add(response)
        session.flush()
        for objective, code in zip(objectives, ratings[state], strict=True):
            session.add(Rating(response_id=response.id, objective_id=objective.id,
                               rating=code, comment=f"{state} on {objective.title}"))
    session.add_all([
        ImprovementItem(period_id=pid, objective_id=objectives[2].id, issue="Victims unseen",
                        corrective_action="Train screeners", owner_state="THA",
                        owner="Victim desk", due_on=date(2016, 3, 1), status="open"),
        ImprovementItem(period_id=pid, objective_id=None, issue="Late reports",
                        corrective_action="@reminders earlier", owner_state="MYS",
                        owner="NLO", due_on=date(2016, 2, 1), status="in_progress")])


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, whitespace collapsed."""
    return [" ".join((page.extract_text() or "").split())
            for page in PdfReader(io.BytesIO(pdf)).pages]


def searchable(files: dict[str, bytes]) -> dict[str, str]:
    """Every file as text to search: the PDF as its extracted text, the rest decoded."""
    return {name: " ".join(pdf_pages(body)) if name.endswith(".pdf")
            else body.decode("utf-8-sig") for name, body in files.items()}
