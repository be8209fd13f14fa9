"""Open311 GeoReport v2: every call in JSON and XML against the specification's field lists,
the list's filters and paging, posting with and without a key, every bad input in the
specification's error shape, the rate limit, nothing internal in any answer, and a client's
round trip against the app served on loopback."""

import io
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from PIL import Image
from werkzeug.serving import make_server

from brott.extensions import db
from brott.models import Role, utcnow
from brott.models.reports import (
    CloseReason,
    EventKind,
    ReportCategory,
    ReportEvent,
    ReportSettings,
    ReportSource,
    ReportStatus,
    ResidentReport,
)
from brott.open311 import formats
from brott.services import open311_keys, report_handling, reports

from .conftest import logged_in
from .report_objects import (
    INTERNAL_COMMENT,
    PUBLIC_REPLY,
    REPORTER_EMAIL,
    STAFF_NAME,
    report_objects,
)
from .test_query_counts import counted_statements

BASE = "/r/borlange/open311"
V2 = f"{BASE}/v2"
FORMATS = ("json", "xml")

# --- the specification's field lists (wiki.open311.org/GeoReport_v2, Service_Discovery) -----

DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}  # all required
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
DEFINITION_FIELDS = {"service_code", "attributes"}
# GET Service Requests / GET Service Request; the optional ones "may not be returned"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "description",
    "requested_datetime",
    "updated_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
REQUEST_OPTIONAL = {
    "status_notes",
    "agency_responsible",
    "service_notice",
    "expected_datetime",
}
# POST Service Request: service_request_id or token (never both), the others optional
CREATED_FIELDS = {"service_request_id"}
CREATED_OPTIONAL = {"service_notice", "account_id"}
ERROR_FIELDS = {"code", "description"}
W3C = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")
LIST_ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}
NESTED_LISTS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute"}

# --- reading an answer the way a client does -------------------------------------------------


def _from_xml(element: ElementTree.Element):
    if element.tag in NESTED_LISTS:
        return [_from_xml(child) for child in element]
    if len(element):
        return {child.tag: _from_xml(child) for child in element}
    return element.text or ""


def read(response, fmt: str):
    """The answer as data, checking its content type; XML as lists and dicts of text."""
    expected = formats.CONTENT_TYPES[fmt]
    assert response.headers["Content-Type"] == expected, response.headers["Content-Type"]
    if fmt == "json":
        return json.loads(response.get_data(as_text=True))
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(text.encode("utf-8"))
    if root.tag in LIST_ROOTS:
        assert all(child.tag == LIST_ROOTS[root.tag] for child in root)
        return [_from_xml(child) for child in root]
    return _from_xml(root)


def error_of(response, fmt: str, status: int) -> list[str]:
    """The descriptions of an error answer in the specification's shape."""
    assert response.status_code == status, (response.status_code, response.get_data())
    items = read(response, fmt)
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) == ERROR_FIELDS
        assert str(item["code"]) == str(status)
        assert isinstance(item["description"], str) and item["description"]
    return [item["description"] for item in items]


def check_fields(item: dict, required: set[str], optional: set[str]) -> None:
    assert required <= set(item), required - set(item)
    assert set(item) <= required | optional, set(item) - required - optional


def check_request(item: dict, fmt: str) -> None:
    check_fields(item, REQUEST_FIELDS, REQUEST_OPTIONAL)
    assert item["status"] in ("open", "closed")
    assert W3C.fullmatch(item["requested_datetime"]) and W3C.fullmatch(item["updated_datetime"])
    if fmt == "json":
        assert isinstance(item["service_request_id"], str)
        for name in ("lat", "long"):
            assert item[name] is None or isinstance(item[name], float)
        for name in REQUEST_FIELDS - {"lat", "long"}:
            assert isinstance(item[name], str), name
    else:
        for name in ("lat", "long"):
            assert item[name] == "" or float(item[name])


# --- the council's service with reports in several states -----------------------------------


@pytest.fixture
def world(app, council, make_user):
    staff = make_user(Role.COORDINATOR, council, name=STAFF_NAME)
    objects = report_objects(council, {"coordinator": staff})
    category = objects["category"]
    category.name_en = "Street lighting"
    db.session.add(
        ReportCategory(
            council_id=council.id, name="Gammal", service_code="gammal", active=False, position=9
        )
    )
    now = utcnow()
    fixed = _file(council.id, category, now - timedelta(hours=5), "Trasig lampa vid skolan")
    report_handling.set_status(
        fixed, staff, ReportStatus.FIXED, "Lampan är bytt", fixed.version, now
    )
    not_ours = _file(council.id, category, now - timedelta(hours=4), "Skylt nere vid E16")
    report_handling.close(
        not_ours, staff, CloseReason.NOT_OURS, "", "Trafikverket", None, not_ours.version, now
    )
    duplicate = _file(council.id, category, now - timedelta(hours=3), "Samma lampa igen")
    report_handling.close(
        duplicate, staff, CloseReason.DUPLICATE, "", "", objects["report"], duplicate.version, now
    )
    key, raw = open311_keys.create(council.id, "Testklienten", now)
    db.session.commit()
    return {
        **objects,
        "staff": staff,
        "fixed": fixed,
        "not_ours": not_ours,
        "duplicate": duplicate,
        "key": key,
        "raw_key": raw,
    }


def _file(council_id: int, category, at: datetime, text: str, **fields) -> ResidentReport:
    data = reports.ReportData(
        category_id=category.id,
        address=fields.pop("address", "Stationsgatan 3"),
        description=text,
        latitude=60.4855,
        longitude=15.4360,
        **fields,
    )
    return reports.submit(council_id, data, at)


def _post(client, fmt: str = "json", locale: str = "en", address: str = "127.0.0.1", **fields):
    """Post a request from `address` (answered in English, so tests can read the messages)."""
    data = {
        "service_code": "belysning",
        "lat": "60.4858",
        "long": "15.4371",
        "description": "Lampan i gångtunneln är trasig",
        **fields,
    }
    sent = {name: value for name, value in data.items() if value is not None}
    return client.post(
        f"{V2}/requests.{fmt}?locale={locale}", data=sent, environ_base={"REMOTE_ADDR": address}
    )


# --- the calls, in both formats -------------------------------------------------------------


def _discovery_services_and_definitions(client) -> None:
    for fmt in FORMATS:
        found = read(client.get(f"{BASE}/discovery.{fmt}"), fmt)
        check_fields(found, DISCOVERY_FIELDS, set())
        (endpoint,) = found["endpoints"]
        check_fields(endpoint, ENDPOINT_FIELDS, set())
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://localhost/r/borlange/open311/v2"
        assert endpoint["type"] == "production"
        assert endpoint["formats"] == ["text/xml", "application/json"]

        response = client.get(f"{V2}/services.{fmt}")
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        (service,) = read(response, fmt)  # the inactive category is not offered
        check_fields(service, SERVICE_FIELDS, set())
        assert service["service_code"] == "belysning"
        assert service["service_name"] == "Belysning"
        assert service["metadata"] == (False if fmt == "json" else "false")
        assert service["type"] == "realtime"
        english = read(client.get(f"{V2}/services.{fmt}?locale=en"), fmt)
        assert english[0]["service_name"] == "Street lighting"
        assert english[0]["keywords"] == "Belysning"
        asked = client.get(f"{V2}/services.{fmt}", headers={"Accept-Language": "en"})
        assert read(asked, fmt)[0]["service_name"] == "Street lighting"

        definition = read(client.get(f"{V2}/services/belysning.{fmt}"), fmt)
        check_fields(definition, DEFINITION_FIELDS, set())
        assert definition["service_code"] == "belysning"
        assert definition["attributes"] in ([], "")  # an empty element reads as ""
        for code in ("finns-inte", "gammal"):
            (text,) = error_of(client.get(f"{V2}/services/{code}.{fmt}?locale=en"), fmt, 404)
            assert code in text
        ok = client.get(f"{V2}/services.{fmt}?jurisdiction_id=borlange")
        assert ok.status_code == 200
        wrong = client.get(f"{V2}/services.{fmt}?jurisdiction_id=falun&locale=en")
        (text,) = error_of(wrong, fmt, 404)
        assert "jurisdiction_id" in text


def _requests_and_one_request(world, client) -> None:
    report = world["report"]
    for fmt in FORMATS:
        response = client.get(f"{V2}/requests.{fmt}")
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        listed = read(response, fmt)
        for item in listed:
            check_request(item, fmt)
        by_id = {item["service_request_id"]: item for item in listed}
        ids = [str(world[name].id) for name in ("duplicate", "not_ours", "fixed", "report")]
        assert list(by_id) == ids  # newest first, the duplicate included
        mine = by_id[str(report.id)]
        assert mine["status"] == "open"
        assert mine["status_notes"] == PUBLIC_REPLY  # the public reply, not the comment
        assert mine["agency_responsible"] == "Energibolaget"
        assert mine["service_name"] == "Belysning" and mine["service_code"] == "belysning"
        assert mine["address"] == "Stationsgatan 3"
        assert mine["media_url"] == ""  # the photo is for staff
        assert mine["requested_datetime"].endswith(("+01:00", "+02:00"))
        assert by_id[str(world["fixed"].id)]["status"] == "closed"
        assert by_id[str(world["fixed"].id)]["status_notes"] == "Lampan är bytt"
        assert by_id[str(world["not_ours"].id)]["status_notes"] == "Trafikverket"
        duplicate = by_id[str(world["duplicate"].id)]
        assert duplicate["status"] == "closed"
        assert str(report.id) in duplicate["status_notes"]

        one = client.get(f"{V2}/requests/{report.id}.{fmt}?jurisdiction_id=borlange")
        (item,) = read(one, fmt)  # one request is a list too
        assert item == mine
        (text,) = error_of(client.get(f"{V2}/requests/999999.{fmt}?locale=en"), fmt, 404)
        assert "999999" in text
        error_of(client.get(f"{V2}/requests/abc.{fmt}"), fmt, 404)


def _list_filters(world, client) -> None:
    category, council_id = world["category"], world["report"].council_id
    old = _file(council_id, category, utcnow() - timedelta(days=100), "Gammal anmälan")
    db.session.commit()

    def ids(query: str) -> list[int]:
        listed = read(client.get(f"{V2}/requests.json?{query}"), "json")
        return [int(item["service_request_id"]) for item in listed]

    recent = {world[name].id for name in ("report", "fixed", "not_ours", "duplicate")}
    assert set(ids("")) == recent  # the last 90 days by default
    assert set(ids("status=open")) == {world["report"].id}
    assert set(ids("status=closed")) == recent - {world["report"].id}
    assert set(ids("status=open,closed&service_code=belysning,annat")) == recent
    assert set(ids("status=open&status=closed&service_code=annat&service_code=belysning")) == recent
    assert ids("service_code=annat") == []
    start = (utcnow() - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # a day alone means Stockholm's midnight starting it: two days after the old report's,
    # so the old one is inside at any hour the suite runs (one day was not, after 22:00 UTC)
    end = (utcnow() - timedelta(days=98)).strftime("%Y-%m-%d")
    assert ids(f"start_date={start}&end_date={end}") == [old.id]
    assert ids(f"end_date={end}") == [old.id]  # the 90 days before it
    assert set(ids(f"start_date={start}")) == recent | {old.id}
    # service_request_id overrides every other argument; ids naming nothing are skipped
    asked = f"service_request_id={old.id},{world['fixed'].id},99999&status=open"
    assert ids(asked) == sorted([old.id, world["fixed"].id])
    # an id larger than any row's names none (alone, the input guard answers it with 404)
    assert ids(f"service_request_id=3000000000,{world['fixed'].id}") == [world["fixed"].id]
    since = (utcnow() - timedelta(minutes=30)).isoformat()
    changed = recent - {world["report"].id}  # changed a day ago
    assert set(ids("updated_after=" + urllib.parse.quote(since))) == changed
    assert ids("updated_before=2000-01-01T00:00:00%2B01:00") == []
    # paging (an extension): page_size and page, newest first
    newest = ids("")
    assert ids("page_size=2") == newest[:2]
    assert ids("page_size=2&page=2") == newest[2:4]
    assert ids("page_size=2&page=3") == []
    # empty optional arguments count as none
    assert ids("status=&service_code=&start_date=&page=") == newest
    for fmt in FORMATS:
        for query, name in (
            ("start_date=gestern", "start_date"),
            ("end_date=2024-13-01T00:00:00Z", "end_date"),
            ("updated_after=2024-01-01T25:00Z", "updated_after"),
            ("start_date=2024-02-01&end_date=2024-01-01", "end_date"),
            ("start_date=2024-01-01&end_date=2024-04-01", "end_date"),  # 91 days
            ("start_date=2026-08-01&end_date=2026-11-01", "end_date"),  # 92 days
            ("status=pending", "status"),
            ("service_request_id=12,abc", "service_request_id"),
            ("page=0", "page"),
            ("page_size=1001", "page_size"),
        ):
            asked = client.get(f"{V2}/requests.{fmt}?{query}&locale=en")
            (text,) = error_of(asked, fmt, 400)
            assert name in text, (query, text)
        # 90 calendar days over the October clock change are 90 days and an hour: allowed
        across = client.get(f"{V2}/requests.{fmt}?start_date=2026-08-01&end_date=2026-10-30")
        assert across.status_code == 200
        texts = error_of(client.get(f"{V2}/requests.{fmt}?status=x&page=-1"), fmt, 400)
        assert len(texts) == 2  # every problem at once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T12:00+0200", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.250Z", datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2024-05-01T12:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),  # Stockholm's time
        ("2024-01-15", datetime(2024, 1, 14, 23, tzinfo=UTC)),  # Stockholm's midnight
        ("2024-05", datetime(2024, 4, 30, 22, tzinfo=UTC)),
        ("2024-02-30T00:00:00Z", None),
        ("2024-05-01T10:00:00+25:00", None),
        ("0001-01-01T00:00:00+14:00", None),
        ("2024-W18", None),
        ("20240501", None),
        ("tomorrow", None),
    ],
)
def test_w3c_datetimes_are_read_and_written_with_their_offset(text, expected):
    assert formats.parse_datetime(text) == expected
    if expected is not None:
        assert formats.w3c(expected).endswith(("+01:00", "+02:00"))


def test_a_stored_text_xml_cannot_hold_is_dropped_and_the_answer_still_parses():
    # the input guard refuses these now, but a row stored earlier or by a script may hold them
    data = [{"description": "lampa\ufffe trasig\uffff\x01\x0b", "address": "Torget\ud800"}]
    response = formats.answer("xml", "service_requests", data)
    root = ElementTree.fromstring(response.get_data())
    assert root.find("request/description").text == "lampa trasig"
    assert root.find("request/address").text == "Torget"


def _add_rows(council_id: int, category_id: int, n: int) -> None:
    now = utcnow()
    for i in range(n):
        report = ResidentReport(
            council_id=council_id,
            token=reports.new_token(),
            category_id=category_id,
            status=ReportStatus.RECEIVED,
            is_open=True,
            address=f"Gata {i}",
            description="Mörkt",
            source=ReportSource.WEB,
            supporters=0,
            created_at=now - timedelta(minutes=i + 1),
            updated_at=now - timedelta(minutes=i + 1),
        )
        report.events.append(ReportEvent(at=now, kind=EventKind.STATUS, public=True, text="Sett"))
        db.session.add(report)
    db.session.commit()


def _flat_query_count(world, client) -> None:
    council_id, category_id = world["report"].council_id, world["category"].id
    counts = []
    for rows in (10, 290):
        _add_rows(council_id, category_id, rows)
        with counted_statements() as statements:
            response = client.get(f"{V2}/requests.json")
        assert response.status_code == 200
        counts.append(len(statements))
    assert len(read(response, "json")) == 304
    assert counts[0] == counts[1]


# --- posting a request ----------------------------------------------------------------------


def _key_rule(world, client) -> None:
    raw = world["raw_key"]
    for fmt in FORMATS:
        for key, text in (("", "required"), ("fel-nyckel", "Invalid"), ("0" * 300, "Invalid")):
            (found,) = error_of(_post(client, fmt, api_key=key), fmt, 403)
            assert text in found
        response = _post(
            client,
            fmt,
            api_key=raw,
            email="Boende@Exempel.se",
            first_name="Anna",
            last_name="Andersson",
            phone="070-123 45 67",
            device_id="enhet-1",
            account_id="konto-1",
            media_url="http://exempel.se/bild.jpg",
            address_string="Gångtunneln vid stationen",
            address_id="4711",
            **{"attribute[WHISPAWN]": "123"},
        )
        assert response.status_code == 200
        (created,) = read(response, fmt)
        check_fields(created, CREATED_FIELDS, CREATED_OPTIONAL)
        report = db.session.get(ResidentReport, int(created["service_request_id"]))
        assert report.source is ReportSource.OPEN311
        assert report.email == "boende@exempel.se"
        assert report.address == "Gångtunneln vid stationen"
        assert report.token not in response.get_data(as_text=True)
        stored = " ".join(str(value) for value in vars(report).values() if isinstance(value, str))
        for kept_nowhere in ("Anna", "Andersson", "070-123", "enhet-1", "konto-1", "bild.jpg"):
            assert kept_nowhere not in stored
        db.session.rollback()
    # the messages speak the client's language: Swedish unless it asks for English
    (swedish,) = error_of(_post(client, locale=""), "json", 403)
    assert swedish == "Det krävs en api_key för att skicka in en felanmälan."
    asked = client.post(f"{V2}/requests.xml", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert error_of(asked, "xml", 403) == ["An api_key is required to post a request."]
    open311_keys.revoke(world["key"], utcnow())
    db.session.commit()
    error_of(_post(client, api_key=raw), "json", 403)
    # where no key is needed, none may be sent; a wrong one is still refused
    db.session.execute(db.update(ReportSettings).values(open311_key_required=False))
    db.session.commit()
    assert _post(client).status_code == 200
    assert _post(client, api_key="").status_code == 200
    error_of(_post(client, api_key=raw), "json", 403)


def _png() -> io.BytesIO:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 30)).save(image, "PNG")
    image.seek(0)
    return image


def _photo(world, client) -> None:
    raw = world["raw_key"]
    fields = {"service_code": "belysning", "lat": "60.4858", "long": "15.4371"}
    good = client.post(
        f"{V2}/requests.json",
        data={**fields, "api_key": raw, "description": "Se bilden", "media": (_png(), "a.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 200
    report = db.session.get(ResidentReport, int(read(good, "json")[0]["service_request_id"]))
    assert report.photo is not None
    db.session.rollback()
    bad = client.post(
        f"{V2}/requests.xml",
        data={**fields, "api_key": raw, "description": "x", "media": (io.BytesIO(b"%P"), "a.png")},
        content_type="multipart/form-data",
    )
    error_of(bad, "xml", 400)


def _bad_posts(world, client) -> None:
    raw = world["raw_key"]
    before = db.session.scalar(db.select(db.func.count(ResidentReport.id)))
    db.session.rollback()
    for fmt in FORMATS:
        for fields, status, needle in (
            ({"service_code": ""}, 400, "service_code"),
            ({"service_code": "finns-inte"}, 404, "service_code"),
            ({"service_code": "gammal"}, 404, "service_code"),
            ({"jurisdiction_id": "falun"}, 404, "jurisdiction_id"),
            ({"lat": None, "long": None}, 400, "lat and long"),
            ({"lat": None, "long": None, "address_id": "4711"}, 400, "address_id"),
            ({"long": ""}, 400, "both lat and long"),
            ({"lat": "60,48"}, 400, "decimal degrees"),
            ({"lat": "nan"}, 400, "not a point"),
            ({"lat": "59.33", "long": "18.06"}, 400, "outside"),
            ({"description": "x" * 4001}, 400, "4001"),
            ({"description": "Ring mig på 070-123 45 67"}, 400, "070-123 45 67"),
            ({"email": "inte-en-adress"}, 400, "e-mail"),
        ):
            texts = error_of(_post(client, fmt, api_key=raw, **fields), fmt, status)
            assert any(needle in text for text in texts), (fields, texts)
        texts = error_of(
            _post(client, fmt, api_key=raw, description="x" * 4001, email="x"), fmt, 400
        )
        assert len(texts) == 2  # every problem at once
    assert db.session.scalar(db.select(db.func.count(ResidentReport.id))) == before
    # the specification makes the description optional: the category and point may say it all
    filed = _post(client, "json", api_key=raw, description="")
    assert filed.status_code == 200, filed.text
    report = db.session.get(ResidentReport, int(read(filed, "json")[0]["service_request_id"]))
    assert report.description == "" and report.source is ReportSource.OPEN311


def _rate_limit(app, world, client, monkeypatch) -> None:
    # a client with a valid key posts for many residents: its key has its own limit,
    # wherever it posts from
    limits = {name: app.config[name] for name in ("REPORTS_PER_KEY", "REPORTS_PER_ADDRESS")}
    monkeypatch.setitem(app.config, "REPORTS_PER_KEY", 2)
    council_id = world["key"].council_id
    _key, raw = open311_keys.create(council_id, "Ärendesystemet", world["key"].created_at)
    db.session.commit()
    assert _post(client, api_key=raw, address="192.0.2.7").status_code == 200
    assert _post(client, "xml", api_key=raw, address="192.0.2.8").status_code == 200
    for fmt in FORMATS:
        refused = _post(client, fmt, api_key=raw, address="192.0.2.9")
        (text,) = error_of(refused, fmt, 429)
        assert "minutes" in text
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # without a key (where the council allows that) the client address's limit counts
    settings = reports.settings_for(council_id)
    settings.open311_key_required = False
    db.session.commit()
    monkeypatch.setitem(app.config, "REPORTS_PER_ADDRESS", 1)
    assert _post(client, address="192.0.2.10").status_code == 200
    error_of(_post(client, address="192.0.2.10"), "json", 429)
    assert _post(client, address="192.0.2.11").status_code == 200  # others may
    settings.open311_key_required = True
    db.session.commit()
    app.config.update(limits)


# --- errors anywhere under /open311 ---------------------------------------------------------


def _errors_anywhere(world, client, monkeypatch) -> None:
    for path, fmt, status in (
        (f"{V2}/services.html", "json", 404),
        (f"{V2}/finns-inte.xml", "xml", 404),
        (f"{BASE}/", "json", 404),
        (f"{BASE}/v3/services.json", "json", 404),
        ("/r/finns-inte/open311/v2/services.xml", "xml", 404),
        (f"{V2}/requests.json?description=%01", "json", 400),  # a control character
        (f"{V2}/requests.json?service_request_id=99999999999", "json", 404),
        (f"{V2}/requests/2147483648.xml", "xml", 404),  # past any id: the call's 404
        (f"{V2}/requests/abc.json", "json", 404),
        (f"{V2}/requests/%C2%B2.json", "json", 404),  # a "digit" int() refuses
    ):
        error_of(client.get(path), fmt, status)
    for method, path, fmt, allowed in (
        ("post", f"{V2}/services.json", "json", "GET"),
        ("delete", f"{V2}/requests.xml", "xml", "GET, POST"),
        ("put", f"{V2}/requests/{world['report'].id}.json", "json", "GET"),
    ):
        response = getattr(client, method)(path)
        error_of(response, fmt, 405)
        assert response.headers["Allow"] == allowed
    # a body over the limit, before anything reads it
    error_of(client.post(f"{V2}/services.xml", data={"x": "y" * 1_100_000}), "xml", 413)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("brott.services.open311.services", broken)
    (text,) = error_of(client.get(f"{V2}/services.xml"), "xml", 500)
    assert "a bug" not in text


def _nothing_internal(app, world, client, extra_bodies: list[str]) -> None:
    report, staff = world["report"], world["staff"]
    secrets = [
        INTERNAL_COMMENT,
        STAFF_NAME,
        REPORTER_EMAIL,
        report.token,
        world["supporter"].token,
        world["raw_key"],
        "felanmalan@energi.example",  # the body's contact address
        "boende@exempel.se",  # the round trip's reporter
    ]
    posted = _post(client, api_key=world["raw_key"], email="ny.anmalare@exempel.se")
    assert posted.status_code == 200
    secrets.append("ny.anmalare@exempel.se")
    newest = db.select(ResidentReport.token).order_by(ResidentReport.id.desc()).limit(1)
    secrets.append(db.session.scalar(newest))
    db.session.rollback()
    paths = [
        f"{BASE}/discovery.{{fmt}}",
        f"{V2}/services.{{fmt}}",
        f"{V2}/services/belysning.{{fmt}}",
        f"{V2}/requests.{{fmt}}",
        f"{V2}/requests.{{fmt}}?status=closed&page_size=1",
        f"{V2}/requests/{report.id}.{{fmt}}",
        f"{V2}/requests/{world['duplicate'].id}.{{fmt}}",
    ]
    bodies = [posted.get_data(as_text=True), *extra_bodies]
    staff_client = logged_in(app, staff)
    for fmt in FORMATS:
        for path in paths:
            public = client.get(path.format(fmt=fmt))
            assert public.status_code == 200
            seen_by_staff = staff_client.get(path.format(fmt=fmt))
            assert seen_by_staff.get_data() == public.get_data()  # nothing of a role leaks in
            bodies.append(public.get_data(as_text=True))
    for body in bodies:
        for secret in secrets:
            assert secret not in body


# --- a client's round trip against the app served on loopback -------------------------------


@contextmanager
def served(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _fetch(seen: list[str], url: str, data: dict | None = None, fmt: str = "json"):
    """What a client gets from `url` (posting `data`, form-encoded); the body goes to `seen`."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"} if body else {}
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=10) as answer:
        text = answer.read().decode("utf-8")
        assert answer.headers["Content-Type"] == formats.CONTENT_TYPES[fmt]
    seen.append(text)
    if fmt == "json":
        return json.loads(text)
    return ElementTree.fromstring(text)


def _round_trip(app, world) -> list[str]:
    """A client's calls over HTTP, as any GeoReport v2 client makes them; the bodies."""
    seen: list[str] = []
    with served(app) as origin:
        discovery = _fetch(seen, f"{origin}{BASE}/discovery.json")
        endpoint = discovery["endpoints"][0]["url"]
        assert endpoint == f"{origin}/r/borlange/open311/v2"
        services = _fetch(seen, f"{endpoint}/services.json?jurisdiction_id=borlange")
        code = services[0]["service_code"]
        (created,) = _fetch(
            seen,
            f"{endpoint}/requests.json",
            {
                "api_key": world["raw_key"],
                "jurisdiction_id": "borlange",
                "service_code": code,
                "lat": "60.4858",
                "long": "15.4371",
                "address_string": "Gångtunneln, Borlänge",
                "description": "Belysningen i gångtunneln är släckt",
                "email": "boende@exempel.se",
            },
        )
        request_id = created["service_request_id"]
        (read_back,) = _fetch(
            seen, f"{endpoint}/requests/{request_id}.json?jurisdiction_id=borlange"
        )
        assert read_back["status"] == "open"
        assert read_back["service_code"] == code
        assert read_back["description"] == "Belysningen i gångtunneln är släckt"
        assert read_back["address"] == "Gångtunneln, Borlänge"
        assert (read_back["lat"], read_back["long"]) == (60.4858, 15.4371)
        listed = _fetch(seen, f"{endpoint}/requests.json?service_request_id={request_id}")
        assert listed == [read_back]
        xml = _fetch(seen, f"{endpoint}/requests/{request_id}.xml", fmt="xml")
        assert xml.tag == "service_requests"
        assert xml.find("request/service_request_id").text == request_id
        try:
            _fetch(seen, f"{endpoint}/requests.json", {"service_code": code, "api_key": "fel"})
        except urllib.error.HTTPError as refused:
            assert refused.code == 403
            assert json.loads(refused.read())[0]["code"] == 403
        else:  # pragma: no cover
            pytest.fail("a wrong key was accepted")
    return seen


# --- the tests: few, each a story, so the suite stays quick ---------------------------------


def test_every_call_answers_in_json_and_xml_with_the_specifications_fields(world, client):
    _discovery_services_and_definitions(client)
    _requests_and_one_request(world, client)


def test_the_list_filters_as_the_specification_says_and_pages_in_flat_queries(world, client):
    _list_filters(world, client)
    _flat_query_count(world, client)


def test_a_post_files_a_report_with_the_key_rule_the_photo_checks_and_the_rate_limit(
    app, world, client, monkeypatch
):
    _photo(world, client)
    _rate_limit(app, world, client, monkeypatch)
    _key_rule(world, client)


def test_bad_input_anywhere_is_answered_in_the_error_shape_and_nothing_is_saved(
    world, client, monkeypatch
):
    _bad_posts(world, client)
    _errors_anywhere(world, client, monkeypatch)


def test_a_client_round_trip_over_http_and_no_answer_shows_anything_internal(app, world, client):
    bodies = _round_trip(app, world)
    _nothing_internal(app, world, client, bodies)
