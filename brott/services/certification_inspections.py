"""Inspections and certificates of the certification register: recording an inspection
against the council's checklist, issuing the certificate when every applicable point passes,
approving a chain's other shops by a sample inspection, and reading a business's history.

A certificate holds from its issue date to `valid_until`, the issue date plus the council's
interval (see `certification.settings_of`).
"""

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from brott import policy
from brott.errors import DomainError
from brott.extensions import db
from brott.models import User
from brott.models.certification import (
    Business,
    Certificate,
    Inspection,
    InspectionResult,
    Outcome,
)
from brott.policy import Permission
from brott.services.certification import points, settings_of
from brott.services.personal_data import check_text
from brott.services.users import active_members


@dataclass
class InspectionData:
    inspected_on: date
    inspector_id: int
    outcomes: dict[int, Outcome]  # checklist point id → outcome
    remarks: str = ""
    follow_up_of_id: int | None = None


# --- a business's history -------------------------------------------------------------------


def inspections_of(business: Business) -> list[Inspection]:
    """The business's inspections, newest first, with their results and inspectors."""
    return list(
        db.session.scalars(
            db.select(Inspection)
            .where(Inspection.business_id == business.id)
            .options(
                selectinload(Inspection.results).selectinload(InspectionResult.point),
                selectinload(Inspection.inspector),
            )
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        )
    )


def certificates_of(business: Business) -> list[Certificate]:
    """The business's certificates, newest first."""
    return list(
        db.session.scalars(
            db.select(Certificate)
            .where(Certificate.business_id == business.id)
            .options(selectinload(Certificate.inspection).selectinload(Inspection.business))
            .order_by(Certificate.valid_until.desc(), Certificate.id.desc())
        )
    )


def awaiting_follow_up(inspections: list[Inspection]) -> set[int]:
    """Ids of failed inspections that no later inspection follows up."""
    followed = {i.follow_up_of_id for i in inspections if i.follow_up_of_id is not None}
    return {i.id for i in inspections if not i.approved and i.id not in followed}


# --- inspections and certificates ---------------------------------------------------------------


def inspectors(council_id: int) -> list[User]:
    """Who may be named as inspector: active members whose role may inspect (the police
    and the municipality's crime-prevention staff)."""
    return active_members(council_id, policy.roles_with(Permission.INSPECT))


def record_inspection(business: Business, data: InspectionData, today: date) -> Inspection:
    """Record an inspection; when every applicable point passes, issue the certificate."""
    errors: dict[str | None, list[str]] = {}
    if business.offer_sent_on is not None and data.inspected_on < business.offer_sent_on:
        errors["inspected_on"] = [
            _(
                "The inspection cannot be before the offer was sent (%(day)s).",
                day=business.offer_sent_on.isoformat(),
            )
        ]
    elif data.inspected_on > today:
        errors["inspected_on"] = [_("The inspection cannot be dated in the future.")]
    if data.inspector_id not in {u.id for u in inspectors(business.council_id)}:
        errors["inspector_id"] = [_("Choose an inspector from the list.")]
    checklist = points(business.council_id)
    missing = [p for p in checklist if p.id not in data.outcomes]
    if missing:
        errors[None] = [_("Give a result for every point of the checklist.")]
    if not any(data.outcomes.get(p.id) is not Outcome.NOT_APPLICABLE for p in checklist):
        errors.setdefault(None, []).append(_("At least one point must apply."))
    try:
        check_text(data.remarks, "remarks")
    except DomainError as error:
        errors.setdefault("remarks", []).append(error.message)
    follow_up_of = None
    if data.follow_up_of_id is not None:
        follow_up_of = db.session.get(Inspection, data.follow_up_of_id)
        if follow_up_of is None or follow_up_of.business_id != business.id:
            errors.setdefault(None, []).append(
                _("The inspection to follow up is not this business's.")
            )
    # One inspection of a business at a time, so a double submit finds the first one.
    db.session.execute(db.select(Business.id).where(Business.id == business.id).with_for_update())
    same_day = db.session.scalars(
        db.select(Inspection.id).where(
            Inspection.business_id == business.id,
            Inspection.inspected_on == data.inspected_on,
        )
    ).all()
    if any(found != data.follow_up_of_id for found in same_day):
        errors.setdefault("inspected_on", []).append(
            _(
                "The business already has an inspection on this date; record this one as"
                " a follow-up of it."
            )
        )
    if errors:
        raise DomainError.from_errors(errors)
    approved = all(data.outcomes[p.id] is not Outcome.FAILED for p in checklist)
    inspection = Inspection(
        council_id=business.council_id,
        business=business,
        inspected_on=data.inspected_on,
        inspector_id=data.inspector_id,
        remarks=data.remarks.strip(),
        approved=approved,
        follow_up_of_id=data.follow_up_of_id,
        results=[
            InspectionResult(council_id=business.council_id, point=p, outcome=data.outcomes[p.id])
            for p in checklist
        ],
    )
    db.session.add(inspection)
    db.session.flush()
    if approved:
        issue_certificate(business, inspection, data.inspected_on)
    return inspection


def issue_certificate(
    business: Business, inspection: Inspection, issued_on: date, by_sample: bool = False
) -> Certificate:
    """A certificate from `issued_on` for the council's interval, with the next decal number."""
    # the council's settings row is locked while the next decal number is counted, so
    # certificates issued at once get distinct numbers
    months = settings_of(business.council_id, lock=True).interval_months
    count = db.session.scalar(
        db.select(func.count()).where(Certificate.council_id == business.council_id)
    )
    certificate = Certificate(
        council_id=business.council_id,
        business=business,
        inspection=inspection,
        issued_on=issued_on,
        valid_until=add_months(issued_on, months),
        decal_number=f"{issued_on.year}-{(count or 0) + 1:04d}",
        by_sample=by_sample,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def chain_members(business: Business) -> list[Business]:
    """The other businesses of the same chain in the council."""
    if not business.chain:
        return []
    return list(
        db.session.scalars(
            db.select(Business)
            .where(
                Business.council_id == business.council_id,
                func.lower(Business.chain) == business.chain.casefold(),
                Business.id != business.id,
            )
            .order_by(Business.name, Business.unit)
        )
    )


def approve_chain(inspection: Inspection, today: date) -> list[Certificate]:
    """Certify the other shops of the inspected business's chain by this (approved) sample
    inspection; shops already holding a valid certificate are left as they are."""
    if not inspection.approved:
        raise DomainError(_("Only an approved inspection can approve a chain."))
    members = chain_members(inspection.business)
    if not members:
        raise DomainError(_("The business belongs to no chain with other shops."))
    valid = set(
        db.session.scalars(
            db.select(Certificate.business_id).where(
                Certificate.business_id.in_([m.id for m in members]),
                Certificate.issued_on <= today,
                Certificate.valid_until >= today,
            )
        )
    )
    return [
        issue_certificate(member, inspection, inspection.inspected_on, by_sample=True)
        for member in members
        if member.id not in valid
    ]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
