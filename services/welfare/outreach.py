"""送温暖 use cases: festival campaigns (春节、中秋、三八、教师节…) with a recipient list drawn from
the records (sick staff, hardship households, retirees, women staff) and gifts delivered, each
gift's cost checked against the caps and asked of finance."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.welfare import members, payments
from services.welfare.domain.errors import WelfareConflict, WelfareNotFound
from services.welfare.orm import CareCase, DirectoryMember, HardshipFile, OutreachCampaign, OutreachRecipient
from services.welfare.paging import page
from shared.directory import LIVE

SICK_KINDS = ("hospitalisation", "sick_leave")


def _campaign(session, campaign_id: int) -> OutreachCampaign:
    c = session.get(OutreachCampaign, int(campaign_id))
    if c is None:
        raise WelfareNotFound("campaign_not_found")
    return c


def create(uow, school: str, data: dict) -> dict:
    c = OutreachCampaign(school=school, **data)
    uow.session.add(c)
    uow.session.flush()
    result = view(uow.session, c)
    uow.commit()
    return result


def candidates(session, groups: list[str]) -> dict[int, str]:
    """member_id -> why they are on the list (the first group that named them)."""
    out: dict[int, str] = {}

    def add(ids, reason):
        for i in ids:
            out.setdefault(int(i), reason)
    for group in groups:
        if group == "sick":
            add(session.scalars(select(CareCase.member_id).where(CareCase.kind.in_(SICK_KINDS),
                                                                  CareCase.status != "closed")), "sick")
        elif group == "hardship":
            add(session.scalars(select(HardshipFile.member_id).where(HardshipFile.status == "approved")), "hardship")
        elif group == "retirees":
            add(session.scalars(select(DirectoryMember.member_id).where(DirectoryMember.status == "retired")), "retiree")
        elif group == "women":
            add(session.scalars(select(DirectoryMember.member_id).where(DirectoryMember.status.in_(LIVE),
                                                                        DirectoryMember.gender == "female")), "women")
        elif group == "all":
            add(session.scalars(select(DirectoryMember.member_id).where(DirectoryMember.status.in_(LIVE))), "all")
    return out


def add_recipients(uow, school: str, campaign_id: int, data: dict) -> dict:
    session = uow.session
    c = _campaign(session, campaign_id)
    wanted = candidates(session, data["groups"])
    for i, member_id in enumerate(data["member_ids"]):
        members.member(session, member_id, field=f"member_ids.{i}")
        wanted.setdefault(int(member_id), "named")
    present = set(session.scalars(select(OutreachRecipient.member_id).where(OutreachRecipient.campaign_id == c.id)))
    names = dict(session.execute(select(DirectoryMember.member_id, DirectoryMember.name)
                                 .where(DirectoryMember.member_id.in_(list(wanted)))).all()) if wanted else {}
    for member_id, reason in sorted(wanted.items()):
        if member_id not in present and member_id in names:
            session.add(OutreachRecipient(school=school, campaign_id=c.id, member_id=member_id,
                                          member_name=names[member_id], reason=reason))
    session.flush()
    result = recipients(session, c.id, {"page": 1, "page_size": 500})
    uow.commit()
    return result


def deliver(uow, school: str, campaign_id: int, data: dict, context, today: date) -> dict:
    session = uow.session
    c = _campaign(session, campaign_id)
    r = session.scalars(select(OutreachRecipient).where(OutreachRecipient.campaign_id == c.id,
                                                        OutreachRecipient.member_id == data["member_id"])).first()
    if r is None:
        raise WelfareNotFound("campaign_recipient_not_found")
    if r.delivered_on is not None:
        raise WelfareConflict("campaign_gift_already_delivered", fields={"member_id": ["campaign_gift_already_delivered"]},
                              params={"on": r.delivered_on.isoformat()})
    on = data.get("delivered_on") or today
    if c.amount is not None:
        p = payments.request(uow, school, member_id=r.member_id, kind=c.payment_kind, form=c.form, amount=c.amount,
                             purpose=f"{c.title}：{r.member_name}", today=on, actor=context.actor,
                             source="outreach", source_id=c.id)
        r.payment_id = p.id
    r.delivered_on = on
    session.flush()
    result = recipient_view(r)
    uow.commit()
    return result


def recipient_view(r) -> dict:
    return {"member_id": r.member_id, "member_name": r.member_name, "reason": r.reason, "delivered_on": r.delivered_on,
            "payment_id": r.payment_id}


def recipients(session, campaign_id: int, query: dict | None = None) -> dict:
    c = _campaign(session, campaign_id)
    delivered = session.scalar(select(func.count(OutreachRecipient.id)).where(
        OutreachRecipient.campaign_id == c.id, OutreachRecipient.delivered_on.is_not(None)))
    stmt = select(OutreachRecipient).where(OutreachRecipient.campaign_id == c.id)
    if (query or {}).get("delivered") is not None:
        stmt = stmt.where(OutreachRecipient.delivered_on.is_not(None) if query["delivered"]
                          else OutreachRecipient.delivered_on.is_(None))
    stmt = stmt.order_by(OutreachRecipient.member_name, OutreachRecipient.member_id)
    return page(session, stmt, query, recipient_view, campaign=view(session, c), delivered=delivered)


def view(session, c) -> dict:
    return {"id": c.id, "festival": c.festival, "year": c.year, "title": c.title, "gift": c.gift, "amount": c.amount,
            "form": c.form, "payment_kind": c.payment_kind}


def campaigns(session, query: dict | None = None) -> dict:
    query = query or {}
    stmt = select(OutreachCampaign).order_by(OutreachCampaign.id.desc())
    for name in ("year", "festival"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(OutreachCampaign, name) == query[name])
    return page(session, stmt, query, lambda c: view(session, c))
