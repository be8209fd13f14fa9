"""Open311 GeoReport v2: the council's report categories as services and its residents'
reports as service requests, and a posted request turned into a report.

What a request shows is what the resident's tracking page shows, and less: the category,
the description, the place, the status, the body that fixes it and the latest public
reply. Never the reporter's e-mail address, the tracking secret, a photo, a staff
member's name or an internal comment. The list's filters follow the specification (ids,
service codes, a date range of at most the last 90 days by default, open/closed) with the
common `page`/`page_size` extension, on the indexes of the report table, so one page costs
the same two queries however many reports the council holds.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from brott.errors import DomainError
from brott.extensions import db
from brott.models import Council
from brott.models.reports import (
    CloseReason,
    EventKind,
    ReportCategory,
    ReportEvent,
    ReportSource,
    ResidentReport,
)
from brott.services import reports

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_SPAN = timedelta(days=90)
PAGE_SIZE_MAX = 1000  # the specification's "first 1000 requests"
PAGE_MAX = 1_000_000
IDS_MAX = PAGE_SIZE_MAX
MAX_ID = 2**31 - 1
STATUS_OPEN, STATUS_CLOSED = "open", "closed"
# the public events whose text explains the current status
NOTE_EVENTS = (EventKind.STATUS, EventKind.REPLY, EventKind.REOPENED)


# --- services -------------------------------------------------------------------------------


def service_name(category: ReportCategory, locale: str) -> str:
    """The category's name in `locale`: the English one when asked for and set."""
    return category.name_en if locale == "en" and category.name_en else category.name


def services(council_id: int, locale: str) -> list[dict[str, object]]:
    """The active categories as the service list."""
    found = []
    for category in reports.categories(council_id):
        other = category.name if service_name(category, locale) != category.name else ""
        found.append(
            {
                "service_code": category.service_code,
                "service_name": service_name(category, locale),
                "description": category.description,
                "metadata": False,  # no attributes: a definition adds nothing
                "type": "realtime",
                "keywords": other or category.name_en,
                "group": "",
            }
        )
    return found


def service_definition(category: ReportCategory) -> dict[str, object]:
    """A category's definition: no attributes, the description says everything."""
    return {"service_code": category.service_code, "attributes": []}


def discovery(council: Council, endpoint_url: str) -> dict[str, object]:
    """The discovery document: who runs the service, how to get a key, the endpoint."""
    settings = reports.settings_for(council.id)
    changeset = changeset_of(council.id)
    contact = settings.contact_text or _("The service is run by %(council)s.", council=council.name)
    if settings.open311_key_required:
        key_service = _(
            "Posting a request needs an API key; ask the coordinators of %(council)s for one.",
            council=council.name,
        )
    else:
        key_service = _(
            "No API key is needed to post a request; the coordinators of %(council)s hand "
            "out keys to clients that want one.",
            council=council.name,
        )
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def changeset_of(council_id: int) -> str:
    """A sortable mark that grows whenever a category (a service) is added or changed:
    each change raises a category's version by one."""
    versions = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(ReportCategory.version), 0)).where(
            ReportCategory.council_id == council_id
        )
    )
    return f"{int(versions or 0):012d}"


# --- the request list -----------------------------------------------------------------------


@dataclass
class RequestQuery:
    """What a GET of the request list asks for (see open311/formats for the arguments)."""

    ids: list[int] | None = None  # given: only these (an empty list names none)
    service_codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    statuses: set[str] = field(default_factory=set)
    page: int = 1
    page_size: int = PAGE_SIZE_MAX


def find_requests(council_id: int, query: RequestQuery, now: datetime) -> list[ResidentReport]:
    """One page of the council's reports that `query` asks for, newest first; ids, when
    given, override every other argument (as the specification says). Without any date the
    range is the last 90 days; with an end alone, the 90 days before it."""
    stmt = (
        db.select(ResidentReport)
        .where(ResidentReport.council_id == council_id)
        .options(joinedload(ResidentReport.category), joinedload(ResidentReport.body))
    )
    if query.ids is not None:
        stmt = stmt.where(ResidentReport.id.in_(query.ids)).order_by(ResidentReport.id)
        return list(db.session.scalars(stmt))
    if query.service_codes:
        stmt = stmt.where(
            ResidentReport.category_id.in_(
                db.select(ReportCategory.id).where(
                    ReportCategory.council_id == council_id,
                    ReportCategory.service_code.in_(query.service_codes),
                )
            )
        )
    start = query.start
    if not (start or query.end or query.updated_after or query.updated_before):
        start = now - DEFAULT_SPAN
    elif query.end is not None and start is None:
        start = query.end - DEFAULT_SPAN
    if start is not None:
        stmt = stmt.where(ResidentReport.created_at >= start)
    if query.end is not None:
        stmt = stmt.where(ResidentReport.created_at <= query.end)
    if query.updated_after is not None:
        stmt = stmt.where(ResidentReport.updated_at >= query.updated_after)
    if query.updated_before is not None:
        stmt = stmt.where(ResidentReport.updated_at <= query.updated_before)
    if query.statuses == {STATUS_OPEN}:
        stmt = stmt.where(ResidentReport.is_open.is_(True))
    elif query.statuses == {STATUS_CLOSED}:
        stmt = stmt.where(ResidentReport.is_open.is_(False))
    # a range of updates only walks the updated index; otherwise the created one
    by_updates = start is None and query.end is None
    newest = ResidentReport.updated_at if by_updates else ResidentReport.created_at
    stmt = (
        stmt.order_by(newest.desc(), ResidentReport.id.desc())
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    return list(db.session.scalars(stmt))


def find_request(council_id: int, report_id: int) -> ResidentReport | None:
    """The council's report `report_id`, with what a request shows of it."""
    return db.session.scalar(
        db.select(ResidentReport)
        .where(ResidentReport.council_id == council_id, ResidentReport.id == report_id)
        .options(joinedload(ResidentReport.category), joinedload(ResidentReport.body))
    )


def status_notes(found: list[ResidentReport]) -> dict[int, str]:
    """Each report's status note: why it is where it is, from public events only — the
    referral of one that is not ours, else the text of its latest public status change or
    reply. One query for the whole page."""
    if not found:
        return {}
    latest = (
        db.select(db.func.max(ReportEvent.id))
        .where(
            ReportEvent.report_id.in_([report.id for report in found]),
            ReportEvent.public.is_(True),
            ReportEvent.kind.in_(NOTE_EVENTS),
        )
        .group_by(ReportEvent.report_id)
    )
    rows = db.session.execute(
        db.select(ReportEvent.report_id, ReportEvent.text).where(ReportEvent.id.in_(latest))
    )
    texts: dict[int, str] = {report_id: text for report_id, text in rows}
    notes = {}
    for report in found:
        note = texts.get(report.id, "")
        if report.close_reason is CloseReason.NOT_OURS and report.referral:
            note = report.referral
        elif report.close_reason is CloseReason.DUPLICATE and not note:
            note = _("Duplicate of request %(id)s.", id=report.duplicate_of_id)
        notes[report.id] = note
    return notes


def request_item(report: ResidentReport, note: str, locale: str) -> dict[str, object]:
    """A report as a service request: the specification's fields, nothing of a person."""
    return {
        "service_request_id": str(report.id),
        "status": STATUS_OPEN if report.is_open else STATUS_CLOSED,
        "status_notes": note,
        "service_name": service_name(report.category, locale),
        "service_code": report.category.service_code,
        "description": report.description,
        "agency_responsible": report.body.name if report.body is not None else "",
        "service_notice": "",
        "requested_datetime": report.created_at,
        "updated_datetime": report.updated_at,
        "address": report.address,
        "address_id": "",
        "zipcode": "",
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": "",  # photos are for staff: none is public
    }


# --- posting a request ----------------------------------------------------------------------


def report_data(
    category: ReportCategory, fields: Mapping[str, str], locale: str
) -> reports.ReportData:
    """A posted request as a report; DomainError when its location is missing or malformed
    (everything else is checked by `reports.check`, as for the web form). Names, phone
    numbers, device and account ids are not kept; a media_url is never fetched."""
    lat_text = (fields.get("lat") or "").strip()
    long_text = (fields.get("long") or "").strip()
    address = (fields.get("address_string") or "").strip()
    latitude = longitude = None
    if lat_text or long_text:
        if not (lat_text and long_text):
            raise DomainError(_("Send both lat and long, or neither."), "lat")
        try:
            latitude, longitude = float(lat_text), float(long_text)
        except ValueError:
            raise DomainError(
                _("lat and long must be decimal degrees (WGS84), e.g. 60.4858 and 15.4371."),
                "lat",
            ) from None
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            raise DomainError(_("The coordinates are not a point on the map."), "lat")
    elif not address:
        if (fields.get("address_id") or "").strip():
            message = _(
                "An address_id cannot be looked up here; send lat and long, or address_string."
            )
        else:
            message = _("Say where it is: send lat and long, or address_string.")
        raise DomainError(message, "address_string")
    return reports.ReportData(
        category_id=category.id,
        address=address,
        description=fields.get("description") or "",
        latitude=latitude,
        longitude=longitude,
        email=fields.get("email") or "",
        locale=locale,
        source=ReportSource.OPEN311,
    )


def created_item(report: ResidentReport) -> dict[str, object]:
    """The answer to a posted request: its id (never the tracking secret)."""
    return {"service_request_id": str(report.id), "service_notice": "", "account_id": ""}
