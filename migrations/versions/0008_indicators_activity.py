"""indicators and activity logs of measures

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

import brott.models.base


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activity_kind',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('name_key', sa.String(length=80), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_activity_kind_council_id_council')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_kind')),
        sa.UniqueConstraint('council_id', 'name_key', name=op.f('uq_activity_kind_council_id_name_key')),
    )
    with op.batch_alter_table('activity_kind', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_kind_council_id'), ['council_id'], unique=False)

    op.create_table(
        'activity_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('at_time', sa.Time(), nullable=True),
        sa.Column('kind_id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=True),
        sa.Column('people_reached', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('note_id', sa.Integer(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_activity_entry_author_id_user_account')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_activity_entry_council_id_council')),
        sa.ForeignKeyConstraint(['kind_id'], ['activity_kind.id'], name=op.f('fk_activity_entry_kind_id_activity_kind')),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_activity_entry_measure_id_measure')),
        sa.ForeignKeyConstraint(['note_id'], ['situation_note.id'], name=op.f('fk_activity_entry_note_id_situation_note'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_activity_entry_photo_id_photo')),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_activity_entry_place_id_place')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_entry')),
    )
    with op.batch_alter_table('activity_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_entry_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_entry_kind_id'), ['kind_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_entry_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_entry_on_date'), ['on_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_entry_place_id'), ['place_id'], unique=False)

    op.create_table(
        'indicator',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('unit', sa.String(length=40), nullable=False),
        sa.Column('baseline', sa.Float(), nullable=False),
        sa.Column('target', sa.Float(), nullable=False),
        sa.Column('direction', sa.Enum('higher', 'lower', name='indicatordirection', native_enum=False, length=20), nullable=False),
        sa.Column('period', sa.Enum('none', 'month', 'quarter', 'half_year', 'year', name='indicatorperiod', native_enum=False, length=20), nullable=False),
        sa.Column('source', sa.Enum('manual', 'activity_entries', 'activity_people', 'certified_share', 'walk_actions_closed', name='indicatorsource', native_enum=False, length=20), nullable=False),
        sa.Column('activity_kind_id', sa.Integer(), nullable=True),
        sa.Column('drives_progress', sa.Boolean(), nullable=False),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['activity_kind_id'], ['activity_kind.id'], name=op.f('fk_indicator_activity_kind_id_activity_kind')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_indicator_council_id_council')),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_indicator_measure_id_measure')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_measure_id'), ['measure_id'], unique=False)

    op.create_table(
        'indicator_value',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('comment', sa.String(length=500), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=True),
        sa.Column('entered_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_indicator_value_council_id_council')),
        sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_indicator_value_entered_by_id_user_account')),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_value_indicator_id_indicator'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_value')),
        sa.UniqueConstraint('indicator_id', 'on_date', name=op.f('uq_indicator_value_indicator_id_on_date')),
    )
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_value_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_value_indicator_id'), ['indicator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('indicator_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_value_indicator_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_value_council_id'))
    op.drop_table('indicator_value')

    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_measure_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_council_id'))
    op.drop_table('indicator')

    with op.batch_alter_table('activity_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_entry_place_id'))
        batch_op.drop_index(batch_op.f('ix_activity_entry_on_date'))
        batch_op.drop_index(batch_op.f('ix_activity_entry_measure_id'))
        batch_op.drop_index(batch_op.f('ix_activity_entry_kind_id'))
        batch_op.drop_index(batch_op.f('ix_activity_entry_council_id'))
    op.drop_table('activity_entry')

    with op.batch_alter_table('activity_kind', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_kind_council_id'))
    op.drop_table('activity_kind')
