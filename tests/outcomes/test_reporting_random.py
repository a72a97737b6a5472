"""A seeded-random month: five states in five zones report over the 2015 window with nil
reports, missing days, second reports for a day, idempotent retries, random amendments and
retractions. Afterwards (and half-way) the totals, breakdowns, daily series and completeness
grid the service returns equal a reference computed in the test from what was sent."""

from __future__ import annotations

import random

import pytest

from tests.outcomes.helpers import (
    API,
    CATEGORISED,
    DEFAULT_KEYS,
    NLO_OF,
    PAST_END,
    PAST_START,
    STATES,
    Desk,
    Sent,
    error_of,
    local_dates,
    nonzero_series,
)

PLAIN_KEYS = [k for k in DEFAULT_KEYS if k not in CATEGORISED]


def _random_values(rng: random.Random) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in rng.sample(DEFAULT_KEYS, rng.randint(1, 5)):
        if key in CATEGORISED and rng.random() < 0.8:
            cats = CATEGORISED[key]
            values[key] = {c: rng.randint(0, 9) for c in rng.sample(cats, rng.randint(1, 3))}
        else:
            values[key] = rng.choice([0, 1, 2, 3, 5, 8, 13, 40, 250])
    return values


def _as_stored(values: dict[str, object]) -> dict[str, object]:
    """A version as the service keeps it: a bare number of a categorised indicator is
    `unknown`."""
    return {k: ({"unknown": v} if k in CATEGORISED and not isinstance(v, dict) else v)
            for k, v in values.items()}


def _author(rng: random.Random, state: str) -> str:
    if state == "THA" and rng.random() < 0.5:
        return "nlo2.tha"
    return NLO_OF[state]


def _check(desk: Desk) -> None:
    ledger = desk.ledger
    expected_states = ledger.by_state(STATES, DEFAULT_KEYS)
    expected_regional = ledger.regional(DEFAULT_KEYS)
    for username in ("chair.nzl", "analyst", "admin"):
        totals = desk.totals(username)
        assert totals["totals"] == expected_regional, username
        assert totals["by_state"] == expected_states, username
        assert totals["breakdown"] == ledger.breakdown(CATEGORISED), username
        assert nonzero_series(totals["series"]) == ledger.series(), username
        for key in DEFAULT_KEYS:  # reconciliation, in the service's own figures
            assert totals["totals"][key] == sum(s[key] for s in totals["by_state"].values())
            points = totals["series"].get(key, [])
            assert totals["totals"][key] == sum(p["value"] for p in points)
        for key in CATEGORISED:
            assert totals["totals"][key] == sum(totals["breakdown"][key].values())
    for state, username in NLO_OF.items():
        totals = desk.totals(username)
        assert totals["totals"] == expected_regional
        assert totals["by_state"] == {state: expected_states[state]}

    reported = ledger.reported()
    grid = desk.completeness("chair.nzl")
    assert set(grid["states"]) == set(STATES)
    for state in STATES:
        days = local_dates(state, PAST_START, PAST_END)
        assert list(grid["states"][state]) == days
        for day in days:
            assert grid["states"][state][day] is ((state, day) in reported), (state, day)
        done = sum((state, day) in reported for day in days)
        assert grid["rate"][state] == pytest.approx(done / len(days), abs=1e-4)
        own = desk.completeness(NLO_OF[state])
        assert own["states"] == {state: grid["states"][state]}


@pytest.mark.parametrize("seed", [20150928, 7])
def test_a_random_month_of_reports_reconciles(desk, seed):
    rng = random.Random(seed)
    missing = nil = retries = seconds = 0

    # ---- every state, every local date of its window
    for state in STATES:
        for day in local_dates(state, PAST_START, PAST_END):
            roll = rng.random()
            if roll < 0.12:
                missing += 1
                continue
            count = 2 if rng.random() < 0.12 else 1
            first_rid = 0
            for _ in range(count):
                values = {} if rng.random() < 0.2 else _random_values(rng)
                nil += not values
                author = _author(rng, state)
                if first_rid:
                    # One report per state, date and operation: a second is a 409 naming the
                    # first, which is amended instead.
                    refusal = error_of(desk.submit_raw(author, day, values), 409, "date")
                    assert refusal["existing_report_id"] == first_rid
                    desk.amend(author, first_rid, values)
                    seconds += 1
                elif rng.random() < 0.1:
                    key = f"{state}-{day}-{rng.random()}"
                    body = {"date": day, "values": values}
                    url = f"{API}/periods/{desk.pid}/reports"
                    client = desk.api(author)
                    first = client.post(url, json=body, headers={"Idempotency-Key": key})
                    again = client.post(url, json=body, headers={"Idempotency-Key": key})
                    assert first.status_code == again.status_code == 201
                    assert again.get_json() == first.get_json()
                    created = first.get_json()
                    desk.ledger.add(Sent(created["id"], state, day, [values]))
                    first_rid = created["id"]
                    retries += 1
                else:
                    first_rid = desk.submit(author, day, values)["id"]
    assert missing and nil and retries and seconds  # the seed exercised every path
    _check(desk)

    # ---- random amendments and retractions, in random order
    reports = list(desk.ledger.reports.values())
    amended = retracted = refused = 0
    for _ in range(len(reports) // 2):
        sent = rng.choice(reports)
        author = _author(rng, sent.state)
        if rng.random() < 0.25:
            if sent.retracted:
                error_of(desk.retract_raw(author, sent.rid), 409)
                refused += 1
            else:
                desk.retract(author, sent.rid, f"random retraction {rng.randint(1, 99)}")
                retracted += 1
        else:
            values = {} if rng.random() < 0.15 else _random_values(rng)
            if sent.retracted:
                error_of(desk.amend_raw(author, sent.rid, values), 409)
                refused += 1
            else:
                desk.amend(author, sent.rid, values)
                amended += 1
        if rng.random() < 0.05:  # someone else's report stays out of reach
            stranger = NLO_OF[rng.choice([s for s in STATES if s != sent.state])]
            error_of(desk.amend_raw(stranger, sent.rid, {"arrests": 1}), 404)
    assert amended and retracted
    _check(desk)

    # ---- every report's history is what was sent, version by version
    for sent in rng.sample(reports, min(40, len(reports))):
        history = desk.history(NLO_OF[sent.state], sent.rid)
        assert [v["values"] for v in history["versions"]] == [_as_stored(v)
                                                              for v in sent.versions]
        assert [v["version"] for v in history["versions"]] == list(
            range(1, len(sent.versions) + 1))
        assert history["retracted"] is sent.retracted
