"""Opinion vote scheduled on a sitting's agenda

Revision ID: 451ea823979f
Revises: 9a7df241acfe
Create Date: 2026-11-22 10:19:31.074895

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '451ea823979f'
down_revision = '9a7df241acfe'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_opinions_vote_item_id_agenda_items'), 'agenda_items', ['vote_item_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_opinions_vote_item_id_agenda_items'), type_='foreignkey')
        batch_op.drop_column('vote_item_id')
