"""教代会代表: the delegates of each term, registered by the secretary or enrolled from a decided
delegate election (代表选举), kept current from membership events; a delegate who leaves the
union, transfers out or retires leaves a vacancy (代表出缺) that the next delegate elected in the
same constituency fills (补选)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.congress.common import iso, today
from services.congress.domain import rules
from services.congress.orm import Delegate, DirectoryGroup, DirectoryMember
from shared.directory import IN_SERVICE
from shared.errors import Conflict, ValidationFailed


def delegate_view(d: Delegate, groups: dict | None = None) -> dict:
    return {"id": d.id, "member_id": d.member_id, "term_no": d.term_no, "name": d.name, "category": d.category,
            "constituency_group_id": d.constituency_group_id,
            "constituency": (groups or {}).get(d.constituency_group_id), "status": d.status,
            "elected_on": iso(d.elected_on), "poll_id": d.poll_id, "vacated_on": iso(d.vacated_on),
            "vacancy_reason": d.vacancy_reason, "filled_by": d.filled_by}


def _new(school, member, term_no, constituency, elected_on, poll_id=None) -> Delegate:
    return Delegate(school=school, member_id=member.member_id, term_no=term_no, name=member.name,
                    category=member.category, constituency_group_id=constituency, status="active",
                    elected_on=elected_on or today(), poll_id=poll_id)


def _enrolled(uow, school: str, term_no: int, rows: list[Delegate], source: str, poll_id=None) -> None:
    """Fill the term's open vacancies from the newcomers and tell the platform who joined."""
    s = uow.session
    s.flush()
    vacancies = [(v.id, v.constituency_group_id) for v in s.scalars(
        select(Delegate).where(Delegate.term_no == term_no, Delegate.status == "vacant", Delegate.filled_by.is_(None))
        .order_by(Delegate.vacated_on, Delegate.id))]
    filled = rules.fill_vacancies(vacancies, [(d.id, d.constituency_group_id) for d in rows])
    for vacancy_id, newcomer in filled.items():
        s.get(Delegate, vacancy_id).filled_by = newcomer
    filled_for = {newcomer: vacancy for vacancy, newcomer in filled.items()}
    if rows:
        uow.publish("congress.delegates_enrolled", {
            "school": school, "term_no": term_no, "source": source, "poll_id": poll_id,
            "delegates": [{"delegate_id": d.id, "member_id": d.member_id, "name": d.name, "category": d.category,
                           "constituency_group_id": d.constituency_group_id, "elected_on": d.elected_on,
                           "fills_vacancy_of": filled_for.get(d.id)} for d in rows]})


def _in_service(session, member_id):
    member = session.get(DirectoryMember, member_id)
    return member if member is not None and member.status in IN_SERVICE else None


def add_delegate(uow, school: str, data: dict) -> dict:
    """登记当选代表: one delegate elected outside the platform (e.g. by a paper ballot)."""
    member = _in_service(uow.session, data["member_id"])
    if member is None:
        raise ValidationFailed(fields={"member_id": ["member_not_in_service"]})
    row = _new(school, member, data["term_no"], data.get("constituency_group_id", member.union_group_id),
               data.get("elected_on"))
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:
        raise Conflict("delegate_exists", fields={"member_id": ["delegate_exists"]}) from None
    _enrolled(uow, school, row.term_no, [row], "registration")
    _commit(uow)
    return delegate_view(row, _groups(uow.session))


def add_delegates(uow, school: str, data: dict) -> dict:
    """代表名单: register a whole elected slate at once; every member must be in service."""
    ids = list(dict.fromkeys(data["member_ids"]))
    members = {m.member_id: m for m in uow.session.scalars(select(DirectoryMember)
                                                           .where(DirectoryMember.member_id.in_(ids)))}
    missing = [m for m in ids if m not in members or members[m].status not in IN_SERVICE]
    if missing:
        raise ValidationFailed("validation_failed", fields={"member_ids": ["member_not_in_service"]},
                               params={"member_ids": missing[:20]})
    existing = set(uow.session.scalars(select(Delegate.member_id).where(Delegate.term_no == data["term_no"],
                                                                         Delegate.member_id.in_(ids))))
    rows = [_new(school, members[m], data["term_no"], members[m].union_group_id, data.get("elected_on"))
            for m in ids if m not in existing]
    uow.session.add_all(rows)
    _enrolled(uow, school, data["term_no"], rows, "registration")
    _commit(uow)
    return {"term_no": data["term_no"], "added": len(rows), "already": len(existing)}


def _commit(uow):
    try:
        uow.commit()
    except IntegrityError:      # the same member registered by a concurrent request: nothing is kept
        raise Conflict("delegate_exists") from None


def enroll_elected(uow, school: str, poll, winners: list[dict], decided_on) -> dict:
    """代表选举的结果: the winners of a decided delegate election become delegates of the poll's term,
    in its constituency (or their own union group), in the same transaction as the result. A winner
    already a delegate of that term, or no longer in service, is left as they are."""
    s = uow.session
    ids = [w["member_id"] for w in winners]
    existing = set(s.scalars(select(Delegate.member_id).where(Delegate.term_no == poll.term_no,
                                                               Delegate.member_id.in_(ids)))) if ids else set()
    rows, skipped = [], []
    for member_id in ids:
        member = _in_service(s, member_id)
        if member_id in existing or member is None:
            skipped.append(member_id)
            continue
        constituency = poll.constituency_group_id if poll.constituency_group_id is not None else member.union_group_id
        rows.append(_new(school, member, poll.term_no, constituency, decided_on, poll.id))
    s.add_all(rows)
    _enrolled(uow, school, poll.term_no, rows, "election", poll.id)
    return {"term_no": poll.term_no, "enrolled": [d.member_id for d in rows], "skipped": skipped}


def current_term(session) -> int | None:
    """本届: the newest term with delegates (a new term begins when its delegates are elected)."""
    return session.scalar(select(func.max(Delegate.term_no)))


def _groups(session) -> dict:
    return {g.group_id: g.name for g in session.scalars(select(DirectoryGroup))}


def list_delegates(session, query: dict) -> dict:
    """代表名单 of a term (default: the current one), with the teacher share and open vacancies of the
    whole term; the items are paginated and may be filtered by status and constituency."""
    term_no = query.get("term_no") or current_term(session)
    page, size = query.get("page", 1), query.get("page_size", 50)
    terms = list(session.scalars(select(Delegate.term_no).distinct().order_by(Delegate.term_no.desc())))
    if not term_no:
        return {"term_no": None, "terms": terms, "items": [], "total": 0, "page": page, "page_size": size,
                "active": 0, "vacancies": 0, **rules.teacher_share([])}
    whole = session.execute(select(Delegate.status, Delegate.category, Delegate.filled_by)
                            .where(Delegate.term_no == term_no)).all()
    active = [c for st, c, _ in whole if st == "active"]
    stmt = select(Delegate).where(Delegate.term_no == term_no)
    if query.get("status"):
        stmt = stmt.where(Delegate.status == query["status"])
    if query.get("constituency_group_id") is not None:
        stmt = stmt.where(Delegate.constituency_group_id == query["constituency_group_id"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Delegate.status, Delegate.name, Delegate.id)
                           .offset((page - 1) * size).limit(size))
    groups = _groups(session)
    return {"term_no": term_no, "terms": terms, "items": [delegate_view(d, groups) for d in rows], "total": total,
            "page": page, "page_size": size, "active": len(active),
            "vacancies": sum(1 for st, _, filled in whole if st == "vacant" and filled is None),
            "vacancies_filled": sum(1 for st, _, filled in whole if st == "vacant" and filled is not None),
            **rules.teacher_share(active)}


def vacate_for_member(uow, member_id: int, reason: str, on) -> list[Delegate]:
    """代表出缺: the member left the union, transferred out or retired."""
    vacated = []
    for d in uow.session.scalars(select(Delegate).where(Delegate.member_id == member_id, Delegate.status == "active")):
        d.status, d.vacated_on, d.vacancy_reason = "vacant", on, reason
        vacated.append(d)
        uow.publish("congress.delegate_vacated", {"delegate_id": d.id, "school": d.school, "member_id": d.member_id,
                                                  "term_no": d.term_no, "reason": reason, "vacated_on": on},
                    school=d.school)
    return vacated


def follow_member(uow, member_id: int, before: dict, after: dict) -> None:
    """A delegate's name and staff category follow the member's record (the teacher share with it)."""
    if (before.get("name"), before.get("category")) == (after.get("name"), after.get("category")):
        return
    for d in uow.session.scalars(select(Delegate).where(Delegate.member_id == member_id, Delegate.status == "active")):
        d.name, d.category = after.get("name") or d.name, after.get("category") or d.category
