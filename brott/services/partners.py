"""Partner organisations that take part in a council's measures."""

from brott.errors import DomainError
from brott.extensions import db
from brott.models import PartnerOrganisation


def save_partner(
    council_id: int, name: str, kind: str, partner: PartnerOrganisation | None = None
) -> PartnerOrganisation:
    """Create a partner organisation, or rename one; names are unique within a council."""
    name = name.strip()
    clash = db.session.scalars(
        db.select(PartnerOrganisation.id).where(
            PartnerOrganisation.council_id == council_id,
            db.func.lower(PartnerOrganisation.name) == name.lower(),
        )
    ).first()
    if clash is not None and (partner is None or clash != partner.id):
        raise DomainError("Det finns redan en organisation med det namnet.", field="name")
    if partner is None:
        partner = PartnerOrganisation(council_id=council_id)
        db.session.add(partner)
    partner.name = name
    partner.kind = kind.strip()
    db.session.flush()
    return partner
