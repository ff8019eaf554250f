"""Demo data of the congress (教代会): per demo school, the members in the directory, a slate of
delegates, the next session with the seeds' typical agenda (C14), proposals, disclosure
notices, its preparation meeting and a delegate training (two thirds of the slate). Idempotent: a school that already has a session is left alone."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from services.congress import delegates, disclosure, meetings, proposals, sessions
from services.congress.orm import CongressSession, DirectoryMember, KnownSchool
from shared.directory import apply_member

AGENDA = [("听取校长工作报告", "hear_report"), ("审议《奖励性绩效工资分配方案》", "deliberate_approve"),
          ("审议《教职工岗位目标管理考核方案与细则》", "deliberate_approve"),
          ("民主评议中层干部（述职测评）", "evaluate_supervise"), ("征集教代会提案", "suggest")]


class _Officer:
    role, member_id = "congress_officer", None


def seed_demo(runtime, context: dict) -> None:
    report = context.setdefault("report", [])
    members = context.get("members") or {}
    today = date.today()
    for code in context.get("schools") or []:
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            if uow.session.scalar(select(CongressSession.id).where(CongressSession.school == code)):
                continue
            snaps = members.get(code) or []
            if not snaps:
                continue
            if uow.session.get(KnownSchool, code) is None:
                uow.session.add(KnownSchool(code=code, name=code, active=True))
            for snap in snaps:
                apply_member(uow.session, DirectoryMember, snap)
            active = [s for s in snaps if s["status"] == "active"]
            teachers = [s for s in active if s["category"] in ("teacher", "temporary_teacher")]
            others = [s for s in active if s not in teachers]
            slate = (teachers[:21] + others[:9])[:30]
            delegates.add_delegates(uow, code, {"term_no": 8, "member_ids": [s["id"] for s in slate],
                                               "elected_on": today - timedelta(days=400)})
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            s = sessions.create_session(uow, code, {
                "term_no": 8, "session_no": 5, "mode": "delegate_congress", "central_topic": "奖励性绩效工资分配",
                "sitting_dates": [today + timedelta(days=14)], "agenda": [{"title": t, "power": p} for t, p in AGENDA],
                "proposals_open_on": today - timedelta(days=7), "proposals_close_on": today + timedelta(days=10)})
        ids = [m["id"] for m in slate]
        if len(ids) < 3:
            continue
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            p = proposals.submit(uow, code, s["id"], {"title": "改善教师食堂伙食", "content": "建议增加早餐品种，延长供应时间",
                                                      "cosigners": ids[1:3], "submitter_member_id": ids[0]}, _Officer)
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            proposals.review(uow, p["id"], {"decision": "register"})
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            proposals.assign(uow, p["id"], {"department": "总务处", "responsible": "总务主任",
                                            "due_on": today + timedelta(days=30)})
        for months_ago, (category, title) in enumerate([("finance", "本月工会经费收支公开"),
                                                        ("staff_welfare", "教职工节日慰问品发放公示"),
                                                        ("awards", "优秀教师评选结果公示")]):
            on = (today.replace(day=1) - timedelta(days=31 * months_ago)).replace(day=5)
            with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
                disclosure.publish(uow, code, {"category": category, "title": title, "body": "详见公开栏",
                                               "channels": ["internal_board", "campus_network"], "published_on": on})
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            meetings.record(uow, code, {
                "kind": "preparation", "title": "八届五次教代会筹备会", "held_on": today - timedelta(days=8),
                "session_id": s["id"], "host": "工会主席", "attendee_ids": ids[:5],
                "minutes": "确定中心议题和会期，布置提案征集。"})
        with runtime.unit_of_work("congress", school=code, actor="demo") as uow:
            meetings.record(uow, code, {
                "kind": "delegate_training", "title": "教代会代表履职培训", "held_on": today - timedelta(days=3),
                "session_id": s["id"], "host": "区教育工会", "attendee_ids": ids[: len(ids) * 2 // 3],
                "points": [{"issue": "提案须写明问题、建议和理由", "follow_up": "已印发提案写作要求"}]})
        report.append(f"congress demo for {code}: {len(slate)} delegates, session 八届五次, 1 proposal, 3 notices, "
                      f"a preparation meeting and a delegate training")
