"""outbox mails name the resident's report they are about, so they go with its addresses

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_report_id'), ['report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_report_id_resident_report'), 'resident_report', ['report_id'], ['id'])


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_report_id_resident_report'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_report_id'))
        batch_op.drop_column('report_id')
