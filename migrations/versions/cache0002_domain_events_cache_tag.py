"""domain_events.cache_tag and its index: the page cache's generations per tag

Revision ID: cache0002
Revises: gaps0001
Create Date: 2026-12-01 06:40:00

Rows already in the log keep an empty tag: no cached page outlives the
deployment (the processes restart), so their generations start afresh.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cache0002'
down_revision = 'gaps0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cache_tag', sa.String(length=60), nullable=True))
        batch_op.create_index('ix_domain_events_cache_tag', ['cache_tag', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.drop_index('ix_domain_events_cache_tag')
        batch_op.drop_column('cache_tag')
