"""outcome reports, idempotency, scheduler ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

Period indicators, outcome reports with their versions, current figures and running sums,
stored first responses of idempotent requests, and the scheduler's run ledger.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('slot', sa.String(length=128), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=2000), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job_id', 'slot', name=op.f('uq_job_runs_job_id_slot'))
    )
    op.create_table('idempotent_responses',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotent_responses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_idempotent_responses'))
    )
    op.create_table('period_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_period_indicators_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_indicators')),
    sa.UniqueConstraint('period_id', 'key', name=op.f('uq_period_indicators_period_id_key'))
    )
    with op.batch_alter_table('period_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_indicators_period_id'), ['period_id'], unique=False)

    op.create_table('report_day_sums',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_report_day_sums_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', 'date', 'key', name=op.f('pk_report_day_sums'))
    )
    op.create_table('report_state_sums',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_report_state_sums_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period_id', 'state', 'key', 'category', name=op.f('pk_report_state_sums'))
    )
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('retracted_at', sa.DateTime(), nullable=True),
    sa.Column('retracted_by', sa.Integer(), nullable=True),
    sa.Column('retraction_reason', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_reports_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_reports_operation_id_operations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_reports_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['retracted_by'], ['users.id'], name=op.f('fk_reports_retracted_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_period_state_date', ['period_id', 'state', 'date'], unique=False)

    op.create_table('report_values',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_values_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'key', 'category', name=op.f('pk_report_values'))
    )
    with op.batch_alter_table('report_values', schema=None) as batch_op:
        batch_op.create_index('ix_report_values_period_key', ['period_id', 'key'], unique=False)

    op.create_table('report_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_report_versions_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_versions_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_versions')),
    sa.UniqueConstraint('report_id', 'version', name=op.f('uq_report_versions_report_id_version'))
    )
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_versions_report_id'), ['report_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_versions_report_id'))

    op.drop_table('report_versions')
    with op.batch_alter_table('report_values', schema=None) as batch_op:
        batch_op.drop_index('ix_report_values_period_key')

    op.drop_table('report_values')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_period_state_date')

    op.drop_table('reports')
    op.drop_table('report_state_sums')
    op.drop_table('report_day_sums')
    with op.batch_alter_table('period_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_indicators_period_id'))

    op.drop_table('period_indicators')
    op.drop_table('idempotent_responses')
    op.drop_table('job_runs')
