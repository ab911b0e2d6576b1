"""The deferred subscribers' queue kept by the event itself: one INSERT per event, not two

Revision ID: evq0001
Revises: post0001
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import participation.core.models


# revision identifiers, used by Alembic.
revision = 'evq0001'
down_revision = 'post0001'
branch_labels = None
depends_on = None

QUEUED = sa.text("deferred_due_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table('domain_events') as batch:
        batch.add_column(sa.Column('deferred_due_at', participation.core.models.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('deferred_attempts', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('deferred_error', sa.Text(), nullable=True))
    # The events still waiting for the worker keep their place, their attempts and their error.
    for column, source in (('deferred_due_at', 'due_at'), ('deferred_attempts', 'attempts'), ('deferred_error', 'last_error')):
        op.execute(f"UPDATE domain_events SET {column} = (SELECT {source} FROM deferred_events WHERE deferred_events.event_id = domain_events.id) "
                   "WHERE id IN (SELECT event_id FROM deferred_events)")
    op.create_index('ix_domain_events_deferred_due', 'domain_events', ['deferred_due_at', 'id'], unique=False,
                    postgresql_where=QUEUED, sqlite_where=QUEUED)
    op.drop_index('ix_deferred_events_due', table_name='deferred_events')
    op.drop_table('deferred_events')


def downgrade():
    # Read first: on SQLite, dropping the columns rebuilds domain_events, and the foreign key of a
    # deferred_events already there would take its rows with the old table.
    waiting = op.get_bind().execute(sa.text(
        "SELECT id, deferred_due_at, deferred_attempts, deferred_error FROM domain_events WHERE deferred_due_at IS NOT NULL")
        .columns(deferred_due_at=participation.core.models.UTCDateTime())).all()
    op.drop_index('ix_domain_events_deferred_due', table_name='domain_events')
    with op.batch_alter_table('domain_events') as batch:
        batch.drop_column('deferred_error')
        batch.drop_column('deferred_attempts')
        batch.drop_column('deferred_due_at')
    deferred_events = op.create_table('deferred_events',
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
    if waiting:
        op.bulk_insert(deferred_events, [{"event_id": event_id, "due_at": due_at, "attempts": attempts, "last_error": error}
                                         for event_id, due_at, attempts, error in waiting])
