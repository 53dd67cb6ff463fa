"""tenancy: supervisors assigned per competition, people's creating organization and claims,
server-side sessions, rate-limit counters in the database

Revision ID: 0011_tenancy
Revises: 0010_title_selection
Create Date: 2026-12-03 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_tenancy'
down_revision = '0010_title_selection'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('competition_supervisors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_competition_supervisors_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_competition_supervisors_competition_id_competitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_competition_supervisors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_supervisors')),
    sa.UniqueConstraint('competition_id', 'user_id', name=op.f('uq_competition_supervisors_competition_id_user_id'))
    )
    with op.batch_alter_table('competition_supervisors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competition_supervisors_competition_id'), ['competition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_competition_supervisors_user_id'), ['user_id'], unique=False)

    op.create_table('person_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_person_claims_decided_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_claims_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_person_claims_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_claims'))
    )
    with op.batch_alter_table('person_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_claims_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_claims_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_claims_user_id'), ['user_id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('rate_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counters'))
    )

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_organization_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claim_nonce', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_people_created_by_organization_id'), ['created_by_organization_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_people_created_by_organization_id_organizations'), 'organizations', ['created_by_organization_id'], ['id'])


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_people_created_by_organization_id_organizations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_people_created_by_organization_id'))
        batch_op.drop_column('claim_nonce')
        batch_op.drop_column('created_by_organization_id')
    op.drop_table('rate_counters')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
    with op.batch_alter_table('person_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_claims_user_id'))
        batch_op.drop_index(batch_op.f('ix_person_claims_status'))
        batch_op.drop_index(batch_op.f('ix_person_claims_person_id'))
    op.drop_table('person_claims')
    with op.batch_alter_table('competition_supervisors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competition_supervisors_user_id'))
        batch_op.drop_index(batch_op.f('ix_competition_supervisors_competition_id'))
    op.drop_table('competition_supervisors')
