"""关爱项目 use cases: plan a programme (暑期疗养, a women's activity, a health-promotion activity)
with its dates, place and places; put members on it within the places; record who took part, a
participant's cost (疗养费, 计步器) checked against the policy and asked of finance like any payment.
The women's programmes of a year are the school's 女职工活动台帐, which the district sees too."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.welfare import members, payments, policies
from services.welfare.domain import programmes as model
from services.welfare.domain import policy as rules
from services.welfare.domain.errors import WelfareForbidden, WelfareInvalid, WelfareNotFound
from services.welfare.orm import DirectoryMember, Programme, ProgrammeParticipant
from services.welfare.paging import page
from shared.directory import LIVE
from shared.errors import DomainError


def create(uow, school: str, data: dict, today: date) -> dict:
    session = uow.session
    kind = data["kind"]
    cost = data.get("cost_per_person")
    model.check_plan(kind, data["starts_on"], data.get("ends_on"), cost)
    area = model.area_of(kind)
    if cost is not None:   # refused now rather than at each participant: a forbidden form, a cost over the cap
        rules.check_payment(policies.effective(session), model.PAYMENT_KIND[area], data["form"], cost, rules.Spent())
    p = Programme(school=school, area=area, kind=kind, year=data.get("year") or data["starts_on"].year,
                  title=data["title"], starts_on=data["starts_on"], ends_on=data.get("ends_on"), place=data.get("place"),
                  places=data.get("places"), audience=data.get("audience") or model.default_audience(kind),
                  cost_per_person=cost, form=data["form"], notes=data.get("notes"))
    session.add(p)
    session.flush()
    result = view(session, p)
    uow.commit()
    return result


def _programme(session, programme_id: int, lock: bool = False) -> Programme:
    p = session.get(Programme, int(programme_id), with_for_update=lock)
    if p is None:
        raise WelfareNotFound("programme_not_found")
    return p


def add_participants(uow, school: str, programme_id: int, data: dict, context, today: date) -> dict:
    """名单: members named (a member may put only themself down) or everyone the programme is for;
    every bad member is named, and nothing is written unless the whole list fits the places."""
    session = uow.session
    p = _programme(session, programme_id, lock=True)   # another school's programme is simply not found
    if not data["member_ids"] and not data["everyone"]:
        raise WelfareInvalid(fields={"member_ids": ["required"]})
    if not members.is_officer(context):
        if data["everyone"] or [int(m) for m in data["member_ids"]] != [context.member_id]:
            raise WelfareForbidden("welfare_own_records_only")
    present = set(session.scalars(select(ProgrammeParticipant.member_id)
                                  .where(ProgrammeParticipant.programme_id == p.id)))
    wanted: dict[int, str] = {}
    bad: dict[str, list[str]] = {}
    for i, member_id in enumerate(data["member_ids"]):
        field = f"member_ids.{i}"
        try:
            person = members.member(session, member_id, field=field)
        except DomainError as exc:
            bad.update(exc.fields)
            continue
        if not model.eligible(p.audience, person.status, person.gender):
            bad[field] = ["programme_not_eligible"]
        elif person.member_id in present or person.member_id in wanted:
            bad[field] = ["programme_participant_exists"]
        else:
            wanted[person.member_id] = person.name
    if bad:
        raise WelfareInvalid(next(iter(bad.values()))[0], fields=bad)
    if data["everyone"]:
        for m in session.scalars(select(DirectoryMember).where(DirectoryMember.status.in_(LIVE))
                                 .order_by(DirectoryMember.member_id)):
            if m.member_id not in present and model.eligible(p.audience, m.status, m.gender):
                wanted.setdefault(m.member_id, m.name)
    model.check_places(p.places, len(present), len(wanted))
    session.add_all([ProgrammeParticipant(school=school, programme_id=p.id, member_id=member_id, member_name=name,
                                          enrolled_on=today) for member_id, name in sorted(wanted.items())])
    session.flush()
    result = {**view(session, p), "added": len(wanted)}
    uow.commit()
    return result


def record_attendance(uow, school: str, programme_id: int, member_id: int, data: dict, context, today: date) -> dict:
    """到场/领取: a participant took part (or not); the first time they did, their cost is asked of
    finance (kind 疗养 or 健康促进, checked against the caps)."""
    session = uow.session
    p = _programme(session, programme_id)
    row = session.scalars(select(ProgrammeParticipant).where(ProgrammeParticipant.programme_id == p.id,
                                                             ProgrammeParticipant.member_id == int(member_id))).first()
    if row is None:
        raise WelfareNotFound("programme_participant_not_found")
    model.check_attendance_change(row.attended, data["attended"], row.payment_id is not None)
    if data["attended"] and p.cost_per_person is not None and row.payment_id is None:
        payment = payments.request(uow, school, member_id=row.member_id, kind=model.PAYMENT_KIND[p.area], form=p.form,
                                   amount=p.cost_per_person, purpose=f"{p.title}：{row.member_name}"[:200],
                                   today=data.get("on") or today, actor=context.actor, source="programme",
                                   source_id=p.id)
        row.payment_id = payment.id
    row.attended = data["attended"]
    session.flush()
    result = participant_view(row)
    uow.commit()
    return result


def participant_view(r: ProgrammeParticipant) -> dict:
    return {"member_id": r.member_id, "member_name": r.member_name, "enrolled_on": r.enrolled_on,
            "attended": r.attended, "payment_id": r.payment_id}


def view(session, p: Programme) -> dict:
    enrolled, attended = session.execute(
        select(func.count(ProgrammeParticipant.id),
               func.count(ProgrammeParticipant.id).filter(ProgrammeParticipant.attended.is_(True)))
        .where(ProgrammeParticipant.programme_id == p.id)).one()
    return {"id": p.id, "area": p.area, "kind": p.kind, "label": model.KINDS[p.kind][1], "year": p.year,
            "title": p.title, "starts_on": p.starts_on, "ends_on": p.ends_on, "place": p.place, "places": p.places,
            "places_left": None if p.places is None else max(p.places - enrolled, 0), "audience": p.audience,
            "cost_per_person": p.cost_per_person, "form": p.form, "notes": p.notes, "enrolled": enrolled,
            "attended": attended}


def search(session, query: dict) -> dict:
    stmt = select(Programme)
    for name in ("area", "kind", "year"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Programme, name) == query[name])
    return page(session, stmt.order_by(Programme.starts_on.desc(), Programme.id.desc()), query,
                lambda p: view(session, p))


def get(session, programme_id: int, query: dict) -> dict:
    p = _programme(session, programme_id)
    stmt = select(ProgrammeParticipant).where(ProgrammeParticipant.programme_id == p.id)
    if query.get("attended") is not None:
        stmt = stmt.where(ProgrammeParticipant.attended.is_(query["attended"]))
    return page(session, stmt.order_by(ProgrammeParticipant.member_name, ProgrammeParticipant.member_id), query,
                participant_view, programme=view(session, p))
