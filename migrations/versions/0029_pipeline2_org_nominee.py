"""pipeline2: a nomination's nominee may be an organization (awards to units such as
高技能人才培养突出贡献奖): dossiers.nominee_organization_id

Revision ID: 0029_pipeline2_org_nominee
Revises: 0028_pipeline2_invitations
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0029_pipeline2_org_nominee'
down_revision = '0028_pipeline2_invitations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nominee_organization_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dossiers_nominee_organization_id'), ['nominee_organization_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_nominee_organization_id_organizations'), 'organizations',
                                    ['nominee_organization_id'], ['id'])


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dossiers_nominee_organization_id_organizations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dossiers_nominee_organization_id'))
        batch_op.drop_column('nominee_organization_id')
