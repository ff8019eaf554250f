"""退休职工 use cases: teachers retiring within three years (临退休家访, each August) and the
retiree care records (退管: 座谈会、节日邀请、重阳活动、欢送会…)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.welfare import members, policies
from services.welfare.domain import people
from services.welfare.orm import DirectoryMember, RetireeCareRecord
from services.welfare.paging import page, page_of


def upcoming(session, within_years: int, today: date, ages: dict | None = None, query: dict | None = None) -> dict:
    ages = ages or policies.settings(session)["retirement_age"]
    rows = session.scalars(select(DirectoryMember).where(DirectoryMember.status == "active"))
    soon = [m for m in rows if people.retiring_within(m.birth_date, m.gender, today, within_years, ages)]
    visits = dict(session.execute(select(RetireeCareRecord.member_id, func.max(RetireeCareRecord.happened_on))
                                  .where(RetireeCareRecord.kind == "pre_retirement_visit")
                                  .group_by(RetireeCareRecord.member_id)).all())
    items = sorted(({"member_id": m.member_id, "name": m.name, "gender": m.gender,
                     "retires_on": people.retirement_date(m.birth_date, m.gender, ages),
                     "last_home_visit": visits.get(m.member_id),
                     "visited_this_year": bool(visits.get(m.member_id) and visits[m.member_id].year == today.year)}
                    for m in soon), key=lambda i: (i["retires_on"], i["member_id"]))
    return page_of(items, query, within_years=within_years,
                   not_visited_this_year=sum(1 for i in items if not i["visited_this_year"]))


def record(uow, school: str, data: dict, today: date) -> dict:
    session = uow.session
    person = members.member(session, data["member_id"])
    r = RetireeCareRecord(school=school, member_id=person.member_id, member_name=person.name, kind=data["kind"],
                          happened_on=data.get("happened_on") or today, leaders=data["leaders"], notes=data.get("notes"))
    session.add(r)
    session.flush()
    result = view(r)
    uow.commit()
    return result


def view(r) -> dict:
    return {"id": r.id, "member_id": r.member_id, "member_name": r.member_name, "kind": r.kind,
            "happened_on": r.happened_on, "leaders": r.leaders, "notes": r.notes}


def records(session, query: dict) -> dict:
    stmt = select(RetireeCareRecord)
    for name in ("member_id", "kind"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(RetireeCareRecord, name) == query[name])
    return page(session, stmt.order_by(RetireeCareRecord.happened_on.desc(), RetireeCareRecord.id), query, view)
