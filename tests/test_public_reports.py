"""The public report pages: a resident files a report (or says "me too"), follows it behind
its secret link, answers whether the fix held, and marks how a place feels — with bad input
refused and kept, a rate limit, and nothing of the staff side on any of these pages."""

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image

from brott.extensions import db
from brott.models import Role
from brott.models.reports import (
    BodyKind,
    CloseReason,
    EventKind,
    ReportCategory,
    ReportSettings,
    ReportStatus,
    ReportSupporter,
    ResidentReport,
    ResponsibleBody,
    SafetyMark,
)
from brott.public_reports.views import tile_origin
from brott.services import report_handling, reports

from .conftest import logged_in

NOW = datetime(2024, 5, 14, 8, 0, tzinfo=UTC)
FORM = "/r/borlange/rapportera"
MARK = "/r/borlange/trygghet"
# Borlänge: Stora Torget, and a point 60 m north-east of it
TORGET = (60.4858, 15.4371)
NEAR_TORGET = (60.4863, 15.4378)


@pytest.fixture
def setup(council, make_place, frozen):
    """A council's report service: a body, a category routed to it, the territory, a place."""
    body = ResponsibleBody(
        council_id=council.id,
        name="Borlänge Energi",
        kind=BodyKind.PARTNER,
        contact_email="gatubelysning@exempel.se",
    )
    lamp = ReportCategory(
        council_id=council.id,
        name="Trasig gatubelysning",
        name_en="Broken street lighting",
        service_code="street-lighting",
        description="Lampor som inte lyser",
        body=body,
    )
    graffiti = ReportCategory(
        council_id=council.id, name="Klotter", service_code="graffiti", position=1
    )
    db.session.add_all(
        [
            body,
            lamp,
            graffiti,
            ReportSettings(
                council_id=council.id,
                min_latitude=60.35,
                max_latitude=60.62,
                min_longitude=14.95,
                max_longitude=15.75,
                nearby_metres=250,
                email_retention_days=90,
                contact_text="Tjänsten drivs av Borlänge kommun.",
            ),
        ]
    )
    db.session.commit()
    place = make_place(
        council, "Stora Torget", area="Centrum", latitude=TORGET[0], longitude=TORGET[1]
    )
    return {"council": council, "body": body, "lamp": lamp, "graffiti": graffiti, "place": place}


def _form(setup, **changes) -> dict:
    data = {
        "category_id": str(setup["lamp"].id),
        "address": "Sveagatan vid torget",
        "latitude": str(TORGET[0]),
        "longitude": str(TORGET[1]),
        "description": "Tre lampor i gångtunneln är släckta sedan en vecka.",
        "email": "Invanare@Exempel.se",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _file(setup, now=NOW, **fields) -> ResidentReport:
    """A report filed through the service, committed."""
    data = reports.ReportData(
        category_id=setup["lamp"].id,
        address=fields.pop("address", "Sveagatan vid torget"),
        description=fields.pop("description", "Lampan lyser inte."),
        latitude=fields.pop("latitude", TORGET[0]),
        longitude=fields.pop("longitude", TORGET[1]),
        email=fields.pop("email", ""),
    )
    filed = reports.submit(setup["council"].id, data, now)
    db.session.commit()
    return filed


def _token(location: str) -> str:
    match = re.fullmatch(r"/r/borlange/rapport/([A-Za-z0-9_-]+)", location)
    assert match, location
    return match.group(1)


# --- filing --------------------------------------------------------------------------------


def test_a_resident_files_a_report_and_lands_on_its_tracking_page(client, setup):
    data = _form(setup)
    data["photo"] = (io.BytesIO(_png()), "lampa.png")
    response = client.post(FORM, data=data, content_type="multipart/form-data")

    assert response.status_code == 303
    token = _token(response.location)
    report = db.session.scalars(db.select(ResidentReport)).one()
    assert report.token == token and report.status is ReportStatus.NEW
    assert report.body_id == setup["body"].id and report.place_id == setup["place"].id
    assert report.email == "invanare@exempel.se" and report.locale == "sv"
    assert report.photo_id is not None
    assert [event.kind for event in report.events] == [EventKind.SUBMITTED]

    page = client.get(response.location)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert '<meta name="robots" content="noindex' in html
    assert f"http://localhost/r/borlange/rapport/{token}" in html  # the link to save
    assert "Borlänge Energi" in html and "Stora Torget" in html
    assert "invanare@exempel.se" not in html
    assert "flash-success" in html
    assert "flash-success" not in client.get(response.location).text  # once only

    with client.get(f"/r/borlange/rapport/{token}/foto") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"  # re-encoded


BAD_INPUT = {
    "missing category": ({"category_id": None}, "category_id"),
    "missing place": ({"address": "", "latitude": "", "longitude": ""}, "address"),
    "description over the limit": (
        {"description": "x" * (reports.DESCRIPTION_MAX + 1)},
        "description",
    ),
    "personal identity number": (
        {"description": "Ring grannen, personnummer 811218-9876, hon vet."},
        "description",
    ),
    "point outside the area": ({"latitude": "59.3293", "longitude": "18.0686"}, "latitude"),
    "latitude without longitude": ({"longitude": ""}, "latitude"),
    "latitude not a number": ({"latitude": "norr om torget"}, "latitude"),
    "bad e-mail": ({"email": "inte en adress"}, "email"),
    "honeypot filled": ({"website": "http://spam.example"}, None),
    "not a photo": ({"photo": b"%PDF-1.4 not a photo"}, "photo"),
}


def test_bad_input_is_refused_with_the_input_kept_and_nothing_saved(client, setup):
    lamp = setup["lamp"].id
    for case, (changes, field) in BAD_INPUT.items():
        data = _form(setup, **changes)
        if "photo" in data:  # a fresh file per request: the client closes what it sent
            data["photo"] = (io.BytesIO(data["photo"]), "lampa.jpg")
        response = client.post(FORM, data=data, content_type="multipart/form-data")

        assert response.status_code == 400, case
        html = response.text
        assert "data-error-summary" in html, case
        assert not field or f'id="{field}-error"' in html, case
        if "description" not in changes:
            assert "Tre lampor i gångtunneln är släckta sedan en vecka." in html, case
        if "address" not in changes:
            assert 'value="Sveagatan vid torget"' in html, case
        if "category_id" not in changes:
            chosen = rf'<input checked id="category_id-\d+" [^>]*value="{lamp}"'
            assert re.search(chosen, html), case
        assert _count(ResidentReport) == 0, case


def test_similar_open_reports_nearby_are_shown_before_filing_and_me_too_adds_to_one(client, setup):
    existing = _file(
        setup,
        address="Gångtunneln under Sveagatan",
        latitude=NEAR_TORGET[0],
        longitude=NEAR_TORGET[1],
    )

    shown = client.post(FORM, data=_form(setup))
    assert shown.status_code == 200
    html = shown.text
    assert "Gångtunneln under Sveagatan" in html
    assert f'action="/r/borlange/rapportera/{existing.id}/jag-ocksa"' in html
    assert 'name="confirm_new" value="1"' in html
    assert 'name="email" value="Invanare@Exempel.se"' in html  # carried to "me too"
    assert "Tre lampor i gångtunneln är släckta sedan en vecka." in html
    assert _count(ResidentReport) == 1

    other_kind = client.post(FORM, data=_form(setup, category_id=str(setup["graffiti"].id)))
    assert other_kind.status_code == 303  # a graffiti report is not a duplicate of a lamp

    me_too = client.post(
        f"/r/borlange/rapportera/{existing.id}/jag-ocksa", data={"email": "Invanare@Exempel.se"}
    )
    assert me_too.status_code == 303
    db.session.rollback()
    supporter = db.session.scalars(db.select(ReportSupporter)).one()
    assert me_too.location == f"/r/borlange/rapport/{supporter.token}"
    assert supporter.email == "invanare@exempel.se" and supporter.report_id == existing.id
    assert db.session.get(ResidentReport, existing.id).supporters == 1
    assert client.get(me_too.location).status_code == 200
    assert client.get(f"{me_too.location}/foto").status_code == 404  # the reporter's only

    anyway = client.post(FORM, data=_form(setup, confirm_new="1"))
    assert anyway.status_code == 303
    assert _count(ResidentReport) == 3


def test_me_too_refuses_a_closed_report_and_another_councils(
    client, setup, make_council, coordinator
):
    closed = _file(setup)
    report_handling.close(
        closed, coordinator, CloseReason.NO_ACTION, "", "", None, closed.version, NOW
    )
    db.session.commit()
    assert client.post(f"/r/borlange/rapportera/{closed.id}/jag-ocksa").status_code == 409
    make_council(slug="falun")
    assert client.post(f"/r/falun/rapportera/{closed.id}/jag-ocksa").status_code == 404
    assert client.post("/r/borlange/rapportera/999999/jag-ocksa").status_code == 404
    assert _count(ReportSupporter) == 0


def test_too_many_reports_from_one_address_are_refused_with_the_input_kept(
    app, client, setup, monkeypatch
):
    monkeypatch.setitem(app.config, "REPORTS_PER_ADDRESS", 2)
    for n in range(2):
        data = _form(setup, latitude="", longitude="", description=f"Lampa nummer {n} är trasig.")
        assert client.post(FORM, data=data).status_code == 303

    refused = client.post(FORM, data=_form(setup, latitude="", longitude=""))
    assert refused.status_code == 429
    assert "Tre lampor i gångtunneln är släckta sedan en vecka." in refused.text
    assert "11:00" in refused.text  # Stockholm time, when the first one leaves the window
    assert _count(ResidentReport) == 2


# --- following a report --------------------------------------------------------------------


def test_the_tracking_page_shows_public_replies_and_nothing_internal(
    client, setup, make_user, council
):
    staff = make_user(
        Role.COORDINATOR, council, name="Hemliga Handläggaren", email="handlaggare@exempel.se"
    )
    report = _file(setup, email="boende@exempel.se")
    report_handling.set_status(
        report, staff, ReportStatus.IN_PROGRESS, "OFFENTLIGT SVAR: lampan byts", report.version, NOW
    )
    report_handling.comment(report, staff, "INTERNT: kontakta entreprenören", NOW)
    db.session.commit()

    html = client.get(f"/r/borlange/rapport/{report.token}").text
    assert "OFFENTLIGT SVAR: lampan byts" in html
    for secret in (
        "INTERNT",
        "Hemliga Handläggaren",
        "handlaggare@exempel.se",
        "boende@exempel.se",
    ):
        assert secret not in html


def test_a_closed_report_says_why_a_duplicate_names_its_original(client, setup, coordinator):
    original, duplicate, elsewhere = _file(setup), _file(setup), _file(setup)
    report_handling.close(
        duplicate, coordinator, CloseReason.DUPLICATE, "", "", original, duplicate.version, NOW
    )
    report_handling.close(
        elsewhere,
        coordinator,
        CloseReason.NOT_OURS,
        "",
        "Trafikverket, trafikverket.se",
        None,
        elsewhere.version,
        NOW,
    )
    db.session.commit()

    merged = client.get(f"/r/borlange/rapport/{duplicate.token}").text
    assert f"no. {original.id}" in merged or f"nr {original.id}" in merged
    referred = client.get(f"/r/borlange/rapport/{elsewhere.token}").text
    assert "Trafikverket, trafikverket.se" in referred


def test_an_unknown_tracking_link_is_any_unknown_page(client, setup):
    def normalised(response, path) -> str:
        body = response.text.replace(path, "PATH")
        return re.sub(r'name="csrf_token" value="[^"]*"', "", body)

    unknown = "/r/borlange/rapport/finns-inte-alls-0123456789"
    elsewhere = "/r/borlange/rapport/finns-inte-alls-0123456789/inte-heller"
    first, second = client.get(unknown), client.get(elsewhere)
    assert first.status_code == second.status_code == 404
    assert normalised(first, unknown) == normalised(second, elsewhere)


def test_the_resident_answers_whether_the_fix_held(client, setup, coordinator):
    held, failed = _file(setup), _file(setup, address="Jakobsgårdarna")
    for report in (held, failed):
        report_handling.set_status(report, coordinator, ReportStatus.FIXED, "", report.version, NOW)
    db.session.commit()
    assert 'action="/r/borlange/rapport/' in client.get(f"/r/borlange/rapport/{held.token}").text

    yes = client.post(f"/r/borlange/rapport/{held.token}/svar", data={"fixed": "yes"})
    assert yes.status_code == 303
    again = client.post(f"/r/borlange/rapport/{held.token}/svar", data={"fixed": "no"})
    assert again.status_code == 400  # one answer per fix
    no = client.post(
        f"/r/borlange/rapport/{failed.token}/svar",
        data={"fixed": "no", "text": "Fortfarande mörkt."},
    )
    assert no.status_code == 303
    assert "Fortfarande mörkt." in client.get(no.location).text

    db.session.rollback()
    assert db.session.get(ResidentReport, held.id).status is ReportStatus.FIXED
    assert db.session.get(ResidentReport, held.id).events[-1].kind is EventKind.CONFIRMED
    assert db.session.get(ResidentReport, failed.id).status is ReportStatus.NEW
    assert db.session.get(ResidentReport, failed.id).events[-1].kind is EventKind.REOPENED


# --- who sees what, in which language --------------------------------------------------------


def test_a_logged_in_coordinator_sees_the_public_page(app, setup, coordinator):
    client = logged_in(app, coordinator)
    assert "<nav aria-label" in client.get("/r/borlange/").text
    page = client.get(FORM)
    assert page.status_code == 200
    for plainly in ("112", "114 14", "Tjänsten drivs av Borlänge kommun."):
        assert plainly in page.text
    assert "<nav aria-label" not in page.text and 'href="/r/borlange/insatser' not in page.text


def test_the_map_may_load_tiles_from_the_tile_server_on_the_form_only(client, setup, app):
    form = client.get(FORM)
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org;"
        in form.headers["Content-Security-Policy"]
    )
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in form.text
    assert 'data-bounds="60.35,14.95,60.62,15.75"' in form.text
    assert "vendor/leaflet/leaflet.js" in form.text
    track = client.get(f"/r/borlange/rapport/{_file(setup).token}")
    assert "tile.openstreetmap.org" not in track.headers["Content-Security-Policy"]
    assert (
        tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    )
    assert tile_origin("/tiles/{z}/{x}/{y}.png") is None
    assert tile_origin("https://evil.example; script-src *") is None


def test_an_english_visitor_gets_the_form_in_english(client, setup):
    client.post("/sprak", data={"language": "en", "next": FORM})
    html = client.get(FORM).text
    assert "Report a problem in a public place" in html and "Broken street lighting" in html
    assert client.post(FORM, data=_form(setup, latitude="", longitude="")).status_code == 303
    assert db.session.scalars(db.select(ResidentReport)).one().locale == "en"


# --- safety marks ----------------------------------------------------------------------------


def _mark_form(**changes) -> dict:
    data = {
        "feeling": "unsafe",
        "time_of_day": "evening",
        "reason": "lighting",
        "address": "",
        "latitude": str(NEAR_TORGET[0]),
        "longitude": str(NEAR_TORGET[1]),
        "comment": "Mörkt och öde efter sju.",
        "website": "",
    }
    data.update(changes)
    return data


def test_a_safety_mark_is_saved_with_its_nearest_place(client, setup):
    response = client.post(MARK, data=_mark_form())
    assert response.status_code == 303 and response.location == "/r/borlange/trygghet/tack"
    mark = db.session.scalars(db.select(SafetyMark)).one()
    assert mark.place_id == setup["place"].id and mark.reason.value == "lighting"
    assert client.get(response.location).status_code == 200


BAD_MARKS = {
    "no feeling": ({"feeling": ""}, "feeling"),
    "an unknown reason": ({"reason": "aliens"}, "reason"),
    "no place": ({"latitude": "", "longitude": ""}, "address"),
    "outside the area": ({"latitude": "59.3293", "longitude": "18.0686"}, "latitude"),
    "comment too long": ({"comment": "x" * 501}, "comment"),
    "a phone number": ({"comment": "Ring mig på 070-123 45 67"}, "comment"),
    "honeypot filled": ({"website": "spam"}, None),
}


def test_a_bad_safety_mark_is_refused_with_the_input_kept(client, setup):
    for case, (changes, field) in BAD_MARKS.items():
        response = client.post(MARK, data=_mark_form(**changes))
        assert response.status_code == 400, case
        assert not field or f'id="{field}-error"' in response.text, case
        if "comment" not in changes:
            assert "Mörkt och öde efter sju." in response.text, case
        assert _count(SafetyMark) == 0, case
