"""慰问 use cases: open a case (officer, member, or a retirement from membership), record visits
with gifts or money, list what is owed, and audit every officer's read of a case."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.welfare import members, payments, privacy
from services.welfare.domain import care as model
from services.welfare.domain.errors import WelfareConflict, WelfareInvalid, WelfareNotFound
from services.welfare.orm import CareCase, CareKind, CareVisit


def _kind(session, code: str) -> tuple[bool, str | None]:
    """(must_visit, payment kind) of a built-in or school-added kind."""
    if model.is_builtin(code):
        return True, None
    row = session.scalars(select(CareKind).where(CareKind.code == code)).first()
    if row is None:
        raise WelfareInvalid("care_kind_unknown", fields={"kind": ["care_kind_unknown"]})
    return row.must_visit, row.payment_kind


def kinds(session) -> dict:
    items = [{"code": c, "label": label, "must_visit": True, "builtin": True, "payment_kind": model.PAYMENT_KIND[c]}
             for c, label in model.BUILTIN_LABELS.items()]
    items += [{"code": k.code, "label": k.label, "must_visit": k.must_visit, "builtin": False,
               "payment_kind": k.payment_kind} for k in session.scalars(select(CareKind).order_by(CareKind.code))]
    return {"items": items}


def add_kind(uow, school: str, data: dict) -> dict:
    session = uow.session
    if model.is_builtin(data["code"]) or session.scalars(select(CareKind).where(CareKind.code == data["code"])).first():
        raise WelfareConflict("care_kind_exists", fields={"code": ["care_kind_exists"]})
    session.add(CareKind(school=school, code=data["code"], label=data["label"], must_visit=data["must_visit"],
                         payment_kind=data["payment_kind"]))
    session.flush()
    result = kinds(session)
    uow.commit()
    return result


def open_case(uow, school: str, data: dict, context, today: date) -> dict:
    """An officer or the member reports a life event (生病住院、婚丧、生育…)."""
    members.require_self_or_officer(context, data["member_id"])
    session = uow.session
    person = members.member(session, data["member_id"])
    must_visit, _ = _kind(session, data["kind"])
    case = CareCase(school=school, member_id=person.member_id, member_name=person.name, kind=data["kind"],
                    must_visit=must_visit, occurred_on=data.get("occurred_on") or today,
                    description=data.get("description"), source="officer" if members.is_officer(context) else "member",
                    reported_by=context.actor, status="open")
    session.add(case)
    session.flush()
    result = detail(session, case)
    uow.commit()
    return result


def open_retirement_case(session, snapshot: dict, retired_on: date, event_id: str) -> None:
    """退休慰问: membership announced a retirement; one case per event, never two."""
    if session.scalars(select(CareCase.id).where(CareCase.source_event_id == event_id)).first():
        return
    session.add(CareCase(school=snapshot["school"], member_id=int(snapshot["id"]), member_name=snapshot["name"],
                         kind="retirement", must_visit=True, occurred_on=retired_on, source="membership",
                         reported_by=None, status="open", source_event_id=event_id))
    session.flush()


def _case(session, case_id: int) -> CareCase:
    case = session.get(CareCase, int(case_id))
    if case is None:
        raise WelfareNotFound("care_case_not_found")
    return case


def record_visit(uow, school: str, case_id: int, data: dict, context, today: date) -> dict:
    """走访慰问 with school leaders; money or gifts go through the policy check and to finance."""
    session = uow.session
    case = _case(session, case_id)
    if case.status == "closed":
        raise WelfareConflict("care_case_closed")
    visit = CareVisit(school=school, case_id=case.id, visited_on=data.get("visited_on") or today,
                      visitors=data["visitors"], leaders=data.get("leaders") or [], gifts=data.get("gifts"),
                      notes=data.get("notes"), recorded_by=context.actor)
    session.add(visit)
    session.flush()
    pay = data.get("payment")
    if pay:
        _, custom = _kind(session, case.kind)
        kind = pay.get("kind") or model.payment_kind_for(case.kind, custom)
        payment = payments.request(uow, school, member_id=case.member_id, kind=kind, form=pay["form"],
                                   amount=pay["amount"], purpose=pay.get("purpose") or f"慰问：{case.member_name}",
                                   today=visit.visited_on, actor=context.actor, case_id=case.id,
                                   hardship_file_id=pay.get("hardship_file_id"), source="care_visit", source_id=visit.id)
        visit.payment_id = payment.id
    case.visits += 1
    case.status = model.status_after_visit(case.status)
    session.flush()
    result = detail(session, case)
    uow.commit()
    return result


def close_case(uow, case_id: int, closed_on: date) -> dict:
    session = uow.session
    case = _case(session, case_id)
    if case.status == "closed":
        raise WelfareConflict("care_case_closed")
    if closed_on < case.occurred_on:
        raise WelfareInvalid("care_case_closed_before_event", fields={"closed_on": ["care_case_closed_before_event"]})
    case.status, case.closed_on = "closed", closed_on
    session.flush()
    result = detail(session, case)
    uow.commit()
    return result


def _audit(session, school: str, context, case_ids: list[int], via: str) -> None:
    """Every read of a case by an officer is recorded (个人隐私查阅留痕)."""
    privacy.audit(session, school, context, "care_case", case_ids, via)


def summary(case: CareCase) -> dict:
    return {"id": case.id, "member_id": case.member_id, "member_name": case.member_name, "kind": case.kind,
            "must_visit": case.must_visit, "occurred_on": case.occurred_on, "status": case.status,
            "visits": case.visits, "source": case.source, "closed_on": case.closed_on}


def detail(session, case: CareCase) -> dict:
    visits = session.scalars(select(CareVisit).where(CareVisit.case_id == case.id).order_by(CareVisit.id))
    pays = {p["id"]: p for p in (payments.view(p) for p in payments.of_case(session, case.id))}
    return {**summary(case), "description": case.description, "reported_by": case.reported_by,
            "visit_log": [{"id": v.id, "visited_on": v.visited_on, "visitors": v.visitors, "leaders": v.leaders,
                           "gifts": v.gifts, "notes": v.notes, "payment": pays.get(v.payment_id)} for v in visits]}


def get_case(uow, school: str, case_id: int, context) -> dict:
    session = uow.session
    case = _case(session, case_id)
    members.require_self_or_officer(context, case.member_id)
    _audit(session, school, context, [case.id], "detail")
    result = detail(session, case)
    uow.commit()
    return result


def list_cases(uow, school: str, query: dict, context) -> dict:
    """Officers list cases (each listed case is an audited read); a member lists their own."""
    session = uow.session
    stmt, count = select(CareCase), select(func.count(CareCase.id))
    conditions = []
    if not members.is_officer(context):
        conditions.append(CareCase.member_id == (context.member_id or -1))
    if query.get("member_id") is not None:
        conditions.append(CareCase.member_id == query["member_id"])
    for name in ("status", "kind"):
        if query.get(name):
            conditions.append(getattr(CareCase, name) == query[name])
    if query.get("owed"):
        conditions += [CareCase.must_visit.is_(True), CareCase.visits == 0, CareCase.status != "closed"]
    page, size = query["page"], query["page_size"]
    total = session.scalar(count.where(*conditions))
    rows = list(session.scalars(stmt.where(*conditions).order_by(CareCase.occurred_on, CareCase.id)
                                .offset((page - 1) * size).limit(size)))
    _audit(session, school, context, [c.id for c in rows], "list")
    result = {"items": [summary(c) for c in rows], "total": total, "page": page, "page_size": size}
    uow.commit()
    return result


def reads(session, query: dict) -> dict:
    return privacy.reads(session, query)
