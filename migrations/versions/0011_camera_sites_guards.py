"""camera sites and guard deployments

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

import brott.models.base


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STAGE = sa.Enum(
    'investigating', 'decided', 'rejected', 'installed', 'reviewed', 'ended',
    name='camerastage', native_enum=False, length=20,
)


def upgrade():
    op.create_table(
        'camera_site',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('operator', sa.String(length=200), nullable=False),
        sa.Column('stage', STAGE, nullable=False),
        sa.Column('permit_needed', sa.Boolean(), nullable=False),
        sa.Column('permit_case_number', sa.String(length=60), nullable=False),
        sa.Column('permit_date', sa.Date(), nullable=True),
        sa.Column('camera_count', sa.Integer(), nullable=True),
        sa.Column('coverage', sa.Text(), nullable=False),
        sa.Column('recording_hours', sa.String(length=200), nullable=False),
        sa.Column('storage_days', sa.Integer(), nullable=True),
        sa.Column('installed_on', sa.Date(), nullable=True),
        sa.Column('last_reviewed_on', sa.Date(), nullable=True),
        sa.Column('next_review_on', sa.Date(), nullable=True),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_camera_site_council_id_council')),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_camera_site_place_id_place')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_site')),
    )
    with op.batch_alter_table('camera_site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_site_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_site_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_site_next_review_on'), ['next_review_on'], unique=False)

    op.create_table(
        'camera_stage_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('stage', STAGE, nullable=False),
        sa.Column('happened_on', sa.Date(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_camera_stage_event_author_id_user_account')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_camera_stage_event_council_id_council')),
        sa.ForeignKeyConstraint(['site_id'], ['camera_site.id'], name=op.f('fk_camera_stage_event_site_id_camera_site')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_stage_event')),
    )
    with op.batch_alter_table('camera_stage_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_stage_event_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_stage_event_site_id'), ['site_id'], unique=False)

    op.create_table(
        'camera_balancing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('written_on', sa.Date(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('privacy_impact', sa.Text(), nullable=False),
        sa.Column('alternatives', sa.Text(), nullable=False),
        sa.Column('conclusion', sa.Text(), nullable=False),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_camera_balancing_author_id_user_account')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_camera_balancing_council_id_council')),
        sa.ForeignKeyConstraint(['site_id'], ['camera_site.id'], name=op.f('fk_camera_balancing_site_id_camera_site')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_camera_balancing')),
        sa.UniqueConstraint('site_id', 'number', name=op.f('uq_camera_balancing_site_id_number')),
    )
    with op.batch_alter_table('camera_balancing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_camera_balancing_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_camera_balancing_site_id'), ['site_id'], unique=False)

    op.create_table(
        'guard_deployment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('hours', sa.String(length=120), nullable=False),
        sa.Column('company', sa.String(length=200), nullable=False),
        sa.Column('area', sa.String(length=200), nullable=False),
        sa.Column('decision_reference', sa.String(length=120), nullable=False),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_guard_deployment_council_id_council')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guard_deployment')),
    )
    with op.batch_alter_table('guard_deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guard_deployment_council_id'), ['council_id'], unique=False)

    op.create_table(
        'guard_deployment_place',
        sa.Column('deployment_id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['deployment_id'], ['guard_deployment.id'], name=op.f('fk_guard_deployment_place_deployment_id_guard_deployment'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_guard_deployment_place_place_id_place'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('deployment_id', 'place_id', name=op.f('pk_guard_deployment_place')),
    )


def downgrade():
    op.drop_table('guard_deployment_place')
    with op.batch_alter_table('guard_deployment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guard_deployment_council_id'))
    op.drop_table('guard_deployment')

    with op.batch_alter_table('camera_balancing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_balancing_site_id'))
        batch_op.drop_index(batch_op.f('ix_camera_balancing_council_id'))
    op.drop_table('camera_balancing')

    with op.batch_alter_table('camera_stage_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_stage_event_site_id'))
        batch_op.drop_index(batch_op.f('ix_camera_stage_event_council_id'))
    op.drop_table('camera_stage_event')

    with op.batch_alter_table('camera_site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_camera_site_next_review_on'))
        batch_op.drop_index(batch_op.f('ix_camera_site_place_id'))
        batch_op.drop_index(batch_op.f('ix_camera_site_council_id'))
    op.drop_table('camera_site')
