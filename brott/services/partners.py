"""Partner organisations that take part in a council's measures."""

from brott.errors import DomainError
from brott.extensions import db
from brott.models import PartnerOrganisation


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
        raise DomainError("Det finns redan en organisation med det namnet.", field="name")
    if partner is None:
        partner = PartnerOrganisation(council_id=council_id)
        db.session.add(partner)
    partner.name = name
    partner.kind = kind.strip()
    db.session.flush()
    return partner
