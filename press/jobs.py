"""The scheduled job of press releases, run by `jpa scheduler` (see core.scheduler).

- `press.publish_scheduled`: publish each scheduled release whose embargo (`publish_at`) has
  passed. Exactly once, also with two scheduler processes: the ledger (job_runs) claims the
  slot, and the publication itself is a guarded UPDATE ... WHERE status = 'scheduled', so a
  second run (or a second process) finds nothing left to publish.

- `press.stale_signoffs`: tell a state's NLOs, once per sign-off, that a report, amendment
  or retraction made after it has made it stale and that the state must sign again.

A slot is due whatever the catch-up window: a release whose time passed while the scheduler
was stopped is published at the next pass.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.scheduler import RunContext, Slot, register_job
from operations.models import Period
from press import access, services
from press.models import SignOff

PUBLISH_JOB = "press.publish_scheduled"
STALE_JOB = "press.stale_signoffs"


def register(app: Flask) -> None:
    """Register the publication job with the application's scheduler registry."""
    register_job(app, PUBLISH_JOB, due_slots=publication_slots, run=publish_slot,
                 description="publish scheduled press releases at their embargo time")
    register_job(app, STALE_JOB, due_slots=stale_slots, run=tell_stale,
                 description="tell NLOs whose sign-off went stale to sign again")


def publication_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per due scheduled release and revision (a rescheduled or corrected release
    gets a new slot; the same one is never run twice)."""
    return [Slot(key=f"release:{rid}:r{revision}:{at.isoformat()}", at=at,
                 data={"release_id": rid, "revision": revision})
            for rid, revision, at in services.due_releases(session, now=now)]


def publish_slot(session: Session, slot: Slot, context: RunContext) -> str:
    """Publish the slot's release unless it was published, edited or withdrawn meanwhile."""
    done = services.publish_scheduled(session, release_id=int(slot.data["release_id"]),
                                      revision=int(slot.data["revision"]), now=context.now,
                                      base_url=context.settings.base_url)
    return "published" if done else "nothing to publish"


def stale_slots(session: Session, now: datetime, since: datetime) -> list[Slot]:
    """One slot per current sign-off that has gone stale (the ledger keeps it told once)."""
    period_ids = session.scalars(select(SignOff.period_id).distinct())
    slots = []
    for period in session.scalars(select(Period).where(Period.id.in_(list(period_ids)))):
        for state, status in sorted(services.current_signoffs(session, period).items()):
            if status.stale:
                slots.append(Slot(key=f"signoff:{status.signoff.id}", at=now,
                                  data={"period_id": period.id, "state": state,
                                        "signoff_id": status.signoff.id}))
    return slots


def tell_stale(session: Session, slot: Slot, context: RunContext) -> str:
    """Ask the state's NLOs to sign off again."""
    period = session.get(Period, int(slot.data["period_id"]))
    if period is None:
        return "period gone"
    state = str(slot.data["state"])
    nlos = access.state_nlos(session, state)
    link = f"/periods/{period.id}/signoff"
    told = access.tell(session, nlos, actor_id=None,
                       subject=f"Sign off again: {period.name}",
                       body=f"{state}'s figures changed after its sign-off of "
                            f"{period.name} (checked {context.now:%Y-%m-%d %H:%M} UTC); the "
                            "sign-off is stale and the releases leave them out until "
                            "the state signs again.", link=link,
                       base_url=context.settings.base_url)
    return f"told {told}"
