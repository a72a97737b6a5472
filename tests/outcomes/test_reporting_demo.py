"""`jpa demo` fills the 2015 demo period with daily reports whose totals are the first Bali
Process JPA's published tally, with gaps in the completeness grid, nil reports, amended and
retracted reports; running it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from core.audit import AuditEvent
from operations.demo import DEMO_PASSWORD, seed_demo
from operations.models import Period
from outcomes.demo import seed_demo_reports
from outcomes.models import Report, ReportVersion
from tests.outcomes.helpers import API, DEFAULT_KEYS, PERSON_CATEGORIES

# The published tally of the first Bali Process JPA (28 Sep - 28 Oct 2015), written out here
# rather than imported from the code under test.
TALLY = {"victims_assisted": 59, "suspects_identified": 63, "arrests": 32, "search_warrants": 7,
         "new_investigations": 8, "international_enquiries": 70, "awareness_activities": 68,
         "training_sessions": 12, "officers_trained": 485}
DEMO_STATES = ["AUS", "IDN", "LKA", "MDV", "MYS", "NZL", "PHL", "THA"]


def _counts(app):
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Report, ReportVersion, AuditEvent))


def _demo_pid(app):
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return session.scalar(select(Period.id))


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_demo_reports_reproduce_the_published_tally(app, runner, accounts):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    pid = _demo_pid(app)
    chair = accounts.api("cochair.nzl", DEMO_PASSWORD)

    totals = _get(chair, f"{API}/periods/{pid}/totals")
    assert totals["totals"] == {key: TALLY.get(key, 0) for key in DEFAULT_KEYS}
    assert set(totals["by_state"]) == set(DEMO_STATES)
    for key in DEFAULT_KEYS:
        assert sum(s[key] for s in totals["by_state"].values()) == totals["totals"][key]
        assert sum(p["value"] for p in totals["series"].get(key, [])) == totals["totals"][key]
    # Every state contributed, and the victims come with a sex and age breakdown.
    assert all(any(figures.values()) for figures in totals["by_state"].values())
    victims = totals["breakdown"]["victims_assisted"]
    assert sum(victims.values()) == 59
    assert set(victims) == set(PERSON_CATEGORIES)
    assert sum(1 for count in victims.values() if count) >= 4
    # The figures are spread over the window, not lumped on one day.
    assert len(totals["series"]["international_enquiries"]) >= 20

    grid = _get(chair, f"{API}/periods/{pid}/completeness")
    assert set(grid["states"]) == set(DEMO_STATES)
    assert grid["dates"][0] == "2015-09-27" and grid["dates"][-1] == "2015-10-28"
    for state, days in grid["states"].items():
        missing = [d for d, done in days.items() if not done]
        assert 1 <= len(missing) <= 4, (state, missing)
        assert 0.85 < grid["rate"][state] < 1.0, state

    # Nil reports, an amended report with its first version kept, and a retracted copy.
    tha = accounts.api("nlo.tha", DEMO_PASSWORD)
    reports = _get(tha, f"{API}/periods/{pid}/reports")["reports"]
    assert any(r["nil"] for r in reports) and any(not r["nil"] for r in reports)
    amended = [r for r in reports if r["version"] > 1]
    assert amended
    history = _get(tha, f"{API}/reports/{amended[0]['id']}/history")
    assert len(history["versions"]) == 2
    assert history["versions"][0]["values"] != history["versions"][1]["values"]
    mys = accounts.api("nlo.mys", DEMO_PASSWORD)
    mys_reports = _get(mys, f"{API}/periods/{pid}/reports")["reports"]
    assert any(r["retracted"] for r in mys_reports)

    # Running it again adds nothing.
    before = _counts(app)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == before
    assert _get(chair, f"{API}/periods/{pid}/totals")["totals"] == totals["totals"]


def test_seed_demo_makes_reports_once(app):
    database = app.extensions["jpa.db"]
    policy = app.extensions["jpa.identity"]
    with database.transaction() as session:
        first = seed_demo(session, policy=policy, seed_reports=seed_demo_reports)
    assert first.created_reports > 200
    counts = _counts(app)
    with database.transaction() as session:
        second = seed_demo(session, policy=policy, seed_reports=seed_demo_reports)
    assert second.created_reports == 0 and second.created_users == 0
    assert _counts(app) == counts
