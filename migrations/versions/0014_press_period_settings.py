"""press period settings and templates

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

A period's press settings (the small-count threshold k, at least 3, 5 by default) and its
press templates per scope and language (seeded from the default files on first use).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('press_settings',
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('suppression_k', sa.Integer(), server_default='5', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('suppression_k >= 3', name=op.f('ck_press_settings_suppression_k_min')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_press_settings_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_press_settings_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('period_id', name=op.f('pk_press_settings'))
    )
    op.create_table('press_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_press_templates_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_press_templates_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_templates')),
    sa.UniqueConstraint('period_id', 'scope', 'language', name=op.f('uq_press_templates_period_id_scope_language'))
    )


def downgrade() -> None:
    op.drop_table('press_templates')
    op.drop_table('press_settings')
