"""Tables as CSV or XLSX downloads; callers pass numbers that are already suppressed."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_response(table: list[list[Any]]) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return Response(buffer.getvalue(), mimetype="text/csv")


def xlsx_response(table: list[list[Any]], title: str) -> Response:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in table:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return Response(data.getvalue(), mimetype=XLSX)
