"""debrief

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

The debrief: a period's objectives and debrief settings, each state's questionnaire response and
its P/S/M/U ratings, the improvement plan, and the built packs (stored whole, immutable once
ready).
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('debrief_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('indicator_keys', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_debrief_objectives_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_debrief_objectives_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_objectives'))
    )
    with op.batch_alter_table('debrief_objectives', schema=None) as batch_op:
        batch_op.create_index('ix_debrief_objectives_period_id', ['period_id'], unique=False)

    op.create_table('debrief_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
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
    sa.CheckConstraint("status IN ('building', 'ready', 'failed')", name=op.f('ck_debrief_packs_status')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_debrief_packs_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_debrief_packs_requested_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_packs')),
    sa.UniqueConstraint('period_id', 'version', name=op.f('uq_debrief_packs_period_id_version'))
    )
    with op.batch_alter_table('debrief_packs', schema=None) as batch_op:
        batch_op.create_index('ix_debrief_packs_status', ['status'], unique=False)

    op.create_table('debrief_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('worked', sa.Text(), nullable=False),
    sa.Column('did_not_work', sa.Text(), nullable=False),
    sa.Column('do_differently', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('deconfliction_usefulness', sa.Integer(), nullable=True),
    sa.Column('good_practice', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_debrief_responses_status')),
    sa.CheckConstraint('deconfliction_usefulness BETWEEN 1 AND 5', name=op.f('ck_debrief_responses_usefulness')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_debrief_responses_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_debrief_responses_submitted_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_debrief_responses_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_responses')),
    sa.UniqueConstraint('period_id', 'state', name=op.f('uq_debrief_responses_period_id_state'))
    )
    op.create_table('debrief_settings',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('handling', sa.String(length=2), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_debrief_settings_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_debrief_settings_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('period_id', name=op.f('pk_debrief_settings'))
    )
    op.create_table('debrief_improvements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('issue', sa.Text(), nullable=False),
    sa.Column('corrective_action', sa.Text(), nullable=False),
    sa.Column('owner_state', sa.String(length=3), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'done', 'dropped')", name=op.f('ck_debrief_improvements_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_debrief_improvements_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['objective_id'], ['debrief_objectives.id'], name=op.f('fk_debrief_improvements_objective_id_debrief_objectives'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_debrief_improvements_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_debrief_improvements_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_improvements'))
    )
    with op.batch_alter_table('debrief_improvements', schema=None) as batch_op:
        batch_op.create_index('ix_debrief_improvements_period_id', ['period_id'], unique=False)
        batch_op.create_index('ix_debrief_improvements_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('debrief_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=1), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("rating IN ('P', 'S', 'M', 'U')", name=op.f('ck_debrief_ratings_rating')),
    sa.ForeignKeyConstraint(['objective_id'], ['debrief_objectives.id'], name=op.f('fk_debrief_ratings_objective_id_debrief_objectives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['debrief_responses.id'], name=op.f('fk_debrief_ratings_response_id_debrief_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_debrief_ratings')),
    sa.UniqueConstraint('response_id', 'objective_id', name=op.f('uq_debrief_ratings_response_id_objective_id'))
    )


def downgrade() -> None:
    op.drop_table('debrief_ratings')
    with op.batch_alter_table('debrief_improvements', schema=None) as batch_op:
        batch_op.drop_index('ix_debrief_improvements_status_due_on')
        batch_op.drop_index('ix_debrief_improvements_period_id')

    op.drop_table('debrief_improvements')
    op.drop_table('debrief_settings')
    op.drop_table('debrief_responses')
    with op.batch_alter_table('debrief_packs', schema=None) as batch_op:
        batch_op.drop_index('ix_debrief_packs_status')

    op.drop_table('debrief_packs')
    with op.batch_alter_table('debrief_objectives', schema=None) as batch_op:
        batch_op.drop_index('ix_debrief_objectives_period_id')

    op.drop_table('debrief_objectives')
