"""Tables as CSV or XLSX downloads; callers pass numbers that are already suppressed.

Cells can hold what participants typed (forum topics, quotes), so a text a spreadsheet would read as a
formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`) is neutralised before it is written, in both formats.
"""

from __future__ import annotations

import csv
import io
import re
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
