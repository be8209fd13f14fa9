"""the robbery-prevention certification register

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

import brott.models.base


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certification_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('interval_months', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_certification_settings_council_id_council')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_settings')),
        sa.UniqueConstraint('council_id', name=op.f('uq_certification_settings_council_id')),
    )
    op.create_table(
        'checklist_point',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_checklist_point_council_id_council')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_point')),
    )
    with op.batch_alter_table('checklist_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_point_council_id'), ['council_id'], unique=False)

    op.create_table(
        'business',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('orgnr', sa.String(length=11), nullable=False),
        sa.Column('unit', sa.String(length=120), nullable=False),
        sa.Column('unit_key', sa.String(length=120), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('contact_name', sa.String(length=120), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('industry', sa.String(length=80), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=True),
        sa.Column('chain', sa.String(length=120), nullable=False),
        sa.Column('offer_sent_on', sa.Date(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_business_council_id_council')),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_business_place_id_place')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_business')),
        sa.UniqueConstraint('council_id', 'orgnr', 'unit_key', name=op.f('uq_business_council_id_orgnr_unit_key')),
    )
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_place_id'), ['place_id'], unique=False)

    op.create_table(
        'inspection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('inspected_on', sa.Date(), nullable=False),
        sa.Column('inspector_id', sa.Integer(), nullable=False),
        sa.Column('remarks', sa.Text(), nullable=False),
        sa.Column('approved', sa.Boolean(), nullable=False),
        sa.Column('follow_up_of_id', sa.Integer(), nullable=True),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_inspection_business_id_business')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_inspection_council_id_council')),
        sa.ForeignKeyConstraint(['follow_up_of_id'], ['inspection.id'], name=op.f('fk_inspection_follow_up_of_id_inspection')),
        sa.ForeignKeyConstraint(['inspector_id'], ['user_account.id'], name=op.f('fk_inspection_inspector_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_council_id'), ['council_id'], unique=False)

    op.create_table(
        'inspection_result',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.Enum('passed', 'failed', 'not_applicable', name='outcome', native_enum=False, length=20), nullable=False),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_inspection_result_council_id_council')),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_result_inspection_id_inspection')),
        sa.ForeignKeyConstraint(['point_id'], ['checklist_point.id'], name=op.f('fk_inspection_result_point_id_checklist_point')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_result')),
        sa.UniqueConstraint('inspection_id', 'point_id', name=op.f('uq_inspection_result_inspection_id_point_id')),
    )
    with op.batch_alter_table('inspection_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_result_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_result_inspection_id'), ['inspection_id'], unique=False)

    op.create_table(
        'certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('council_id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('decal_number', sa.String(length=20), nullable=False),
        sa.Column('by_sample', sa.Boolean(), nullable=False),
        sa.Column('created_at', brott.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id'], name=op.f('fk_certificate_business_id_business')),
        sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_certificate_council_id_council')),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_certificate_inspection_id_inspection')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
        sa.UniqueConstraint('council_id', 'decal_number', name=op.f('uq_certificate_council_id_decal_number')),
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_inspection_id'), ['inspection_id'], unique=False)


def downgrade():
    for table, indexes in (
        ('certificate', ('ix_certificate_inspection_id', 'ix_certificate_council_id', 'ix_certificate_business_id')),
        ('inspection_result', ('ix_inspection_result_inspection_id', 'ix_inspection_result_council_id')),
        ('inspection', ('ix_inspection_council_id', 'ix_inspection_business_id')),
        ('business', ('ix_business_place_id', 'ix_business_council_id')),
        ('checklist_point', ('ix_checklist_point_council_id',)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
    op.drop_table('certification_settings')
