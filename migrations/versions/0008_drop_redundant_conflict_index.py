"""drop the conflicts index on op_a alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

The unique constraint on (op_a, op_b) is an index whose first column is op_a: it serves every
lookup by op_a (a check's existing records, the cascade when an operation goes). The index on
op_a alone only cost an entry in every conflict record's insert.
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_conflicts_op_a', table_name='conflicts')


def downgrade() -> None:
    op.create_index('ix_conflicts_op_a', 'conflicts', ['op_a'])
