"""lookup indexes lead with their selective column

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

The register's lookups were indexed (period_id, ...). Without statistics (a new table, or a
server whose autovacuum is off) PostgreSQL chose to read the whole period through the first
column and filter the keys: 6 ms for a lookup that needs a handful of index probes. Leading
with the blinded value and the place key leaves no such plan to choose.
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_register_targets_lookup', table_name='register_targets')
    op.create_index('ix_register_targets_lookup', 'register_targets', ['blind', 'period_id'])
    op.drop_index('ix_register_place_keys_lookup', table_name='register_place_keys')
    op.create_index('ix_register_place_keys_lookup', 'register_place_keys',
                    ['key', 'period_id'])


def downgrade() -> None:
    op.drop_index('ix_register_place_keys_lookup', table_name='register_place_keys')
    op.create_index('ix_register_place_keys_lookup', 'register_place_keys',
                    ['period_id', 'key'])
    op.drop_index('ix_register_targets_lookup', table_name='register_targets')
    op.create_index('ix_register_targets_lookup', 'register_targets',
                    ['period_id', 'kind', 'blind'])
