"""storage: generated files (batch job outputs) kept in the database, in chunks

stored_files holds one row per file (folder, name, size, number of chunks); stored_file_chunks
its bytes in pieces of at most 4 MB (app/storage). Used when STORAGE=db (the default), so that
every application instance and RQ worker reaches a job's files.

Revision ID: 0025_storage
Revises: 0021_credentials
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0025_storage'
down_revision = '0021_credentials'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('folder', 'name', name=op.f('pk_stored_files'))
    )
    op.create_table('stored_file_chunks',
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['folder', 'name'], ['stored_files.folder', 'stored_files.name'], name=op.f('fk_stored_file_chunks_folder_stored_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('folder', 'name', 'seq', name=op.f('pk_stored_file_chunks'))
    )


def downgrade():
    op.drop_table('stored_file_chunks')
    op.drop_table('stored_files')
