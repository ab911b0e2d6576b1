"""Events whose subscribers the worker runs after the commit (a topic's followers told outside the request)

Revision ID: post0001
Revises: api0002
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa

import participation.core.models


# revision identifiers, used by Alembic.
revision = 'post0001'
down_revision = 'api0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deferred_events',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('due_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['domain_events.id'], name=op.f('fk_deferred_events_event_id_domain_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deferred_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_deferred_events_event_id'))
    )
    op.create_index('ix_deferred_events_due', 'deferred_events', ['due_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_deferred_events_due', table_name='deferred_events')
    op.drop_table('deferred_events')
