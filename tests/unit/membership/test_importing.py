import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from services.membership import importing
from services.membership.domain.idcard import make_id_number
from services.membership.importing import MAX_ROWS, parse_members_file
from shared.errors import ValidationFailed

HEADER = ["姓名", "性别", "出生日期", "身份证号", "手机号码", "人员类别", "入职日期", "职务岗位", "工会小组", "入会日期"]
WANG = make_id_number("320411", date(1986, 3, 15), 10, "female")
LI = make_id_number("320402", date(1970, 11, 2), 11, "male")
ZHAO = make_id_number("320412", date(1999, 7, 1), 12, "female")


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows, encoding="utf-8-sig", delimiter=",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def minimal(*rows):
    return [["姓名", "身份证号", "人员类别"], *rows]


def file_error(content, fmt="xlsx"):
    with pytest.raises(ValidationFailed) as caught:
        parse_members_file(content, fmt)
    return caught.value


def test_chinese_headers_with_aliases_are_recognised():
    content = xlsx([
        ["姓名", "性别", "出生年月", "公民身份号码", "联系电话", "职工类别", "参加工作时间", "岗位", "所在小组", "入会时间", "备注"],
        ["王芳", "女", "1986.03", WANG, "138 1234 5678", "在编教师", "2008.09", "语文教师", "语文组", "2008年10月8日", "党员"],
    ])
    parsed = parse_members_file(content, "名册.xlsx")
    assert parsed.errors == []
    assert parsed.unknown_headers == ["备注"]
    assert [row.row_number for row in parsed.rows] == [2]
    assert parsed.rows[0].data == {
        "name": "王芳", "gender": "female", "birth_date": date(1986, 3, 15), "id_number": WANG,
        "phone": "13812345678", "category": "teacher", "hire_date": date(2008, 9, 1),
        "position": "语文教师", "union_group": "语文组", "join_date": date(2008, 10, 8),
    }


@pytest.mark.parametrize("header,value,expected", [
    ("类别", "代课教师", "temporary_teacher"), ("人员类别", "行政", "staff"), ("人员类别", "后勤", "logistics"),
    ("人员类别", "退休教职工", "retiree"), ("人员类别", "临时代课教师", "temporary_teacher"),
    ("人员类别", "teacher", "teacher"), ("人员类别", "后勤人员", "logistics"),
])
def test_category_words_officers_use_map_to_codes(header, value, expected):
    parsed = parse_members_file(xlsx([["姓名", "身份证号", header], ["王芳", WANG, value]]), "xlsx")
    assert parsed.rows[0].data["category"] == expected


def test_invalid_rows_are_reported_with_row_number_and_reason_while_valid_rows_import():
    content = xlsx(minimal(
        ["王芳", WANG, "教师"],
        ["坏校验", WANG[:17] + ("0" if WANG[17] != "0" else "1"), "教师"],
        [None, make_id_number("320411", date(1990, 5, 5), 13, "male"), "教师"],
        ["赵敏", ZHAO, "志愿者"],
        ["李强", LI, "后勤"],
    ))
    parsed = parse_members_file(content, "xlsx")
    assert [row.row_number for row in parsed.rows] == [2, 6]
    assert [(e.row_number, e.field, e.code) for e in parsed.errors] == [
        (3, "id_number", "id_checksum"), (4, "name", "required"), (5, "category", "category_unrecognised")]
    assert parsed.errors[0].message_zh == "身份证号：身份证号校验位错误，请核对"
    assert parsed.errors[2].message_zh == "人员类别：无法识别的人员类别“志愿者”"
    assert parsed.errors[2].params == {"value": "志愿者"}


def test_every_problem_of_a_row_is_reported():
    content = xlsx([HEADER, ["王芳", "未知", "1986-13-01", WANG, "12345", "教师", None, None, None, None]])
    parsed = parse_members_file(content, "xlsx")
    assert parsed.rows == []
    assert {(e.field, e.code) for e in parsed.errors} == {
        ("gender", "gender_unrecognised"), ("birth_date", "date_unrecognised"), ("phone", "phone_invalid")}


def test_excel_date_cells_are_read_as_dates():
    content = xlsx([HEADER, ["王芳", "女", datetime(1986, 3, 15), WANG, None, "教师",
                             date(2008, 9, 1), None, None, datetime(2008, 10, 8, 0, 0)]])
    data = parse_members_file(content, "xlsx").rows[0].data
    assert (data["birth_date"], data["hire_date"], data["join_date"]) == (
        date(1986, 3, 15), date(2008, 9, 1), date(2008, 10, 8))


@pytest.mark.parametrize("text", ["2020-09-01", "2020/9/1", "2020.9.1", "20200901", "2020年9月1日",
                                  "2020 年 9 月 1 日", "2020-09-01 00:00:00", 20200901])
def test_date_strings_in_common_chinese_forms_are_parsed(text):
    content = xlsx([["姓名", "身份证号", "人员类别", "入会日期"], ["王芳", WANG, "教师", text]])
    assert parse_members_file(content, "xlsx").rows[0].data["join_date"] == date(2020, 9, 1)


def test_a_phone_stored_as_a_number_is_read_as_text():
    content = xlsx([["姓名", "身份证号", "人员类别", "手机"], ["李强", LI, "教师", 13812345678]])
    assert parse_members_file(content, "xlsx").rows[0].data["phone"] == "13812345678"


def test_an_id_number_excel_stored_as_a_number_is_reported_as_such():
    content = xlsx([["姓名", "身份证号", "人员类别"], ["李强", float(LI), "教师"]])
    error = parse_members_file(content, "xlsx").errors[0]
    assert (error.field, error.code) == ("id_number", "id_stored_as_number")
    assert "文本" in error.message_zh


def test_gb18030_csv_is_decoded():
    content = csv_file(minimal(["王芳", WANG, "教师"], ["李强", LI, "职员"]), encoding="gb18030")
    parsed = parse_members_file(content, "members.csv")
    assert [(r.data["name"], r.data["category"]) for r in parsed.rows] == [("王芳", "teacher"), ("李强", "staff")]


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-8", ","), ("utf-8", "\t")])
def test_utf8_csv_with_or_without_bom_is_decoded(encoding, delimiter):
    content = csv_file(minimal(["王芳", WANG, "教师"]), encoding=encoding, delimiter=delimiter)
    assert parse_members_file(content, "csv").rows[0].data["name"] == "王芳"


def test_duplicate_id_number_in_file_rejects_the_second_occurrence():
    parsed = parse_members_file(csv_file(minimal(["王芳", WANG, "教师"], ["王芳", WANG.lower(), "教师"])), "csv")
    assert [row.row_number for row in parsed.rows] == [2]
    assert [(e.row_number, e.code) for e in parsed.errors] == [(3, "duplicate_in_file")]
    assert "第 2 行" in parsed.errors[0].message_zh


def test_missing_required_column_fails_the_whole_file():
    error = file_error(xlsx([["姓名", "性别", "人员类别"], ["王芳", "女", "教师"]]))
    assert error.fields == {"file": ["missing_column"]}
    assert error.params["column"] == "身份证号"


def test_birth_date_and_gender_are_derived_from_the_id_number():
    data = parse_members_file(xlsx(minimal(["李强", LI, "教师"])), "xlsx").rows[0].data
    assert (data["birth_date"], data["gender"]) == (date(1970, 11, 2), "male")


def test_birth_date_disagreeing_with_the_id_number_makes_the_row_invalid():
    content = xlsx([["姓名", "身份证号", "人员类别", "出生日期"], ["李强", LI, "教师", "1970-11-03"]])
    parsed = parse_members_file(content, "xlsx")
    assert parsed.rows == []
    assert [(e.field, e.code) for e in parsed.errors] == [("birth_date", "id_birth_mismatch")]


def test_a_year_and_month_birth_date_must_match_the_id_number_too():
    content = xlsx([["姓名", "身份证号", "人员类别", "出生年月"], ["李强", LI, "教师", "1970.11"],
                    ["王芳", WANG, "教师", "1986.04"]])
    parsed = parse_members_file(content, "xlsx")
    assert parsed.rows[0].data["birth_date"] == date(1970, 11, 2)
    assert [(e.row_number, e.code) for e in parsed.errors] == [(3, "id_birth_mismatch")]


def test_gender_disagreeing_with_the_id_number_makes_the_row_invalid():
    parsed = parse_members_file(xlsx([["姓名", "身份证号", "人员类别", "性别"], ["李强", LI, "教师", "女"]]), "xlsx")
    assert [(e.field, e.code) for e in parsed.errors] == [("gender", "id_gender_mismatch")]


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet():
    content = xlsx([[None], minimal()[0], ["王芳", WANG, "教师"], [None, None, None], ["", " ", ""], ["李强", LI, "教师"]])
    assert [row.row_number for row in parse_members_file(content, "xlsx").rows] == [3, 6]


def test_a_title_row_above_the_header_is_passed_over():
    parsed = parse_members_file(xlsx([["新桥实验小学工会会员名册"], *minimal(["王芳", WANG, "教师"])]), "xlsx")
    assert [(row.row_number, row.data["name"]) for row in parsed.rows] == [(3, "王芳")]


def test_english_field_names_and_labels_are_accepted_as_headers():
    content = csv_file([["name", "id_number", "Category", "Union group", "birth_date"],
                        ["Wang Fang", WANG, "Teacher", "语文组", "1986-03-15"]])
    data = parse_members_file(content, "csv").rows[0].data
    assert (data["name"], data["category"], data["union_group"]) == ("Wang Fang", "teacher", "语文组")


def test_padded_chinese_names_are_closed_up():
    parsed = parse_members_file(xlsx(minimal(["王　 芳", WANG, "教师"])), "xlsx")
    assert parsed.rows[0].data["name"] == "王芳"


def test_the_first_filled_of_two_phone_columns_is_used():
    content = xlsx([["姓名", "身份证号", "人员类别", "手机", "联系电话"], ["王芳", WANG, "教师", None, "13912345678"]])
    assert parse_members_file(content, "xlsx").rows[0].data["phone"] == "13912345678"


def test_a_file_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    error = file_error(xlsx(minimal(["王芳", WANG, "教师"], ["李强", LI, "教师"], ["赵敏", ZHAO, "教师"])))
    assert error.fields == {"file": ["too_many_rows"]}
    assert error.params == {"limit": 2}
    assert MAX_ROWS == 50000


@pytest.mark.parametrize("content,fmt,code", [
    (b"%PDF-1.4", "scan.pdf", "unsupported_file_format"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "unsupported_file_format"),
    (b"PK\x03\x04 not really a workbook", "broken.xlsx", "file_unreadable"),
    (b"", "empty.csv", "empty_file"),
    (b"\n\n,,\n", "blank.csv", "empty_file"),
])
def test_unreadable_files_fail_as_a_whole(content, fmt, code):
    assert file_error(content, fmt).fields == {"file": [code]}


def test_an_xlsx_uploaded_under_a_csv_name_is_still_read():
    assert len(parse_members_file(xlsx(minimal(["王芳", WANG, "教师"])), "members.csv").rows) == 1


def test_a_20000_row_workbook_parses_completely():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("会员")
    sheet.append(HEADER)
    for i in range(20000):
        birth = date(1970, 1, 1) + timedelta(days=i // 500)
        gender = "female" if i % 3 else "male"
        sheet.append([f"会员{i}", "女" if gender == "female" else "男", birth,
                      make_id_number("320411", birth, i % 500, gender), f"138{i:08d}", "教师",
                      date(1995, 9, 1), "语文教师", "语文组", "2000-09-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse_members_file(buffer.getvalue(), "xlsx")
    assert parsed.errors == []
    assert len(parsed.rows) == 20000
    assert parsed.rows[-1].row_number == 20001
    assert parsed.rows[-1].data["name"] == "会员19999"
