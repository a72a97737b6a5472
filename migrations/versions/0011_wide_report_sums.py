"""report sums as 64-bit integers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

The running sums of reported figures (per state, per day) were 32-bit INTEGER: on PostgreSQL
large valid reports overflowed them and every state's report for that date failed. They are
BIGINT now. Downgrading narrows them again and fails on PostgreSQL if a sum no longer fits.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SUM_TABLES = ('report_state_sums', 'report_day_sums')


def upgrade() -> None:
    for table in SUM_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('value', existing_type=sa.Integer(),
                                  type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    for table in SUM_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('value', existing_type=sa.BigInteger(),
                                  type_=sa.Integer(), existing_nullable=False)
