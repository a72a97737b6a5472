"""The demo period's improvement plan: 6-10 items across the 2015 states, mixed statuses,
exactly one overdue; seeding twice changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from debrief.improvements import is_overdue, period_items
from debrief.improvements_demo import seed_demo_improvements
from debrief.models import Objective
from operations.demo import DEMO_STATES, seed_demo
from operations.models import Period
from press.models import Release

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _seed(app: Flask, *, now: datetime = NOW) -> list[tuple[str, str, str, bool, int | None]]:
    with app.extensions["jpa.db"].transaction() as session:
        result = seed_demo(session, policy=app.extensions["jpa.identity"])
        period = session.get_one(Period, result.period_id)
        seed_demo_improvements(session, period, now=now)
        return [(i.owner_state, i.status, i.issue, is_overdue(i, now), i.objective_id)
                for i in period_items(session, period.id)]


def test_the_demo_plan_is_realistic_and_has_one_overdue_item(app: Flask) -> None:
    items = _seed(app)
    assert 6 <= len(items) <= 10
    assert {state for state, *_ in items} <= set(DEMO_STATES)
    assert len({state for state, *_ in items}) >= 6
    statuses = Counter(status for _, status, *_ in items)
    assert set(statuses) == {"open", "in_progress", "done", "dropped"}
    assert sum(overdue for *_, overdue, _ in items) == 1


def test_seeding_twice_changes_nothing(app: Flask) -> None:
    first = _seed(app)
    # A later day: the open items' due dates would differ if they were made again.
    again = _seed(app, now=datetime(2027, 1, 5, tzinfo=UTC))
    assert [row[:3] for row in again] == [row[:3] for row in first]
    with app.extensions["jpa.db"].transaction(write=False) as session:
        assert len(list(session.scalars(select(Period)))) == 1


def test_items_name_the_period_s_objectives_when_it_has_some(app: Flask) -> None:
    with app.extensions["jpa.db"].transaction() as session:
        result = seed_demo(session, policy=app.extensions["jpa.identity"])
        for position in range(10):
            session.add(Objective(period_id=result.period_id, position=position,
                                  title=f"Expected outcome {position + 1}", description="",
                                  indicator_keys=[]))
    items = _seed(app)
    assert sum(objective is not None for *_, objective in items) >= 3


def test_jpa_demo_seeds_the_plan_after_the_press_side(app: Flask, runner: Any) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    with app.extensions["jpa.db"].transaction(write=False) as session:
        period = session.scalar(select(Period))
        assert period is not None
        items = period_items(session, period.id)
        assert len(items) == 8
        assert sum(is_overdue(i) for i in items) == 1
        # The press side was seeded too: the chain kept the seeders before it.
        assert session.scalar(select(Release.id).limit(1)) is not None
