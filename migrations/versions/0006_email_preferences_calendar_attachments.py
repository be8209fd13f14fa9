"""e-mail preferences per person, calendar files attached to outbox messages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Every existing account starts with no choice saved, which means every e-mail is on (as
before). An outbox row may carry a calendar file, e.g. the new entry of a moved meeting.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ics', sa.Text(), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_preferences', sa.JSON(), nullable=False, server_default='{}')
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_preferences')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('ics')
