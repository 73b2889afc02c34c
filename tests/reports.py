"""Reading exported reports back as a spreadsheet would: CSV with the csv module, XLSX with openpyxl."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook


@dataclass
class ReadReport:
    title: str
    about: dict[str, str]
    tables: dict[str, list[list[str]]] = field(default_factory=dict)  # title → header row, then rows


def read_csv(data: bytes, delimiter: str = ";") -> ReadReport:
    """A report CSV: it must start with a UTF-8 byte-order mark; blocks are separated by empty rows."""
    assert data.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would read the file as ANSI"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    head, *tables = blocks
    report = ReadReport(head[0][0], {row[0]: row[1] for row in head[1:]})
    for block in tables:
        report.tables[block[0][0]] = block[1:]
    return report


def read_xlsx(data: bytes) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every sheet's rows as values; numbers come back as numbers."""
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
