"""multi-level location index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

The location index becomes a multi-resolution grid with asymmetric stored and probe keys (see
deconfliction/matcher.py). The schema does not change (the longest key, "a3:57599:115199:99999",
fits String(40)); the data does: register_place_keys is rebuilt for every live register entry
from its window and sites, with the default buffer. Downgrade rebuilds the single-level
"row:column:bucket" keys of revisions 0002-0003.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

from deconfliction import matcher


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Entries per round trip: an entry has ~50 keys (a few hundred at most), so ~25,000 rows a batch.
_BATCH = 500

# Lightweight tables, not the models: a migration must see the schema as of this revision.
# Timestamps are left untyped so that both backends hand back what they hold (see _utc).
_entries = sa.table('register_entries', sa.column('op_id'), sa.column('period_id'),
                    sa.column('starts_at'), sa.column('ends_at'),
                    sa.column('live', sa.Boolean()))
_sites = sa.table('register_sites', sa.column('op_id'), sa.column('lat'), sa.column('lon'),
                  sa.column('radius_m'))
_place_keys = sa.table('register_place_keys', sa.column('op_id'), sa.column('key'),
                       sa.column('period_id'))


def upgrade() -> None:
    _rebuild(lambda footprint: matcher.stored_place_keys(footprint, matcher.DEFAULT_BUFFER))


def downgrade() -> None:
    _rebuild(_single_level_keys)


def _utc(value: datetime | str) -> datetime:
    """A register timestamp as an aware UTC datetime.

    core.db.UTCDateTime stores naive UTC wall time: PostgreSQL returns it as a naive datetime,
    SQLite as text ('2031-03-01 08:00:00.000000'); an aware value is converted, to be safe.
    """
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rebuild(keys_of: Callable[[matcher.Footprint], set[str]]) -> None:
    """Replace every place key by `keys_of` each live entry, in batches of entries."""
    bind = op.get_bind()
    # Cancelled entries hold no keys (withdraw deletes them): clearing all and refilling the
    # live ones leaves exactly what the application would have written.
    bind.execute(sa.delete(_place_keys))
    last: int | None = None
    while True:
        query = (sa.select(_entries.c.op_id, _entries.c.period_id, _entries.c.starts_at,
                           _entries.c.ends_at)
                 .where(_entries.c.live.is_(True))
                 .order_by(_entries.c.op_id).limit(_BATCH))
        if last is not None:
            query = query.where(_entries.c.op_id > last)
        entries = bind.execute(query).all()
        if not entries:
            return
        last = entries[-1].op_id
        sites: dict[int, list[matcher.Site]] = defaultdict(list)
        for op_id, lat, lon, radius_m in bind.execute(
                sa.select(_sites.c.op_id, _sites.c.lat, _sites.c.lon, _sites.c.radius_m)
                .where(_sites.c.op_id.in_([entry.op_id for entry in entries]))):
            sites[op_id].append(matcher.Site(float(lat), float(lon), float(radius_m)))
        rows = []
        for op_id, period_id, starts_at, ends_at in entries:
            footprint = matcher.Footprint(op_id, _utc(starts_at), _utc(ends_at),
                                          tuple(sites.get(op_id, ())))
            rows += [{'op_id': op_id, 'key': key, 'period_id': period_id}
                     for key in sorted(keys_of(footprint))]
        if rows:
            bind.execute(_place_keys.insert(), rows)


# ---------------------------------------------------------------- the keys before 0004
# A frozen copy of the single-level index of 0002-0003 (deconfliction.matcher.place_keys as it
# was), so that a downgrade writes what that code reads whatever the matcher becomes.

_OLD_CELL_DEGREES = 0.2
_OLD_LON_CELLS = 1800
_OLD_POLAR_LATITUDE = 80.0
_OLD_MARGIN = 1.001
_OLD_EARTH_RADIUS_M = 6_371_008.8
_OLD_BUCKET = timedelta(days=1)
_OLD_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OLD_BUFFER = timedelta(minutes=120)


def _old_is_polar(row: int) -> bool:
    south = row * _OLD_CELL_DEGREES - 90
    return south >= _OLD_POLAR_LATITUDE or south + _OLD_CELL_DEGREES <= -_OLD_POLAR_LATITUDE


def _old_cells(site: matcher.Site) -> Iterator[tuple[int, int]]:
    rho = site.radius_m * _OLD_MARGIN / _OLD_EARTH_RADIUS_M
    reach_lat = math.degrees(rho)
    south, north = max(-90.0, site.lat - reach_lat), min(90.0, site.lat + reach_lat)
    first_row = math.floor((south + 90) / _OLD_CELL_DEGREES)
    last_row = math.floor((north + 90) / _OLD_CELL_DEGREES)
    widest = min(max(abs(south), abs(north)), _OLD_POLAR_LATITUDE + _OLD_CELL_DEGREES)
    denominator = math.cos(math.radians(site.lat)) * math.cos(math.radians(widest))
    bound = math.sin(rho / 2) / math.sqrt(denominator) if denominator > 0 else 2.0
    if bound >= 1:
        columns: list[int] | range = range(_OLD_LON_CELLS)
    else:
        reach_lon = math.degrees(2 * math.asin(bound)) * _OLD_MARGIN
        west = math.floor((site.lon - reach_lon + 180) / _OLD_CELL_DEGREES)
        east = math.floor((site.lon + reach_lon + 180) / _OLD_CELL_DEGREES)
        columns = range(_OLD_LON_CELLS) if east - west + 1 >= _OLD_LON_CELLS else sorted(
            {c % _OLD_LON_CELLS for c in range(west, east + 1)})
    for row in range(first_row, last_row + 1):
        if _old_is_polar(row):
            yield row, 0
        else:
            for column in columns:
                yield row, column


def _single_level_keys(footprint: matcher.Footprint) -> set[str]:
    first = (footprint.starts_at - _OLD_EPOCH) // _OLD_BUCKET
    last = (footprint.ends_at + _OLD_BUFFER - _OLD_EPOCH) // _OLD_BUCKET
    keys: set[str] = set()
    for site in footprint.sites:
        for row, column in _old_cells(site):
            keys.update(f'{row}:{column}:{bucket}' for bucket in range(first, last + 1))
    return keys
