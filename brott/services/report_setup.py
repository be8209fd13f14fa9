"""Setting up a council's report service: its settings, the categories residents choose from,
the responsible bodies that fix what is reported, and the rules that route a category in an
area to another body than the category's own.

Coordinators do this on the setup pages (reports/setup_views); a new council gets the
default categories (`seed_defaults`) and chooses their bodies itself. Nothing here is ever
deleted but a routing rule: a category or a body is taken out of use, since reports keep
theirs. A category's service code names it to Open311 clients, so it stays as it is once
reports of the category exist.
"""

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy.orm import joinedload

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Membership, PartnerOrganisation, Place
from brott.models.place import name_key
from brott.models.reports import (
    BodyKind,
    ReportCategory,
    ReportSettings,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
)
from brott.services import reports
from brott.services.uniqueness import unless_taken
from brott.services.versions import check_version, flush_or_conflict

CATEGORY_NAME_MAX = 80
CATEGORY_DESCRIPTION_MAX = 300
BODY_NAME_MAX = 200
CONTACT_TEXT_MAX = 300
POSITION_MAX = 10_000
SERVICE_CODE = re.compile(r"^[a-z0-9_-]{2,40}$")
SERVICE_CODE_MAX = 40
NEARBY_METRES = (10, 5000)
FOLLOW_UP_WEEKS = (1, 26)
EMAIL_RETENTION_DAYS = (7, 730)

# the categories a new council starts with: service code, Swedish name, English name
DEFAULT_CATEGORIES = (
    ("belysning", "Trasig eller släckt gatubelysning", "Dark or broken street lighting"),
    ("skadegorelse", "Skadegörelse", "Vandalism"),
    ("klotter", "Klotter", "Graffiti"),
    ("nedskrapning", "Nedskräpning", "Littering"),
    ("otrygg-plats", "Otrygg plats", "An unsafe place"),
    ("vegetation", "Igenväxt växtlighet", "Overgrown vegetation"),
    ("ovrigt", "Övrigt", "Other"),
)

SETTINGS_CONFLICT = _l(
    "The settings have been changed by someone else since you opened them. Nothing was "
    "saved: compare with what is saved now and make your change again."
)
CATEGORY_CONFLICT = _l(
    "The category has been changed by someone else since you opened it. Nothing was saved: "
    "compare with what is saved now and make your change again."
)
BODY_CONFLICT = _l(
    "The body has been changed by someone else since you opened it. Nothing was saved: "
    "compare with what is saved now and make your change again."
)


@dataclass
class SettingsData:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float
    nearby_metres: int
    follow_up_weeks: int
    email_retention_days: int
    open311_key_required: bool
    contact_text: str = ""


@dataclass
class CategoryData:
    name: str
    service_code: str = ""  # blank: suggested from the name
    name_en: str = ""
    description: str = ""
    body_id: int | None = None  # None: coordinators route its reports by hand
    position: int = 0
    active: bool = True


@dataclass
class BodyData:
    name: str
    kind: BodyKind
    contact_email: str
    partner_id: int | None = None
    active: bool = True


class _Errors(dict[str | None, list[str]]):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self:
            raise DomainError.from_errors(self)


# --- the settings --------------------------------------------------------------------------


def save_settings(council_id: int, data: SettingsData, seen_version: int) -> ReportSettings:
    """Change the council's report settings; refused when they were saved after `seen_version`."""
    settings = reports.settings_for(council_id)
    check_version(settings, seen_version, str(SETTINGS_CONFLICT))
    _check_settings(data).raise_any()
    settings.min_latitude, settings.max_latitude = data.min_latitude, data.max_latitude
    settings.min_longitude, settings.max_longitude = data.min_longitude, data.max_longitude
    settings.nearby_metres = data.nearby_metres
    settings.follow_up_weeks = data.follow_up_weeks
    settings.email_retention_days = data.email_retention_days
    settings.open311_key_required = data.open311_key_required
    settings.contact_text = data.contact_text.strip()
    flush_or_conflict(seen_version, str(SETTINGS_CONFLICT))
    return settings


def _check_settings(data: SettingsData) -> _Errors:
    errors = _Errors()
    for field, value, limit in (
        ("min_latitude", data.min_latitude, 90),
        ("max_latitude", data.max_latitude, 90),
        ("min_longitude", data.min_longitude, 180),
        ("max_longitude", data.max_longitude, 180),
    ):
        if not -limit <= value <= limit:
            errors.add(field, _("Enter degrees from -%(n)d to %(n)d.", n=limit))
    for low_field, high_field, message in (
        ("min_latitude", "max_latitude", _("The northern limit must lie north of the southern.")),
        ("min_longitude", "max_longitude", _("The eastern limit must lie east of the western.")),
    ):
        both_valid = low_field not in errors and high_field not in errors
        if both_valid and getattr(data, low_field) >= getattr(data, high_field):
            errors.add(high_field, message)
    for field, value, (low, high) in (
        ("nearby_metres", data.nearby_metres, NEARBY_METRES),
        ("follow_up_weeks", data.follow_up_weeks, FOLLOW_UP_WEEKS),
        ("email_retention_days", data.email_retention_days, EMAIL_RETENTION_DAYS),
    ):
        if not low <= value <= high:
            errors.add(field, _("Enter a number from %(low)d to %(high)d.", low=low, high=high))
    if len(data.contact_text.strip()) > CONTACT_TEXT_MAX:
        errors.add("contact_text", _too_long(CONTACT_TEXT_MAX))
    return errors


# --- categories ----------------------------------------------------------------------------


def add_category(council_id: int, data: CategoryData) -> ReportCategory:
    """A new category; its name and service code are unique within the council."""
    if not data.service_code.strip():
        data.service_code = free_code(council_id, suggested_code(data.name))
    _check_category(council_id, data, None).raise_any()
    category = ReportCategory(council_id=council_id)
    with unless_taken(_category_taken()):
        _apply_category(category, data)
        db.session.add(category)
    return category


def update_category(category: ReportCategory, data: CategoryData, seen_version: int) -> None:
    """Change a category; its service code only while no report has it. Refused when the
    category was saved after `seen_version`."""
    check_version(category, seen_version, str(CATEGORY_CONFLICT))
    if not data.service_code.strip():
        data.service_code = category.service_code
    _check_category(category.council_id, data, category).raise_any()
    with unless_taken(_category_taken()):
        _apply_category(category, data)
        flush_or_conflict(seen_version, str(CATEGORY_CONFLICT))


def _apply_category(category: ReportCategory, data: CategoryData) -> None:
    category.name = " ".join(data.name.split())
    category.name_en = " ".join(data.name_en.split())
    category.service_code = data.service_code.strip()
    category.description = data.description.strip()
    category.body_id = data.body_id
    category.position = data.position
    category.active = data.active


def _check_category(council_id: int, data: CategoryData, own: ReportCategory | None) -> _Errors:
    errors = _Errors()
    name = " ".join(data.name.split())
    if not name:
        errors.add("name", _("Enter a name."))
    elif len(name) > CATEGORY_NAME_MAX:
        errors.add("name", _too_long(CATEGORY_NAME_MAX))
    elif _category_with(council_id, ReportCategory.name_key, name_key(name), own):
        errors.add("name", _("There is already a category with that name."))
    if len(" ".join(data.name_en.split())) > CATEGORY_NAME_MAX:
        errors.add("name_en", _too_long(CATEGORY_NAME_MAX))
    code = data.service_code.strip()
    if not SERVICE_CODE.match(code):
        errors.add(
            "service_code",
            _("Use 2–40 characters: a–z, 0–9, hyphen and underscore, e.g. “street-lighting”."),
        )
    elif own is not None and code != own.service_code and has_reports(own.id):
        errors.add(
            "service_code",
            _(
                "Reports of this category exist, and report apps know it by its service code: "
                "it cannot change any more."
            ),
        )
    elif _category_with(council_id, ReportCategory.service_code, code, own):
        errors.add("service_code", _("Another category has this service code."))
    if len(data.description.strip()) > CATEGORY_DESCRIPTION_MAX:
        errors.add("description", _too_long(CATEGORY_DESCRIPTION_MAX))
    if data.body_id is not None and not _usable_body(
        council_id, data.body_id, own.body_id if own else None
    ):
        errors.add("body_id", _("Choose one of the council's active bodies."))
    if not 0 <= data.position <= POSITION_MAX:
        errors.add(
            "position", _("Enter a number from %(low)d to %(high)d.", low=0, high=POSITION_MAX)
        )
    return errors


def _category_with(council_id: int, column, value: str, own: ReportCategory | None) -> bool:
    stmt = db.select(ReportCategory.id).where(
        ReportCategory.council_id == council_id, column == value
    )
    if own is not None:
        stmt = stmt.where(ReportCategory.id != own.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _category_taken() -> str:
    return _("There is already a category with that name or service code.")


def categories(council_id: int) -> list[ReportCategory]:
    """All the council's categories in their order, in use or not, with their bodies."""
    stmt = (
        db.select(ReportCategory)
        .where(ReportCategory.council_id == council_id)
        .options(joinedload(ReportCategory.body))
        .order_by(ReportCategory.position, ReportCategory.name)
    )
    return list(db.session.scalars(stmt))


def has_reports(category_id: int) -> bool:
    """Whether any report has this category (its service code is then fixed)."""
    stmt = db.select(ResidentReport.id).where(ResidentReport.category_id == category_id)
    return db.session.scalar(stmt.limit(1)) is not None


def suggested_code(name: str) -> str:
    """A service code made from a name: "Trasig belysning" → "trasig-belysning"."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c))
    code = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:SERVICE_CODE_MAX].strip("-")
    return code if len(code) >= 2 else "kategori"


def free_code(council_id: int, code: str) -> str:
    """`code`, or `code-2`, `code-3`… when the council has it already."""
    taken = set(
        db.session.scalars(
            db.select(ReportCategory.service_code).where(ReportCategory.council_id == council_id)
        )
    )
    candidate, n = code, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = code[: SERVICE_CODE_MAX - len(suffix)] + suffix, n + 1
    return candidate


def seed_defaults(council_id: int) -> list[ReportCategory]:
    """Give a council the default categories (without a body), those it lacks by service
    code or name; safe to call again. Returns the ones added."""
    existing = db.session.execute(
        db.select(ReportCategory.service_code, ReportCategory.name_key).where(
            ReportCategory.council_id == council_id
        )
    ).all()
    codes = {code for code, _key in existing}
    keys = {key for _code, key in existing}
    added = []
    for position, (code, name, name_en) in enumerate(DEFAULT_CATEGORIES, start=1):
        if code in codes or name_key(name) in keys:
            continue
        category = ReportCategory(
            council_id=council_id,
            name=name,
            name_en=name_en,
            service_code=code,
            description="",
            position=position * 10,
            active=True,
        )
        db.session.add(category)
        added.append(category)
    db.session.flush()
    return added


# --- responsible bodies -------------------------------------------------------------------


def add_body(council_id: int, data: BodyData) -> ResponsibleBody:
    """A new responsible body; names are unique within the council."""
    email = _check_body(council_id, data, None)
    body = ResponsibleBody(council_id=council_id)
    with unless_taken(_body_taken()):
        _apply_body(body, data, email)
        db.session.add(body)
    return body


def update_body(body: ResponsibleBody, data: BodyData, seen_version: int) -> None:
    """Change a body; taking it out of use is refused while it has open reports. Refused
    when the body was saved after `seen_version`."""
    check_version(body, seen_version, str(BODY_CONFLICT))
    email = _check_body(body.council_id, data, body)
    with unless_taken(_body_taken()):
        _apply_body(body, data, email)
        flush_or_conflict(seen_version, str(BODY_CONFLICT))


def _apply_body(body: ResponsibleBody, data: BodyData, email: str) -> None:
    body.name = " ".join(data.name.split())
    body.kind = data.kind
    body.partner_id = data.partner_id
    body.contact_email = email
    body.active = data.active


def _check_body(council_id: int, data: BodyData, own: ResponsibleBody | None) -> str:
    """The body's contact address, normalised; DomainError with every problem of `data`."""
    errors = _Errors()
    name = " ".join(data.name.split())
    if not name:
        errors.add("name", _("Enter a name."))
    elif len(name) > BODY_NAME_MAX:
        errors.add("name", _too_long(BODY_NAME_MAX))
    else:
        stmt = db.select(ResponsibleBody.id).where(
            ResponsibleBody.council_id == council_id, ResponsibleBody.name_key == name_key(name)
        )
        if own is not None:
            stmt = stmt.where(ResponsibleBody.id != own.id)
        if db.session.scalar(stmt.limit(1)) is not None:
            errors.add("name", _("There is already a body with that name."))
    if data.partner_id is not None:
        partner = db.session.get(PartnerOrganisation, data.partner_id)
        if partner is None or partner.council_id != council_id:
            errors.add("partner_id", _("Choose one of the council's partner organisations."))
    email = ""
    if not data.contact_email.strip():
        errors.add("contact_email", _("Enter the address that receives new reports."))
    else:
        try:
            email = reports.normalised_email(data.contact_email)
        except DomainError as error:
            errors.add("contact_email", error.message)
    if own is not None and own.active and not data.active:
        still_open = open_reports(own.id)
        if still_open:
            errors.add(
                "active",
                ngettext(
                    "The body still has %(num)d open report. Reassign it to another body first.",
                    "The body still has %(num)d open reports. Reassign them to another body first.",
                    still_open,
                ),
            )
    errors.raise_any()
    return email


def _body_taken() -> str:
    return _("There is already a body with that name.")


def open_reports(body_id: int) -> int:
    """How many open reports the body has."""
    stmt = db.select(func.count(ResidentReport.id)).where(
        ResidentReport.body_id == body_id, ResidentReport.is_open.is_(True)
    )
    return db.session.scalar(stmt) or 0


def _usable_body(council_id: int, body_id: int, current: int | None) -> bool:
    """Whether a body may be chosen: one of the council's active bodies, or the one already
    chosen (which may have been taken out of use since)."""
    body = db.session.get(ResponsibleBody, body_id)
    return (
        body is not None and body.council_id == council_id and (body.active or body.id == current)
    )


def bodies(council_id: int, active_only: bool = False) -> list[ResponsibleBody]:
    """The council's bodies by name, with their partner organisation."""
    stmt = (
        db.select(ResponsibleBody)
        .where(ResponsibleBody.council_id == council_id)
        .options(joinedload(ResponsibleBody.partner))
        .order_by(ResponsibleBody.name_key)
    )
    if active_only:
        stmt = stmt.where(ResponsibleBody.active.is_(True))
    return list(db.session.scalars(stmt))


def body_named(council_id: int, name: str) -> ResponsibleBody | None:
    """The council's active body of this name (ignoring case and spacing), for the shell."""
    return db.session.scalar(
        db.select(ResponsibleBody).where(
            ResponsibleBody.council_id == council_id,
            ResponsibleBody.name_key == name_key(name),
            ResponsibleBody.active.is_(True),
        )
    )


def body_names(council_id: int) -> dict[int, str]:
    """The names of the council's bodies by id (for lists of memberships and invitations)."""
    rows = db.session.execute(
        db.select(ResponsibleBody.id, ResponsibleBody.name).where(
            ResponsibleBody.council_id == council_id
        )
    )
    return {body_id: name for body_id, name in rows}


def staff_counts(council_id: int) -> dict[int, int]:
    """How many active staff accounts each body of the council has."""
    rows = db.session.execute(
        db.select(Membership.body_id, func.count(Membership.id))
        .where(
            Membership.council_id == council_id,
            Membership.active.is_(True),
            Membership.body_id.is_not(None),
        )
        .group_by(Membership.body_id)
    )
    return {body_id: n for body_id, n in rows}


# --- routing rules -------------------------------------------------------------------------


def areas(council_id: int) -> list[str]:
    """The areas the council's places lie in, each once, by name."""
    found = db.session.scalars(
        db.select(Place.area).where(Place.council_id == council_id, Place.area != "").distinct()
    )
    by_key = {name_key(area): " ".join(area.split()) for area in found if area.strip()}
    return sorted(by_key.values(), key=name_key)


def rules(council_id: int) -> list[RoutingRule]:
    """The council's routing rules with their categories and bodies."""
    stmt = (
        db.select(RoutingRule)
        .where(RoutingRule.council_id == council_id)
        .join(RoutingRule.category)
        .options(joinedload(RoutingRule.category), joinedload(RoutingRule.body))
        .order_by(ReportCategory.position, ReportCategory.name, RoutingRule.area_key)
    )
    return list(db.session.scalars(stmt))


def add_rule(
    council_id: int, category_id: int | None, area: str, body_id: int | None
) -> RoutingRule:
    """Reports of a category in an area go to `body_id`; one rule per category and area."""
    errors = _Errors()
    category = db.session.get(ReportCategory, category_id) if category_id else None
    if category is None or category.council_id != council_id:
        errors.add("category_id", _("Choose a category."))
    known = {name_key(a): a for a in areas(council_id)}
    area_name = known.get(name_key(area))
    if area_name is None:
        errors.add("area", _("Choose one of the areas of the council's places."))
    if body_id is None or not _usable_body(council_id, body_id, None):
        errors.add("body_id", _("Choose one of the council's active bodies."))
    if category is not None and area_name is not None:
        stmt = db.select(RoutingRule.id).where(
            RoutingRule.category_id == category.id, RoutingRule.area_key == name_key(area_name)
        )
        if db.session.scalar(stmt) is not None:
            errors.add("area", _("This category already has a rule for this area."))
    errors.raise_any()
    assert category is not None and area_name is not None and body_id is not None  # checked
    rule = RoutingRule(council_id=council_id, category_id=category.id, body_id=body_id)
    with unless_taken(_("This category already has a rule for this area."), field="area"):
        rule.area = area_name
        db.session.add(rule)
    return rule


def delete_rule(rule: RoutingRule) -> None:
    """Remove a routing rule: the category's own body gets the area's reports again."""
    db.session.delete(rule)
    db.session.flush()


def _too_long(limit: int) -> str:
    return _("Write at most %(n)d characters.", n=limit)
