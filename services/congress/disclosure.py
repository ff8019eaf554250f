"""校务公开: notices by category published to all members and filed with the district at the
moment of publication (备案); the monthly cadence (每月一公开) with empty months flagged; the
suggestion box (意见箱) with replies."""
from __future__ import annotations

from sqlalchemy import func, select

from services.congress.common import get_or_404, iso, today
from services.congress.domain import rules
from services.congress.orm import Notice, Suggestion
from shared.errors import Conflict, Forbidden

CATEGORY_LABELS = {
    "cadres": "干部任用", "party_members": "党员发展", "annual_appraisal": "年度考核", "promotion": "晋级晋职",
    "awards": "评优评先", "construction": "重大基建项目", "large_expenditure": "大额开支", "fees": "收费",
    "title_evaluation": "职称评审", "training": "考核培训", "staff_welfare": "教职工福利", "student_awards": "学生奖励",
    "student_fees": "学生收费", "finance": "财务公开", "other": "其他"}


def notice_view(n: Notice) -> dict:
    return {"id": n.id, "school": n.school, "category": n.category, "category_label": CATEGORY_LABELS[n.category],
            "title": n.title, "body": n.body, "channels": n.channels, "published_on": iso(n.published_on),
            "month": n.month, "filed_at": iso(n.filed_at), "filed": True}


def publish(uow, school: str, data: dict) -> dict:
    on = data.get("published_on") or today()
    n = Notice(school=school, category=data["category"], title=data["title"], body=data["body"],
               channels=list(data.get("channels") or ["internal_board"]), published_on=on, month=f"{on:%Y-%m}",
               actor=uow.context.actor)
    uow.session.add(n)
    uow.session.flush()
    uow.publish("congress.disclosure_published", {
        "notice_id": n.id, "school": school, "category": n.category, "title": n.title, "month": n.month,
        "published_on": on, "channels": n.channels})
    uow.commit()
    return notice_view(n)


def notices(session, query: dict) -> dict:
    """校务公开栏, newest first: by month, year and category. On the district's view (every school)
    these are the filings (备案), by school too."""
    stmt = select(Notice)
    if query.get("school"):
        stmt = stmt.where(Notice.school == query["school"])
    if query.get("month"):
        stmt = stmt.where(Notice.month == query["month"])
    if query.get("year"):
        stmt = stmt.where(Notice.month.like(f"{query['year']}-%"))
    if query.get("category"):
        stmt = stmt.where(Notice.category == query["category"])
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Notice.published_on.desc(), Notice.id.desc())
                           .offset((page - 1) * size).limit(size))
    return {"items": [notice_view(n) for n in rows], "total": total, "page": page, "page_size": size}


def get_notice(session, notice_id) -> dict:
    return notice_view(get_or_404(session, Notice, int(notice_id), "notice_not_found"))


def cadence(session, year: int) -> dict:
    """每月一公开: notices per month of a calendar year and the months (so far) without any."""
    months = {}
    for (month,) in session.execute(select(Notice.month).where(Notice.month.like(f"{year}-%"))):
        months[month] = months.get(month, 0) + 1
    on = today()
    gaps = rules.disclosure_gaps(set(months), year, on)
    return {"year": year, "months": [{"month": f"{year}-{m:02d}", "notices": months.get(f"{year}-{m:02d}", 0)}
                                     for m in range(1, 13)], "missing": gaps, "warning": bool(gaps),
            "pending": rules.disclosure_pending(set(months), year, on)}


def suggestion_view(s: Suggestion, reveal_member: bool) -> dict:
    return {"id": s.id, "member_id": s.member_id if reveal_member else None, "anonymous": s.member_id is None,
            "content": s.content, "submitted_on": iso(s.submitted_on), "reply": s.reply, "replied_on": iso(s.replied_on)}


def suggest(uow, school: str, data: dict, ctx) -> dict:
    if ctx.member_id is None:
        raise Forbidden("member_account_required")
    s = Suggestion(school=school, member_id=None if data.get("anonymous") else ctx.member_id,
                   content=data["content"], submitted_on=today())
    uow.session.add(s)
    uow.session.flush()
    uow.commit()
    return suggestion_view(s, True)


def suggestions(session, ctx, query: dict | None = None) -> dict:
    """意见箱: officers see every suggestion (an anonymous one without its author), a member their own."""
    query = query or {}
    stmt = select(Suggestion)
    officer = ctx.role not in ("delegate", "member")
    if not officer:
        stmt = stmt.where(Suggestion.member_id == ctx.member_id)
    unanswered = session.scalar(select(func.count()).select_from(stmt.where(Suggestion.reply.is_(None)).subquery()))
    if query.get("answered") is not None:
        stmt = stmt.where(Suggestion.reply.is_not(None) if query["answered"] else Suggestion.reply.is_(None))
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Suggestion.id.desc()).offset((page - 1) * size).limit(size))
    return {"items": [suggestion_view(s, officer) for s in rows], "total": total, "page": page, "page_size": size,
            "unanswered": unanswered}


def reply(uow, suggestion_id, data: dict) -> dict:
    s = get_or_404(uow.session, Suggestion, int(suggestion_id), "suggestion_not_found")
    if s.reply is not None:
        raise Conflict("already_replied")
    s.reply, s.replied_on = data["reply"], today()
    uow.publish("congress.suggestion_replied", {"suggestion_id": s.id, "school": s.school, "member_id": s.member_id,
                                                "replied_on": s.replied_on})
    uow.commit()
    return suggestion_view(s, True)
