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
    """Add a place; names are unique within a council, coordinates optional but paired."""
    place = Place(council_id=council_id)
    _apply(place, data)
    db.session.add(place)
    db.session.flush()
    return place


def update_place(place: Place, data: PlaceData, seen_version: int) -> None:
    """Rename a place, or change its area or coordinates; refused if someone saved it after
    `seen_version`."""
    message = _(
        "The place has been changed by someone else since you opened it. Nothing was saved: "
        "compare with what is saved now and make your change again."
    )
    check_version(place, seen_version, message)
    _apply(place, data)
    flush_or_conflict(seen_version, message)


def add_category(council_id: int, name: str) -> NoteCategory:
    """Add a note category; names are unique within a council."""
    name = name.strip()
    _check_unique(NoteCategory, council_id, name, None)
    category = NoteCategory(council_id=council_id, name=name)
    db.session.add(category)
    db.session.flush()
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


def _apply(place: Place, data: PlaceData) -> None:
    name = data.name.strip()
    _check_unique(Place, place.council_id, name, place.id)
    latitude, longitude = data.latitude, data.longitude
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
    outside = not (-90 <= (latitude or 0) <= 90 and -180 <= (longitude or 0) <= 180)
    if outside:
        raise DomainError(_("The coordinates lie outside the earth."), field="latitude")
    place.name = name
    place.area = data.area.strip()
    place.latitude, place.longitude = latitude, longitude


def _check_unique(
    model: type[Place] | type[NoteCategory], council_id: int, name: str, own_id: int | None
) -> None:
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    rows = db.session.execute(
        db.select(model.id, model.name).where(model.council_id == council_id)
    ).tuples()
    # casefold in Python: SQLite's lower() leaves Å, Ä and Ö alone
    if any(n.casefold() == name.casefold() and i != own_id for i, n in rows):
        message = (
            _("There is already a place with that name.")
            if model is Place
            else _("There is already a category with that name.")
        )
        raise DomainError(message, field="name")
