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

    # mails queued before: their key names the report ("report:<id>:…"), so they go at
    # retention like the new ones
    connection = op.get_bind()
    outbox = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('key', sa.String), sa.column('report_id', sa.Integer))
    report = sa.table('resident_report', sa.column('id', sa.Integer))
    known = set(connection.execute(sa.select(report.c.id)).scalars())
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.key).where(outbox.c.key.like('report:%'))).all()
    for row_id, key in rows:
        number = key.split(':')[1]
        if number.isdigit() and int(number) in known:
            connection.execute(sa.update(outbox).where(outbox.c.id == row_id).values(report_id=int(number)))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_report_id_resident_report'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_report_id'))
        batch_op.drop_column('report_id')
