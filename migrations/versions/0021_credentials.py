"""credentials: signed certificates, frozen certificate designs, Tibetan-script names, entrant photos

certificate_designs hold what a certificate was issued with (template, issuing body, QR address,
background and seal); certificates gain the issuing body, their design, their index in the
issuer's revocation status list, the signed QR payload with its key id, and the Tibetan-script
name at issue; people gain a Tibetan-script name; registration members an admission-ticket photo.

Revision ID: 0021_credentials
Revises: 0019_checks
Create Date: 2026-12-07 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_credentials'
down_revision = '0019_checks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_designs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competition_id', sa.Integer(), nullable=False),
    sa.Column('sha', sa.String(length=64), nullable=False),
    sa.Column('template', sa.String(length=20), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('base_url', sa.String(length=300), nullable=False),
    sa.Column('background', sa.LargeBinary(), nullable=True),
    sa.Column('background_sha', sa.String(length=64), nullable=True),
    sa.Column('seal', sa.LargeBinary(), nullable=True),
    sa.Column('seal_sha', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("template IN ('classic', 'modern', 'bilingual')", name=op.f('ck_certificate_designs_template')),
    sa.ForeignKeyConstraint(['competition_id'], ['competitions.id'], name=op.f('fk_certificate_designs_competition_id_competitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_designs')),
    sa.UniqueConstraint('competition_id', 'sha', name=op.f('uq_certificate_designs_competition_id_sha'))
    )
    with op.batch_alter_table('certificate_designs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_designs_competition_id'), ['competition_id'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_bo', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('issuer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('design_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('qr_payload', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('qr_kid', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificates_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_issuer_id_status_index'), ['issuer_id', 'status_index'])
        batch_op.create_foreign_key(batch_op.f('fk_certificates_issuer_id_organizations'), 'organizations', ['issuer_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_certificates_design_id_certificate_designs'), 'certificate_designs', ['design_id'], ['id'])

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_bo', sa.String(length=64), nullable=True))

    with op.batch_alter_table('registration_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('photo_sha', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('photo_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('registration_members', schema=None) as batch_op:
        batch_op.drop_column('photo_at')
        batch_op.drop_column('photo_sha')
        batch_op.drop_column('photo')

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('name_bo')

    op.execute("UPDATE certificate_settings SET template = 'classic' WHERE template = 'bilingual'")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_design_id_certificate_designs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_certificates_issuer_id_organizations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_certificates_issuer_id_status_index'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_certificates_issuer_id'))
        batch_op.drop_column('qr_kid')
        batch_op.drop_column('qr_payload')
        batch_op.drop_column('status_index')
        batch_op.drop_column('design_id')
        batch_op.drop_column('issuer_id')
        batch_op.drop_column('name_bo')

    with op.batch_alter_table('certificate_designs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_designs_competition_id'))

    op.drop_table('certificate_designs')
