"""photos, and the working tool a measure leads to

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

Existing measures lead to no tool (status and journal only) until a coordinator chooses one.
"""
from alembic import op
import sqlalchemy as sa

import brott.models.base


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=100), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_photo_council_id_council')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_photo_storage_key')),
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_council_id'), ['council_id'], unique=False)

    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tool', sa.Enum('activity_log', 'certification', 'safety_walks', 'cameras', name='measuretool', native_enum=False, length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_column('tool')

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_council_id'))

    op.drop_table('photo')
