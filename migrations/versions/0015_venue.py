"""the venue: device tokens, idempotency keys, paper forms, photo evidence, scheme templates

api_tokens gain a scope (device tokens: "sheets"), the event and the browser session that minted
them; idempotency_keys hold each client operation id with the answer it got; paper_forms and
paper_entries carry the printed marking forms and the two clerks' typing; sheet_photos hold the
evidence photos per criterion (in the database, like dossier attachments); scheme_templates are
the organizations' own scoring-scheme templates.

Revision ID: 0015_venue
Revises: 0014_guards
Create Date: 2026-12-03 15:00:31.671850

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_venue'
down_revision = '0014_guards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('request_sha256', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_json', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_expires_at'), ['expires_at'], unique=False)

    op.create_table('scheme_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('occupation', sa.String(length=200), nullable=True),
    sa.Column('scheme', sa.JSON(), nullable=False),
    sa.Column('tiebreak', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scheme_templates_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_scheme_templates_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_templates'))
    )
    with op.batch_alter_table('scheme_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheme_templates_organization_id'), ['organization_id'], unique=False)

    op.create_table('paper_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_paper_forms_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_paper_forms_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_paper_forms_judge_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_forms')),
    sa.UniqueConstraint('serial', name=op.f('uq_paper_forms_serial'))
    )
    with op.batch_alter_table('paper_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_forms_event_id'), ['event_id'], unique=False)

    op.create_table('paper_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('clerk_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['clerk_id'], ['users.id'], name=op.f('fk_paper_entries_clerk_id_users')),
    sa.ForeignKeyConstraint(['form_id'], ['paper_forms.id'], name=op.f('fk_paper_entries_form_id_paper_forms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entries')),
    sa.UniqueConstraint('form_id', 'clerk_id', name=op.f('uq_paper_entries_form_id_clerk_id'))
    )
    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_entries_form_id'), ['form_id'], unique=False)

    op.create_table('sheet_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('criterion_key', sa.String(length=32), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('size >= 0', name=op.f('ck_sheet_photos_size_not_negative')),
    sa.ForeignKeyConstraint(['sheet_id'], ['sheets.id'], name=op.f('fk_sheet_photos_sheet_id_sheets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_sheet_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_photos'))
    )
    with op.batch_alter_table('sheet_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_photos_sheet_id'), ['sheet_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_session_id'), ['session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_session_id_user_sessions'), 'user_sessions', ['session_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_event_id_events'), 'events', ['event_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_event_id_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_session_id_user_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_session_id'))
        batch_op.drop_column('session_id')
        batch_op.drop_column('event_id')
        batch_op.drop_column('scope')

    with op.batch_alter_table('sheet_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_photos_sheet_id'))

    op.drop_table('sheet_photos')
    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_entries_form_id'))

    op.drop_table('paper_entries')
    with op.batch_alter_table('paper_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_forms_event_id'))

    op.drop_table('paper_forms')
    with op.batch_alter_table('scheme_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheme_templates_organization_id'))

    op.drop_table('scheme_templates')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_expires_at'))

    op.drop_table('idempotency_keys')
