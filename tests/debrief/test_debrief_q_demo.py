"""`jpa demo` gives the demo period its objectives and every 2015 state's submitted answers,
with a rating of every objective; running it again changes nothing. The seeder opens the
questionnaire of a demo period that has not ended yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from debrief.demo import DEMO_ANSWERS, seed_demo_debrief
from debrief.models import DebriefSettings, Objective, Rating, Response
from operations.demo import DEMO_PASSWORD, DEMO_STATES
from operations.models import Period, PeriodState
from tests.debrief.debrief_q_support import browser, text_of

STATES_2015 = sorted(DEMO_STATES)


def _counts(app) -> dict[str, int]:
    with app.extensions["jpa.db"].transaction(write=False) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Objective, Response, Rating, DebriefSettings)}


def test_demo_seeds_objectives_and_every_states_submitted_answers(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert _counts(app) == {"Objective": 10, "Response": 8, "Rating": 80, "DebriefSettings": 1}
    with app.extensions["jpa.db"].transaction(write=False) as session:
        responses = session.scalars(select(Response).order_by(Response.state)).all()
        assert [r.state for r in responses] == STATES_2015
        assert {r.status for r in responses} == {"submitted"}
        assert len({r.worked for r in responses}) == 8  # each state's own words
        assert all(r.did_not_work and r.do_differently and r.next_steps for r in responses)
        assert all(1 <= (r.deconfliction_usefulness or 0) <= 5 for r in responses)
        letters = set(session.scalars(select(Rating.rating)))
        assert letters <= {"P", "S", "M", "U"} and len(letters) >= 3
        times = [r.submitted_at for r in responses]
        period = session.scalar(select(Period))
        assert all(t is not None and period.ends_at < t < datetime.now(UTC) for t in times)
    assert set(DEMO_ANSWERS) == set(DEMO_STATES)

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert _counts(app) == {"Objective": 10, "Response": 8, "Rating": 80, "DebriefSettings": 1}

    shown = text_of(browser(app, "cochair.nzl", DEMO_PASSWORD).get(f"/periods/{period.id}/debrief"))
    assert 'id="submitted-count">8 of 8 states' in shown
    assert shown.count('class="rating rating-') >= 80


def test_a_demo_period_under_way_gets_its_questionnaire_opened(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    database = app.extensions["jpa.db"]
    now = datetime.now(UTC)
    with database.transaction() as session:
        running = Period(name="Running", starts_at=now - timedelta(days=5),
                         ends_at=now + timedelta(days=5))
        running.participants = [PeriodState(state="THA", is_co_chair=True),
                                PeriodState(state="MYS")]
        session.add(running)
        session.flush()
        assert seed_demo_debrief(session, running, now=now) == 2
        assert seed_demo_debrief(session, running, now=now) == 0
        settings = session.get(DebriefSettings, running.id)
        assert settings is not None and settings.opens_at == now
        statuses = session.execute(select(Response.state, Response.status).where(
            Response.period_id == running.id).order_by(Response.state)).all()
        assert [tuple(s) for s in statuses] == [("MYS", "submitted"), ("THA", "submitted")]
