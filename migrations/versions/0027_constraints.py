"""CHECK constraints on the enumerated columns 0019 left open: a job's kind and status, an
idempotency key's state, a competition's certificate template

Revision ID: 0027_constraints
Revises: 0025_storage
Create Date: 2026-12-07 10:45:00

As in 0019, the value lists are written as they are today (a later change of an enumeration is a
new migration). On SQLite each table is rebuilt (batch mode); on PostgreSQL the constraints are
added. Rows already stored hold only these values (the application never wrote others).
"""
from alembic import op


revision = '0027_constraints'
down_revision = '0025_storage'
branch_labels = None
depends_on = None

CHECKS = {
    'jobs': [
        ('ck_jobs_kind', "kind IN ('certificates')"),
        ('ck_jobs_status', "status IN ('queued', 'running', 'done', 'failed')"),
    ],
    'idempotency_keys': [
        ('ck_idempotency_keys_state', "state IN ('in_progress', 'done')"),
    ],
    'certificate_settings': [
        ('ck_certificate_settings_template', "template IN ('classic', 'modern', 'bilingual')"),
    ],
}


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(name), condition)


def downgrade():
    for table, checks in reversed(list(CHECKS.items())):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in reversed(checks):
                batch_op.drop_constraint(op.f(name), type_="check")
