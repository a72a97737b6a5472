"""operations, the deconfliction register, conflicts, notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Operations (targets keep kind and label only), the blinded deconfliction register with its
target and place indexes, conflict records and their history, the inbox and the mail outbox.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail'))
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mail_sent_at'), ['sent_at'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('operations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('owner_state', sa.String(length=3), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('lead_agency', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_operations_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by'], ['users.id'], name=op.f('fk_operations_registered_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations'))
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operations_owner_state'), ['owner_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_period_id'), ['period_id'], unique=False)

    op.create_table('conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('op_a', sa.Integer(), nullable=False),
    sa.Column('op_b', sa.Integer(), nullable=False),
    sa.Column('state_a', sa.String(length=3), nullable=False),
    sa.Column('state_b', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('acknowledged_a', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_b', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('resolution_note', sa.String(length=2000), nullable=True),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['op_a'], ['operations.id'], name=op.f('fk_conflicts_op_a_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['op_b'], ['operations.id'], name=op.f('fk_conflicts_op_b_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_conflicts_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts')),
    sa.UniqueConstraint('op_a', 'op_b', name=op.f('uq_conflicts_op_a_op_b'))
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_op_a'), ['op_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflicts_op_b'), ['op_b'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflicts_period_id'), ['period_id'], unique=False)

    op.create_table('operation_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('iata', sa.String(length=3), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('radius_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_sites_operation_id_operations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_sites'))
    )
    with op.batch_alter_table('operation_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_sites_operation_id'), ['operation_id'], unique=False)

    op.create_table('operation_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_targets_operation_id_operations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_targets'))
    )
    with op.batch_alter_table('operation_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_targets_operation_id'), ['operation_id'], unique=False)

    op.create_table('register_entries',
    sa.Column('op_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['contact_user_id'], ['users.id'], name=op.f('fk_register_entries_contact_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['op_id'], ['operations.id'], name=op.f('fk_register_entries_op_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_register_entries_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('op_id', name=op.f('pk_register_entries'))
    )
    with op.batch_alter_table('register_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_entries_period_id'), ['period_id'], unique=False)

    op.create_table('conflict_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conflict_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_state', sa.String(length=3), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_conflict_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conflict_id'], ['conflicts.id'], name=op.f('fk_conflict_events_conflict_id_conflicts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_events'))
    )
    with op.batch_alter_table('conflict_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_events_conflict_id'), ['conflict_id'], unique=False)

    op.create_table('register_place_keys',
    sa.Column('op_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['op_id'], ['register_entries.op_id'], name=op.f('fk_register_place_keys_op_id_register_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('op_id', 'key', name=op.f('pk_register_place_keys'))
    )
    with op.batch_alter_table('register_place_keys', schema=None) as batch_op:
        batch_op.create_index('ix_register_place_keys_lookup', ['period_id', 'key'], unique=False)

    op.create_table('register_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('op_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('radius_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['op_id'], ['register_entries.op_id'], name=op.f('fk_register_sites_op_id_register_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_sites'))
    )
    with op.batch_alter_table('register_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_sites_op_id'), ['op_id'], unique=False)

    op.create_table('register_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('op_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('blind', sa.String(length=64), nullable=False),
    sa.Column('dob_blind', sa.String(length=64), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['op_id'], ['register_entries.op_id'], name=op.f('fk_register_targets_op_id_register_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_targets'))
    )
    with op.batch_alter_table('register_targets', schema=None) as batch_op:
        batch_op.create_index('ix_register_targets_lookup', ['period_id', 'kind', 'blind'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_targets_op_id'), ['op_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('register_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_targets_op_id'))
        batch_op.drop_index('ix_register_targets_lookup')

    op.drop_table('register_targets')
    with op.batch_alter_table('register_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_sites_op_id'))

    op.drop_table('register_sites')
    with op.batch_alter_table('register_place_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_register_place_keys_lookup')

    op.drop_table('register_place_keys')
    with op.batch_alter_table('conflict_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_events_conflict_id'))

    op.drop_table('conflict_events')
    with op.batch_alter_table('register_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_entries_period_id'))

    op.drop_table('register_entries')
    with op.batch_alter_table('operation_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_targets_operation_id'))

    op.drop_table('operation_targets')
    with op.batch_alter_table('operation_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_sites_operation_id'))

    op.drop_table('operation_sites')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_period_id'))
        batch_op.drop_index(batch_op.f('ix_conflicts_op_b'))
        batch_op.drop_index(batch_op.f('ix_conflicts_op_a'))

    op.drop_table('conflicts')
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operations_period_id'))
        batch_op.drop_index(batch_op.f('ix_operations_owner_state'))

    op.drop_table('operations')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mail_sent_at'))

    op.drop_table('outbox_mail')
