"""Document references (« AVIS-2026-004 »)

Revision ID: docs0001
Revises: first0001
Create Date: 2026-12-01 05:50:00

"""
from alembic import op
import sqlalchemy as sa

import participation.core.models


# revision identifiers, used by Alembic.
revision = 'docs0001'
down_revision = 'first0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_references',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=60), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('sequence > 0', name=op.f('ck_document_references_sequence_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_references')),
    sa.UniqueConstraint('kind', 'subject_type', 'subject_id', name='uq_document_references_subject'),
    sa.UniqueConstraint('kind', 'year', 'sequence', name='uq_document_references_number')
    )


def downgrade():
    op.drop_table('document_references')
