"""年度工作总结: the answers of every service assembled, and the Word document that carries every
figure under its Chinese label."""
from io import BytesIO

from docx import Document

from services.events import summary, summary_document

SCHOOL = "S1"
ANSWERS = {
    "membership": {"school": SCHOOL, "year": 2026, "items": {"admitted": 12, "transferred_out": 2, "retired": 3,
                                                             "left": 0, "members": 118, "membership_rate": "98.3"}},
    "congress": {"school": SCHOOL, "year": 2026, "sessions": [{"label": "八届四次", "title": "教代会",
                                                              "central_topic": "绩效方案", "convened_on": "2026-01-12"}],
                 "delegates": 41, "motions": 3, "motions_adopted": 3, "elections": 0, "evaluations": 1,
                 "resolutions": 2, "proposals": {"proposals": 9, "replied": 9, "reply_rate": "100.0",
                                                 "implemented": 7, "partly_implemented": 1,
                                                 "implementation_rate": "77.8"},
                 "disclosures": 11, "disclosure_months_missing": ["2026-08"]},
    "welfare": {"school": SCHOOL, "year": 2026, "care_cases": 17, "care_visits": 21,
                "payments": {"hospitalisation": {"amount": "3000.00", "count": 4}}, "payments_total": "3000.00",
                "hardship_households": 2, "birthdays_delivered": 118, "health_checks_attended": 96,
                "mutual_aid_enrolled": 110, "outreach_delivered": 30, "student_aid": 1},
    "finance": {"school": SCHOOL, "year": 2026, "items": {"total_income": "150000.00", "total_expense": "120000.00",
                                                          "surplus": "30000.00",
                                                          "expense_by_category": {"staff_activities": "80000.00"}}},
    "events": {"school": SCHOOL, "year": 2026, "items": {"activities": 12, "participation_rate": "86.0"},
               "activities_by_kind": {"体育比赛": 5}, "activities": [{"title": "三八游园", "kind": "festival",
                                                                    "date": "2026-03-08"}]},
}


def paragraphs_and_cells(content: bytes) -> str:
    doc = Document(BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_summary_marks_services_that_did_not_answer_and_still_makes_a_document():
    doc = summary.assemble(SCHOOL, 2026, {"events": ANSWERS["events"], "congress": TimeoutError("no answer"),
                                          "welfare": None})
    assert doc["missing"] == ["congress", "welfare"]
    assert [(s["service"], s["status"]) for s in doc["sections"]] == [
        ("congress", "missing"), ("welfare", "missing"), ("events", "ok")]
    text = paragraphs_and_cells(summary_document.to_docx(doc))
    assert "举办活动：12" in text and "三八游园" in text and "（该部分数据暂缺：服务未响应）" in text
    assert "暂缺部分：民主管理（教代会）、关心职工生活（福利与慰问）" in text


def test_the_document_carries_every_services_figures_under_chinese_labels():
    doc = summary.assemble(SCHOOL, 2026, ANSWERS, "新桥实验小学")
    text = paragraphs_and_cells(summary_document.to_docx(doc))
    assert "新桥实验小学2026年度工会工作总结" in text
    for line in ("新入会：12", "入会率：98.3",                                   # membership
                 "教代会代表：41", "表决通过：3", "答复率 100.0", "落实率 77.8",   # congress: sessions, proposals
                 "八届四次", "绩效方案", "未公开月份：2026-08",
                 "走访慰问：21", "慰问支出合计：3000.00", "生病住院慰问：金额 3000.00，笔数 4",  # welfare: visits, money
                 "经费收入合计：150000.00", "经费支出合计：120000.00", "职工活动支出 80000.00",  # finance: funds
                 "参与面(%)：86.0", "体育比赛 5", "节日活动"):                      # events
        assert line in text, line


def test_a_figure_nobody_labelled_yet_still_appears_under_its_own_key():
    doc = summary.assemble(SCHOOL, 2026, {"finance": {"items": {"audits_filed": 1, "new_figure": 7}}})
    text = paragraphs_and_cells(summary_document.to_docx(doc))
    assert "审查报告报区备案：1" in text and "new_figure：7" in text


def test_sections_follow_the_order_of_a_unions_summary_organisation_first_funds_last():
    doc = summary.assemble(SCHOOL, 2026, {**ANSWERS, "library": {"items": {}}})
    assert [s["service"] for s in doc["sections"]] == ["membership", "congress", "welfare", "events", "finance",
                                                       "library"]


def test_the_json_export_is_the_same_summary_as_a_file():
    import base64
    import json
    doc = summary.assemble(SCHOOL, 2026, ANSWERS, "新桥实验小学")
    exported = summary_document.document(doc, "json")
    assert exported["filename"] == "annual-summary-S1-2026.json"
    assert json.loads(base64.b64decode(exported["content_b64"]))["sections"][1]["data"] == ANSWERS["congress"]
    assert summary_document.document(doc, "docx")["format"] == "docx"
