"""append-only audit trail and frozen final results: database triggers (SQLite and PostgreSQL)

Revision ID: 0009_append_only
Revises: 0008_certificates
Create Date: 2026-11-23 18:30:00

The statements live in app/audit/triggers.py (set V1), shared with the tests that check them.
"""
from alembic import op

from app.audit import triggers

# revision identifiers, used by Alembic.
revision = '0009_append_only'
down_revision = '0008_certificates'
branch_labels = None
depends_on = None


def upgrade():
    triggers.install_triggers(op.get_bind())


def downgrade():
    triggers.drop_triggers(op.get_bind())
