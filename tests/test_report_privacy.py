"""The public/internal split of residents' reports, swept: every public page and every
Open311 call (JSON and XML) of a council whose report carries planted internal texts — an
internal comment, the name of the staff member who wrote it, the reporter's e-mail address
and another supporter's tracking secret — must show none of them, whoever asks; nor may any
e-mail a resident receives."""

import pytest

from brott.extensions import db
from brott.models import OutboxMessage, Role
from brott.models.reports import ReportStatus
from brott.services import report_handling, reports

from .conftest import logged_in
from .report_objects import (
    INTERNAL_COMMENT,
    PUBLIC_REPLY,
    REPORT_VALUES,
    REPORTER_EMAIL,
    STAFF_NAME,
    report_objects,
)

pytestmark = pytest.mark.security


@pytest.fixture
def planted(app, council, make_user):
    staff = make_user(Role.COORDINATOR, council, name=STAFF_NAME)
    made = report_objects(council, {"coordinator": staff})
    report = made["report"]
    # a second supporter with an address: their secret must not reach anyone else
    other = reports.support(report, "stodjare.spar@exempel.se", "sv", report.created_at)
    report_handling.set_status(
        report, staff, ReportStatus.FIXED, "Lampan är lagad", report.version, report.created_at
    )
    db.session.commit()
    secrets = [INTERNAL_COMMENT, STAFF_NAME, REPORTER_EMAIL, "stodjare.spar@exempel.se"]
    return {
        "staff": staff,
        "member": make_user(Role.MEMBER, council, name="Rådsledamot Ek"),
        "report": report,
        "token": report.token,
        "other_token": other.token,
        "secrets": secrets,
        "values": {
            **REPORT_VALUES,
            "slug": council.slug,
            "report_id": report.id,
            "token": report.token,
        },
    }


def _public_paths(app, values: dict[str, object]) -> list[str]:
    """Every GET URL of the council's public pages and Open311 calls, in both formats."""
    paths = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "public_page", False) or "GET" not in rule.methods:
            continue
        formats = ("json", "xml") if "fmt" in rule.arguments else (None,)
        for fmt in formats:
            # the progress page has an address per language
            filled = {**values, "lang": "sv", **({"fmt": fmt} if fmt else {})}
            paths.append(rule.build({name: filled[name] for name in rule.arguments})[1])
    return paths


def test_no_public_page_or_open311_answer_shows_what_is_internal(app, planted):
    paths = _public_paths(app, planted["values"])
    assert len(paths) >= 14  # the report pages, and six Open311 calls in two formats
    viewers = {
        "anonymous": app.test_client(),
        # logged-in staff get the public view too (their own name is in the header)
        "a council member": logged_in(app, planted["member"]),
    }
    checked = 0
    for who, client in viewers.items():
        for path in paths:
            response = client.get(path, follow_redirects=True)
            body = response.get_data().decode("utf-8", "replace")
            response.close()
            assert response.status_code < 500, (who, path)
            for secret in planted["secrets"]:
                assert secret not in body, (who, path, secret)
            assert planted["other_token"] not in body, (who, path)
            if "/open311/" in path:
                assert planted["token"] not in body, (who, path)
            checked += 1
    assert checked == 2 * len(paths)
    # the public part is there: the sweep looked at pages that show the report
    tracking = viewers["anonymous"].get(
        f"/r/{planted['values']['slug']}/rapport/{planted['token']}"
    )
    assert PUBLIC_REPLY in tracking.text and "Lampan är lagad" in tracking.text


def test_no_email_to_a_resident_shows_what_is_internal(app, planted):
    rows = list(
        db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind.like("report_%")))
    )
    to_residents = [
        row for row in rows if row.recipient_email in (REPORTER_EMAIL, "stodjare.spar@exempel.se")
    ]
    # the receipt, the "received" and the "fixed" updates to the reporter; the fix to the
    # supporter
    assert len(to_residents) >= 4
    for row in to_residents:
        text = f"{row.subject}\n{row.body}\n{row.html_body}"
        assert INTERNAL_COMMENT not in text and STAFF_NAME not in text
        others = {REPORTER_EMAIL, "stodjare.spar@exempel.se"} - {row.recipient_email}
        assert not any(address in text for address in others)
    # the body's e-mail carries neither the resident's address nor their tracking link
    to_body = [row for row in rows if row.recipient_email == "felanmalan@energi.example"]
    assert to_body
    for row in to_body:
        assert REPORTER_EMAIL not in row.body and planted["token"] not in row.body
