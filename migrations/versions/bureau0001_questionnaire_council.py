"""A questionnaire may be proposed by a council (its bureau builds it)

Revision ID: bureau0001
Revises: cache0002
Create Date: 2026-12-01 06:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bureau0001'
down_revision = 'cache0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.add_column(sa.Column('council_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_questionnaires_council_id'), ['council_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_questionnaires_council_id_councils'), 'councils', ['council_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('questionnaires', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_questionnaires_council_id_councils'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_questionnaires_council_id'))
        batch_op.drop_column('council_id')
