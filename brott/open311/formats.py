"""Open311 GeoReport v2 on the wire: JSON and XML answers, the error shape, and datetimes.

One answer is built once as plain data (dicts, lists, strings, numbers, booleans, None)
and written in either format. XML follows the specification's examples (a root element, one
child element per item, `true`/`false`, an empty element for null); JSON follows from it by
the Spark convention the specification names: a list of items becomes an array, an element
with children an object. ElementTree escapes every text, and the characters XML 1.0 cannot
hold at all (controls other than TAB/LF/CR, U+FFFE/U+FFFF, lone surrogates) are dropped, so
no value can break the markup, even one stored before the input guard refused them.
"""

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

from flask import Response
from flask_babel import gettext as _

from brott.clock import STOCKHOLM
from brott.errors import DomainError
from brott.services.open311 import (
    DEFAULT_SPAN,
    IDS_MAX,
    MAX_ID,
    PAGE_MAX,
    PAGE_SIZE_MAX,
    RequestQuery,
)

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# 90 calendar days across the October clock change are 90 days and an hour
CLOCK_CHANGE = timedelta(hours=1)

# what XML 1.0 cannot hold, dropped from every text written
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# the element of each item of a list, by the list's element
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def format_of(path: str, given: str | None = None) -> str:
    """The answer's format: the one the URL names, else guessed from the path's extension
    (an unknown URL ending in .xml still gets XML), else JSON."""
    if given in FORMATS:
        return given
    return "xml" if path.lower().endswith(".xml") else "json"


def answer(fmt: str, root: str, data: Any, status: int = 200, **headers: str) -> Response:
    """`data` as a response in `fmt`; `root` names the XML root (the list's element)."""
    if fmt == "xml":
        element = _element(root, data)
        body = ElementTree.tostring(element, encoding="unicode")
        text = '<?xml version="1.0" encoding="utf-8"?>\n' + body
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_value)
    response = Response(text, status=status, content_type=CONTENT_TYPES[fmt])
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def errors(fmt: str, code: int, descriptions: Iterable[str], **headers: str) -> Response:
    """The specification's error answer: a list of {code, description}, HTTP status `code`."""
    items = [{"code": code, "description": str(text)} for text in descriptions]
    return answer(fmt, "errors", items, code, **headers)


def _element(tag: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, Mapping):
        for name, child in value.items():
            element.append(_element(name, child))
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            element.append(_element(item_tag, item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, datetime):
        element.text = w3c(value)
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))
    return element


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        return w3c(value)
    raise TypeError(f"{type(value).__name__} is not written in an Open311 answer")


# --- datetimes ----------------------------------------------------------------------------

# the W3C note's profile of ISO 8601: a year, a month, a date, or a date with hours and
# minutes, optionally seconds and a fraction, and a time zone (Z or ±hh:mm)
W3C_DATETIME = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?)?)?)?"
)
FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse_datetime(text: str) -> datetime | None:
    """A W3C datetime as aware UTC; None when `text` is none. Without a time zone the time
    is read as the council's own (Europe/Stockholm); a date alone is its midnight."""
    found = W3C_DATETIME.fullmatch(text.strip())
    if found is None:
        return None
    part = {name: value for name, value in found.groupdict().items() if value is not None}
    year = int(part["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    fraction = (part.get("fraction", "") + "000000")[:6]
    try:
        local = datetime(
            year,
            int(part.get("month", 1)),
            int(part.get("day", 1)),
            int(part.get("hour", 0)),
            int(part.get("minute", 0)),
            int(part.get("second", 0)),
            int(fraction),
        )
    except ValueError:  # 2024-02-30, 25:00 …
        return None
    zone = part.get("zone")
    if zone is None:
        return local.replace(tzinfo=STOCKHOLM).astimezone(UTC)
    if zone in ("Z", "z"):
        return local.replace(tzinfo=UTC)
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1)
    return local.replace(tzinfo=timezone(offset)).astimezone(UTC)


def w3c(moment: datetime) -> str:
    """An instant as the specification writes it: Stockholm time with its offset, to the
    second (e.g. 2024-05-02T14:05:00+02:00)."""
    return moment.astimezone(STOCKHOLM).replace(microsecond=0).isoformat()


# --- the arguments of the request list ------------------------------------------------------

DATE_ARGUMENTS = {
    "start_date": "start",
    "end_date": "end",
    "updated_after": "updated_after",  # extension: changed since (a case system's sync)
    "updated_before": "updated_before",
}


def listed(args: Mapping[str, str], name: str) -> list[str]:
    """The items of an argument given comma-separated, repeated, or both; an empty argument
    is no argument (the specification's rule for optional ones)."""
    getlist = getattr(args, "getlist", None)  # a request's arguments may repeat a name
    text = ",".join(getlist(name)) if getlist is not None else args.get(name) or ""
    return [item.strip() for item in text.split(",") if item.strip()]


def request_query(args: Mapping[str, str]) -> RequestQuery:
    """The list query the arguments ask for; DomainError with every malformed one."""
    errors: dict[str | None, list[str]] = {}
    query = RequestQuery()

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    ids = listed(args, "service_request_id")
    if not all(item.isascii() and item.isdigit() for item in ids):
        refuse(
            "service_request_id", _("service_request_id must be request ids separated by commas.")
        )
    elif len(ids) > IDS_MAX:
        refuse("service_request_id", _("Ask for at most %(n)d requests at once.", n=IDS_MAX))
    elif ids:  # an id larger than any row's names none
        query.ids = [int(item) for item in ids if len(item) <= 10 and int(item) <= MAX_ID]
    query.service_codes = listed(args, "service_code")
    for name, attribute in DATE_ARGUMENTS.items():
        text = (args.get(name) or "").strip()
        if text:
            moment = parse_datetime(text)
            if moment is None:
                refuse(
                    name,
                    _(
                        "%(name)s is not a date and time in W3C format, e.g. 2024-05-01T00:00:00Z.",
                        name=name,
                    ),
                )
            setattr(query, attribute, moment)
    statuses = {status.lower() for status in listed(args, "status")}
    if statuses - {"open", "closed"}:
        refuse("status", _("status must be open or closed, or both separated by a comma."))
    query.statuses = statuses
    query.page = _whole(args, "page", PAGE_MAX, refuse) or 1
    query.page_size = _whole(args, "page_size", PAGE_SIZE_MAX, refuse) or PAGE_SIZE_MAX
    if query.start and query.end and query.start > query.end:
        refuse("end_date", _("end_date is before start_date."))
    elif query.start and query.end and query.end - query.start > DEFAULT_SPAN + CLOCK_CHANGE:
        # the specification's limit: a longer history is read in spans, or by updated_after
        refuse(
            "end_date",
            _("start_date and end_date may be at most %(n)d days apart.", n=DEFAULT_SPAN.days),
        )
    if errors:
        raise DomainError.from_errors(errors)
    return query


def _whole(args: Mapping[str, str], name: str, high: int, refuse) -> int | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(high)) and 1 <= int(text) <= high:
        return int(text)
    refuse(name, _("%(name)s must be a whole number from 1 to %(high)d.", name=name, high=high))
    return None
