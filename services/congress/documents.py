"""会议记录: the session record (attendance, votes with counts, resolutions, proposals and their
replies) as a dict, as JSON and as a printable DOCX (python-docx)."""
from __future__ import annotations

import base64
import io

from sqlalchemy import select

from services.congress import sessions as sess
from services.congress.domain import rules
from services.congress.orm import Attendance, Delegate, DirectoryMember, Meeting, Poll, Proposal, Resolution, Sitting
from shared.jsonutil import dumps

CHOICE_LABELS = {"yes": "赞成", "no": "反对", "abstain": "弃权"}
KIND_LABELS = {"motion": "表决", "election": "选举", "evaluation": "测评"}


def record(session, session_id: int) -> dict:
    row = sess.load_session(session, session_id)
    full = sess.get_session(session, row.id)
    roll = sess.roll_of(session, row)
    names = {m.member_id: m.name for m in session.scalars(select(DirectoryMember))}
    names.update({d.member_id: d.name for d in session.scalars(select(Delegate))})
    sittings = []
    for t in session.scalars(select(Sitting).where(Sitting.session_id == row.id).order_by(Sitting.sitting_date)):
        present = sorted(session.scalars(select(Attendance.member_id).where(Attendance.sitting_id == t.id)))
        q = rules.quorum(sum(1 for m in present if m in roll), len(roll), sess.rule_of(row.quorum_rule))
        sittings.append({"date": t.sitting_date.isoformat(), **q,
                         "absent": sorted(names.get(m, str(m)) for m in roll if m not in present)})
    votes = []
    for p in session.scalars(select(Poll).where(Poll.session_id == row.id).order_by(Poll.id)):
        votes.append({"id": p.id, "kind": p.kind, "title": p.title, "status": p.status, "secret": p.secret is not False,
                      "options": p.options, "eligible": p.eligible, "present": p.present,
                      "result": p.result if p.status == "closed" else None})
    resolutions = [{"number": r.number, "title": r.title, "adopted_on": r.adopted_on.isoformat(),
                    "documents": r.documents, "enforcement": r.enforcement}
                   for r in session.scalars(select(Resolution).where(Resolution.session_id == row.id)
                                            .order_by(Resolution.id))]
    proposals = [{"number": p.number, "title": p.title, "submitter": p.submitter_name, "status": p.status,
                  "department": p.department, "reply": p.reply, "replied_on": p.replied_on and p.replied_on.isoformat(),
                  "track_note": p.track_note, "satisfaction": p.satisfaction, "decline_reason": p.decline_reason}
                 for p in session.scalars(select(Proposal).where(Proposal.session_id == row.id)
                                          .order_by(Proposal.number, Proposal.id))]
    from services.congress.meetings import label as meeting_label
    from services.congress.proposals import stats
    meetings = [{"kind": m.kind, "kind_label": meeting_label(m.kind), "title": m.title, "held_on": m.held_on.isoformat(),
                 "headcount": m.headcount, "points": len(m.points or [])}
                for m in session.scalars(select(Meeting).where(Meeting.session_id == row.id)
                                         .order_by(Meeting.held_on, Meeting.id))]
    return {"session": full, "delegates": len(roll), "sittings": sittings, "votes": votes,
            "resolutions": resolutions, "proposals": proposals, "proposal_stats": stats(session, row.id),
            "meetings": meetings}


def export(session, session_id: int, fmt: str) -> dict:
    data = record(session, session_id)
    label = data["session"]["label"]
    if fmt == "json":
        content = dumps(data).encode()
        return {"content_b64": base64.b64encode(content).decode(), "format": "json",
                "filename": f"教代会{label}会议记录.json"}
    return {"content_b64": base64.b64encode(docx_bytes(data)).decode(), "format": "docx",
            "filename": f"教代会{label}会议记录.docx"}


def _result_line(vote: dict) -> str:
    r = vote["result"]
    if r is None:
        return "未结束"
    if vote["kind"] == "motion":
        verdict = "通过" if r["adopted"] else "未通过"
        return (f"应到 {vote['eligible']} 人，实到 {vote['present']} 人；赞成 {r['yes']}，反对 {r['no']}，"
                f"弃权 {r['abstain']}；通过所需 {r['required']} 票，{verdict}")
    if vote["kind"] == "election":
        names = {str(o["id"]): o["name"] for o in vote["options"]}
        tally = "、".join(f"{names.get(c, c)} {v} 票" for c, v in r["votes"].items())
        elected = "、".join(names.get(str(c), str(c)) for c in r["winners"]) or "无"
        line = f"应选 {r['seats']} 人，投票 {r['cast']} 张，当选所需 {r['required']} 票；得票：{tally}；当选：{elected}"
        if r.get("runoff"):
            line += f"；{'、'.join(names.get(str(c), str(c)) for c in r['runoff']['candidates'])} 票数相同，另行选举"
        return line
    return "；".join(f"{s['name']}：满意率 {s['satisfaction_rate']}%" for s in r["subjects"])


def docx_bytes(data: dict) -> bytes:
    from docx import Document
    s = data["session"]
    doc = Document()
    doc.add_heading(f"{s['title']}（{s['label']}）会议记录", level=1)
    doc.add_paragraph(f"形式：{'教职工代表大会' if s['mode'] == 'delegate_congress' else '教职工大会'}；"
                      f"中心议题：{s['central_topic'] or '—'}；代表总数：{data['delegates']} 人")
    doc.add_heading("议程", level=2)
    for a in s["agenda"]:
        doc.add_paragraph(f"{a['position']}. {a['title']}（{a['power_label']}）", style="List Number")
    doc.add_heading("出席情况", level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ("会期", "实到", "法定人数", "缺席")):
        cell.text = title
    for t in data["sittings"]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = t["date"], f"{t['present']}/{t['total']}"
        cells[2].text, cells[3].text = f"{t['required']}（{'有效' if t['quorate'] else '不足'}）", "、".join(t["absent"])
    doc.add_heading("表决与选举", level=2)
    for v in data["votes"]:
        method = "无记名投票" if v["secret"] else "举手表决"
        doc.add_paragraph(f"{KIND_LABELS[v['kind']]}（{method}）：{v['title']} —— {_result_line(v)}")
    doc.add_heading("决议", level=2)
    for r in data["resolutions"] or [{"number": "—", "title": "无", "adopted_on": ""}]:
        doc.add_paragraph(f"{r['number']} {r['title']} {r['adopted_on']}")
    doc.add_heading("提案及答复", level=2)
    st = data["proposal_stats"]
    doc.add_paragraph(f"立案 {st['proposals']} 件，已答复 {st['replied']} 件（答复率 {st['reply_rate']}%），"
                      f"已落实 {st['implemented']} 件（落实率 {st['implementation_rate']}%）")
    for p in data["proposals"]:
        line = (f"第{p['number'] or '—'}号 {p['title']}（{p['submitter']}）："
                f"{rules.PROPOSAL_STATUS_LABELS.get(p['status'], p['status'])}；承办：{p['department'] or '—'}；"
                f"答复：{p['reply'] or '—'}")
        if p["decline_reason"]:
            line += f"；理由：{p['decline_reason']}"
        if p["track_note"]:
            line += f"；落实情况：{p['track_note']}"
        if p["satisfaction"]:
            line += f"；提案人评价：{rules.SATISFACTION_LABELS[p['satisfaction']]}"
        doc.add_paragraph(line)
    if data.get("meetings"):
        doc.add_heading("筹备与培训", level=2)
        for m in data["meetings"]:
            doc.add_paragraph(f"{m['held_on']} {m['kind_label']}：{m['title']}（{m['headcount']} 人参加）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
