"""年度工作总结 as a Word document: every figure each service sent, under its Chinese label, so
the union never types its summary by hand. Whatever a service adds to its ``annual_summary``
appears too (under its own key until it gets a label here): scalars as lines, small mappings as
indented lines, lists of records as tables."""
from __future__ import annotations

import base64
import io
import json
from decimal import Decimal

from services.events.labels import KIND_LABELS

LABELS = {
    # membership 组织建设
    "admitted": "新入会", "transferred_out": "调出", "retired": "退休", "left": "退会", "members": "会员人数",
    "membership_rate": "入会率",
    # congress 民主管理
    "sessions": "召开教代会", "label": "届次", "central_topic": "中心议题", "convened_on": "召开日期",
    "delegates": "教代会代表", "motions": "表决事项", "motions_adopted": "表决通过", "elections": "选举",
    "evaluations": "民主测评", "resolutions": "决议", "proposals": "提案", "replied": "已答复", "reply_rate": "答复率",
    "implemented": "已落实", "partly_implemented": "部分落实", "implementation_rate": "落实率",
    "disclosures": "校务公开", "disclosure_months_missing": "未公开月份",
    # welfare 关心职工生活
    "care_cases": "慰问事项", "care_visits": "走访慰问", "payments": "慰问支出（按类别）", "payments_total": "慰问支出合计",
    "amount": "金额", "count": "笔数", "hardship_households": "困难职工建档户数", "birthdays_delivered": "生日慰问",
    "health_checks_attended": "参加体检人次", "mutual_aid_enrolled": "参加互助保障", "outreach_delivered": "节日慰问送达",
    "student_aid": "金秋助学",
    "hospitalisation": "生病住院慰问", "wedding": "结婚慰问", "childbirth": "生育慰问", "death_of_member": "职工去世慰问",
    "death_of_relative": "直系亲属去世慰问", "retirement": "退休慰问", "hardship": "困难帮扶", "sick_leave": "病休慰问",
    "warmth": "送温暖", "mutual_aid": "互助保障理赔", "holiday_gift": "节日慰问品", "birthday": "生日慰问",
    "protection_periods": "女职工“四期”保护", "menstrual": "经期", "pregnancy": "孕期", "maternity": "产期",
    "nursing": "哺乳期", "rights_cases": "维权个案", "opened": "受理", "closed": "办结", "by_kind": "按类型",
    "by_status": "按状态", "resolved": "化解", "referred": "转调解/仲裁", "withdrawn": "撤回",
    "working_conditions": "改善工作条件", "raised": "提出", "programmes": "职工活动与疗休养",
    "sanatorium": "暑期疗养", "women": "女职工工作", "health": "健康促进", "happiness_index": "岗位幸福指数",
    "meetings": "会议与培训", "preparation": "教代会筹备会", "delegate_training": "代表培训",
    "joint_meeting": "党政工联席会", "staff_symposium": "教职工座谈会", "non_party_symposium": "党外人士座谈会",
    "retiree_symposium": "退休教职工座谈会", "delegation_leaders": "代表团（组）长会议",
    "pay_supervision": "绩效工资监督小组会议", "disclosure_group": "校务公开小组会议",
    # finance 经费收支
    "total_income": "经费收入合计", "total_expense": "经费支出合计", "surplus": "收支结余",
    "expense_by_category": "支出（按科目）", "staff_activities": "职工活动支出", "rights_welfare": "维权支出",
    "audits": "经费审查", "audits_filed": "审查报告报区备案",
    # events 文体活动与工作计划
    "activities": "举办活动", "participants": "参与人数", "participation_rate": "参与面(%)", "attended": "参加人次",
    "attendance_rate": "到场率(%)", "tournaments": "组织赛事", "awards": "获奖", "district_entries": "参加区级比赛",
    "plan_items": "计划事项", "plan_items_done": "已完成事项", "activities_by_kind": "各类活动",
    "award_list": "获奖与表彰", "district_competitions": "区级比赛", "plan_not_done": "未完成的计划事项",
    "title": "名称", "kind": "类型", "date": "日期", "name": "获奖者", "rank": "名次", "competition": "比赛",
    "team": "队伍", "award": "奖项", "month": "月份",
    "other": "其他",
}
for _code, (_zh, _en) in KIND_LABELS.items():
    LABELS.setdefault(_code, _zh)
MAX_ROWS = 200


def label(key) -> str:
    return LABELS.get(str(key), str(key))


def text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return LABELS.get(value, value) if value in KIND_LABELS else value
    return str(value)


def _scalar(value) -> bool:
    return value is None or isinstance(value, (str, int, float, Decimal, bool))


def render(doc, data: dict) -> None:
    """One service's figures: ``items`` first (they are the headline numbers), then the rest."""
    style = "List Bullet"
    pairs = [*(data.get("items") or {}).items(), *((k, v) for k, v in data.items() if k not in ("school", "year", "items"))]
    for key, value in pairs:
        if _scalar(value):
            doc.add_paragraph(f"{label(key)}：{text(value)}", style=style)
        elif isinstance(value, dict):
            if not value:
                continue
            if all(_scalar(v) for v in value.values()):
                doc.add_paragraph(f"{label(key)}：" + "；".join(f"{label(k)} {text(v)}" for k, v in value.items()),
                                  style=style)
            else:
                doc.add_paragraph(f"{label(key)}：", style=style)
                for k, v in value.items():
                    line = "，".join(f"{label(a)} {text(b)}" for a, b in v.items()) if isinstance(v, dict) else text(v)
                    doc.add_paragraph(f"{label(k)}：{line}", style="List Bullet 2")
        elif isinstance(value, list):
            if not value:
                continue
            if all(isinstance(v, dict) for v in value):
                doc.add_paragraph(f"{label(key)}（{len(value)}）：")
                _table(doc, value)
            else:
                doc.add_paragraph(f"{label(key)}：" + "、".join(text(v) for v in value), style=style)


def _table(doc, rows: list[dict]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, columns):
        cell.text = label(column)
    for row in rows[:MAX_ROWS]:
        cells = table.add_row().cells
        for cell, column in zip(cells, columns):
            value = row.get(column)
            cell.text = text(value) if _scalar(value) else json.dumps(value, ensure_ascii=False, default=str)
    if len(rows) > MAX_ROWS:
        doc.add_paragraph(f"（另有 {len(rows) - MAX_ROWS} 条，见 JSON 导出）")


def to_docx(summary: dict) -> bytes:
    from docx import Document
    doc = Document()
    doc.add_heading(f"{summary.get('school_name') or summary['school']}{summary['title']}", level=0)
    doc.add_paragraph(f"学校工会：{summary.get('school_name') or summary['school']}（{summary['school']}）　"
                      f"年度：{summary['year']}")
    for section in summary["sections"]:
        doc.add_heading(section["title"], level=1)
        if section["status"] != "ok":
            doc.add_paragraph("（该部分数据暂缺：服务未响应）")
            continue
        render(doc, section["data"])
    if summary["missing"]:
        from services.events.summary import SECTION_TITLES
        doc.add_paragraph("暂缺部分：" + "、".join(SECTION_TITLES.get(m, m) for m in summary["missing"]))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def document(summary: dict, fmt: str) -> dict:
    name = f"annual-summary-{summary['school']}-{summary['year']}"
    if fmt == "json":
        content = json.dumps(summary, ensure_ascii=False, default=str).encode()
        return {"content_b64": base64.b64encode(content).decode(), "format": "json", "filename": f"{name}.json"}
    return {"content_b64": base64.b64encode(to_docx(summary)).decode(), "format": "docx", "filename": f"{name}.docx"}
