"""The banners at the top of an operation's page: each live conflict, with whom to call and
the facts (when the windows meet, how far apart the sites are, or which target is shared)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from deconfliction.facts import conflict_facts
from deconfliction.models import ConflictRecord

# Conflicts that still need the officer: the others are history, listed below the banners.
LIVE = ("open", "acknowledged")
REASON_HEADLINES = {"target": "shared target", "location": "same place and time"}


def headline(view: dict[str, Any]) -> str:
    """The banner's first words, in text as well as colour: "High: shared target"."""
    kinds = []
    for reason in view["reasons"]:
        words = REASON_HEADLINES.get(reason["kind"], reason["kind"])
        if words not in kinds:
            kinds.append(words)
    return f"{str(view['severity']).capitalize()}: {' and '.join(kinds) or 'conflict'}"


def conflict_banners(session: Session, *, operation_id: int,
                     views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One banner per live conflict of the operation, from the owner's views of them (as
    `operations.services.operation_conflicts` gives them), high before medium."""
    banners = []
    for view in views:
        if view["status"] not in LIVE:
            continue
        record = session.get(ConflictRecord, view["id"])
        if record is None:
            continue
        facts = conflict_facts(session, record, own_op=operation_id)
        banners.append({"conflict": view, "headline": headline(view), "facts": facts,
                        "targets": [r for r in view["reasons"] if r["kind"] == "target"],
                        "places": [r for r in view["reasons"] if r["kind"] == "location"]})
    banners.sort(key=lambda banner: (banner["conflict"]["severity"] != "high",
                                     banner["conflict"]["id"]))
    return banners
