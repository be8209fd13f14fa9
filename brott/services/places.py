"""The council's places (with an optional area and coordinates) and its note categories.

Places are shared by situation notes and actions, so a place can be followed across both;
a place or category taken out of use stays on what already refers to it.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Action, ActionStatus, NoteCategory, Place, SituationNote
from brott.models.place import name_key
from brott.services.uniqueness import unless_taken
from brott.services.versions import check_version, flush_or_conflict

DEFAULT_CATEGORIES = (
    "Störning",
    "Skadegörelse",
    "Otrygg plats",
    "Ungdomsgrupperingar",
    "Narkotika",
    "Klotter",
    "Annat",
)


@dataclass
class PlaceData:
    name: str
    area: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class PlaceUse:
    """How much refers to a place: all its notes, and its actions not yet done."""

    notes: int = 0
    open_actions: int = 0


def add_default_categories(council_id: int) -> None:
    """Give a council the standard categories it can then edit."""
    existing = {c.name for c in categories(council_id, active_only=False)}
    for name in DEFAULT_CATEGORIES:
        if name not in existing:
            db.session.add(NoteCategory(council_id=council_id, name=name))
    db.session.flush()


def add_place(council_id: int, data: PlaceData) -> Place:
    """Add a place; names are unique within a council (ignoring case and spacing), coordinates
    optional but paired."""
    place = Place(council_id=council_id)
    _check(place, data)
    with unless_taken(_taken(Place)):
        _apply(place, data)
        db.session.add(place)
    return place


def update_place(place: Place, data: PlaceData, seen_version: int) -> None:
    """Rename a place, or change its area or coordinates; refused if someone saved it after
    `seen_version`."""
    message = _(
        "The place has been changed by someone else since you opened it. Nothing was saved: "
        "compare with what is saved now and make your change again."
    )
    check_version(place, seen_version, message)
    _check(place, data)
    with unless_taken(_taken(Place)):
        _apply(place, data)
        flush_or_conflict(seen_version, message)


def add_category(council_id: int, name: str) -> NoteCategory:
    """Add a note category; names are unique within a council (ignoring case and spacing)."""
    name = name.strip()
    _check_unique(NoteCategory, council_id, name, None)
    with unless_taken(_taken(NoteCategory)):
        category = NoteCategory(council_id=council_id, name=name)
        db.session.add(category)
    return category


def set_active(item: Place | NoteCategory, active: bool) -> None:
    """Take a place or category out of use (what refers to it keeps it), or back into use."""
    item.active = active
    db.session.flush()


def places(council_id: int, active_only: bool = True) -> list[Place]:
    """The council's places, by name."""
    stmt = db.select(Place).where(Place.council_id == council_id).order_by(Place.name)
    if active_only:
        stmt = stmt.where(Place.active.is_(True))
    return list(db.session.scalars(stmt))


def categories(council_id: int, active_only: bool = True) -> list[NoteCategory]:
    """The council's note categories, by name."""
    stmt = (
        db.select(NoteCategory)
        .where(NoteCategory.council_id == council_id)
        .order_by(NoteCategory.name)
    )
    if active_only:
        stmt = stmt.where(NoteCategory.active.is_(True))
    return list(db.session.scalars(stmt))


def usage(council_id: int) -> dict[int, PlaceUse]:
    """Per place id: how many notes and open actions refer to it (two grouped queries)."""
    notes: dict[int | None, int] = dict(
        db.session.execute(
            db.select(SituationNote.place_id, func.count())
            .where(SituationNote.council_id == council_id)
            .group_by(SituationNote.place_id)
        )
        .tuples()
        .all()
    )
    actions: dict[int | None, int] = dict(
        db.session.execute(
            db.select(Action.place_id, func.count())
            .where(
                Action.council_id == council_id,
                Action.place_id.is_not(None),
                Action.status != ActionStatus.DONE,
            )
            .group_by(Action.place_id)
        )
        .tuples()
        .all()
    )
    return {
        place_id: PlaceUse(notes.get(place_id, 0), actions.get(place_id, 0))
        for place_id in set(notes) | set(actions)
        if place_id is not None
    }


def _check(place: Place, data: PlaceData) -> None:
    _check_unique(Place, place.council_id, data.name.strip(), place.id)
    latitude, longitude = data.latitude, data.longitude
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
    outside = not (-90 <= (latitude or 0) <= 90 and -180 <= (longitude or 0) <= 180)
    if outside:
        raise DomainError(_("The coordinates lie outside the earth."), field="latitude")


def _apply(place: Place, data: PlaceData) -> None:
    place.name = data.name.strip()
    place.area = data.area.strip()
    place.latitude, place.longitude = data.latitude, data.longitude


def _check_unique(
    model: type[Place] | type[NoteCategory], council_id: int, name: str, own_id: int | None
) -> None:
    """Refuse a name another place (or category) of the council has, compared by `name_key`;
    the unique constraint on (council, name_key) settles a race between two saves."""
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    stmt = db.select(model.id).where(
        model.council_id == council_id, model.name_key == name_key(name)
    )
    if own_id is not None:
        stmt = stmt.where(model.id != own_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise DomainError(_taken(model), field="name")


def _taken(model: type[Place] | type[NoteCategory]) -> str:
    if model is Place:
        return _("There is already a place with that name.")
    return _("There is already a category with that name.")
