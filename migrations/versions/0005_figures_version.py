"""figures version of a period

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

A counter bumped by every change to a period's figures (a report written, amended or
retracted, an indicator added): readers of the totals compare it to reuse what they rendered.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_column('figures_version')
