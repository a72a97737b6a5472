"""Migration 0017 on both databases: reports that already repeat (state, date, operation) are
merged into the lowest id (a new version summing the group, the others retracted with a
reason), so the totals, the running sums and the daily series do not change; afterwards the
unique index refuses a second live report, also for "no operation" (a NULL operation_id)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from core.cli import downgrade_database, upgrade_database
from core.db import make_engine
from tests.postgres import throwaway_database

T0 = "2015-10-01 00:00:00"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0016(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend migrated to 0016 (before the rule)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'm0017.sqlite3'}"
        upgrade_database(url, "0016")
        yield url
        return
    with throwaway_database("jpa_m0017") as url:
        upgrade_database(url, "0016")
        yield url


def _seed(engine: Engine) -> None:
    """A period with THA's reports: three for 1 Oct without an operation (arrests 4, 1 and a
    breakdown), two for 1 Oct under operation 1, one retracted, and a lone one on 2 Oct."""
    with engine.begin() as db:
        db.execute(text("INSERT INTO periods (id, name, starts_at, ends_at, created_at, "
                        "figures_version) VALUES (1, 'JPA', :t, :t, :t, 0)"), {"t": T0})
        db.execute(text("INSERT INTO operations (id, period_id, owner_state, title, type, "
                        "lead_agency, starts_at, ends_at, cancelled, created_at, updated_at) "
                        "VALUES (1, 1, 'THA', 'Checks', 'other', 'Police', :t, :t, :f, :t, :t)"),
                   {"t": T0, "f": False})
        reports = [  # id, date, operation_id, version, retracted, current values
            (1, "2015-10-01", None, 1, False, {"arrests": 4}),
            (2, "2015-10-01", None, 2, False,
             {"arrests": 1, "victims_assisted": {"female_adult": 2}}),
            (3, "2015-10-01", None, 1, False, {"victims_assisted": {"female_adult": 1,
                                                                    "male_child": 3}}),
            (4, "2015-10-01", 1, 1, False, {"search_warrants": 2}),
            (5, "2015-10-01", 1, 1, False, {"search_warrants": 5}),
            (6, "2015-10-01", None, 1, True, {"arrests": 100}),
            (7, "2015-10-02", None, 1, False, {}),
        ]
        for rid, day, oid, version, retracted, values in reports:
            db.execute(text(
                "INSERT INTO reports (id, period_id, state, date, operation_id, created_at, "
                "updated_at, version, retracted_at, retraction_reason) VALUES (:id, 1, 'THA', "
                ":day, :oid, :t, :t, :v, :r, :why)"),
                {"id": rid, "day": day, "oid": oid, "t": T0, "v": version,
                 "r": T0 if retracted else None, "why": "test" if retracted else None})
            for number in range(1, version + 1):
                stored = values if number == version else {"arrests": 99}
                db.execute(text("INSERT INTO report_versions (report_id, version, \"values\", "
                                "created_at) VALUES (:id, :n, :v, :t)"),
                           {"id": rid, "n": number, "v": json.dumps(stored), "t": T0})
            if retracted:
                continue
            for key, value in values.items():
                cells = value.items() if isinstance(value, dict) else [("", value)]
                for category, count in cells:
                    db.execute(text("INSERT INTO report_values (report_id, key, category, "
                                    "period_id, value) VALUES (:id, :k, :c, 1, :n)"),
                               {"id": rid, "k": key, "c": category, "n": count})


def _values(engine: Engine, rid: int) -> dict[tuple[str, str], int]:
    with engine.connect() as db:
        return {(k, c): v for k, c, v in db.execute(text(
            "SELECT key, category, value FROM report_values WHERE report_id = :id"),
            {"id": rid})}


def _sums(engine: Engine) -> dict[tuple[str, str], int]:
    """What every live report's figures add up to, per indicator and category."""
    with engine.connect() as db:
        return {(k, c): int(v) for k, c, v in db.execute(text(
            "SELECT v.key, v.category, SUM(v.value) FROM report_values v JOIN reports r "
            "ON r.id = v.report_id WHERE r.retracted_at IS NULL GROUP BY v.key, v.category"))}


def test_0017_merges_repeated_reports_into_the_first_and_keeps_the_totals(url_at_0016):
    engine = make_engine(url_at_0016)
    try:
        _seed(engine)
        before = _sums(engine)
        upgrade_database(url_at_0016, "0017")
        assert _sums(engine) == before
        with engine.connect() as db:
            rows = {rid: (version, retracted, reason, key) for rid, version, retracted, reason,
                    key in db.execute(text(
                        "SELECT id, version, retracted_at IS NOT NULL, retraction_reason, "
                        "operation_key FROM reports ORDER BY id"))}
            history = [(n, note) for n, note in db.execute(text(
                "SELECT version, note FROM report_versions WHERE report_id = 1 "
                "ORDER BY version"))]
        # The lowest id keeps the day with a new version; the others step aside, merged.
        assert rows[1][:2] == (2, False) and rows[4][:2] == (2, False)
        assert [rows[r][1] for r in (2, 3, 5)] == [True, True, True]
        assert rows[2][2] == rows[3][2] == "merged into report #1 (one report per state, " \
                                           "date and operation)"
        assert "#4" in rows[5][2]
        assert rows[6][2] == "test" and rows[7][:2] == (1, False)  # untouched
        assert [rows[r][3] for r in (1, 4, 7)] == [0, 1, 0]
        assert history[0] == (1, None) and "#2, #3" in history[1][1]
        assert _values(engine, 1) == {("arrests", ""): 5, ("victims_assisted", "female_adult"): 3,
                                      ("victims_assisted", "male_child"): 3}
        assert _values(engine, 4) == {("search_warrants", ""): 7}
        assert _values(engine, 2) == _values(engine, 3) == _values(engine, 5) == {}

        # The index now refuses a second live report, with or without an operation.
        for oid, key in ((None, 0), (1, 1)):
            with pytest.raises(IntegrityError), engine.begin() as db:
                db.execute(text(
                    "INSERT INTO reports (id, period_id, state, date, operation_id, "
                    "operation_key, created_at, updated_at, version) VALUES (100, 1, 'THA', "
                    "'2015-10-01', :oid, :key, :t, :t, 1)"), {"oid": oid, "key": key, "t": T0})
        with engine.begin() as db:  # a retracted one may repeat the key
            db.execute(text(
                "INSERT INTO reports (id, period_id, state, date, operation_key, created_at, "
                "updated_at, version, retracted_at) VALUES (101, 1, 'THA', '2015-10-01', 0, "
                ":t, :t, 1, :t)"), {"t": T0})

        downgrade_database(url_at_0016, "0016")
        upgrade_database(url_at_0016, "0017")  # nothing repeats any more: a no-op merge
        assert _sums(engine) == before
    finally:
        engine.dispose()
