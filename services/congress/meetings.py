"""会议与培训记录: the congress work between sessions, kept as records a union can show the
district's inspection (DOMAIN.md C04, C10, C19, C20, C21, C27):

* 教代会筹备会 (preparation) and 代表团（组）长会议, linked to the session they prepare;
* 代表培训 (delegate training), with who attended, so the delegates of a term never trained show;
* 党政工联席会, 教职工 / 党外人士 / 退休教职工座谈会, with minutes and the opinions raised;
* 绩效工资群众监督小组 and 校务公开领导（监督）小组 meetings, with the problems found and their follow-up.

Attendees are members of the school as the congress's member directory knows them (in service or
retired: a retiree symposium is one of the kinds); a member of another school is not found.
"""
from __future__ import annotations

from sqlalchemy import func, select

from services.congress.common import get_or_404, iso, today
from services.congress.delegates import current_term
from services.congress.domain import rules
from services.congress.orm import CongressSession, Delegate, DirectoryMember, KnownSchool, Meeting
from shared.directory import LIVE
from shared.errors import ValidationFailed

KIND_LABELS = {
    "preparation": ("教代会筹备会", "Congress preparation meeting"),
    "delegate_training": ("代表培训", "Delegate training"),
    "joint_meeting": ("党政工联席会", "Joint party-administration-union meeting"),
    "staff_symposium": ("教职工座谈会", "Staff symposium"),
    "non_party_symposium": ("党外人士座谈会", "Symposium of non-party staff"),
    "retiree_symposium": ("退休教职工座谈会", "Retirees' symposium"),
    "delegation_leaders": ("代表团（组）长会议", "Meeting of the delegation leaders"),
    "pay_supervision": ("绩效工资群众监督小组会议", "Performance-pay supervision group"),
    "disclosure_group": ("校务公开领导（监督）小组会议", "School-affairs disclosure group"),
    "other": ("其他会议", "Other meeting"),
}
TRAINING = "delegate_training"


def label(kind: str) -> str:
    return KIND_LABELS[kind][0]


def _names(session, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(DirectoryMember.member_id, DirectoryMember.name)
                                .where(DirectoryMember.member_id.in_(list(ids)))).all())


def meeting_view(m: Meeting, names: dict | None = None, *, full: bool = True) -> dict:
    out = {"id": m.id, "school": m.school, "kind": m.kind, "kind_label": label(m.kind), "title": m.title,
           "held_on": iso(m.held_on), "place": m.place, "host": m.host, "session_id": m.session_id,
           "attendees": len(m.attendee_ids or []), "headcount": m.headcount, "points": len(m.points or []),
           "follow_ups_open": sum(1 for p in m.points or [] if not p.get("follow_up")),
           "recorded_at": iso(m.recorded_at)}
    if full:
        names = names or {}
        out["attendee_list"] = [{"member_id": i, "name": names.get(i)} for i in m.attendee_ids or []]
        out["minutes"] = m.minutes
        out["point_list"] = list(m.points or [])
    return out


def _check(session, data: dict, current: Meeting | None = None) -> None:
    """Every bad field named at once: a future date, an unknown session, attendees who are not
    members of this school, a headcount below the attendees."""
    errors: dict[str, list[str]] = {}
    params: dict = {}
    held_on = data.get("held_on", current.held_on if current else None)
    if held_on is not None and held_on > today():
        errors["held_on"] = ["meeting_in_future"]
    if data.get("session_id") is not None and session.get(CongressSession, data["session_id"]) is None:
        errors["session_id"] = ["congress_session_not_found"]
    if "attendee_ids" in data:
        ids = data["attendee_ids"]
        known = {m for (m,) in session.execute(select(DirectoryMember.member_id).where(
            DirectoryMember.member_id.in_(ids), DirectoryMember.status.in_(LIVE)))} if ids else set()
        missing = [i for i in ids if i not in known]
        if missing:
            errors["attendee_ids"] = ["attendee_not_a_member"]
            params["member_ids"] = missing[:20]
    attendees = data.get("attendee_ids", current.attendee_ids if current else [])
    if "headcount" in data and data["headcount"] < len(attendees):
        errors["headcount"] = ["headcount_below_attendees"]
        params["attendees"] = len(attendees)
    if errors:
        raise ValidationFailed(fields=errors, params=params)


def _deduped(data: dict) -> dict:
    """The attendees once each, in the order given."""
    if "attendee_ids" in data:
        data = dict(data, attendee_ids=list(dict.fromkeys(data["attendee_ids"])))
    return data


def _points(points) -> list[dict]:
    return [{"issue": p["issue"], "follow_up": p.get("follow_up") or None} for p in points]


def record(uow, school: str, data: dict) -> dict:
    """记录一次会议或培训."""
    session = uow.session
    data = _deduped(data)
    _check(session, data)
    attendees = data.get("attendee_ids") or []
    m = Meeting(school=school, kind=data["kind"], title=data["title"], held_on=data["held_on"],
                place=data.get("place"), host=data.get("host"), session_id=data.get("session_id"),
                attendee_ids=attendees, headcount=data.get("headcount", len(attendees)),
                minutes=data.get("minutes"), points=_points(data.get("points") or []), actor=uow.context.actor)
    session.add(m)
    session.flush()
    uow.publish("congress.meeting_recorded", {
        "meeting_id": m.id, "school": school, "kind": m.kind, "title": m.title, "held_on": m.held_on,
        "session_id": m.session_id, "attendees": len(attendees), "headcount": m.headcount})
    uow.commit()
    return meeting_view(m, _names(session, attendees))


def update(uow, meeting_id, data: dict) -> dict:
    """补记纪要、落实情况或出席名单."""
    session = uow.session
    m = get_or_404(session, Meeting, int(meeting_id), "meeting_not_found")
    data = _deduped(data)
    _check(session, data, m)
    if "points" in data:
        data["points"] = _points(data["points"])
    if "attendee_ids" in data and "headcount" not in data:
        data["headcount"] = max(m.headcount, len(data["attendee_ids"]))
    for key, value in data.items():
        setattr(m, key, value)
    uow.commit()
    return meeting_view(m, _names(session, m.attendee_ids))


def get(session, meeting_id) -> dict:
    m = get_or_404(session, Meeting, int(meeting_id), "meeting_not_found")
    return meeting_view(m, _names(session, m.attendee_ids))


def search(session, query: dict) -> dict:
    """Newest first, by kind, calendar year, session, or a member who attended. A school holds a
    few dozen of these a year, so the attendee filter runs over the year's rows in Python."""
    stmt = select(Meeting)
    if query.get("kind"):
        stmt = stmt.where(Meeting.kind == query["kind"])
    if query.get("year"):
        stmt = stmt.where(func.extract("year", Meeting.held_on) == query["year"])
    if query.get("session_id"):
        stmt = stmt.where(Meeting.session_id == query["session_id"])
    rows = list(session.scalars(stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc())))
    if query.get("member_id"):
        rows = [m for m in rows if query["member_id"] in (m.attendee_ids or [])]
    page, size = query.get("page", 1), query.get("page_size", 50)
    items = rows[(page - 1) * size: page * size]
    return {"items": [meeting_view(m, full=False) for m in items], "total": len(rows), "page": page,
            "page_size": size}


def training_coverage(session, term_no: int | None) -> dict:
    """代表培训: each serving delegate of a term and the trainings they attended; the untrained are
    listed so the union can train them before the next session."""
    term = term_no or current_term(session)
    delegates = list(session.scalars(select(Delegate).where(Delegate.term_no == term, Delegate.status == "active")
                                     .order_by(Delegate.id))) if term else []
    trainings = list(session.scalars(select(Meeting).where(Meeting.kind == TRAINING).order_by(Meeting.held_on)))
    attended: dict[int, list] = {}
    for t in trainings:
        for member_id in t.attendee_ids or []:
            attended.setdefault(member_id, []).append({"meeting_id": t.id, "held_on": iso(t.held_on)})
    items = [{"delegate_id": d.id, "member_id": d.member_id, "name": d.name,
              "trainings": len(attended.get(d.member_id, [])), "attended": attended.get(d.member_id, [])}
             for d in delegates]
    untrained = [i for i in items if not i["trainings"]]
    return {"term_no": term, "trainings_held": len(trainings), "delegates": len(items),
            "trained": len(items) - len(untrained), "rate": rules.percent(len(items) - len(untrained), len(items)),
            "untrained": [{k: i[k] for k in ("delegate_id", "member_id", "name")} for i in untrained],
            "items": items, "warning": bool(untrained)}


def by_kind(session, year: int) -> dict[str, int]:
    rows = session.execute(select(Meeting.kind, func.count()).where(func.extract("year", Meeting.held_on) == year)
                           .group_by(Meeting.kind))
    return {kind: n for kind, n in rows}


def district_view(session, year: int | None) -> dict:
    """区教育工会: each school's meetings of a year by kind; schools that trained no delegates are
    flagged (代表培训, →district)."""
    year = year or today().year
    rows = session.execute(select(Meeting.school, Meeting.kind, func.count())
                           .where(func.extract("year", Meeting.held_on) == year)
                           .group_by(Meeting.school, Meeting.kind))
    counts: dict[str, dict] = {}
    for school, kind, n in rows:
        counts.setdefault(school, {})[kind] = n
    known = [k.code for k in session.scalars(select(KnownSchool).where(KnownSchool.active.is_(True)))]
    items = [{"school": code, "meetings": sum(counts.get(code, {}).values()), "by_kind": counts.get(code, {}),
              "delegate_trainings": counts.get(code, {}).get(TRAINING, 0)}
             for code in sorted(set(known) | set(counts))]
    untrained = [i["school"] for i in items if not i["delegate_trainings"]]
    return {"year": year, "items": items, "without_delegate_training": untrained, "warning": bool(untrained)}
