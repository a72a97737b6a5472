"""The facts of a conflict that tell a party how urgent it is: when the two windows meet and
how far apart the sites are. Read from the register; nothing of the counterpart's operation
leaves here but these two measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from deconfliction.matcher import haversine_m
from deconfliction.models import ConflictRecord, RegisterEntry, RegisterSite


@dataclass(frozen=True)
class ConflictFacts:
    """What a party may be told of a conflict beyond its reasons.

    `overlap_from`/`overlap_to`: the time both operations run (UTC); None when the windows
    do not overlap but come within the buffer, then `gap_minutes` says how close they come.
    `distance_m`: the shortest distance between a site of each side, for place conflicts,
    with `own_site`, the party's own site at that distance."""

    overlap_from: datetime | None = None
    overlap_to: datetime | None = None
    gap_minutes: int | None = None
    distance_m: float | None = None
    own_site: str | None = None


def conflict_facts(session: Session, record: ConflictRecord, *, own_op: int) -> ConflictFacts:
    """The facts of `record` seen from the party's operation `own_op` (one of the pair)."""
    other_op = record.op_b if own_op == record.op_a else record.op_a
    windows = {op_id: (starts_at, ends_at) for op_id, starts_at, ends_at in session.execute(
        select(RegisterEntry.op_id, RegisterEntry.starts_at, RegisterEntry.ends_at)
        .where(RegisterEntry.op_id.in_([own_op, other_op])))}
    if own_op not in windows or other_op not in windows:
        return ConflictFacts()
    (own_start, own_end), (other_start, other_end) = windows[own_op], windows[other_op]
    start, end = max(own_start, other_start), min(own_end, other_end)
    overlap_from = overlap_to = gap = None
    if start < end:
        overlap_from, overlap_to = start, end
    else:
        gap = int((start - end).total_seconds() // 60)
    distance = own_site = None
    if any(row["kind"] == "location" for row in record.reasons):
        sites: dict[int, list[tuple[str, float, float]]] = {own_op: [], other_op: []}
        for op_id, label, lat, lon in session.execute(
                select(RegisterSite.op_id, RegisterSite.label, RegisterSite.lat,
                       RegisterSite.lon).where(RegisterSite.op_id.in_([own_op, other_op]))):
            sites[op_id].append((label, lat, lon))
        pairs = [(haversine_m(a[1], a[2], b[1], b[2]), a[0])
                 for a in sites[own_op] for b in sites[other_op]]
        if pairs:
            distance, own_site = min(pairs)
    return ConflictFacts(overlap_from, overlap_to, gap, distance, own_site)
