"""Residents' reports: filing one (from the web form or Open311), routing it to the body that
fixes it, "me too", the resident's tracking link and the question whether it stayed fixed.

What staff do to a report (status, replies, closing, reassigning) is in
services/report_handling; the e-mails are in services/report_notices. The same `submit`
serves the public form and Open311, so both get the same checks: a category of the council,
a place in words or a point inside the council's territory, a description within the limit
and free of personal data, a valid e-mail address if any, a photo that is a photo.
"""

import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from brott.errors import DomainError
from brott.extensions import db, rows_affected
from brott.models import Place
from brott.models.reports import (
    OPEN_STATUSES,
    EventKind,
    ReportCategory,
    ReportEvent,
    ReportSettings,
    ReportSource,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
    ResponsibleBody,
    RoutingRule,
)
from brott.services import geo, personal_data, photos, report_notices

ADDRESS_MAX = 200
DESCRIPTION_MAX = 2000
EMAIL_MAX = 254
NEAREST_PLACE_M = 400  # a report's place: the council's place nearest its point, this close
NEARBY_LIMIT = 5  # open reports shown before filing one more
TOKEN_BYTES = 24  # of a tracking link: 192 random bits

# the territory of a council that has not set its own: Sweden
SWEDEN = (55.0, 69.1, 10.9, 24.2)  # min_lat, max_lat, min_lon, max_lon


@dataclass
class ReportData:
    """A report as a resident (or an Open311 client) sends it."""

    category_id: int | None
    address: str
    description: str
    latitude: float | None = None
    longitude: float | None = None
    email: str = ""
    locale: str = "sv"
    source: ReportSource = ReportSource.WEB


# --- the council's service ---------------------------------------------------------------


def settings_for(council_id: int) -> ReportSettings:
    """The council's report settings, made with the defaults on first use."""
    found = db.session.scalar(
        db.select(ReportSettings).where(ReportSettings.council_id == council_id)
    )
    if found is not None:
        return found
    lat0, lat1, lon0, lon1 = SWEDEN
    made = ReportSettings(
        council_id=council_id,
        min_latitude=lat0,
        max_latitude=lat1,
        min_longitude=lon0,
        max_longitude=lon1,
        nearby_metres=250,
        follow_up_weeks=4,
        email_retention_days=90,
        open311_key_required=True,
        contact_text="",
    )
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except sa_exc.IntegrityError:  # another request made it meanwhile
        return db.session.scalars(
            db.select(ReportSettings).where(ReportSettings.council_id == council_id)
        ).one()
    return made


def categories(council_id: int, include_inactive: bool = False) -> list[ReportCategory]:
    """The council's report categories in their order; the active ones unless asked."""
    stmt = db.select(ReportCategory).where(ReportCategory.council_id == council_id)
    if not include_inactive:
        stmt = stmt.where(ReportCategory.active.is_(True))
    return list(db.session.scalars(stmt.order_by(ReportCategory.position, ReportCategory.name)))


def category_by_code(council_id: int, code: str) -> ReportCategory | None:
    """The active category with Open311 service code `code`."""
    if not code or len(code) > 40:
        return None
    return db.session.scalar(
        db.select(ReportCategory).where(
            ReportCategory.council_id == council_id,
            ReportCategory.service_code == code,
            ReportCategory.active.is_(True),
        )
    )


# --- checking and filing -------------------------------------------------------------------


def check(council_id: int, data: ReportData) -> dict[str | None, list[str]]:
    """What is wrong with `data`, per field (empty when nothing is)."""
    errors: dict[str | None, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    category = db.session.get(ReportCategory, data.category_id) if data.category_id else None
    if category is None or category.council_id != council_id or not category.active:
        refuse("category_id", _("Choose what the report is about."))
    point = data.latitude is not None or data.longitude is not None
    if not data.address.strip() and not point:
        refuse("address", _("Say where it is: an address or a place, or a point on the map."))
    if len(data.address) > ADDRESS_MAX:
        refuse("address", _("Write the place in at most %(n)d characters.", n=ADDRESS_MAX))
    if point:
        message = point_problem(council_id, data.latitude, data.longitude)
        if message:
            refuse("latitude", message)
    description = data.description.strip()
    # the specification makes an Open311 request's description optional: the category and
    # the place may say enough ("street light out" at a point)
    if not description and data.source is not ReportSource.OPEN311:
        refuse("description", _("Describe what you want to report."))
    elif len(description) > DESCRIPTION_MAX:
        refuse(
            "description",
            _(
                "The description is %(length)d characters long; at most %(n)d are allowed.",
                length=len(description),
                n=DESCRIPTION_MAX,
            ),
        )
    for field, text in (("description", description), ("address", data.address)):
        try:
            personal_data.check_text(text, field)
        except DomainError as found:
            for message in found.errors.get(field, [found.message]):
                refuse(field, message)
    if data.email.strip():
        try:
            normalised_email(data.email)
        except DomainError as found:
            refuse("email", found.message)
    return errors


def point_problem(council_id: int, lat: float | None, lon: float | None) -> str:
    """Why a point cannot be used (both coordinates, finite, inside the territory); "" if it can."""
    if lat is None or lon is None:
        return _("Give both latitude and longitude, or neither.")
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return _("The coordinates are not a point on the map.")
    settings = settings_for(council_id)
    if not (
        settings.min_latitude <= lat <= settings.max_latitude
        and settings.min_longitude <= lon <= settings.max_longitude
    ):
        return _("The point lies outside the council's area; choose a point within it.")
    return ""


def normalised_email(raw: str) -> str:
    """The address, checked for form (no lookup), lower-cased; DomainError when it is none."""
    text = raw.strip()
    if len(text) > EMAIL_MAX:
        raise DomainError(_("The e-mail address is too long."), "email")
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(_("Check the e-mail address; it is not a valid one."), "email") from None
    return valid.normalized.lower()


def submit(
    council_id: int, data: ReportData, now: datetime, photo: FileStorage | None = None
) -> ResidentReport:
    """File a report: checked as a whole, routed, recorded with its first event, and its body
    told by e-mail (through the outbox, once). DomainError with every problem otherwise."""
    errors = check(council_id, data)
    if errors:
        raise DomainError.from_errors(errors)
    category = db.session.get(ReportCategory, data.category_id)
    assert category is not None  # checked
    place = nearest_place(council_id, data.latitude, data.longitude)
    saved_photo = photos.save_upload(council_id, photo, now) if photo is not None else None
    report = ResidentReport(
        council_id=council_id,
        token=new_token(),
        category=category,
        body=route(category, place),
        status=ReportStatus.NEW,
        is_open=True,
        address=" ".join(data.address.split()),
        latitude=data.latitude,
        longitude=data.longitude,
        place=place,
        description=data.description.strip(),
        photo=saved_photo,
        email=normalised_email(data.email) if data.email.strip() else None,
        locale=data.locale if data.locale in ("sv", "en") else "sv",
        source=data.source,
        supporters=0,
        created_at=now,
        updated_at=now,
    )
    report.events.append(
        ReportEvent(
            at=now,
            kind=EventKind.SUBMITTED,
            public=True,
            new_status=ReportStatus.NEW,
            body=report.body,
        )
    )
    db.session.add(report)
    db.session.flush()
    report_notices.new_report(report, now)
    return report


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def route(category: ReportCategory, place: Place | None) -> ResponsibleBody | None:
    """The body a report of `category` at `place` goes to: an area rule of the category for
    the place's area, else the category's body (None: the coordinators route it by hand)."""
    if place is not None and place.area.strip():
        rule = db.session.scalar(
            db.select(RoutingRule)
            .where(
                RoutingRule.category_id == category.id,
                RoutingRule.area_key == " ".join(place.area.split()).casefold(),
            )
            .options(joinedload(RoutingRule.body))
        )
        if rule is not None and rule.body.active:
            return rule.body
    if category.body is not None and category.body.active:
        return category.body
    return None


def nearest_place(council_id: int, lat: float | None, lon: float | None) -> Place | None:
    """The council's active place nearest the point, if one lies within NEAREST_PLACE_M."""
    if lat is None or lon is None:
        return None
    lat0, lat1, lon0, lon1 = geo.box(lat, lon, NEAREST_PLACE_M)
    candidates = db.session.scalars(
        db.select(Place).where(
            Place.council_id == council_id,
            Place.active.is_(True),
            Place.latitude.between(lat0, lat1),
            Place.longitude.between(lon0, lon1),
        )
    )
    measured = [
        (geo.metres(lat, lon, place.latitude, place.longitude), place.name, place)
        for place in candidates
        if place.latitude is not None and place.longitude is not None
    ]
    near = [item for item in measured if item[0] <= NEAREST_PLACE_M]
    return min(near, key=lambda item: (item[0], item[1]))[2] if near else None


def nearby_open(
    council_id: int,
    category_id: int,
    lat: float,
    lon: float,
    radius_m: float,
    limit: int = NEARBY_LIMIT,
) -> list[tuple[ResidentReport, float]]:
    """Open reports of the category within `radius_m` of the point, nearest first: a band of
    latitude on the index (council, category, open, latitude), then measured."""
    lat0, lat1, lon0, lon1 = geo.box(lat, lon, radius_m)
    stmt = (
        db.select(ResidentReport)
        .where(
            ResidentReport.council_id == council_id,
            ResidentReport.category_id == category_id,
            ResidentReport.is_open.is_(True),
            ResidentReport.latitude.between(lat0, lat1),
            ResidentReport.longitude.between(lon0, lon1),
        )
        .options(joinedload(ResidentReport.category))
        .order_by(ResidentReport.created_at.desc())
        .limit(200)  # a street can hold many; the nearest few are what a resident reads
    )
    found = []
    for report in db.session.scalars(stmt):
        assert report.latitude is not None and report.longitude is not None  # filtered
        distance = geo.metres(lat, lon, report.latitude, report.longitude)
        if distance <= radius_m:
            found.append((report, distance))
    return sorted(found, key=lambda item: (item[1], -item[0].id))[:limit]


# --- residents following a report ------------------------------------------------------------


def support(report: ResidentReport, email: str, locale: str, now: datetime) -> ReportSupporter:
    """Add "me too" to an open report (to its original, when it is a duplicate); with an
    address the supporter gets its updates. DomainError when the report is no longer open.

    The count goes up in one UPDATE that checks the report is still open, so residents
    pressing at once are all counted, and a staff member's form loaded meanwhile is not
    made stale by it (the report's version stays)."""
    target = original_of(report)
    if not target.is_open or not add_supporters(target, 1):
        raise DomainError(_("This report is no longer open; file a new one if it is back."))
    address = normalised_email(email) if email.strip() else None
    supporter = ReportSupporter(
        report_id=target.id,
        token=new_token(),
        email=address,
        locale=locale if locale in ("sv", "en") else "sv",
        created_at=now,
    )
    db.session.add_all(
        [supporter, ReportEvent(report_id=target.id, at=now, kind=EventKind.SUPPORTED, public=True)]
    )
    db.session.flush()
    return supporter


def add_supporters(report: ResidentReport, count: int) -> bool:
    """Count `count` more supporters on the report if it is open, in one statement that
    leaves its version alone; whether it was open."""
    done = db.session.execute(
        db.update(ResidentReport)
        .where(ResidentReport.id == report.id, ResidentReport.is_open.is_(True))
        .values(supporters=ResidentReport.supporters + count)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(report, ["supporters"])
    return bool(rows_affected(done))


def original_of(report: ResidentReport) -> ResidentReport:
    """The report a duplicate was merged into (following the chain), or the report itself."""
    seen = {report.id}
    while report.duplicate_of is not None and report.duplicate_of.id not in seen:
        report = report.duplicate_of
        seen.add(report.id)
    return report


def by_token(council_id: int, token: str) -> tuple[ResidentReport, ReportSupporter | None] | None:
    """The report a tracking link names (a reporter's or a supporter's), or None."""
    if not token or len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    report = db.session.scalar(
        db.select(ResidentReport).where(
            ResidentReport.council_id == council_id, ResidentReport.token == token
        )
    )
    if report is not None:
        return report, None
    row = db.session.execute(
        db.select(ResidentReport, ReportSupporter)
        .join(ReportSupporter, ReportSupporter.report_id == ResidentReport.id)
        .where(ResidentReport.council_id == council_id, ReportSupporter.token == token)
    ).first()
    return (row[0], row[1]) if row is not None else None


def public_events(report: ResidentReport) -> list[ReportEvent]:
    """What residents see of a report's history: public events, without names."""
    return [event for event in report.events if event.public]


def is_open_status(status: ReportStatus) -> bool:
    return status in OPEN_STATUSES
