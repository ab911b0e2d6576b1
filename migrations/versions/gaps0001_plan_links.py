"""A questionnaire's question feeds a plan's indicator; an article links a plan's action;
a topic's follow no longer keeps its own mail frequency (the notification preferences decide);
an association may give the commune of its seat

Revision ID: gaps0001
Revises: first0001
Create Date: 2026-12-01 05:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'gaps0001'
down_revision = 'docs0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questionnaire_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('indicator_option', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_questionnaire_questions_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_questionnaire_questions_indicator_id_plan_indicators'), 'plan_indicators',
                                    ['indicator_id'], ['id'], ondelete='SET NULL')


    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_action_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_articles_plan_action_id_plan_actions'), 'plan_actions', ['plan_action_id'], ['id'],
                                    ondelete='SET NULL')

    with op.batch_alter_table('topic_follows', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_topic_follows_followfrequency'), type_='check')
        batch_op.drop_column('frequency')

    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commune_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_associations_commune_id'), ['commune_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_associations_commune_id_communes'), 'communes', ['commune_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('associations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_associations_commune_id_communes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_associations_commune_id'))
        batch_op.drop_column('commune_id')
    with op.batch_alter_table('topic_follows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frequency', sa.Enum('each', 'daily', name='followfrequency', native_enum=False, create_constraint=True,
                                                           length=13), server_default='each', nullable=False))
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_articles_plan_action_id_plan_actions'), type_='foreignkey')
        batch_op.drop_column('plan_action_id')
    with op.batch_alter_table('questionnaire_questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_questionnaire_questions_indicator_id_plan_indicators'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_questionnaire_questions_indicator_id'))
        batch_op.drop_column('indicator_option')
        batch_op.drop_column('indicator_id')
