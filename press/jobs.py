"""The scheduled job of press releases, run by `jpa scheduler` (see core.scheduler).

- `press.publish_scheduled`: publish each scheduled release whose embargo (`publish_at`) has
  passed. Exactly once, also with two scheduler processes: the ledger (job_runs) claims the
  slot, and the publication itself is a guarded UPDATE ... WHERE status = 'scheduled', so a
  second run (or a second process) finds nothing left to publish.

A slot is due whatever the catch-up window: a release whose time passed while the scheduler
was stopped is published at the next pass.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

from core.scheduler import RunContext, Slot, register_job
from press import services

PUBLISH_JOB = "press.publish_scheduled"


def register(app: Flask) -> None:
    """Register the publication job with the application's scheduler registry."""
    register_job(app, PUBLISH_JOB, due_slots=publication_slots, run=publish_slot,
                 description="publish scheduled press releases at their embargo time")


def publication_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per due scheduled release and revision (a rescheduled or corrected release
    gets a new slot; the same one is never run twice)."""
    return [Slot(key=f"release:{rid}:r{revision}:{at.isoformat()}", at=at,
                 data={"release_id": rid, "revision": revision})
            for rid, revision, at in services.due_releases(session, now=now)]


def publish_slot(session: Session, slot: Slot, context: RunContext) -> str:
    """Publish the slot's release unless it was published, edited or withdrawn meanwhile."""
    done = services.publish_scheduled(session, release_id=int(slot.data["release_id"]),
                                      revision=int(slot.data["revision"]), now=context.now)
    return "published" if done else "nothing to publish"
