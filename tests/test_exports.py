"""Spreadsheet exports: read back as Swedish Excel and a Python reader would, holding exactly
what the viewer may read on the pages, with nothing a spreadsheet would run."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from brott.extensions import db
from brott.models import MeasureStatus, Role, Visibility
from brott.models.audit import AuditEntry
from brott.services import reports as report_service
from brott.services.tables import Table, to_csv, to_xlsx

from .conftest import logged_in
from .report_objects import setup as setup  # a fixture: a body, a category, settings
from .test_query_counts import counted_statements

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = "/r/borlange/export"
INTERNAL = "INTERNT-SPÅR-4711 cykelstället"
SHARED = "Delad: gångtunneln är mörk"
REPORTER = "boende.spar@exempel.se"
FORMULA = '=HYPERLINK("http://exempel.se";"klicka")'


def rows_of_csv(body: bytes) -> list[list[str]]:
    """As Swedish Excel reads it: UTF-8 after a byte order mark, `;` between the fields."""
    assert body.startswith(b"\xef\xbb\xbf"), body[:10]
    text = body[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def rows_of_xlsx(body: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def world(council, coordinator, police, make_measure, make_note, make_user, setup):
    owner = make_user(Role.MEMBER, council, name="Åsa Ölund")
    make_measure(council, owners=[owner], title="Trygghetsvandring i Jakobsgårdarna")
    make_measure(council, title=FORMULA, status=MeasureStatus.DONE)
    make_note(council, text=INTERNAL, visibility=Visibility.INTERNAL)
    make_note(council, text=SHARED, visibility=Visibility.SHARED)
    report = report_service.submit(
        council.id,
        report_service.ReportData(
            setup["category"].id, "Stationsgatan 3", "Lampan är släckt", email=REPORTER
        ),
        NOW,
    )
    other = report_service.submit(
        council.id,
        report_service.ReportData(setup["category"].id, "Torget", "Klotter på bänken"),
        NOW,
    )
    other.body_id = setup["other_body"].id
    db.session.commit()
    return {"owner": owner, "report": report, "other": other}


def test_every_list_reads_back_from_csv_and_xlsx_with_swedish_headers_and_letters(
    app, world, coordinator
):
    client = logged_in(app, coordinator)
    for name, header_start, expected in (
        ("insatser", "Nr", "Trygghetsvandring i Jakobsgårdarna"),
        ("insatslogg", "Tid", ""),
        ("atgarder", "Åtgärd", ""),
        ("lagesbild", "Observerat från", SHARED),
        ("rapporter", "Nr", "Lampan är släckt"),
    ):
        answer = client.get(f"{BASE}/{name}.csv")
        assert answer.status_code == 200, name
        assert answer.mimetype == "text/csv"
        assert answer.headers["Content-Disposition"].startswith(
            f'attachment; filename="borlange-{name}-'
        )
        rows = rows_of_csv(answer.data)
        assert rows[0][0] == header_start, (name, rows[0])
        assert all(len(row) == len(rows[0]) for row in rows), name
        xlsx = client.get(f"{BASE}/{name}.xlsx")
        assert xlsx.status_code == 200
        sheet = rows_of_xlsx(xlsx.data)
        assert [str(cell or "") for cell in sheet[0]] == rows[0]
        assert len(sheet) == len(rows), name
        if expected:
            assert any(expected in row for row in rows), (name, rows)
            assert any(expected in row for row in sheet), name
    measures = rows_of_csv(client.get(f"{BASE}/insatser.csv").data)
    assert any("Åsa Ölund" in row for row in measures)  # names with å, ä, ö intact


def test_nothing_a_spreadsheet_would_run_is_written_as_a_formula(app, world, coordinator):
    client = logged_in(app, coordinator)
    rows = rows_of_csv(client.get(f"{BASE}/insatser.csv").data)
    assert "'" + FORMULA in [row[1] for row in rows]
    assert FORMULA not in [row[1] for row in rows]
    sheet = load_workbook(io.BytesIO(client.get(f"{BASE}/insatser.xlsx").data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "'" + FORMULA]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_the_police_get_the_shared_notes_only_and_nobody_gets_a_residents_address(
    app, world, police, coordinator
):
    shared = rows_of_csv(logged_in(app, police).get(f"{BASE}/lagesbild.csv").data)
    assert any(SHARED in row for row in shared)
    assert not any(INTERNAL in cell for row in shared for cell in row)
    everything = rows_of_csv(logged_in(app, coordinator).get(f"{BASE}/lagesbild.csv").data)
    assert any(INTERNAL in row for row in everything)
    for who in (police, coordinator):
        body = logged_in(app, who).get(f"{BASE}/rapporter.xlsx").data
        assert REPORTER.encode() not in body
        csv_body = logged_in(app, who).get(f"{BASE}/rapporter.csv").data
        assert REPORTER.encode() not in csv_body
        assert world["report"].token.encode() not in csv_body


def test_the_polices_download_of_notes_is_in_the_audit_log_as_each_note_they_open(
    app, world, police, coordinator
):
    def downloads() -> list[AuditEntry]:
        db.session.expire_all()
        return list(
            db.session.scalars(
                db.select(AuditEntry).where(
                    AuditEntry.object_type == "note", AuditEntry.action == "view"
                )
            )
        )

    logged_in(app, coordinator).get(f"{BASE}/lagesbild.csv")
    assert downloads() == []  # the municipality's own reads are not logged
    logged_in(app, police).get(f"{BASE}/lagesbild.xlsx")
    [entry] = downloads()
    assert entry.action == "view" and entry.actor_label == police.email
    assert entry.summary_values == {"count": 1}  # the one shared note


def test_odd_values_reach_a_spreadsheet_as_values():
    table = Table("Lista: [a/b]", ["Text", "Tal"], [["rad\x01ett\x0btvå", 60.4858]])
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).active
    assert [cell.value for cell in sheet[2]] == ["radetttvå", 60.4858]  # no cell holds \x01
    assert sheet.title == "Lista   a b"
    [_, row] = rows_of_csv(to_csv(table))
    assert row == ["radetttvå", "60,4858"]  # Swedish Excel's decimal comma


def test_a_bodys_staff_get_their_bodys_reports_only(app, world, make_user, council, setup):
    staff = make_user(Role.BODY_STAFF, council)
    staff.memberships[0].body_id = setup["body"].id
    db.session.commit()
    rows = rows_of_csv(logged_in(app, staff).get(f"{BASE}/rapporter.csv").data)
    numbers = [row[0] for row in rows[1:]]
    assert numbers == [str(world["report"].id)]
    assert logged_in(app, staff).get(f"{BASE}/insatser.csv").status_code == 403


def test_a_member_gets_their_own_actions_and_a_coordinator_everyones(
    app, council, coordinator, make_user, make_meeting, make_decision
):
    member = make_user(Role.MEMBER, council, name="Mia Medlem")
    meeting = make_meeting(council)
    make_decision(meeting, coordinator, owner=member, title="Ring bostadsbolaget")
    make_decision(meeting, coordinator, title="Beställ belysning")
    mine = rows_of_csv(logged_in(app, member).get(f"{BASE}/atgarder.csv").data)
    assert [row[0] for row in mine[1:]] == ["Ring bostadsbolaget"]
    everyone = rows_of_csv(logged_in(app, coordinator).get(f"{BASE}/atgarder.csv").data)
    assert sorted(row[0] for row in everyone[1:]) == ["Beställ belysning", "Ring bostadsbolaget"]


def test_an_unknown_format_is_404_and_an_empty_council_exports_a_header(app, council, coordinator):
    client = logged_in(app, coordinator)
    for path in ("insatser.pdf", "insatser.CSV", "rapporter.xls", "okant.csv"):
        assert client.get(f"{BASE}/{path}").status_code == 404, path
    rows = rows_of_csv(client.get(f"{BASE}/insatser.csv").data)
    assert len(rows) == 1 and rows[0][0] == "Nr"


def test_headers_follow_the_users_language(app, world, coordinator):
    client = logged_in(app, coordinator)
    client.post("/sprak", data={"language": "en"})
    rows = rows_of_csv(client.get(f"{BASE}/insatser.csv").data)
    assert rows[0][:2] == ["No.", "Measure"]


def test_an_export_reads_as_many_statements_for_40_rows_as_for_3(
    app, council, coordinator, make_measure, make_user
):
    client = logged_in(app, coordinator)
    owner = make_user(Role.MEMBER, council)
    counted = []
    for count in (3, 37):
        for _ in range(count):
            make_measure(council, owners=[owner], commit=False)
        db.session.commit()
        with counted_statements() as statements:
            assert client.get(f"{BASE}/insatser.xlsx").status_code == 200
        counted.append(len(statements))
    assert counted[0] == counted[1], counted
