"""jobs: when a job's stored files were deleted at the end of their retention

A finished job keeps its output files (signed PDFs, print files, zips) for JOB_FILE_RETENTION_DAYS
(default 30) after it finished; `flask jobs cleanup` (and every job run, at its end) deletes them
from the storage backend and records the moment here, so the job's page says so.

Revision ID: 0030_job_files
Revises: 0029_pipeline2_org_nominee
Create Date: 2026-12-07 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0030_job_files'
down_revision = '0029_pipeline2_org_nominee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('files_deleted_at')
