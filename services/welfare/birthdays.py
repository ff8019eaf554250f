"""生日 use cases: a month's birthday list from the directory (逢十 milestones flagged), and the
delivery log of cakes and cards, each counted against the birthday cap."""
from __future__ import annotations

from datetime import date

from sqlalchemy import extract, select

from services.welfare import members, payments
from services.welfare.domain import people
from services.welfare.domain.errors import WelfareConflict
from services.welfare.orm import BirthdayDelivery, DirectoryMember
from services.welfare.paging import page, page_of
from shared.directory import LIVE


def month_list(session, month: int, year: int, milestone_only: bool, query: dict | None = None) -> dict:
    """本月生日会员 (in-service and retired members) with whether the cake was delivered: one
    statement over the school's directory rows."""
    rows = session.execute(
        select(DirectoryMember.member_id, DirectoryMember.name, DirectoryMember.birth_date, DirectoryMember.status,
               BirthdayDelivery.delivered_on)
        .outerjoin(BirthdayDelivery, (BirthdayDelivery.member_id == DirectoryMember.member_id)
                   & (BirthdayDelivery.year == year))
        .where(DirectoryMember.status.in_(LIVE), extract("month", DirectoryMember.birth_date) == month)).all()
    people_ = [{"member_id": r.member_id, "name": r.name, "birth_date": r.birth_date, "status": r.status,
                "delivered_on": r.delivered_on} for r in rows]
    items = people.birthdays_of_month(people_, month, year)
    if milestone_only:
        items = [i for i in items if i["milestone"]]
    return page_of(items, query, month=month, year=year, milestones=sum(1 for i in items if i["milestone"]),
                   delivered=sum(1 for i in items if i["delivered_on"] is not None))


def deliver(uow, school: str, data: dict, context, today: date) -> dict:
    """生日蛋糕和贺卡送达: once per member per year; its cost (if any) is a birthday payment."""
    session = uow.session
    person = members.member(session, data["member_id"])
    on = data.get("delivered_on") or today
    year = on.year
    if session.scalars(select(BirthdayDelivery.id).where(BirthdayDelivery.member_id == person.member_id,
                                                         BirthdayDelivery.year == year)).first():
        raise WelfareConflict("birthday_already_delivered", fields={"member_id": ["birthday_already_delivered"]})
    row = BirthdayDelivery(school=school, member_id=person.member_id, member_name=person.name, year=year,
                           delivered_on=on, items=data["items"], milestone=people.is_milestone(person.birth_date, year),
                           recorded_by=context.actor)
    session.add(row)
    session.flush()
    if data.get("amount") is not None:
        payment = payments.request(uow, school, member_id=person.member_id, kind="birthday", form=data["form"],
                                   amount=data["amount"], purpose=f"生日蛋糕和贺卡：{person.name}", today=on,
                                   actor=context.actor, source="birthday", source_id=row.id)
        row.payment_id = payment.id
    session.flush()
    result = delivery_view(row)
    uow.commit()
    return result


def delivery_view(row: BirthdayDelivery) -> dict:
    return {"id": row.id, "member_id": row.member_id, "member_name": row.member_name, "year": row.year,
            "delivered_on": row.delivered_on, "items": row.items, "milestone": row.milestone,
            "payment_id": row.payment_id}


def deliveries(session, year: int, query: dict | None = None) -> dict:
    stmt = select(BirthdayDelivery).where(BirthdayDelivery.year == year).order_by(BirthdayDelivery.delivered_on,
                                                                                  BirthdayDelivery.id)
    return page(session, stmt, query, delivery_view, year=year)
