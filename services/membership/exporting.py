"""Write the member roster (会员名册) as XLSX or CSV for download.

The columns are the ones the import reads, so an exported file can be edited and imported
again. ID numbers and phones are written as the caller passes them: the service masks them
(脱敏) before export unless the reader may see them in full; this module never unmasks.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Iterable, Mapping

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.membership.domain import model

COLUMNS = ("name", "gender", "birth_date", "id_number", "phone", "category",
           "hire_date", "position", "union_group", "join_date", "status")
DATE_COLUMNS = frozenset({"birth_date", "hire_date", "join_date"})
LABELLED_COLUMNS = frozenset({"gender", "category", "status"})
SHEET_TITLES = {"zh-CN": "会员名册", "en": "Members"}
_WIDTHS = {"name": 12, "id_number": 22, "phone": 14, "position": 16, "union_group": 14}
# A cell starting with one of these is a formula to Excel: a name like "=HYPERLINK(...)"
# typed by a user must stay text (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def headers(language: str = "zh-CN") -> list[str]:
    return [model.label("field", name, language) for name in COLUMNS]


def _value(member: Mapping, name: str, language: str):
    value = member.get(name)
    if value is None or value == "":
        return None
    if name in LABELLED_COLUMNS:
        return model.label(name, value, language)
    if name in DATE_COLUMNS:
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return str(value)


def _rows(members: Iterable[Mapping], language: str):
    for member in members:
        yield [_value(member, name, language) for name in COLUMNS]


def members_to_xlsx(members: Iterable[Mapping], language: str = "zh-CN") -> bytes:
    """The roster as an XLSX workbook, labels in ``language``, dates as real Excel dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLES.get(language, SHEET_TITLES["zh-CN"]))
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 12)
    bold = Font(bold=True)
    header_cells = []
    for text in headers(language):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in _rows(members, language):
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    return cell


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def members_to_csv(members: Iterable[Mapping], language: str = "zh-CN") -> bytes:
    """The roster as CSV in UTF-8 with a byte-order mark, which Excel needs to show Chinese."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(language))
    for row in _rows(members, language):
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
