"""Importing member rosters from XLSX and CSV the way union offices keep them, and exporting
the roster as XLSX."""
import csv
import io
import re
from datetime import date

import openpyxl
import pytest

from .support import XLSX, assert_problem, bad_checksum, new_id_number, new_phone

pytestmark = pytest.mark.e2e

HEADERS = ["姓名", "性别", "出生日期", "身份证号", "手机号码", "人员类别", "工会小组", "入会日期"]
CATEGORIES = ["教师", "后勤人员", "职员", "临时代课教师", "教师"]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏"


def person(i: int) -> dict:
    gender = "male" if i % 2 else "female"
    birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
    return {"name": SURNAMES[i % len(SURNAMES)] + "导入" + "一二三四五六七八九十"[i % 10] + str(i),
            "gender": "男" if gender == "male" else "女", "birth": birth,
            "id": new_id_number(birth=birth, gender=gender), "phone": new_phone(),
            "category": CATEGORIES[i % len(CATEGORIES)], "group": "语文组" if i % 3 else "后勤组",
            "join": "2020-09-01"}


def as_row(p: dict) -> list:
    return [p["name"], p["gender"], p["birth"], p["id"], p["phone"], p["category"], p["group"], p["join"]]


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for cell in sheet["D"]:
        cell.number_format = "@"  # ID numbers as text, as a careful office would
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def roster():
    """30 valid people and 3 broken rows at known spreadsheet rows (the header is row 1)."""
    valid = [person(i) for i in range(30)]
    rows = [as_row(p) for p in valid]
    checksum = as_row(person(100))
    checksum[3] = bad_checksum(checksum[3])
    nameless = as_row(person(101))
    nameless[0] = None
    unknown_category = as_row(person(102))
    unknown_category[5] = "校长助理"
    # data row index -> spreadsheet row = index + 2
    rows.insert(4, checksum)
    rows.insert(15, nameless)
    rows.insert(31, unknown_category)
    expected = {6: ("id_number", "id_checksum"), 17: ("name", "required"), 33: ("category", "category_unrecognised")}
    return {"valid": valid, "content": xlsx_bytes(rows), "errors": expected}


def upload(client, school, content, content_type=XLSX):
    return client.post(f"/api/v1/schools/{school}/members/import", data=content, headers={"Content-Type": content_type})


def test_an_xlsx_roster_imports_the_valid_rows_and_reports_every_invalid_row(school, roster):
    before = school.chair.member_total(school.code)
    resp = upload(school.chair, school.code, roster["content"])
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["imported"] == 30 and report["skipped"] == 0 and report["total_rows"] == 33
    assert {e["row"]: (e["field"], e["code"]) for e in report["errors"]} == roster["errors"]
    assert all(e["message"] for e in report["errors"])
    assert school.chair.member_total(school.code) == before + 30
    members = {m["name"]: m for m in school.chair.all_members(school.code)}
    for p in roster["valid"]:
        m = members[p["name"]]
        assert m["status"] == "active" and m["birth_date"] == p["birth"].isoformat()
        assert m["id_number"] == p["id"][:3] + "*" * 11 + p["id"][-4:]
        assert m["union_group"] == p["group"] and m["join_date"] == "2020-09-01"
    assert members[roster["valid"][1]["name"]]["category"] == "logistics"
    groups = {g["name"]: g for g in school.chair.ok("GET", f"/api/v1/schools/{school.code}/groups")["items"]}
    assert groups["语文组"]["members"] == 20 and groups["后勤组"]["members"] == 10


def test_importing_the_same_file_again_imports_nothing_and_skips_the_valid_rows(school, roster):
    upload(school.chair, school.code, roster["content"])  # whether or not the previous test ran
    total = school.chair.member_total(school.code)
    report = upload(school.chair, school.code, roster["content"]).json()
    assert report["imported"] == 0 and report["skipped"] == 30
    assert {e["row"] for e in report["errors"]} == set(roster["errors"])
    assert school.chair.member_total(school.code) == total
    names = [m["name"] for m in school.chair.all_members(school.code)]
    assert len(names) == len(set(names))


def test_rows_of_people_active_in_another_school_are_reported_not_imported(school, other_school, roster):
    upload(school.chair, school.code, roster["content"])
    before = other_school.chair.member_total(other_school.code)
    report = upload(other_school.chair, other_school.code, roster["content"]).json()
    assert report["imported"] == 0
    assert {e["code"] for e in report["errors"] if e["row"] not in roster["errors"]} == {"id_number_active_elsewhere"}
    assert other_school.chair.member_total(other_school.code) == before


def test_a_csv_roster_imports_too(other_school):
    people = [person(200 + i) for i in range(5)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for p in people:
        writer.writerow([p["name"], p["gender"], p["birth"].isoformat(), p["id"], p["phone"], p["category"],
                         p["group"], p["join"]])
    before = other_school.chair.member_total(other_school.code)
    resp = upload(other_school.chair, other_school.code, buffer.getvalue().encode("utf-8"), "text/csv")
    assert resp.status_code == 200, resp.text
    assert resp.json()["imported"] == 5 and resp.json()["errors"] == []
    assert other_school.chair.member_total(other_school.code) == before + 5
    names = {m["name"] for m in other_school.chair.all_members(other_school.code)}
    assert {p["name"] for p in people} <= names


def test_a_csv_saved_by_excel_on_chinese_windows_in_gb18030_imports_too(school):
    p = person(300)
    text = "\r\n".join([",".join(HEADERS), ",".join([p["name"], p["gender"], p["birth"].isoformat(), p["id"],
                                                        p["phone"], p["category"], p["group"], p["join"]])])
    report = upload(school.chair, school.code, text.encode("gb18030"), "text/csv").json()
    assert report["imported"] == 1 and report["errors"] == []
    assert p["name"] in {m["name"] for m in school.chair.all_members(school.code, q=p["name"])}


def test_an_id_number_that_excel_stored_as_a_number_is_reported_not_imported(school):
    total = school.chair.member_total(school.code)
    idn = new_id_number()
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "人员类别"])
    book.active.append(["马数字", float(idn[:15] + "000"), "教师"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload(school.chair, school.code, buffer.getvalue()).json()
    assert report["imported"] == 0
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [(2, "id_number", "id_stored_as_number")]
    assert school.chair.member_total(school.code) == total


def test_a_file_without_the_required_columns_or_of_another_type_is_refused(school):
    total = school.chair.member_total(school.code)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别"])
    book.active.append(["王五", "男"])
    buffer = io.BytesIO()
    book.save(buffer)
    missing = upload(school.chair, school.code, buffer.getvalue())
    assert_problem(missing, 422, "validation_failed", fields={"file"})
    assert_problem(upload(school.chair, school.code, b"%PDF-1.4", "application/pdf"), 415, "unsupported_media_type")
    assert school.chair.member_total(school.code) == total


def test_the_export_is_an_xlsx_roster_with_masked_id_numbers(school, roster):
    upload(school.chair, school.code, roster["content"])
    resp = school.chair.get(f"/api/v1/schools/{school.code}/members/export")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith(XLSX)
    assert "attachment" in resp.headers.get("Content-Disposition", "")
    book = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    header, data = rows[0], rows[1:]
    assert "姓名" in header and "身份证号" in header
    assert len(data) == school.chair.member_total(school.code)
    ids = [row[header.index("身份证号")] for row in data]
    assert all(re.fullmatch(r"\d{3}\*{11}[\dX]{4}", i) for i in ids), ids[:5]
    full = {p["id"] for p in roster["valid"]}
    assert not full & set(ids)
    phones = [row[header.index("手机号码")] for row in data]
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", p) for p in phones), phones[:5]
    exported_names = {row[header.index("姓名")] for row in data}
    assert {p["name"] for p in roster["valid"]} <= exported_names


def test_a_welfare_officer_may_neither_import_nor_export(school, stack, roster):
    from .support import Client
    username = f"{school.code.lower()}-welfare2"
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": "welfare-pass-1", "role": "welfare_officer"})
    welfare = Client.login(stack.url, username, "welfare-pass-1")
    assert_problem(upload(welfare, school.code, roster["content"]), 403, "role_forbidden")
    assert_problem(welfare.get(f"/api/v1/schools/{school.code}/members/export"), 403, "role_forbidden")
