"""Council followers

Revision ID: c3892919db92
Revises: fa2b1f627f38
Create Date: 2026-11-22 11:12:07.295392

"""
from alembic import op
import sqlalchemy as sa

import participation.core.models


# revision identifiers, used by Alembic.
revision = 'c3892919db92'
down_revision = 'fa2b1f627f38'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_followers',
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['councils.id'], name=op.f('fk_council_followers_council_id_councils'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_council_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_followers')),
    sa.UniqueConstraint('council_id', 'user_id', name=op.f('uq_council_followers_council_id_user_id'))
    )
    with op.batch_alter_table('council_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_followers_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_followers_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('council_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_followers_user_id'))
        batch_op.drop_index(batch_op.f('ix_council_followers_council_id'))

    op.drop_table('council_followers')
