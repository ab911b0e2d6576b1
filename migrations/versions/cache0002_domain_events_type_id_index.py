"""Index (subject_type, id) on domain_events: the page cache's per-table generations

Revision ID: cache0002
Revises: docs0001
Create Date: 2026-12-01 06:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cache0002'
down_revision = 'docs0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.create_index('ix_domain_events_type_id', ['subject_type', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('domain_events', schema=None) as batch_op:
        batch_op.drop_index('ix_domain_events_type_id')
