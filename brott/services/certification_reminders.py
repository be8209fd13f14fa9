"""Expiry reminders of the certification register: from `REMINDER_DAYS` before a
certificate runs out, its council's coordinators and its business's contact are reminded by
e-mail, once each.
"""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from brott import clock, policy
from brott.extensions import db
from brott.links import external_url
from brott.models import Council, User
from brott.models.certification import Business, Certificate
from brott.policy import Permission
from brott.services import outbox
from brott.services.certification import REMINDER_DAYS
from brott.services.emails import compose
from brott.services.users import active_members

CERTIFICATE_REMINDER = "certificate_expiring"
REMINDER_HOUR = 8  # local time on the day the reminder falls due


def plan_certificate_reminders(now: datetime) -> int:
    """Enqueue, from 60 days before a certificate runs out, one reminder to each coordinator
    of its council and one to the business's contact e-mail; each exactly once (the key
    names the certificate, its end date and the recipient). Commits nothing."""
    today = now.astimezone(clock.STOCKHOLM).date()
    latest = (
        db.select(Certificate.business_id, func.max(Certificate.valid_until).label("until"))
        .group_by(Certificate.business_id)
        .subquery()
    )
    due = db.session.scalars(
        db.select(Certificate)
        .join(
            latest,
            (latest.c.business_id == Certificate.business_id)
            & (latest.c.until == Certificate.valid_until),
        )
        .where(
            Certificate.valid_until >= today,
            Certificate.valid_until <= today + timedelta(days=REMINDER_DAYS),
        )
        .options(selectinload(Certificate.business))
        .order_by(Certificate.id)
    ).all()
    coordinators: dict[int, list[User]] = {}
    roles = policy.roles_with(Permission.RECEIVE_MEETING_REMINDERS)  # the coordinators
    created = 0
    for certificate in due:
        business = certificate.business
        council_id = certificate.council_id
        if council_id not in coordinators:
            coordinators[council_id] = active_members(council_id, roles)
        due_at = _reminder_moment(certificate.valid_until - timedelta(days=REMINDER_DAYS))
        until = datetime.combine(
            certificate.valid_until + timedelta(days=1), time(), clock.STOCKHOLM
        )
        base = f"cert:{certificate.id}:{certificate.valid_until:%Y%m%d}"
        link = _business_link(business)
        for user in coordinators[council_id]:
            email = _expiry_email(certificate, user.locale, link)
            if outbox.enqueue(
                f"{base}:user:{user.id}",
                CERTIFICATE_REMINDER,
                user,
                email,
                due_at,
                now,
                council_id=council_id,
                link=link,
                useful_until=until,
            ):
                created += 1
        address = business.contact_email.strip().lower()
        if address:
            email = _expiry_email(certificate, None, "")
            if outbox.enqueue_to_address(
                f"{base}:to:{address}"[:200],
                CERTIFICATE_REMINDER,
                address,
                email,
                due_at,
                now,
                council_id=council_id,
                useful_until=until,
            ):
                created += 1
    return created


def _reminder_moment(day: date) -> datetime:
    return datetime.combine(day, time(REMINDER_HOUR), clock.STOCKHOLM)


def _business_link(business: Business) -> str:
    council = db.session.get(Council, business.council_id)
    slug = council.slug if council is not None else ""
    return external_url("certification.business", slug=slug, business_id=business.id)


def _expiry_email(certificate: Certificate, locale: str | None, link: str):
    business = certificate.business
    title = business.name + (f" ({business.unit})" if business.unit else "")
    return compose(
        "certificate_expiring",
        locale,
        lambda: _(
            "The robbery-prevention certificate of %(business)s runs out on %(day)s",
            business=title,
            day=certificate.valid_until.isoformat(),
        ),
        certificate=certificate,
        business_title=title,
        link=link,
    )
