"""The builder's claim: exactly one of two simultaneous claimers (two engines, two threads)
wins; a claim older than 15 minutes is taken again and its old builder then writes nothing;
a build that raises marks the pack failed with a short error (never building for ever); a
period deleted mid-build ends the build quietly. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, update

from core.db import Database, utcnow
from debrief.annex_models import Annex
from debrief.models import Pack
from debrief.pack_builder import ClaimLost, build_claimed, claim, claim_next, progress_writer
from operations.models import Period
from tests.debrief.debrief_packs_support import API, make_desk


@pytest.mark.parametrize("kind", ["pack", "annex"])
def test_two_claimers_at_once_one_wins(app: Flask, accounts: Any, settings: Any,
                                       kind: str) -> None:
    desk = make_desk(app, accounts)
    for _round in range(3):
        if kind == "pack":
            pack_id = desk.queued()
        else:  # a finished annex first, so that the next request queues a new one
            made = desk.api("nlo.tha").post(f"{API}/periods/{desk.pid}/debrief/annex")
            assert made.status_code == 202
            pack_id = made.get_json()["id"]
        barrier = threading.Barrier(2)
        won: list[object] = []
        engines = [Database(settings.database_url) for _ in range(2)]

        def race(database: Database) -> None:
            barrier.wait()
            won.append(claim(database, pack_id, kind=kind))

        threads = [threading.Thread(target=race, args=(db,)) for db in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        for database in engines:
            database.dispose()
        assert len(won) == 2
        assert sum(found is not None for found in won) == 1, won
        if kind == "annex":  # mark it done, so that the next round queues a new one
            with app.extensions["jpa.db"].transaction() as session:
                session.execute(update(Annex).where(Annex.id == pack_id)
                                .values(status="failed"))


def test_stale_claim_is_taken_again_and_the_old_builder_writes_nothing(
        app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    database: Database = app.extensions["jpa.db"]
    pack_id = desk.queued()
    old = claim(database, pack_id, now=utcnow() - timedelta(minutes=16))
    assert old is not None
    assert claim(database, pack_id, now=utcnow() - timedelta(minutes=2)) is None  # 14 min
    fresh = claim(database, pack_id)
    assert fresh is not None  # 16 minutes old: stale, taken again
    assert claim(database, pack_id) is None  # just claimed: held
    assert claim_next(database) is None
    with pytest.raises(ClaimLost):
        progress_writer(database, old)(50, "outcomes")
    assert build_claimed(database, old) == "lost"
    assert desk.row(pack_id).status == "building"
    assert build_claimed(database, fresh) == "ready"
    assert desk.row(pack_id).status == "ready"


def test_a_failing_build_is_marked_failed(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    database: Database = app.extensions["jpa.db"]
    pack_id = desk.queued()
    # Real input the content refuses: a handling code outside H0-H3 in the stored row.
    with database.transaction() as session:
        session.execute(update(Pack).where(Pack.id == pack_id).values(handling="H9"))
    held = claim_next(database)
    assert held is not None
    assert build_claimed(database, held) == "failed"
    pack = desk.pack(pack_id)
    assert pack["status"] == "failed" and pack["error"].startswith("ValidationFailed")
    assert len(pack["error"]) <= 300 and pack["files"] == []
    response = desk.api("chair.nzl").get(f"{API}/debrief/packs/{pack_id}/download")
    assert response.status_code == 410
    assert "failed" in response.get_json()["error"]["message"]
    assert [e.outcome for e in desk.audit("debrief.pack.built")] == ["failed"]
    assert claim_next(database) is None  # failed is final: a new request makes a new version


def test_period_deleted_mid_build_ends_quietly(app: Flask, accounts: Any) -> None:
    desk = make_desk(app, accounts)
    database: Database = app.extensions["jpa.db"]
    pack_id = desk.queued()
    held = claim_next(database)
    assert held is not None

    def delete_period(percent: int, stage: str) -> None:
        if percent < 100:
            with database.transaction() as session:
                session.execute(delete(Period).where(Period.id == desk.pid))

    assert build_claimed(database, held, observe=delete_period) == "lost"
    with database.transaction(write=False) as session:
        assert session.get(Pack, pack_id) is None  # gone with its period, not left building
