"""Partner organisations that take part in a council's measures."""

from flask_babel import gettext as _

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import PartnerOrganisation
from brott.policy import Viewer


def save_partner(
    council_id: int, name: str, kind: str, partner: PartnerOrganisation | None = None
) -> PartnerOrganisation:
    """Create a partner organisation, or rename one; names are unique within a council.

    Names are compared case-insensitively in Python: SQLite's lower() folds only A–Z, so
    "Ängelholm" and "ÄNGELHOLM" would slip past a comparison in SQL.
    """
    name = name.strip()
    folded = name.casefold()
    others = db.session.execute(
        db.select(PartnerOrganisation.id, PartnerOrganisation.name).where(
            PartnerOrganisation.council_id == council_id
        )
    ).all()
    if any(n.casefold() == folded and (partner is None or i != partner.id) for i, n in others):
        raise DomainError(_("There is already an organisation with that name."), field="name")
    if partner is None:
        partner = PartnerOrganisation(council_id=council_id)
        db.session.add(partner)
    partner.name = name
    partner.kind = kind.strip()
    db.session.flush()
    return partner


def partners(viewer: Viewer) -> list[PartnerOrganisation]:
    """The partner organisations of the viewer's council, by name."""
    stmt = policy.scoped(viewer, PartnerOrganisation).order_by(PartnerOrganisation.name)
    return list(db.session.scalars(stmt))
