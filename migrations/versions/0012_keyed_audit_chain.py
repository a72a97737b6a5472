"""keyed audit chain

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

No schema change: a keyed row's HMAC-SHA256 is 64 hex digits, like the plain SHA-256 of the
rows written before it, in the same `hash` column; the key and the anchors live outside the
database (see core/audit.py and core/audit_anchor.py). Kept so the revision chain stays whole.
"""
from alembic import op  # noqa: F401


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
