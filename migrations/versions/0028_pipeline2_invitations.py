"""pipeline2: invitations into an event hosted by another organizer (跨主办方晋级) and their entries

Revision ID: 0028_pipeline2_invitations
Revises: 0024_pipeline
Create Date: 2026-12-07 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0028_pipeline2_invitations'
down_revision = '0024_pipeline'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_event_id', sa.Integer(), nullable=False),
    sa.Column('source_organization_id', sa.Integer(), nullable=False),
    sa.Column('target_event_id', sa.Integer(), nullable=False),
    sa.Column('target_organization_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'withdrawn')", name=op.f('ck_invitations_status')),
    sa.CheckConstraint('source_organization_id <> target_organization_id', name=op.f('ck_invitations_two_organizers')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invitations_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_invitations_decided_by_id_users')),
    sa.ForeignKeyConstraint(['source_event_id'], ['events.id'], name=op.f('fk_invitations_source_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_organization_id'], ['organizations.id'], name=op.f('fk_invitations_source_organization_id_organizations')),
    sa.ForeignKeyConstraint(['target_event_id'], ['events.id'], name=op.f('fk_invitations_target_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_organization_id'], ['organizations.id'], name=op.f('fk_invitations_target_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_source_event_id'), ['source_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_source_organization_id'), ['source_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_target_event_id'), ['target_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_target_organization_id'), ['target_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_status'), ['status'], unique=False)

    op.create_table('invitation_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('source_registration_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_invitation_entries_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_invitation_entries_person_id_people')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_invitation_entries_registration_id_registrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_registration_id'], ['registrations.id'], name=op.f('fk_invitation_entries_source_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_entries')),
    sa.UniqueConstraint('invitation_id', 'source_registration_id', name=op.f('uq_invitation_entries_invitation_id_source_registration_id'))
    )
    with op.batch_alter_table('invitation_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_entries_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_entries_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_entries_source_registration_id'), ['source_registration_id'], unique=False)


def downgrade():
    op.drop_table('invitation_entries')
    op.drop_table('invitations')
