"""debrief annexes

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

An NLO's annex of a period, built in the background like a pack and stored whole.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('debrief_annexes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=200), nullable=False),
    sa.Column('handling', sa.String(length=2), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('zip_bytes', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("status IN ('building', 'ready', 'failed')", name=op.f('ck_debrief_annexes_status')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_debrief_annexes_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_debrief_annexes_requested_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_annexes'))
    )
    with op.batch_alter_table('debrief_annexes', schema=None) as batch_op:
        batch_op.create_index('ix_debrief_annexes_period_id_state', ['period_id', 'state'], unique=False)
        batch_op.create_index('ix_debrief_annexes_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('debrief_annexes', schema=None) as batch_op:
        batch_op.drop_index('ix_debrief_annexes_status')
        batch_op.drop_index('ix_debrief_annexes_period_id_state')
    op.drop_table('debrief_annexes')
