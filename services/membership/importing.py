"""Read a member roster (会员名册) that a school union officer uploads, as XLSX or CSV.

Valid rows come back as clean ``data`` dicts and bad rows as errors naming the spreadsheet row
and the reason in Chinese, so the officer fixes only those. Only an unreadable file (no header,
a required column missing, too many rows) fails as a whole.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterator

import openpyxl
from openpyxl.utils.datetime import from_excel

from services.membership.domain import model
from services.membership.domain.errors import MESSAGES
from services.membership.domain.idcard import id_birth_date, id_gender, validate_id_number, validate_phone
from shared.errors import DomainError, ValidationFailed
from shared.i18n import KIT_MESSAGES

MAX_ROWS = 50000
REQUIRED_COLUMNS = ("name", "id_number", "category")
FIELDS = ("name", "gender", "birth_date", "id_number", "phone", "category",
          "hire_date", "position", "union_group", "join_date")
_TITLE_ROWS_TOLERATED = 3

# Headers and values as union officers write them; codes and zh/en labels are accepted too.
_HEADER_ALIASES = {
    "name": ["姓名"], "gender": ["性别"], "birth_date": ["出生日期", "出生年月", "出生年月日"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "身份证"],
    "phone": ["手机", "手机号", "手机号码", "联系电话"], "category": ["人员类别", "类别", "职工类别"],
    "hire_date": ["入职日期", "入职时间", "参加工作时间", "参加工作日期"],
    "position": ["职务", "岗位", "职务岗位"], "union_group": ["工会小组", "所在小组"],
    "join_date": ["入会日期", "入会时间"],
}
_GENDER_ALIASES = {"male": ["男", "男性", "m"], "female": ["女", "女性", "f"]}
_CATEGORY_ALIASES = {
    "teacher": ["教师", "在编教师", "专任教师"], "staff": ["职员", "行政", "行政人员"],
    "temporary_teacher": ["临时代课教师", "代课教师", "代课"],
    "logistics": ["后勤", "后勤人员", "工勤人员"], "retiree": ["退休", "退休教职工", "退休教师"],
}
# 2020-09-01, 2020/9/1, 2020.9.1, 20200901, 2020年9月1日; without the day: 1985.06, 198506, 1985年6月
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})(?:月?|[-/.月]?(\d{1,2})日?)$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·•\s]+$")


@dataclass(frozen=True)
class ImportRow:
    row_number: int
    data: dict


@dataclass(frozen=True)
class RowError:
    row_number: int
    field: str | None
    code: str
    message_zh: str
    params: dict = field(default_factory=dict)  # fills the code's template in other languages


@dataclass
class ImportParse:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)


def _file_error(code: str, **params) -> ValidationFailed:
    return ValidationFailed("validation_failed", fields={"file": [code]}, params=params)


def _key(text: str) -> str:
    """Header and value lookup key: width-folded, lower case, without spaces, marks and notes."""
    text = re.sub(r"\([^)]*\)", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"[\s_\-*]+", "", text).lower()


def _lookup(table: dict[str, list[str]], labels: dict) -> dict[str, str]:
    return {_key(alias): code for code, aliases in table.items()
            for alias in [code, *aliases, *labels.get(code, {}).values()]}


_HEADERS = _lookup(_HEADER_ALIASES, model.FIELD_LABELS)
_GENDERS = _lookup(_GENDER_ALIASES, model.GENDERS)
_CATEGORIES = _lookup(_CATEGORY_ALIASES, model.CATEGORIES)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()  # Excel's "keep as text" trick in CSV exports
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        text = text[1:].strip()  # undo the formula-injection guard of our own CSV export
    return text


def _parse_date(value) -> tuple[date, bool]:
    """Return the date and whether it has a day; ``1985.06`` (出生年月) has none."""
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 10000 <= value < 80000:
            return from_excel(value).date(), True  # a date cell stored without its format
        if not float(value).is_integer():
            raise DomainError("date_unrecognised", params={"value": value})
    text = _TIME_TAIL.sub("", _text(value))
    try:
        if m := _DATE.match(re.sub(r"\s+", "", text)):
            return date(int(m[1]), int(m[2]), int(m[3] or 1)), m[3] is not None
    except ValueError:
        pass
    raise DomainError("date_unrecognised", params={"value": text})


def _clean_name(text: str) -> str:
    # Chinese rosters pad two-character names to line up (王  伟); Latin names keep one space.
    return re.sub(r"\s+", "" if _CJK_NAME.match(text) else " ", text)


def _choice(value, table: dict[str, str], code: str) -> str:
    try:
        return table[_key(_text(value))]
    except KeyError:
        raise DomainError(code, params={"value": _text(value)}) from None


def _id_text(value) -> str:
    if isinstance(value, float) and value >= 1e15:
        raise DomainError("id_stored_as_number")  # Excel keeps 15 digits: the last ones are gone
    return _text(value)


def _limited(text: str, limit: int) -> str:
    if len(text) > limit:
        raise DomainError("too_long")
    return text


_CONVERTERS = {
    "name": lambda v: _limited(_clean_name(_text(v)), 50),
    "id_number": lambda v: validate_id_number(_id_text(v)),
    "category": lambda v: _choice(v, _CATEGORIES, "category_unrecognised"),
    "gender": lambda v: _choice(v, _GENDERS, "gender_unrecognised"),
    "birth_date": _parse_date,
    "phone": lambda v: validate_phone(_text(v)),
    "hire_date": lambda v: _parse_date(v)[0],
    "position": lambda v: _limited(_text(v), 100),
    "union_group": lambda v: _limited(_text(v), 100),
    "join_date": lambda v: _parse_date(v)[0],
}


def _check_row(raw: dict[str, object]) -> tuple[dict, list[tuple[str, str, dict]]]:
    data: dict = dict.fromkeys(FIELDS)
    problems: list[tuple[str, str, dict]] = []
    for name, convert in _CONVERTERS.items():
        value = raw.get(name)
        if _text(value) == "":
            if name in REQUIRED_COLUMNS:
                problems.append((name, "required", {}))
            continue
        try:
            data[name] = convert(value)
        except DomainError as error:
            problems.extend((name, code, error.params) for code in error.fields.get(name, [error.code]))
    birth, precise = data["birth_date"] or (None, True)
    data["birth_date"] = birth
    if idn := data["id_number"]:
        from_id = id_birth_date(idn)
        if birth and birth != (from_id if precise else from_id.replace(day=1)):
            problems.append(("birth_date", "id_birth_mismatch", {}))
        data["birth_date"] = from_id
        if data["gender"] and data["gender"] != id_gender(idn):
            problems.append(("gender", "id_gender_mismatch", {}))
        data["gender"] = id_gender(idn)
    return data, problems


def _message_zh(field_name: str | None, code: str, params: dict) -> str:
    message = (MESSAGES.get(code) or KIT_MESSAGES.get(code) or {"zh-CN": code})["zh-CN"].format(**params)
    return f"{model.label('field', field_name)}：{message}" if field_name else message


def _detect_format(content: bytes, filename_or_format: str) -> str:
    # The content wins over the name: an .xlsx renamed to .csv or .xls is still read.
    hint = (filename_or_format or "").strip().lower()
    if content[:4] == b"PK\x03\x04" or hint.endswith(("xlsx", "spreadsheetml.sheet")):
        return "xlsx"
    if hint.endswith("csv") and content[:4] != b"\xd0\xcf\x11\xe0":
        return "csv"
    raise _file_error("unsupported_file_format")


def _xlsx_rows(content: bytes) -> Iterator[tuple]:
    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.active or workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read what is there
        yield from sheet.iter_rows(values_only=True)
    except Exception as error:  # an uploaded file is untrusted: any reader failure means unreadable
        raise _file_error("file_unreadable") from error
    finally:
        if workbook is not None:
            workbook.close()


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    for encoding in ("utf-8", "gb18030"):  # gb18030: what Excel on a Chinese Windows saves as CSV
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error("file_unreadable")


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise _file_error("file_unreadable") from error


def _map_header(cells) -> tuple[dict[str, list[int]], list[str]]:
    columns: dict[str, list[int]] = {}
    unknown = []
    for index, text in enumerate(map(_text, cells)):
        if (name := _HEADERS.get(_key(text))) is not None:
            columns.setdefault(name, []).append(index)
        elif text:
            unknown.append(text)
    return columns, unknown


def parse_members_file(content: bytes, filename_or_format: str) -> ImportParse:
    """Parse an XLSX or CSV roster into valid rows and per-row errors.

    The header is the first non-empty row, passing over up to three one-cell title rows
    (新桥实验小学工会会员名册). Of two columns for one field (手机, 联系电话) the first filled wins.
    A date without a day (参加工作时间 2008.09) is taken as the first of the month.
    """
    kind = _detect_format(content, filename_or_format)
    rows = _xlsx_rows(content) if kind == "xlsx" else _csv_rows(content)
    result = ImportParse()
    columns: dict[str, list[int]] | None = None
    seen_ids: dict[str, int] = {}
    data_rows = titles = 0
    for row_number, cells in enumerate(rows, start=1):
        cells = list(cells)
        if not any(_text(cell) for cell in cells):
            continue
        if columns is None:
            columns, unknown = _map_header(cells)
            if not columns and len(unknown) == 1 and titles < _TITLE_ROWS_TOLERATED:
                columns, titles = None, titles + 1
                continue
            missing = [model.label("field", name) for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise _file_error("missing_column", column="、".join(missing), columns=missing)
            result.unknown_headers = unknown
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _file_error("too_many_rows", limit=MAX_ROWS)
        raw = {name: next((cells[i] for i in indexes if i < len(cells) and _text(cells[i])), None)
               for name, indexes in columns.items()}
        data, problems = _check_row(raw)
        if (idn := data["id_number"]) in seen_ids:
            problems.append(("id_number", "duplicate_in_file", {"first_row": seen_ids[idn]}))
        elif idn is not None:
            seen_ids[idn] = row_number
        if problems:
            result.errors.extend(RowError(row_number, name, code, _message_zh(name, code, params), params)
                                 for name, code, params in problems)
        else:
            result.rows.append(ImportRow(row_number, data))
    if columns is None:
        raise _file_error("empty_file")
    return result
