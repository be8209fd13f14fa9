"""safety walks, their findings and action plans

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

import brott.models.base


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'safety_walk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('area', sa.String(length=120), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=True),
        sa.Column('route', sa.Text(), nullable=False),
        sa.Column('preparation_date', sa.Date(), nullable=True),
        sa.Column('walk_date', sa.Date(), nullable=False),
        sa.Column('follow_up_date', sa.Date(), nullable=True),
        sa.Column('other_participants', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=True),
        sa.Column('previous_walk_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_safety_walk_council_id_council')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_safety_walk_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_safety_walk_measure_id_measure')),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_safety_walk_place_id_place')),
        sa.ForeignKeyConstraint(['previous_walk_id'], ['safety_walk.id'], name=op.f('fk_safety_walk_previous_walk_id_safety_walk')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_walk')),
    )
    with op.batch_alter_table('safety_walk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_walk_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_walk_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_walk_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_walk_previous_walk_id'), ['previous_walk_id'], unique=False)

    op.create_table(
        'safety_walk_participant',
        sa.Column('walk_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_safety_walk_participant_user_id_user_account'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['walk_id'], ['safety_walk.id'], name=op.f('fk_safety_walk_participant_walk_id_safety_walk'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('walk_id', 'user_id', name=op.f('pk_safety_walk_participant')),
    )
    op.create_table(
        'safety_walk_partner',
        sa.Column('walk_id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partner_organisation.id'], name=op.f('fk_safety_walk_partner_partner_id_partner_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['walk_id'], ['safety_walk.id'], name=op.f('fk_safety_walk_partner_walk_id_safety_walk'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('walk_id', 'partner_id', name=op.f('pk_safety_walk_partner')),
    )

    op.create_table(
        'walk_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('walk_id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('photo_id', sa.Integer(), nullable=True),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('owner_partner_id', sa.Integer(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_at', brott.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_walk_finding_action_id_action')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_walk_finding_answered_by_id_user_account')),
        sa.ForeignKeyConstraint(['category_id'], ['note_category.id'], name=op.f('fk_walk_finding_category_id_note_category')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_walk_finding_council_id_council')),
        sa.ForeignKeyConstraint(['owner_partner_id'], ['partner_organisation.id'], name=op.f('fk_walk_finding_owner_partner_id_partner_organisation')),
        sa.ForeignKeyConstraint(['photo_id'], ['photo.id'], name=op.f('fk_walk_finding_photo_id_photo')),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_walk_finding_place_id_place')),
        sa.ForeignKeyConstraint(['walk_id'], ['safety_walk.id'], name=op.f('fk_walk_finding_walk_id_safety_walk')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_walk_finding')),
    )
    with op.batch_alter_table('walk_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_walk_finding_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_walk_finding_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_walk_finding_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_walk_finding_walk_id'), ['walk_id'], unique=False)


def downgrade():
    with op.batch_alter_table('walk_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_walk_finding_walk_id'))
        batch_op.drop_index(batch_op.f('ix_walk_finding_place_id'))
        batch_op.drop_index(batch_op.f('ix_walk_finding_council_id'))
        batch_op.drop_index(batch_op.f('ix_walk_finding_action_id'))

    op.drop_table('walk_finding')
    op.drop_table('safety_walk_partner')
    op.drop_table('safety_walk_participant')
    with op.batch_alter_table('safety_walk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_walk_previous_walk_id'))
        batch_op.drop_index(batch_op.f('ix_safety_walk_place_id'))
        batch_op.drop_index(batch_op.f('ix_safety_walk_measure_id'))
        batch_op.drop_index(batch_op.f('ix_safety_walk_council_id'))

    op.drop_table('safety_walk')
