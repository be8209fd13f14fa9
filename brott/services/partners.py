"""Partner organisations that take part in a council's measures."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import PartnerOrganisation
from brott.policy import Viewer
from brott.services.uniqueness import unless_taken
from brott.services.versions import check_version, flush_or_conflict

CONFLICT_MESSAGE = _l(
    "The organisation has been changed by someone else since you opened it. Nothing was "
    "saved: compare with what is saved now and make your change again."
)


def save_partner(
    council_id: int,
    name: str,
    kind: str,
    partner: PartnerOrganisation | None = None,
    *,
    seen_version: int | None = None,
) -> PartnerOrganisation:
    """Create a partner organisation, or change one; names are unique within a council.

    A change from a form names the version it was made from (`seen_version`) and is refused
    if someone saved the organisation after it; without one (a script) it applies to the
    organisation as loaded. The unique constraint (council, name) settles a race between
    two saves of the same name.
    """
    seen: int | None = None
    if partner is not None:
        seen = partner.version if seen_version is None else seen_version
        check_version(partner, seen, str(CONFLICT_MESSAGE))
    name = name.strip()
    _check_name(council_id, name, partner.id if partner is not None else None)
    with unless_taken(_taken()):
        if partner is None:
            partner = PartnerOrganisation(council_id=council_id)
            db.session.add(partner)
        partner.name = name
        partner.kind = kind.strip()
        if seen is not None:  # a change: the UPDATE is conditional on the version seen
            flush_or_conflict(seen, str(CONFLICT_MESSAGE))
    return partner


def _check_name(council_id: int, name: str, own_id: int | None) -> None:
    """Refuse a name another organisation of the council has, ignoring case. Compared in
    Python: SQLite's lower() folds only A–Z, so "Ängelholm" and "ÄNGELHOLM" would slip past
    a comparison in SQL."""
    folded = name.casefold()
    others = db.session.execute(
        db.select(PartnerOrganisation.id, PartnerOrganisation.name).where(
            PartnerOrganisation.council_id == council_id
        )
    ).all()
    if any(n.casefold() == folded and i != own_id for i, n in others):
        raise DomainError(_taken(), field="name")


def _taken() -> str:
    return _("There is already an organisation with that name.")


def partners(viewer: Viewer) -> list[PartnerOrganisation]:
    """The partner organisations of the viewer's council, by name."""
    stmt = policy.scoped(viewer, PartnerOrganisation).order_by(PartnerOrganisation.name)
    return list(db.session.scalars(stmt))
