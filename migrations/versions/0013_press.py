"""press releases: sign-offs, releases, published versions, approvals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

States' sign-offs of their figures, press releases with their draft, their immutable
published versions (stored rendered) and the states' approvals of each draft revision.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('press_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('publish_at', sa.DateTime(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('correction_note', sa.String(length=2000), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawal_note', sa.String(length=2000), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_press_releases_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_press_releases_period_id_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_releases')),
    sa.UniqueConstraint('slug', name=op.f('uq_press_releases_slug'))
    )
    with op.batch_alter_table('press_releases', schema=None) as batch_op:
        batch_op.create_index('ix_press_releases_period_id', ['period_id'], unique=False)
        batch_op.create_index('ix_press_releases_status_publish_at', ['status', 'publish_at'], unique=False)

    op.create_table('press_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('signed_by', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('stamp', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_press_signoffs_period_id_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signed_by'], ['users.id'], name=op.f('fk_press_signoffs_signed_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_signoffs'))
    )
    with op.batch_alter_table('press_signoffs', schema=None) as batch_op:
        batch_op.create_index('ix_press_signoffs_period_state', ['period_id', 'state'], unique=False)

    op.create_table('press_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_press_approvals_approved_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['release_id'], ['press_releases.id'], name=op.f('fk_press_approvals_release_id_press_releases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_approvals')),
    sa.UniqueConstraint('release_id', 'state', 'revision', name=op.f('uq_press_approvals_release_id_state_revision'))
    )
    with op.batch_alter_table('press_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_approvals_release_id'), ['release_id'], unique=False)

    op.create_table('press_release_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html', sa.LargeBinary(), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('etag_html', sa.String(length=80), nullable=False),
    sa.Column('etag_text', sa.String(length=80), nullable=False),
    sa.Column('etag_pdf', sa.String(length=80), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('preliminary', sa.Boolean(), nullable=False),
    sa.Column('as_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('correction_note', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_press_release_versions_published_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['release_id'], ['press_releases.id'], name=op.f('fk_press_release_versions_release_id_press_releases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_release_versions')),
    sa.UniqueConstraint('release_id', 'number', name=op.f('uq_press_release_versions_release_id_number'))
    )
    with op.batch_alter_table('press_release_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_release_versions_release_id'), ['release_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('press_release_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_release_versions_release_id'))

    op.drop_table('press_release_versions')
    with op.batch_alter_table('press_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_approvals_release_id'))

    op.drop_table('press_approvals')
    with op.batch_alter_table('press_signoffs', schema=None) as batch_op:
        batch_op.drop_index('ix_press_signoffs_period_state')

    op.drop_table('press_signoffs')
    with op.batch_alter_table('press_releases', schema=None) as batch_op:
        batch_op.drop_index('ix_press_releases_status_publish_at')
        batch_op.drop_index('ix_press_releases_period_id')

    op.drop_table('press_releases')
