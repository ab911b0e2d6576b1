"""Grant calls carry the SCDL subventions 2.1.1 idRAE and dispositifAide

Revision ID: scdl0001
Revises: c3892919db92
Create Date: 2026-12-01 02:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'scdl0001'
down_revision = 'c3892919db92'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grant_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rae_id', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('aid_scheme', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('grant_calls', schema=None) as batch_op:
        batch_op.drop_column('aid_scheme')
        batch_op.drop_column('rae_id')
