"""The council's managed lists for situation notes: places and categories."""

from brott.errors import DomainError
from brott.extensions import db
from brott.models import NoteCategory, Place

DEFAULT_CATEGORIES = (
    "Störning",
    "Skadegörelse",
    "Otrygg plats",
    "Ungdomsgrupperingar",
    "Narkotika",
    "Klotter",
    "Annat",
)


def add_default_categories(council_id: int) -> None:
    """Give a council the standard categories it can then edit."""
    existing = {
        c.name
        for c in db.session.scalars(
            db.select(NoteCategory).where(NoteCategory.council_id == council_id)
        )
    }
    for name in DEFAULT_CATEGORIES:
        if name not in existing:
            db.session.add(NoteCategory(council_id=council_id, name=name))
    db.session.flush()


def add_place(
    council_id: int, name: str, latitude: float | None = None, longitude: float | None = None
) -> Place:
    """Add a place; names are unique within a council, coordinates optional but paired."""
    name = name.strip()
    _unique(Place, council_id, name, "Det finns redan en plats med det namnet.")
    if (latitude is None) != (longitude is None):
        raise DomainError("Ange både latitud och longitud, eller ingen av dem.", field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError("Koordinaterna ligger utanför jorden.", field="latitude")
    place = Place(council_id=council_id, name=name, latitude=latitude, longitude=longitude)
    db.session.add(place)
    db.session.flush()
    return place


def add_category(council_id: int, name: str) -> NoteCategory:
    """Add a note category; names are unique within a council."""
    name = name.strip()
    _unique(NoteCategory, council_id, name, "Det finns redan en kategori med det namnet.")
    category = NoteCategory(council_id=council_id, name=name)
    db.session.add(category)
    db.session.flush()
    return category


def set_active(item: Place | NoteCategory, active: bool) -> None:
    """Take a place or category out of use (old notes keep it), or back into use."""
    item.active = active
    db.session.flush()


def _unique(model, council_id: int, name: str, message: str) -> None:
    if not name:
        raise DomainError("Ange ett namn.", field="name")
    names = db.session.scalars(db.select(model.name).where(model.council_id == council_id))
    if any(n.casefold() == name.casefold() for n in names):
        raise DomainError(message, field="name")
