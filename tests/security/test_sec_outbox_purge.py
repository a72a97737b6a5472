"""Housekeeping: mail sent more than 30 days ago is purged from the outbox by the scheduled
job `core.outbox_purge`, once a day; unsent mail (waiting or given up) is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from core.mail_jobs import OUTBOX_PURGE_JOB
from core.notify import MAX_ATTEMPTS, OutboxMail
from core.scheduler import registry, run_pending
from tests.security.sec_ops_helpers import outbox, put_in_outbox

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_the_purge_job_is_registered_under_its_stable_id(app):
    assert OUTBOX_PURGE_JOB == "core.outbox_purge"
    assert OUTBOX_PURGE_JOB in [job.job_id for job in registry(app)]


def test_sent_mail_older_than_30_days_is_purged_and_unsent_mail_kept(app):
    old_sent = put_in_outbox(app, "old@jpa.example", "old", created_at=NOW - timedelta(days=40),
                             sent_at=NOW - timedelta(days=30, minutes=1))
    recent_sent = put_in_outbox(app, "recent@jpa.example", "recent",
                                created_at=NOW - timedelta(days=29),
                                sent_at=NOW - timedelta(days=29, hours=23))
    waiting = put_in_outbox(app, "waiting@jpa.example", "waiting",
                            created_at=NOW - timedelta(days=90))
    given_up = put_in_outbox(app, "a@b.org\r\nBcc: x@y.org", "given up",
                             created_at=NOW - timedelta(days=90))
    with app.extensions["jpa.db"].transaction() as session:
        session.execute(update(OutboxMail).where(OutboxMail.id == given_up)
                        .values(attempts=MAX_ATTEMPTS, last_error="ValueError"))

    results = [r for r in run_pending(app, NOW) if r.job_id == OUTBOX_PURGE_JOB]
    assert results and all(r.outcome == "ok" for r in results)
    assert [row.id for row in outbox(app)] == [recent_sent, waiting, given_up]
    assert old_sent not in [row.id for row in outbox(app)]

    # The same day again runs nothing; two days later the next one is old enough.
    assert [r for r in run_pending(app, NOW + timedelta(hours=1))
            if r.job_id == OUTBOX_PURGE_JOB] == []
    later = [r for r in run_pending(app, NOW + timedelta(days=2))
             if r.job_id == OUTBOX_PURGE_JOB]
    assert [r.outcome for r in later] == ["ok", "ok"]
    assert [row.id for row in outbox(app)] == [waiting, given_up]
