"""An uploaded workbook opened, and its sheets read as canonical headers and rows of text.

A .xlsx is read by openpyxl, an old Excel .xls (what KoboToolbox and many older ODK forms still come as)
by xlrd; either way the reader sees the same `Book`: each sheet's title and its rows of cell values.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass

import xlrd
from openpyxl import load_workbook

from participation.surveys.xlsform.problems import LazyString, _l

# A .xlsx is a zip file; refuse one that unpacks to more than this rather than parse it.
UNPACKED_MAX = 20 * 1024 * 1024
# The sheets XLSForm gives a meaning to and Delaktig reads.
READ_SHEETS = ("survey", "choices", "settings")
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"  # the start of every .xls (Excel 97-2003) file


@dataclass
class Table:
    """One sheet of a workbook as written: its title and its rows of cell values."""

    title: str
    values: list[tuple[object, ...]]


@dataclass
class Book:
    """A workbook's sheets, in their order, whichever format the file was in."""

    worksheets: list[Table]


def open_workbook(data: bytes) -> tuple[Book | None, LazyString | str]:
    """The workbook in data, or None and why it cannot be read."""
    if data.startswith(_OLD_EXCEL):
        return _open_xls(data)
    unreadable = _l("The file is not an Excel workbook (.xlsx). Save the form as .xlsx and try again.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > UNPACKED_MAX:
                return None, _l("The workbook is too large to import.")
        with warnings.catch_warnings():
            # Styles and extensions openpyxl cannot keep say nothing about the form's content.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            book = load_workbook(io.BytesIO(data), data_only=True)
            return Book([Table(ws.title, list(ws.iter_rows(values_only=True))) for ws in book.worksheets]), ""
    except Exception:  # noqa: BLE001 - a damaged file can fail in zipfile, XML parsing or openpyxl itself
        return None, unreadable


def _open_xls(data: bytes) -> tuple[Book | None, LazyString | str]:
    """An old Excel workbook read by xlrd, or None and why not (damaged, or a password-protected file)."""
    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), verbosity=0)
        tables = [
            Table(sheet.name, [tuple(_xls_value(cell, book.datemode) for cell in sheet.row(row))
                               for row in range(sheet.nrows)])
            for sheet in book.sheets()
        ]  # fmt: skip
    except Exception:  # noqa: BLE001 - xlrd raises its own errors, struct and index errors on a damaged file
        return None, _l(
            "The file is in the old Excel format (.xls) but cannot be read: it may be damaged or protected "
            "by a password. Open it in Excel or LibreOffice, save it as .xlsx and import that file."
        )
    return Book(tables), ""


def _xls_value(cell: xlrd.sheet.Cell, datemode: int) -> object:
    """A .xls cell's value as openpyxl gives it: text, a number, a boolean, a date, an error's text."""
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    return cell.value


@dataclass
class Sheet:
    """One sheet as canonical headers and the non-empty rows below them, with Excel row numbers."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _cell(value: object) -> str:
    """A cell as text: whole floats without '.0', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _canonical_header(text: str) -> str:
    """'Label :: Svenska (sv)' -> 'label::Svenska (sv)'; 'List name' -> 'list_name'."""
    if "::" not in text and ":" in text and not text.lower().startswith(("jr:", "bind:", "instance:")):
        text = text.replace(":", "::", 1)
    base, separator, rest = text.partition("::")
    return "_".join(base.split()).lower() + (separator + rest.strip() if separator else "")


def read_sheet(book: Book, name: str) -> Sheet | None:
    """A sheet by name, whatever its case; None when the workbook has none."""
    sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == name), None)
    if sheet is None:
        return None
    rows = iter(sheet.values)
    headers = [_canonical_header(_cell(value)) for value in next(rows, ())]
    data = []
    for number, values in enumerate(rows, start=2):
        row: dict[str, str] = {}
        for header, value in zip(headers, values, strict=False):
            if header and header not in row:
                row[header] = _cell(value)
        if any(row.values()):
            data.append((number, row))
    return Sheet(name, headers, data)


def other_sheets(book: Book) -> list[str]:
    """The names of the sheets with content that Delaktig does not read."""
    return [
        ws.title
        for ws in book.worksheets
        if ws.title.strip().lower() not in READ_SHEETS
        and any(value is not None for row in ws.values for value in row)
    ]
