"""Texts edited by several people save against the revision they were based on

Revision ID: lost0001
Revises: bureau0001
Create Date: 2026-12-01 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'lost0001'
down_revision = 'bureau0001'
branch_labels = None
depends_on = None

# (table, column): one more at each save of the text (participation/core/concurrency.py).
COLUMNS = (
    ('minutes', 'revision'),
    ('consultations', 'synthesis_revision'),
    ('activity_reports', 'revision'),
    ('plan_progress_reports', 'revision'),
)


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default='0', nullable=False))


def downgrade():
    for table, column in reversed(COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
