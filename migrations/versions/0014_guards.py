"""certificates held for review: the name as printed

A winner whose name no certificate font can print gets a certificate with status `held`; the
organizer releases it with `printed_name` (e.g. a substitute character or pinyin) or as it is.

Revision ID: 0014_guards
Revises: 0013_judging_integrity
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_guards'
down_revision = '0013_judging_integrity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed_name', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('printed_name')
