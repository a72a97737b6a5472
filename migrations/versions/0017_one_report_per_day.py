"""one report per state, date and operation

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

A second report for the same state, local date and operation used to be added to the first
(arrests 4 then 1 = 5). Now it is refused with a 409 that points to the first, and a unique
index over (period, state, date, operation_key) of the reports not retracted holds it under
a race; `operation_key` is the operation's id or 0, because NULLs are all distinct in a unique
index on both databases.

Reports that already repeat a key are merged, deterministically: the one with the lowest id
keeps the day and gets a new version whose values are the sum of the group's current values
(so totals, running sums and the daily series do not change); the others are retracted with a
reason naming the report they were merged into. Their versions are all kept. A state whose
reports were merged has a sign-off that reads as stale afterwards, as after any amendment.
Downgrading drops the index and the column; merged reports stay merged.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEX = 'uq_reports_live_state_date_operation'
LIVE = sa.text('retracted_at IS NULL')


def _values(raw: Any) -> dict[str, Any]:
    """A stored JSON value as a dict (SQLite hands back text, PostgreSQL a dict)."""
    if raw is None:
        return {}
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def _merged(all_values: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of several reports' values, by indicator and by category."""
    plain: dict[str, int] = defaultdict(int)
    split: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for values in all_values:
        for key, value in values.items():
            if isinstance(value, dict):
                for category, count in value.items():
                    split[key][category] += int(count)
            else:
                plain[key] += int(value)
    merged: dict[str, Any] = {}
    for key in sorted(set(plain) | set(split)):
        if key in split:
            breakdown = dict(split[key])
            if plain.get(key):  # never both in practice; keep the figure as "unknown"
                breakdown['unknown'] = breakdown.get('unknown', 0) + plain[key]
            merged[key] = dict(sorted(breakdown.items()))
        else:
            merged[key] = plain[key]
    return merged


def _flat(values: dict[str, Any]) -> list[tuple[str, str, int]]:
    rows = []
    for key, value in values.items():
        if isinstance(value, dict):
            rows.extend((key, category, int(count)) for category, count in value.items())
        else:
            rows.append((key, '', int(value)))
    return rows


def _merge_duplicates(connection: sa.Connection) -> None:
    """Merge each group of live reports sharing (period, state, date, operation) into its
    lowest id; the totals stay what they were."""
    reports = sa.table('reports', sa.column('id'), sa.column('period_id'), sa.column('state'),
                       sa.column('date'), sa.column('operation_key'), sa.column('version'),
                       sa.column('updated_at', sa.DateTime),
                       sa.column('retracted_at', sa.DateTime),
                       sa.column('retraction_reason'))
    versions = sa.table('report_versions', sa.column('report_id'), sa.column('version'),
                        sa.column('values', sa.JSON), sa.column('created_at', sa.DateTime),
                        sa.column('created_by'), sa.column('note'))
    figures = sa.table('report_values', sa.column('report_id'), sa.column('key'),
                       sa.column('category'), sa.column('period_id'), sa.column('value'))
    groups: dict[tuple[Any, ...], list[tuple[int, int, int]]] = defaultdict(list)
    for rid, pid, state, day, key, version in connection.execute(
            sa.select(reports.c.id, reports.c.period_id, reports.c.state, reports.c.date,
                      reports.c.operation_key, reports.c.version)
            .where(reports.c.retracted_at.is_(None)).order_by(reports.c.id)):
        groups[(pid, state, day, key)].append((rid, pid, version))
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC (core.db.UTCDateTime)
    for members in groups.values():
        if len(members) < 2:
            continue
        keeper, period_id, keeper_version = members[0]
        current = []
        for rid, _pid, version in members:
            raw = connection.execute(sa.select(versions.c['values']).where(
                versions.c.report_id == rid, versions.c.version == version)).scalar()
            current.append(_values(raw))
        merged = _merged(current)
        others = [rid for rid, _pid, _version in members[1:]]
        note = ('merged with report' + ('s' if len(others) > 1 else '') + ' '
                + ', '.join(f'#{rid}' for rid in others)
                + ' (one report per state, date and operation)')
        connection.execute(versions.insert().values(
            report_id=keeper, version=keeper_version + 1, values=merged, created_at=now,
            created_by=None, note=note))
        connection.execute(reports.update().where(reports.c.id == keeper).values(
            version=keeper_version + 1, updated_at=now))
        connection.execute(figures.delete().where(figures.c.report_id == keeper))
        flat = _flat(merged)
        if flat:
            connection.execute(figures.insert(), [
                {'report_id': keeper, 'key': key, 'category': category,
                 'period_id': period_id, 'value': value} for key, category, value in flat])
        for rid in others:
            connection.execute(figures.delete().where(figures.c.report_id == rid))
            connection.execute(reports.update().where(reports.c.id == rid).values(
                retracted_at=now, updated_at=now,
                retraction_reason=f'merged into report #{keeper} (one report per state, '
                                  'date and operation)'))


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite takes it with a default): a batch copy of `reports` would
    # drop the table, and its ON DELETE CASCADE would empty report_values and report_versions.
    op.add_column('reports', sa.Column('operation_key', sa.Integer(), server_default='0',
                                       nullable=False))
    connection = op.get_bind()
    connection.execute(sa.text(
        'UPDATE reports SET operation_key = operation_id WHERE operation_id IS NOT NULL'))
    _merge_duplicates(connection)
    op.create_index(INDEX, 'reports', ['period_id', 'state', 'date', 'operation_key'],
                    unique=True, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index(INDEX, table_name='reports', sqlite_where=LIVE, postgresql_where=LIVE)
    # No batch copy either (see upgrade): SQLite 3.35+ drops an unindexed column in place.
    op.execute('ALTER TABLE reports DROP COLUMN operation_key')
