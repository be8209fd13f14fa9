"""Import and export of the certification register (CSV and .xlsx).

An import runs in two steps. `preview` reads the upload (CSV in UTF-8 with or without BOM or
in Windows-1252, `;` or `,` separated; or an .xlsx sheet), checks every row, and says per
line what is wrong or what would be created, changed or left unchanged. The checked rows
wait in a file under the instance folder (or REGISTER_IMPORT_DIR), named by a random token
and bound to the user and the council; nothing is written to the register until `confirm`
applies them in the caller's one transaction. A business is found by organisation number
and unit, so importing the same file twice changes nothing the second time. The export puts
a "'" before a text a spreadsheet would take for a formula; the import takes it off.
"""

import csv
import io
import itertools
import json
import re
import secrets
import time as wall_time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import String

from brott import clock
from brott.errors import DomainError
from brott.extensions import db
from brott.models import Place
from brott.models.certification import STATUS_LABELS, Business
from brott.models.place import name_key
from brott.services import certification as service
from brott.services import tables

MAX_ROWS = 5000
# rows read at most, empty ones included: a sheet of a million empty rows is not walked through
MAX_ROWS_READ = MAX_ROWS + 1000
MAX_CELL_CHARS = 1000
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024  # of all members of the workbook's zip, unpacked
# a text starting with one of these a spreadsheet takes for a formula: exported with a "'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOKEN_LIFETIME_SECONDS = 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")

# field → (its label, the header names accepted for it, compared case-insensitively)
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (_l("Name"), ("namn", "företag", "företagsnamn", "name", "business")),
    "unit": (_l("Unit"), ("enhet", "butik", "filial", "unit", "branch", "shop")),
    "orgnr": (
        _l("Organisation number"),
        (
            "organisationsnummer",
            "orgnr",
            "org.nr",
            "org nr",
            "organisation number",
            "organization number",
        ),
    ),
    "address": (_l("Address"), ("adress", "address")),
    "contact_name": (
        _l("Contact person"),
        ("kontaktperson", "kontakt", "contact person", "contact name", "contact"),
    ),
    "contact_email": (_l("E-mail"), ("e-post", "epost", "e-postadress", "e-mail", "email")),
    "phone": (_l("Phone"), ("telefon", "telefonnummer", "tel", "phone")),
    "industry": (_l("Industry"), ("bransch", "industry")),
    "place": (_l("Place"), ("plats", "place")),
    "chain": (_l("Chain"), ("kedja", "chain")),
    "offer_sent_on": (
        _l("Offer sent"),
        ("erbjudande skickat", "erbjudande", "offer sent", "offer sent on"),
    ),
}
REQUIRED = ("name", "orgnr")
# the longest text each text column holds (the model's String(n))
LENGTHS: dict[str, int] = {
    name: column.type.length
    for name in COLUMNS
    if name in Business.__table__.columns
    and isinstance((column := Business.__table__.columns[name]).type, String)
    and column.type.length
}
# columns of the export that an import reads past
EXPORT_ONLY = ("status", "giltigt till", "valid until")


@dataclass
class RowPlan:
    line: int
    name: str
    orgnr: str
    unit: str
    action: str  # "create", "change" or "unchanged"
    changes: list[str] = field(default_factory=list)  # labels of the changed columns


@dataclass
class Preview:
    errors: list[tuple[int, str]]  # (line, message), in line order
    plans: list[RowPlan]
    token: str | None = None  # set when there is something to confirm and no error

    @property
    def counts(self) -> Counter:
        return Counter(plan.action for plan in self.plans)


# --- reading a file ---------------------------------------------------------------------------


def read_table(filename: str, stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """The file's non-empty rows as (line number, cells), header first; DomainError (on the
    field "file") for a file that cannot be read."""
    head = stream.read(4)
    stream.seek(0)
    suffix = Path(filename or "").suffix.casefold()
    if suffix == ".xls":
        raise DomainError(_("Save the file as .xlsx or CSV and upload it again."), "file")
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt") and head == b"PK\x03\x04"):
        return _xlsx_rows(stream)
    return _csv_rows(stream)


def _csv_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "cp1252"):
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            return iter(list(_limited(_csv_records(text))))
        except UnicodeDecodeError:
            continue
        finally:
            text.detach()  # the upload stays open for the next attempt
    raise DomainError(
        _("The file's characters cannot be read. Save it as CSV in UTF-8 and try again."), "file"
    )


def _csv_records(text: io.TextIOWrapper) -> Iterator[tuple[int, list[Any]]]:
    first = text.readline()
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error:
        raise DomainError(
            _("Line %(line)d cannot be read: check its quotation marks.", line=reader.line_num + 1),
            "file",
        ) from None


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise DomainError(
                _(
                    "The Excel file unpacks to more than %(limit)d MB. "
                    "Save it as CSV or split it into smaller files.",
                    limit=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024),
                ),
                "file",
            )
        stream.seek(0)
        book = load_workbook(stream, read_only=True, data_only=True)
        sheet = book.active
        if sheet is None:
            raise ValueError("no sheet")
        # a few columns past the known ones are read, for a header with columns of its own
        rows = sheet.iter_rows(max_col=len(COLUMNS) + 5, values_only=True)
        return iter(list(_limited((n, list(cells)) for n, cells in enumerate(rows, start=1))))
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise DomainError(
            _("The file is not a readable Excel file (.xlsx). Save it again as .xlsx or CSV."),
            "file",
        ) from None


def _limited(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """The non-empty rows, refusing a file of more than MAX_ROWS data rows (or MAX_ROWS_READ
    rows, empty ones included) or with a cell of more than MAX_CELL_CHARS characters,
    without reading past the limit."""
    too_many = DomainError(
        _("The file has more than %(limit)d rows. Split it into smaller files.", limit=MAX_ROWS),
        "file",
    )
    count = 0
    for read, (line, cells) in enumerate(rows, start=1):
        if read > MAX_ROWS_READ:
            raise too_many
        if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in cells):
            raise DomainError(
                _(
                    "Line %(line)d has a cell of more than %(limit)d characters.",
                    line=line,
                    limit=MAX_CELL_CHARS,
                ),
                "file",
            )
        if all(_text(cell) == "" for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS + 1:  # the header and MAX_ROWS rows
            raise too_many
        yield line, cells


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    text = str(cell)
    if isinstance(cell, str) and text.startswith("'") and _formula_like(text):
        text = text[1:]  # the "'" the export put before what looks like a formula
    return " ".join(text.split())


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet would take the text, less any leading "'", for a formula."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def _neutralised(value: Any) -> Any:
    """An exported value; a text a spreadsheet would take for a formula gets a leading "'"
    (which the import takes off again)."""
    return "'" + value if isinstance(value, str) and _formula_like(value) else value


def _header(cells: list[Any]) -> dict[int, str]:
    """Column index → field, naming what is missing when a required column is."""
    aliases = {alias: name for name, (_label, names) in COLUMNS.items() for alias in names}
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        key = _text(cell).casefold().strip("\ufeff ")
        if key in aliases and aliases[key] not in found.values():
            found[index] = aliases[key]
    missing = [str(COLUMNS[name][0]) for name in REQUIRED if name not in found.values()]
    if missing:
        raise DomainError(
            _(
                "The first line must name the columns; it lacks: %(names)s.",
                names=", ".join(missing),
            ),
            "file",
        )
    return found


# --- preview and confirm --------------------------------------------------------------------


def preview(
    council_id: int, user_id: int, filename: str, stream: IO[bytes], folder: Path
) -> Preview:
    """Check an uploaded file against the register; nothing is written to the register.
    When every row is valid and something would change, the checked rows are kept for
    `confirm` under the returned token, in `folder` (or REGISTER_IMPORT_DIR when set)."""
    folder = import_folder(folder)
    rows = read_table(filename, stream)
    first = next(rows, None)
    if first is None:
        raise DomainError(_("The file is empty."), "file")
    columns = _header(first[1])
    errors: list[tuple[int, str]] = []
    checked: list[dict[str, Any]] = []
    places = _places(council_id)
    seen: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        extra = [c for i, c in enumerate(cells) if i >= len(first[1]) and _text(c)]
        if extra:
            errors.append((line, _("The line has more fields than the header.")))
            continue
        values, messages = _row(columns, cells, places)
        key = (values.get("orgnr", ""), name_key(values.get("unit", "")))
        if not messages and key in seen:
            messages.append(_("The same business is already on line %(line)d.", line=seen[key]))
        seen.setdefault(key, line)
        errors.extend((line, message) for message in messages)
        if not messages:
            checked.append({"line": line, "values": values})
    if not checked and not errors:
        raise DomainError(_("The file has no rows below its header."), "file")
    plans = _plans(council_id, checked)
    result = Preview(errors=errors, plans=plans)
    if not errors and any(plan.action != "unchanged" for plan in plans):
        result.token = _keep(folder, council_id, user_id, checked)
    return result


def confirm(council_id: int, user_id: int, token: str, folder: Path) -> Counter:
    """Apply the rows kept under `token` (this user's, this council's, recent) to the
    register; the caller commits. Returns how many rows were created, changed, unchanged."""
    checked = _take(import_folder(folder), council_id, user_id, token)
    plans = _plans(council_id, checked)
    existing, places = _existing(council_id), _places(council_id)
    service.ensure_checklist(council_id)
    for plan, row in zip(plans, checked, strict=True):
        if plan.action == "unchanged":
            continue
        values = row["values"]
        business = existing.get((values["orgnr"], name_key(values.get("unit", ""))))
        if business is None:
            business = Business(
                council_id=council_id, orgnr=values["orgnr"], created_at=clock.now()
            )
            db.session.add(business)
        for name, value in _model_values(values, places).items():
            setattr(business, name, value)
    db.session.flush()
    return Counter(plan.action for plan in plans)


def _row(
    columns: dict[int, str], cells: list[Any], places: dict[str, int]
) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    messages: list[str] = []
    for index, name in columns.items():
        cell = cells[index] if index < len(cells) else None
        label = str(COLUMNS[name][0])
        if name == "offer_sent_on":
            day, ok = _day(cell)
            if not ok:
                messages.append(_("%(column)s: enter a date as YYYY-MM-DD.", column=label))
            values[name] = day.isoformat() if day else None
            continue
        text = _text(cell)
        try:
            if name == "orgnr":
                text = service.normalise_orgnr(text)
            elif name == "contact_email":
                text = service.check_contact_email(text)
            elif name == "name" and not text:
                raise DomainError(_("Enter a name."))
            elif name == "place" and text and name_key(text) not in places:
                raise DomainError(_("There is no place named %(name)s.", name=text))
        except DomainError as error:
            messages.append(f"{label}: {error.message}")
        else:
            limit = LENGTHS.get(name)
            longest = max(len(text), len(name_key(text))) if name == "unit" else len(text)
            if limit is not None and longest > limit:
                messages.append(f"{label}: {_('At most %(limit)d characters.', limit=limit)}")
        values[name] = text
    return values, messages


def _day(cell: Any) -> tuple[date | None, bool]:
    if cell is None or _text(cell) == "":
        return None, True
    if isinstance(cell, datetime):
        return cell.date(), True
    if isinstance(cell, date):
        return cell, True
    try:
        day = date.fromisoformat(_text(cell)[:10])
    except ValueError:
        return None, False
    return (day, True) if 1900 <= day.year <= 2100 else (None, False)


def _places(council_id: int) -> dict[str, int]:
    found = db.session.execute(
        db.select(Place.name_key, Place.id).where(Place.council_id == council_id)
    ).tuples()
    return dict(found.all())


def _existing(council_id: int) -> dict[tuple[str, str], Business]:
    found = db.session.scalars(db.select(Business).where(Business.council_id == council_id))
    return {(b.orgnr, b.unit_key): b for b in found}


def _model_values(values: dict[str, Any], places: dict[str, int]) -> dict[str, Any]:
    """The business's attributes set by the file's columns (absent columns stay as they
    are; a present but empty cell empties the field)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "place":
            out["place_id"] = places.get(name_key(value)) if value else None
        elif name == "offer_sent_on":
            out[name] = date.fromisoformat(value) if value else None
        elif name == "unit":
            out["unit"], out["unit_key"] = value, name_key(value)
        else:
            out[name] = value
    return out


def _plans(council_id: int, checked: list[dict[str, Any]]) -> list[RowPlan]:
    existing, places = _existing(council_id), _places(council_id)
    plans = []
    for row in checked:
        values = row["values"]
        business = existing.get((values["orgnr"], name_key(values.get("unit", ""))))
        plan = RowPlan(
            row["line"], values["name"], values["orgnr"], values.get("unit", ""), "create"
        )
        if business is not None:
            wanted = _model_values(values, places)
            plan.changes = [
                str(COLUMNS.get(name, COLUMNS["place"])[0])
                for name, value in wanted.items()
                if name != "unit_key" and getattr(business, name) != value
            ]
            plan.action = "change" if plan.changes else "unchanged"
        plans.append(plan)
    return plans


def import_folder(default: Path | None = None) -> Path:
    """Where checked rows wait for `confirm`: the folder REGISTER_IMPORT_DIR names, else
    `default`, else instance/register_imports."""
    configured = current_app.config.get("REGISTER_IMPORT_DIR")
    if configured:
        return Path(configured)
    return default or Path(current_app.instance_path) / "register_imports"


def _keep(folder: Path, council_id: int, user_id: int, checked: list[dict[str, Any]]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):  # forgotten previews do not pile up
        if old.stat().st_mtime < wall_time.time() - 24 * 3600:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    payload = {"council_id": council_id, "user_id": user_id, "rows": checked}
    (folder / f"{token}.json").write_text(json.dumps(payload), encoding="utf-8")
    return token


def _take(folder: Path, council_id: int, user_id: int, token: str) -> list[dict[str, Any]]:
    gone = DomainError(
        _("This preview has expired or was already imported. Upload the file again.")
    )
    if not TOKEN.fullmatch(token or ""):
        raise gone
    path = folder / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        fresh = path.stat().st_mtime >= wall_time.time() - TOKEN_LIFETIME_SECONDS
    except (OSError, ValueError):
        raise gone from None
    if not fresh or (payload["council_id"], payload["user_id"]) != (council_id, user_id):
        raise gone
    path.unlink(missing_ok=True)
    return payload["rows"]


# --- export ---------------------------------------------------------------------------------


def export_table(council_id: int, today: date) -> tuple[list[str], list[list[Any]]]:
    """The register as a header (in the user's language) and rows; the import reads it back."""
    names = list(COLUMNS)
    header = [str(COLUMNS[name][0]) for name in names] + [_("Status"), _("Valid until")]
    rows = []
    for row in service.register(council_id, today).rows:
        b = row.business
        values = {
            "name": b.name,
            "unit": b.unit,
            "orgnr": b.orgnr,
            "address": b.address,
            "contact_name": b.contact_name,
            "contact_email": b.contact_email,
            "phone": b.phone,
            "industry": b.industry,
            "place": b.place.name if b.place else "",
            "chain": b.chain,
            "offer_sent_on": b.offer_sent_on,
        }
        cells = [values[name] for name in names] + [str(STATUS_LABELS[row.status]), row.valid_until]
        rows.append([_neutralised(cell) for cell in cells])
    return header, rows


def export_csv(council_id: int, today: date) -> bytes:
    """The register as CSV: UTF-8 with BOM, semicolons (as Swedish spreadsheets expect)."""
    return tables.to_csv(tables.Table(_("Register"), *export_table(council_id, today)))


def export_xlsx(council_id: int, today: date) -> bytes:
    """The register as an .xlsx workbook of one sheet."""
    return tables.to_xlsx(tables.Table(_("Register"), *export_table(council_id, today)))
