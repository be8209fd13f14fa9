"""Tables for spreadsheets: one header and rows, written as CSV or .xlsx.

CSV is written as Swedish Excel opens it with å, ä and ö intact: UTF-8 with a byte order mark,
`;` between fields, CRLF line ends, a decimal comma. A date is written as 2026-11-27, a moment
as Stockholm's wall clock (2026-11-27 14:05). A text a spreadsheet would read as a formula
(starting with =, +, -, @, TAB or CR) gets a "'" in front in both formats, and .xlsx cells
holding text are typed as text, so nothing a resident or a member typed is ever run by a
spreadsheet. Control characters no cell may hold are dropped.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from brott.clock import STOCKHOLM

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KINDS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_TITLE_MAX = 31  # Excel's limit


@dataclass
class Table:
    """A header (already in the user's language) and rows of plain values."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


def neutralised(value: Any) -> Any:
    """A text a spreadsheet would take for a formula, kept as text by a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        # characters no spreadsheet cell holds (C0 controls but TAB, LF, CR), e.g. from an
        # imported file: dropped, as openpyxl refuses them
        return neutralised(ILLEGAL_CHARACTERS_RE.sub("", value))
    return str(value) if not isinstance(value, int | float | date) else value


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(name) for name in table.header])
    for row in table.rows:
        writer.writerow([_csv_value(value) for value in map(_plain, row)])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(value).replace(".", ",")  # Swedish Excel's decimal comma: read as a number
    return value


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _sheet_title(table.title)
    sheet.append([str(name) for name in table.header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in table.rows:
        sheet.append([_plain(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    # a sheet title may not hold these, nor be longer than 31 characters
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return (cleaned or "Data")[:SHEET_TITLE_MAX]


def download(table: Table, name: str, kind: str) -> Response:
    """`table` as a file to download, `name`.csv or `name`.xlsx."""
    body = to_csv(table) if kind == "csv" else to_xlsx(table)
    disposition = f'attachment; filename="{name}.{kind}"'
    return Response(body, mimetype=MIMETYPES[kind], headers={"Content-Disposition": disposition})


def rows_of(items: Iterable[Any], *columns) -> list[list[Any]]:
    """One row per item: each column is a function of the item."""
    return [[column(item) for column in columns] for item in items]
