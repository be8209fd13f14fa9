"""actions from any origin with a place row; place areas; user language; HTML mail; audit
summary values

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

An action's free-text place becomes a row of the council's places: a text that matches a
place's name (ignoring case, Å/Ä/Ö included) links to it, any other text creates the place,
so no text is lost. The downgrade writes the names back into the text column.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), nullable=True))

    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_values', sa.JSON(), nullable=True))

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.Enum('meeting', 'manual', name='actionorigin', native_enum=False, length=20), nullable=False, server_default='meeting'))
        batch_op.add_column(sa.Column('place_id', sa.Integer(), nullable=True))
        batch_op.alter_column('meeting_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_action_place_id'), ['place_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_action_place_id_place'), 'place', ['place_id'], ['id'])

    _places_from_text()

    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('place')


def _places_from_text():
    """Link each action's free-text place to a place of its council, creating missing ones."""
    connection = op.get_bind()
    action = sa.table('action', sa.column('id'), sa.column('council_id'), sa.column('place'),
                      sa.column('place_id'))
    place = sa.table('place', sa.column('id'), sa.column('council_id'), sa.column('name'),
                     sa.column('active'), sa.column('area'), sa.column('version'))
    known = {}
    for place_id, council_id, name in connection.execute(
        sa.select(place.c.id, place.c.council_id, place.c.name)
    ):
        known[(council_id, name.strip().casefold())] = place_id
    rows = connection.execute(
        sa.select(action.c.id, action.c.council_id, action.c.place).where(action.c.place != '')
    ).all()
    for action_id, council_id, text in rows:
        name = ' '.join(text.split())[:120]  # a place name is one line of at most 120
        if not name:
            continue
        key = (council_id, name.casefold())
        if key not in known:
            known[key] = connection.execute(
                place.insert()
                .values(council_id=council_id, name=name, active=True, area='', version=1)
                .returning(place.c.id)
            ).scalar_one()
        connection.execute(
            action.update().where(action.c.id == action_id).values(place_id=known[key])
        )


def downgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=200), nullable=False, server_default=''))
    connection = op.get_bind()
    connection.execute(sa.text(
        "UPDATE action SET place = (SELECT name FROM place WHERE place.id = action.place_id) "
        "WHERE place_id IS NOT NULL"
    ))
    connection.execute(sa.text("DELETE FROM action WHERE meeting_id IS NULL"))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_place_id_place'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_action_place_id'))
        batch_op.drop_column('place_id')
        batch_op.alter_column('meeting_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('origin')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('summary_values')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('html_body')

    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('area')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locale')
