"""Importing a member roster (services/membership/bulk.py) against SQLite: idempotent, row-level errors."""
from __future__ import annotations

import io

import openpyxl
import pytest

from services.membership import bulk, organisation
from shared.errors import NotFound

from .support import S1, S2, TODAY, person

HEADER = ["姓名", "身份证号", "人员类别", "工会小组", "手机号码"]


def xlsx(*rows) -> bytes:
    book = openpyxl.Workbook()
    for row in (HEADER, *rows):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROSTER = xlsx(
    ["王芳", person(1)["id_number"], "教师", "语文组", "13812345678"],
    ["李明", person(2)["id_number"], "后勤人员", "", ""],
    ["赵敏", person(3)["id_number"], "职员", "语文组", ""],
)


def import_file(ms, school, content, language="zh-CN"):
    with ms.uow(school) as uow:
        return bulk.import_members(uow, school, content, "xlsx", TODAY, language)


def admitted_events(ms):
    return [e for e in ms.events() if e["type"] == "membership.member_admitted"]


def test_a_roster_is_imported_as_active_members_with_history_and_events(ms):
    report = import_file(ms, S1, ROSTER)
    assert (report["total_rows"], report["imported"], report["skipped"], report["errors"]) == (3, 3, 0, [])
    rows = ms.members(school=S1)
    assert [(m.name, m.status, m.join_date) for m in rows] == [("王芳", "active", TODAY), ("李明", "active", TODAY),
                                                              ("赵敏", "active", TODAY)]
    assert rows[0].union_group_id == rows[2].union_group_id is not None and rows[1].union_group_id is None
    assert all(ms.status_changes(m.id) == [(S1, None, "active", None)] for m in rows)
    assert [e["payload"]["via"] for e in admitted_events(ms)] == ["import"] * 3


def test_importing_the_same_roster_twice_skips_every_row_and_duplicates_nothing(ms):
    import_file(ms, S1, ROSTER)
    events_after_first = len(ms.events())
    again = import_file(ms, S1, ROSTER)
    assert (again["imported"], again["skipped"], again["errors"]) == (0, 3, [])
    assert len(ms.members()) == 3
    assert len(ms.events()) == events_after_first
    with ms.read(S1) as session:
        assert [g["name"] for g in organisation.list_groups(session)["items"]] == ["语文组"]


def test_a_row_already_active_in_another_school_is_reported_and_the_rest_imported(ms):
    ms.admit(S2, person(2))
    report = import_file(ms, S1, ROSTER, language="en")
    assert (report["imported"], report["skipped"]) == (2, 0)
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [(3, "id_number", "id_number_active_elsewhere")]
    assert report["errors"][0]["message"].startswith("This ID number is an active member of another school union")
    assert [m.name for m in ms.members(school=S1)] == ["王芳", "赵敏"]


def test_bad_rows_are_reported_by_row_number_and_good_rows_still_imported(ms):
    bad_id = person(9)["id_number"][:-1] + ("1" if person(9)["id_number"].endswith("0") else "0")
    report = import_file(ms, S1, xlsx(["王芳", person(1)["id_number"], "教师", "", ""],
                                      ["坏行", bad_id, "教师", "", ""],
                                      ["无类别", person(3)["id_number"], "宇航员", "", ""]))
    assert report["imported"] == 1 and report["total_rows"] == 3
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(3, "id_checksum"), (4, "category_unrecognised")]
    assert [m.name for m in ms.members()] == ["王芳"]


def test_an_import_into_an_unknown_school_is_refused(ms):
    with pytest.raises(NotFound):
        import_file(ms, "S404", ROSTER)
    assert ms.members() == []
