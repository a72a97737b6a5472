"""A party's acts on a conflict (acknowledge, resolve, reopen) and the conflict views of a
period, each telling the other party."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import audit, notify
from core.errors import NotFound
from core.identity.models import Role
from core.identity.services import Principal, require_role
from deconfliction import services as deconfliction
from deconfliction.models import ConflictRecord
from operations.conflict_notices import tell_other_party
from operations.periods import get_period


def conflicts_for(session: Session, *, actor: Principal, period_id: int,
                  status: str | None = None) -> dict[str, object]:
    """A period's conflicts as the actor's role may see them: parties their side, co-chairs
    pointers, analysts counts; administrators may not use this (403)."""
    require_role(actor, Role.LIAISON_OFFICER, Role.CO_CHAIR, Role.ANALYST)
    get_period(session, actor=actor, period_id=period_id)
    if actor.role == Role.ANALYST:
        return {"counts": deconfliction.conflict_counts(session, period_id=period_id)}
    records = deconfliction.visible_conflicts(session, actor=actor, period_id=period_id,
                                              status=status)
    audit.record_many(session, [{"action": "conflict.seen", "actor": actor,
                                 "object_type": "conflict", "object_id": record.id}
                                for record in records])
    contacts = (deconfliction.contacts_for(session, records)
                if records and actor.role == Role.LIAISON_OFFICER else {})
    return {"conflicts": [deconfliction.view_for(session, r, actor, contacts) for r in records]}


def open_conflict_count(session: Session, *, actor: Principal, period_id: int) -> int:
    """How many conflicts involving the actor's state still need attention."""
    return sum(1 for record in deconfliction.visible_conflicts(
        session, actor=actor, period_id=period_id) if record.status in ("open", "acknowledged"))


def _visible_conflict(session: Session, actor: Principal, conflict_id: int) -> ConflictRecord:
    record = deconfliction.get_conflict(session, actor=actor, conflict_id=conflict_id)
    if actor.role == Role.CO_CHAIR:
        try:
            get_period(session, actor=actor, period_id=record.period_id)
        except NotFound:  # the same answer as a missing id, so that ids cannot be probed
            raise NotFound("conflict") from None
    return record


def conflict_detail(session: Session, *, actor: Principal, conflict_id: int) -> dict[str, object]:
    """One conflict with its history (who changed what, when)."""
    record = _visible_conflict(session, actor, conflict_id)
    view = deconfliction.view_for(session, record, actor)
    # Notes are the parties' own words: only an NLO of one of the two states reads them.
    party = actor.role == Role.LIAISON_OFFICER and actor.state in (record.state_a,
                                                                   record.state_b)
    view["history"] = [
        {"at": event.at.isoformat(), "action": event.action, "status": event.status,
         "state": event.actor_state, **({"note": event.note} if event.note and party else {})}
        for event in deconfliction.history(session, record)]
    audit.record(session, action="conflict.seen", actor=actor, object_type="conflict",
                 object_id=record.id)
    # Opening a conflict is reading what was said about it.
    notify.mark_read_by_link(session, user_id=actor.id, link=f"/conflicts/{record.id}")
    return view


def acknowledge_conflict(session: Session, *, actor: Principal, conflict_id: int,
                         base_url: str = "") -> dict[str, object]:
    """A party acknowledges; both parties are told of the change."""
    record = deconfliction.acknowledge(session, actor=actor, conflict_id=conflict_id)
    return _tell_other_and_view(session, record, actor, base_url, "acknowledged")


def resolve_conflict(session: Session, *, actor: Principal, conflict_id: int,
                     resolution: str, note: str, base_url: str = "") -> dict[str, object]:
    """A party resolves with an explicit choice and a note; the other party is told."""
    record = deconfliction.resolve(session, actor=actor, conflict_id=conflict_id,
                                   resolution=resolution, note=note)
    return _tell_other_and_view(session, record, actor, base_url, "resolved",
                                note=record.resolution_note)


def reopen_conflict(session: Session, *, actor: Principal, conflict_id: int,
                    note: str | None = None, base_url: str = "") -> dict[str, object]:
    """A party reopens a resolved conflict (with an optional note); the other party is told."""
    record = deconfliction.reopen(session, actor=actor, conflict_id=conflict_id, note=note)
    return _tell_other_and_view(session, record, actor, base_url, "reopened_by_party",
                                note=(note or "").strip() or None)


def _tell_other_and_view(session: Session, record: ConflictRecord, actor: Principal,
                         base_url: str, event: str, *,
                         note: str | None = None) -> dict[str, object]:
    """Tell the other party of a party's act and answer with the actor's view: the contacts
    of the pair are read once for both."""
    contacts = deconfliction.contacts_for(session, [record])
    tell_other_party(session, [record], actor=actor, events=event, base_url=base_url,
                     contacts=contacts, note=note)
    return deconfliction.party_view(session, record, actor.state or "", contacts,
                                    viewer_id=actor.id)
