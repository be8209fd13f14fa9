"""The robbery-prevention certification register: businesses, the council's checklist and
settings, the register list with each business's status, and the figures an indicator reads.

A business is keyed by its organisation number and its unit (a chain's shops are often one
company). A certificate holds from its issue date to `valid_until`; within `REMINDER_DAYS` of
that day its business counts as expiring. Inspections and certificates are recorded in
`certification_inspections`, the expiry reminders planned in `certification_reminders`.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.se import orgnr as se_orgnr

from brott import clock
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Place
from brott.models.certification import (
    DEFAULT_INTERVAL_MONTHS,
    Business,
    BusinessStatus,
    Certificate,
    CertificationSettings,
    ChecklistPoint,
)
from brott.models.place import name_key
from brott.services import tool_shares
from brott.services.uniqueness import unless_taken
from brott.services.versions import check_version, flush_or_conflict

REMINDER_DAYS = 60  # a certificate this close to its end is expiring, and reminded of

# the programme's basic points, in our own words; a council edits its own copy
DEFAULT_POINTS = (
    "Någon i verksamheten har utsetts att ansvara för säkerheten",
    "Personalen har fått utbildning i att förebygga och hantera rån",
    "Kassalådor och sedelboxar är låsta och öppnas bara vid behov",
    "Kontanter räknas på en skyddad plats som inte syns utifrån",
    "Värdeskåp med tidslås finns och används",
    "Personalen når polisen snabbt och har tillgång till överfallslarm",
    "Dörrar, lås och fönster håller godkänd skyddsnivå",
    "Längdmärkning finns vid utgången",
    "Personal- och varuingångar är väl upplysta",
    "Skriftliga säkerhetsrutiner finns och följs upp varje år",
    "Kontanthanteringen och värdetransporterna sker säkert",
    "Det finns en plan för omhändertagande av personalen efter ett rån",
    "Skyltar visar att kontanterna är begränsade och butiken larmad",
)


@dataclass
class BusinessData:
    name: str
    orgnr: str
    unit: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    phone: str = ""
    industry: str = ""
    place_id: int | None = None
    chain: str = ""
    offer_sent_on: date | None = None


@dataclass
class RegisterRow:
    business: Business
    status: BusinessStatus
    valid_until: date | None


@dataclass
class Register:
    rows: list[RegisterRow]
    counts: Counter = field(default_factory=Counter)  # status → businesses in it
    total: int = 0


# --- organisation numbers -------------------------------------------------------------------


def normalise_orgnr(value: str, field_name: str = "orgnr") -> str:
    """The organisation number as 556677-8899, or DomainError naming the field."""
    if not value.strip():
        raise DomainError(_("Enter the organisation number."), field=field_name)
    try:
        return se_orgnr.format(se_orgnr.validate(value.strip()))
    except InvalidChecksum:
        raise DomainError(
            _("The organisation number's check digit is wrong; check the number."),
            field=field_name,
        ) from None
    except ValidationError:
        raise DomainError(
            _("Enter the organisation number as ten digits, e.g. 556677-8899."),
            field=field_name,
        ) from None


def check_contact_email(value: str, field_name: str = "contact_email") -> str:
    """A plausible e-mail address (or nothing), trimmed."""
    value = value.strip()
    local, at, domain = value.partition("@")
    if value and (not at or not local or "." not in domain or " " in value):
        raise DomainError(_("Enter a valid e-mail address, or leave it empty."), field=field_name)
    return value


def unit_key(unit: str) -> str:
    return name_key(unit)


# --- settings and the checklist -------------------------------------------------------------


def settings_of(council_id: int, lock: bool = False) -> CertificationSettings:
    """The council's settings; made with the defaults on first use.

    Two requests making them at once: the second's insert breaks the unique council_id
    inside a SAVEPOINT and it reads the first's row instead. With `lock` the row is held
    (SELECT … FOR UPDATE on PostgreSQL) until the transaction ends, which serialises the
    numbering of the council's certificates.
    """
    stmt = db.select(CertificationSettings).where(CertificationSettings.council_id == council_id)
    if lock:
        stmt = stmt.with_for_update()
    found = db.session.scalars(stmt).one_or_none()
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    CertificationSettings(
                        council_id=council_id, interval_months=DEFAULT_INTERVAL_MONTHS
                    )
                )
        except IntegrityError:
            pass  # made by someone else meanwhile
        found = db.session.scalars(stmt).one()
    return found


def update_settings(settings: CertificationSettings, interval_months: int, seen: int) -> None:
    """Change how many months a certificate holds (1 to 60); certificates already issued keep
    their dates."""
    message = _("The settings have been changed by someone else since you opened them.")
    check_version(settings, seen, message)
    if not 1 <= interval_months <= 60:
        raise DomainError(_("Enter between 1 and 60 months."), field="interval_months")
    settings.interval_months = interval_months
    flush_or_conflict(seen, message)


def ensure_checklist(council_id: int) -> int:
    """Give a council the default checklist the first time it uses the register."""
    if db.session.scalar(db.select(func.count()).where(ChecklistPoint.council_id == council_id)):
        return 0
    for position, text in enumerate(DEFAULT_POINTS, start=1):
        db.session.add(ChecklistPoint(council_id=council_id, position=position, text=text))
    db.session.flush()
    return len(DEFAULT_POINTS)


def points(council_id: int, active_only: bool = True) -> list[ChecklistPoint]:
    """The council's checklist in its order."""
    stmt = (
        db.select(ChecklistPoint)
        .where(ChecklistPoint.council_id == council_id)
        .order_by(ChecklistPoint.position, ChecklistPoint.id)
    )
    if active_only:
        stmt = stmt.where(ChecklistPoint.active.is_(True))
    return list(db.session.scalars(stmt))


def add_point(council_id: int, text: str) -> ChecklistPoint:
    """Add a point at the end of the checklist."""
    text = _point_text(text)
    last = db.session.scalar(
        db.select(func.max(ChecklistPoint.position)).where(ChecklistPoint.council_id == council_id)
    )
    point = ChecklistPoint(council_id=council_id, position=(last or 0) + 1, text=text)
    db.session.add(point)
    db.session.flush()
    return point


def rename_point(point: ChecklistPoint, text: str, seen: int) -> None:
    """Reword a point; past inspections show the new wording."""
    message = _("The point has been changed by someone else since you opened it.")
    check_version(point, seen, message)
    point.text = _point_text(text)
    flush_or_conflict(seen, message)


def set_point_active(point: ChecklistPoint, active: bool) -> None:
    """Take a point out of use (old inspections keep it) or back into use."""
    point.active = active
    db.session.flush()


def move_point(point: ChecklistPoint, step: int) -> None:
    """Move a point one place up (step -1) or down (+1) in the list."""
    ordered = points(point.council_id, active_only=False)
    index = ordered.index(point)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
    db.session.flush()


def _point_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise DomainError(_("Enter the point's text."), field="text")
    return text


# --- businesses -----------------------------------------------------------------------------


def add_business(council_id: int, data: BusinessData) -> Business:
    """Register a business (or a unit of it)."""
    ensure_checklist(council_id)
    business = Business(council_id=council_id, created_at=clock.now())
    _apply(business, _checked(council_id, data, None))
    with unless_taken(_taken(), field="orgnr"):
        db.session.add(business)
    return business


def update_business(business: Business, data: BusinessData, seen: int) -> None:
    """Change a business's details; refused if someone saved it after `seen`."""
    message = _(
        "The business has been changed by someone else since you opened it. Nothing was "
        "saved: compare with what is saved now and make your change again."
    )
    check_version(business, seen, message)
    _apply(business, _checked(business.council_id, data, business))
    with unless_taken(_taken(), field="orgnr"):
        flush_or_conflict(seen, message)


def find_business(council_id: int, orgnr: str, unit: str) -> Business | None:
    return db.session.scalars(
        db.select(Business).where(
            Business.council_id == council_id,
            Business.orgnr == orgnr,
            Business.unit_key == unit_key(unit),
        )
    ).one_or_none()


def _checked(council_id: int, data: BusinessData, own: Business | None) -> BusinessData:
    errors: dict[str | None, list[str]] = {}

    def check(call, *args):
        try:
            return call(*args)
        except DomainError as error:
            for name, message in error.field_errors:
                errors.setdefault(name, []).append(message)
            return None

    name = " ".join(data.name.split())
    if not name:
        errors["name"] = [_("Enter a name.")]
    orgnr = check(normalise_orgnr, data.orgnr)
    email = check(check_contact_email, data.contact_email)
    if data.place_id is not None and not db.session.scalar(
        db.select(Place.id).where(Place.id == data.place_id, Place.council_id == council_id)
    ):
        errors["place_id"] = [_("Choose a place from the list.")]
    if orgnr is not None:
        other = find_business(council_id, orgnr, data.unit)
        if other is not None and other is not own:
            errors.setdefault("orgnr", []).append(_taken())
    if errors:
        raise DomainError.from_errors(errors)
    return BusinessData(
        name=name,
        orgnr=orgnr or "",
        unit=" ".join(data.unit.split()),
        address=data.address.strip(),
        contact_name=data.contact_name.strip(),
        contact_email=email or "",
        phone=data.phone.strip(),
        industry=data.industry.strip(),
        place_id=data.place_id,
        chain=" ".join(data.chain.split()),
        offer_sent_on=data.offer_sent_on,
    )


def _apply(business: Business, data: BusinessData) -> None:
    for name in BusinessData.__dataclass_fields__:
        setattr(business, name, getattr(data, name))
    business.unit_key = unit_key(data.unit)


def _taken() -> str:
    return _("The register already has a business with this organisation number and unit.")


# --- where each business stands ---------------------------------------------------------------


def status_of(offer_sent_on: date | None, valid_until: date | None, today: date) -> BusinessStatus:
    """The status of a business whose latest certificate (issued by `today`) holds until
    `valid_until`."""
    if valid_until is not None:
        if valid_until < today:
            return BusinessStatus.EXPIRED
        if valid_until <= today + timedelta(days=REMINDER_DAYS):
            return BusinessStatus.EXPIRING
        return BusinessStatus.CERTIFIED
    if offer_sent_on is not None and offer_sent_on <= today:
        return BusinessStatus.OFFERED
    return BusinessStatus.REGISTERED


def register(
    council_id: int,
    today: date,
    status: BusinessStatus | None = None,
    place_id: int | None = None,
    search: str = "",
) -> Register:
    """The council's businesses with their status, filtered; the counts are of all statuses
    within the place and search filters. Two queries, whatever the number of rows."""
    latest = (
        db.select(Certificate.business_id, func.max(Certificate.valid_until).label("until"))
        .where(Certificate.council_id == council_id, Certificate.issued_on <= today)
        .group_by(Certificate.business_id)
        .subquery()
    )
    stmt = (
        db.select(Business, latest.c.until)
        .outerjoin(latest, latest.c.business_id == Business.id)
        .where(Business.council_id == council_id)
        .options(selectinload(Business.place))
        .order_by(Business.name, Business.unit, Business.id)
    )
    if place_id is not None:
        stmt = stmt.where(Business.place_id == place_id)
    words = search.strip()
    if words:
        digits = "".join(c for c in words if c.isdigit())
        pattern = f"%{words.casefold()}%"
        condition = func.lower(Business.name).like(pattern) | func.lower(Business.unit).like(
            pattern
        )
        if len(digits) >= 4:
            condition |= func.replace(Business.orgnr, "-", "").like(f"%{digits}%")
        stmt = stmt.where(condition)
    result = Register(rows=[])
    for business, until in db.session.execute(stmt).tuples():
        row = RegisterRow(business, status_of(business.offer_sent_on, until, today), until)
        result.counts[row.status] += 1
        result.total += 1
        if status is None or row.status is status:
            result.rows.append(row)
    return result


# --- figures for the indicators -------------------------------------------------------------


def certified_counts(council_id: int, on: date) -> tuple[int, int, int]:
    """(registered, offered, certified and valid) businesses of the council on the day `on`."""
    end_of_day = datetime.combine(on + timedelta(days=1), time(), clock.STOCKHOLM)
    registered = db.session.scalar(
        db.select(func.count()).where(
            Business.council_id == council_id, Business.created_at < end_of_day
        )
    )
    offered = db.session.scalar(
        db.select(func.count()).where(
            Business.council_id == council_id,
            Business.created_at < end_of_day,
            Business.offer_sent_on <= on,
        )
    )
    certified = db.session.scalar(
        db.select(func.count(func.distinct(Certificate.business_id))).where(
            Certificate.council_id == council_id,
            Certificate.issued_on <= on,
            Certificate.valid_until >= on,
        )
    )
    return registered or 0, offered or 0, certified or 0


def certified_share(council_id: int, on: date) -> float | None:
    """Certified businesses as a percentage (0–100) of those registered; None when none are."""
    return tool_shares.certified_shares(council_id, [on])[on]
