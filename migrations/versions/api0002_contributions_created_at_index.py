"""The API's walk over contributions, oldest first, reads an index instead of sorting them all

Revision ID: api0002
Revises: lost0001
Create Date: 2026-12-01 07:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'api0002'
down_revision = 'lost0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_contributions_created_at_id', 'contributions', ['created_at', 'id'])


def downgrade():
    op.drop_index('ix_contributions_created_at_id', table_name='contributions')
