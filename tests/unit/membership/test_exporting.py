import csv
import io
from datetime import date, datetime

import openpyxl

from services.membership.domain.idcard import make_id_number, mask_id_number, mask_phone
from services.membership.exporting import members_to_csv, members_to_xlsx
from services.membership.importing import parse_members_file

WANG = {
    "name": "王芳", "gender": "female", "birth_date": date(1986, 3, 15),
    "id_number": make_id_number("320411", date(1986, 3, 15), 10, "female"), "phone": "13812345678",
    "category": "temporary_teacher", "hire_date": date(2008, 9, 1), "position": "语文教师",
    "union_group": "语文组", "join_date": date(2008, 10, 8), "status": "active",
}
LI = {
    "name": "李强", "gender": "male", "birth_date": "1960-11-02",
    "id_number": make_id_number("320402", date(1960, 11, 2), 11, "male"), "phone": None,
    "category": "retiree", "hire_date": "1982-09-01", "position": None,
    "union_group": "退休组", "join_date": "1982-10-01", "status": "retired",
}
ZH_HEADERS = ["姓名", "性别", "出生日期", "身份证号", "手机号码", "人员类别", "入职日期", "职务岗位", "工会小组", "入会日期", "会员状态"]


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def masked(member: dict) -> dict:
    return {**member, "id_number": mask_id_number(member["id_number"]), "phone": mask_phone(member["phone"])}


def without_status(member: dict) -> dict:
    result = {k: v for k, v in member.items() if k != "status"}
    for key in ("birth_date", "hire_date", "join_date"):
        if isinstance(result[key], str):
            result[key] = date.fromisoformat(result[key])
    return result


def test_xlsx_has_the_chinese_headers_and_chinese_labels():
    rows = sheet_rows(members_to_xlsx([masked(WANG)]))
    assert rows[0] == ZH_HEADERS
    assert rows[1] == ["王芳", "女", datetime(1986, 3, 15), mask_id_number(WANG["id_number"]),
                       "138****5678", "临时代课教师", datetime(2008, 9, 1), "语文教师", "语文组",
                       datetime(2008, 10, 8), "在册会员"]


def test_xlsx_writes_masked_numbers_as_given():
    rows = sheet_rows(members_to_xlsx([masked(WANG)]))
    assert rows[1][3].startswith("320") and "*" in rows[1][3] and len(rows[1][3]) == 18
    assert rows[1][4] == "138****5678"


def test_xlsx_dates_are_real_dates_even_from_iso_strings():
    sheet = openpyxl.load_workbook(io.BytesIO(members_to_xlsx([LI]))).active
    birth = sheet.cell(row=2, column=3)
    assert birth.value == datetime(1960, 11, 2)
    assert birth.is_date and birth.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=5).value is None


def test_english_export_uses_english_headers_and_labels():
    rows = sheet_rows(members_to_xlsx([LI], language="en"))
    assert rows[0][:3] == ["Name", "Gender", "Birth date"]
    assert (rows[1][1], rows[1][5], rows[1][10]) == ("Male", "Retired staff", "Retired member")
    assert openpyxl.load_workbook(io.BytesIO(members_to_xlsx([], language="en"))).active.title == "Members"


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_chinese():
    content = members_to_csv([masked(WANG), LI])
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ZH_HEADERS
    assert rows[1][:7] == ["王芳", "女", "1986-03-15", mask_id_number(WANG["id_number"]), "138****5678",
                           "临时代课教师", "2008-09-01"]
    assert rows[2][4] == "" and rows[2][10] == "退休会员"


def test_an_xlsx_export_imports_back_unchanged():
    parsed = parse_members_file(members_to_xlsx([WANG, LI]), "members.xlsx")
    assert parsed.errors == []
    assert parsed.unknown_headers == ["会员状态"]
    assert [row.data for row in parsed.rows] == [without_status(WANG), without_status(LI)]


def test_a_csv_export_imports_back_unchanged_in_either_language():
    for language in ("zh-CN", "en"):
        parsed = parse_members_file(members_to_csv([WANG, LI], language), "members.csv")
        assert parsed.errors == []
        assert [row.data for row in parsed.rows] == [without_status(WANG), without_status(LI)]


def test_a_formula_typed_as_a_name_stays_text():
    sneaky = {**WANG, "name": '=HYPERLINK("http://evil","点我")', "position": "+1"}
    sheet = openpyxl.load_workbook(io.BytesIO(members_to_xlsx([sneaky]))).active
    assert sheet.cell(row=2, column=1).data_type == "s"
    rows = list(csv.reader(io.StringIO(members_to_csv([sneaky]).decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=") and rows[1][7] == "'+1"
    parsed = parse_members_file(members_to_csv([sneaky]), "csv")
    assert parsed.rows[0].data["name"] == sneaky["name"]
    assert parsed.rows[0].data["position"] == "+1"
