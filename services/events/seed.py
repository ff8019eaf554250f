"""Demo data of the events service: the demo members in the directory, the 2026 plan of the
新桥实验小学 union from the seed calendar (003 [P1]), a compulsory table-tennis prelim, a summer
trip with three routes led by committee members and a per-person subsidy; the committee copy.
Idempotent: a second ``--demo`` adds nothing."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from services.events.committee import apply_position
from services.events.orm import Activity, DirectoryMember, KnownSchool, PlanItem, TripRoute, WorkPlan
from shared.directory import apply_member

YEAR = 2026
CALENDAR = {   # 003_082ead6637bf830d.txt [P1]
    1: ["教代会八届四次会议", "送温暖、走访慰问病困职工"],
    2: ["学习《工会法》", "制定年度工会工作计划", "建立教工健身房"],
    3: ["庆三八活动", "教工外出旅游", "学习模范教师事迹", "教工乒乓球赛预赛（按工会小组，必须人人参加）"],
    4: ["新一轮五项基本功比赛", "教工乒乓球赛决赛"],
    5: ["礼仪教育", "上交主题征文", "教工羽毛球预赛（按小组，人人参与）"],
    6: ["六一为学生演出", "教代会八届五次会议", "工会档案工作", "献一计活动"],
    7: ["群体师德创优先进集体评选", "暑期活动"],
    8: ["基层工会档案互查", "师德培训"],
    9: ["第十九个教师节（1-2个节目）", "师徒结对", "羽毛球团体对抗赛"],
    10: ["教育工会工作论坛、上交调研论文", "国庆活动"],
    11: ["登山比赛", "特困职工调查"],
    12: ["迎新活动", "教工小家与工会积极分子评选", "年终考评"],
}

ROUTES = (   # 002 [S2]: three routes, each led by a union committee member (带队委员)
    ("黄山二日游", "带好常备药品，出行须知另发"),
    ("千岛湖二日游", "带好常备药品，出行须知另发"),
    ("苏州园林一日游", "适合年长教工"),
)


def seed_demo(runtime, context):
    members = context.get("members") or {}
    for school, snapshots in members.items():
        with runtime.unit_of_work("events", school=school) as uow:
            for snap in snapshots:
                apply_member(uow.session, DirectoryMember, snap)
            uow.commit()
    for school, positions in (context.get("committee") or {}).items():
        with runtime.unit_of_work("events", school=school) as uow:
            for position in positions:
                apply_position(uow.session, position)
            uow.commit()
    schools = [s["code"] if isinstance(s, dict) else s for s in context.get("schools") or []]
    with runtime.unit_of_work("events") as uow:
        for code in schools:
            if uow.session.get(KnownSchool, code) is None:
                uow.session.add(KnownSchool(code=code, name=code, active=True))
        uow.commit()
    for school in schools[:1]:
        with runtime.unit_of_work("events", school=school) as uow:
            session = uow.session
            if session.execute(select(WorkPlan).where(WorkPlan.year == YEAR)).scalar_one_or_none():
                continue
            plan = WorkPlan(school=school, year=YEAR, title=f"{YEAR}年工会工作计划", status="draft",
                            guiding_idea="以区教育工会工作意见为指导，围绕学校中心工作，维护教职工合法权益。")
            session.add(plan)
            session.flush()
            for month, titles in CALENDAR.items():
                for title in titles:
                    session.add(PlanItem(school=school, plan_id=plan.id, month=month, title=title, status="planned"))
            session.add(Activity(school=school, title="教工乒乓球赛预赛", kind="sport", starts_at=datetime(YEAR, 3, 18, 8),
                                 place="乒乓室", compulsory=True, seats_taken=0, seq=0, status="open",
                                 requires_approval=False, offer_hours=48, survey_open=False))
            trip = Activity(school=school, title="暑期教工出游", kind="trip", starts_at=datetime(YEAR, 7, 15, 7),
                            capacity=60, compulsory=False, seats_taken=0, seq=0, status="open",
                            requires_approval=False, offer_hours=48, survey_open=True,
                            subsidy_per_person=Decimal("300.00"))
            session.add(trip)
            session.flush()
            leaders = [p for p in (context.get("committee") or {}).get(school, []) if p["portfolio"] != "chair"]
            for (name, note), leader in zip(ROUTES, leaders):
                session.add(TripRoute(school=school, activity_id=trip.id, name=name, description=note,
                                      leader_member_id=leader["member_id"], leader_name=leader["member_name"]))
            uow.commit()
