"""Tables as CSV or XLSX downloads; callers pass numbers that are already suppressed.

A report (`Report`) opens right in a spreadsheet: CSV with a UTF-8 byte-order mark, the delimiter and
decimal mark of the reader's spreadsheet (`;` and `,` in Swedish and Finnish Excel), a header block saying
what made the file (filters, k, when), translated column labels, and numbers as numbers; a hidden cell is
empty in its numeric column and says so in a flag column. `machine=True` gives BI tools the stable column
keys, comma and decimal point, and nothing above the header row.

Cells can hold what participants typed (forum topics, quotes), so a text a spreadsheet would read as a
formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`) is neutralised before it is written, in both formats.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Spreadsheets start a formula (or a DDE call) at these characters (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number written as text ("-3", "+4.5") computes nothing and is left as it is.
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?$")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that would start a formula gets a leading quote.

    Numbers, dates and empty cells pass unchanged, so sums and charts still work on them.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def safe_table(table: list[list[Any]]) -> list[list[Any]]:
    return [[safe_cell(value) for value in row] for row in table]


def append_row(sheet: Worksheet, row: list[Any]) -> None:
    """Append a row whose texts stay texts: openpyxl would store any text starting with '=' as a formula."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def csv_response(table: list[list[Any]]) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(safe_table(table))
    return Response(buffer.getvalue(), mimetype="text/csv")


def xlsx_response(table: list[list[Any]], title: str) -> Response:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook holds one worksheet, active
    sheet.title = title
    for row in safe_table(table):
        append_row(sheet, row)
    data = io.BytesIO()
    workbook.save(data)
    return Response(data.getvalue(), mimetype=XLSX)


# --- reports -------------------------------------------------------------------------------------------

BOM = "\ufeff"
# Languages whose spreadsheets read a comma as the decimal mark, and so want a semicolon between cells.
DECIMAL_COMMA = ("sv", "fi")


@dataclass(frozen=True)
class Style:
    """How a CSV separates cells and writes decimals."""

    delimiter: str = ","
    decimal: str = "."

    @classmethod
    def named(cls, name: str | None, lang: str) -> Style:
        """'semicolon' or 'comma' as chosen on the export form; otherwise what the language's Excel expects."""
        if name not in ("semicolon", "comma"):
            name = "semicolon" if lang in DECIMAL_COMMA else "comma"
        return cls(";", ",") if name == "semicolon" else cls(",", ".")


MACHINE = Style()


@dataclass(frozen=True)
class Column:
    """A column: its label for people, its stable key for BI tools, and whether it holds numbers."""

    label: str
    key: str
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Report:
    """Tables with the facts that made them: a list of (label, value) pairs such as filters, k and time."""

    title: str
    about: list[tuple[str, Any]]
    tables: list[Table]


def per_cent(share: float | None) -> float | None:
    """A share of one as per cent with one decimal, as a report shows it."""
    return None if share is None else round(share * 100, 1)


def _text(value: Any, style: Style) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", style.decimal) if value != int(value) else str(int(value))
    return value


def _csv_lines(report: Report, style: Style, machine: bool) -> Iterator[list[Any]]:
    if machine:
        (table,) = report.tables
        yield [column.key for column in table.columns]
        yield from table.rows
        return
    yield [report.title]
    yield from ([label, value] for label, value in report.about)
    for table in report.tables:
        yield []
        yield [table.title]
        yield [column.label for column in table.columns]
        yield from table.rows


def report_csv(report: Report, style: Style, *, machine: bool = False) -> Response:
    """The report as one CSV file: header block, then each table under its title (or one bare table)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator="\r\n")
    for row in _csv_lines(report, style, machine):
        writer.writerow([safe_cell(_text(value, style)) for value in row])
    body = buffer.getvalue() if machine else BOM + buffer.getvalue()
    return Response(body.encode("utf-8"), mimetype="text/csv", content_type="text/csv; charset=utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique in the book."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    base, number = name, 2
    while name.casefold() in taken:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def report_xlsx(report: Report, *, machine: bool = False) -> Response:
    """The report as a workbook: one sheet per table (numbers stored as numbers), and a sheet about it."""
    workbook = Workbook()
    taken: set[str] = set()
    for index, table in enumerate(report.tables):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert isinstance(sheet, Worksheet)
        sheet.title = _sheet_title(table.key if machine else table.title, taken)
        append_row(sheet, [column.key if machine else column.label for column in table.columns])
        for row in table.rows:
            append_row(sheet, [safe_cell(int(v) if isinstance(v, bool) else v) for v in row])
    about = workbook.create_sheet()
    about.title = _sheet_title("about" if machine else report.title, taken)
    for label, value in [(report.title, ""), *report.about]:
        append_row(about, [safe_cell(label), safe_cell(value)])
    data = io.BytesIO()
    workbook.save(data)
    return Response(data.getvalue(), mimetype=XLSX)
