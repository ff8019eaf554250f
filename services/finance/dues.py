"""会费 use cases: wage bases, the monthly schedule, collections (booked as dues income) and arrears."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.finance import ledger
from services.finance.domain import ledger as L
from services.finance.domain.chart import BANK
from services.finance.domain.dues import arrears, monthly_dues, months_of
from services.finance.domain.money import fmt
from services.finance.orm import DirectoryMember, DuesBase, DuesCharge
from shared.errors import Conflict, NotFound, ValidationFailed


def _names(session, member_ids) -> dict:
    return dict(session.execute(select(DirectoryMember.member_id, DirectoryMember.name)
                                .where(DirectoryMember.member_id.in_(list(member_ids)))).all())


def set_bases(uow, school: str, year: int, items: list[dict], rule) -> dict:
    session = uow.session
    known = _names(session, {i["member_id"] for i in items})
    bad = {f"items.{n}.member_id": ["dues_member_unknown"] for n, i in enumerate(items) if i["member_id"] not in known}
    if bad:
        raise ValidationFailed(fields=bad)
    out = []
    for item in items:
        row = session.scalar(select(DuesBase).where(DuesBase.member_id == item["member_id"], DuesBase.year == year))
        monthly = monthly_dues(item["wage_base"], rule)
        if row is None:
            session.add(DuesBase(school=school, member_id=item["member_id"], year=year, wage_base=item["wage_base"],
                                 monthly=monthly))
        else:
            row.wage_base, row.monthly = item["wage_base"], monthly
        out.append({"member_id": item["member_id"], "name": known[item["member_id"]],
                    "wage_base": fmt(item["wage_base"]), "monthly": fmt(monthly)})
    session.flush()
    return {"year": year, "items": out}


def schedule(uow, school: str, year: int, first: int, last: int) -> dict:
    """应缴会费计划: one charge per member with a base and month; existing charges stay as they are."""
    session = uow.session
    bases = list(session.scalars(select(DuesBase).where(DuesBase.year == year)))
    periods = months_of(year, first, last)
    have = set(session.execute(select(DuesCharge.member_id, DuesCharge.period)
                               .where(DuesCharge.period.in_(periods))).all())
    created = 0
    for base in bases:
        for period in periods:
            if (base.member_id, period) not in have:
                session.add(DuesCharge(school=school, member_id=base.member_id, period=period, due=base.monthly,
                                       paid=Decimal("0.00")))
                created += 1
    session.flush()
    return {"year": year, "members": len(bases), "charges_created": created}


def collect(uow, school: str, data: dict, actor: str | None, today: date) -> dict:
    """收缴会费: the collection is booked at once (Dr bank, Cr dues income)."""
    session = uow.session
    charge = session.scalar(select(DuesCharge).where(DuesCharge.member_id == data["member_id"],
                                                     DuesCharge.period == data["period"]).with_for_update())
    if charge is None:
        raise NotFound("dues_charge_not_found", params={"member_id": data["member_id"], "period": data["period"]})
    outstanding = Decimal(charge.due) - Decimal(charge.paid)
    if data["amount"] > outstanding:
        raise Conflict("dues_overpaid", fields={"amount": ["dues_overpaid"]}, params={"outstanding": fmt(outstanding)})
    paid_on = data.get("paid_on") or today
    entry = L.Entry(school, paid_on, "receipt", f"收缴会费 {data['period']} 会员{data['member_id']}",
                    (L.Line(BANK, debit=data["amount"]), L.Line("4101", credit=data["amount"])),
                    source=f"dues:{data['member_id']}:{data['period']}")
    posted = ledger.post(uow, school, entry, actor)
    charge.paid = Decimal(charge.paid) + data["amount"]
    charge.paid_on, charge.entry_id = paid_on, posted.id
    session.flush()
    return {"member_id": charge.member_id, "period": charge.period, "due": fmt(charge.due), "paid": fmt(charge.paid),
            "entry_id": posted.id}


def arrears_of(session, year: int, up_to: str) -> dict:
    rows = list(session.scalars(select(DuesCharge).where(DuesCharge.period.like(f"{year:04d}-%"))))
    by_member: dict[int, list] = {}
    for r in rows:
        by_member.setdefault(r.member_id, []).append((r.period, Decimal(r.due), Decimal(r.paid)))
    names = _names(session, by_member)
    items = []
    for member_id, charges in sorted(by_member.items()):
        owed = arrears(charges, up_to)
        if owed > 0:
            items.append({"member_id": member_id, "name": names.get(member_id), "owed": fmt(owed),
                          "months": sorted(p for p, due, paid in charges if p <= up_to and paid < due)})
    total = sum((Decimal(i["owed"]) for i in items), Decimal("0.00"))
    return {"year": year, "up_to": up_to, "items": items, "total": fmt(total)}


def member_dues(session, member_id: int, year: int) -> dict:
    """One member's dues of a year: base, monthly charges, what was paid and what is owed."""
    base = session.scalar(select(DuesBase).where(DuesBase.member_id == member_id, DuesBase.year == year))
    charges = list(session.scalars(select(DuesCharge).where(DuesCharge.member_id == member_id,
                                                            DuesCharge.period.like(f"{year:04d}-%"))
                                   .order_by(DuesCharge.period)))
    if base is None and not charges:
        raise NotFound("dues_base_missing", params={"member_id": member_id, "year": year})
    owed = sum((Decimal(c.due) - Decimal(c.paid) for c in charges), Decimal("0.00"))
    return {"member_id": member_id, "year": year, "wage_base": fmt(base.wage_base) if base else None,
            "monthly": fmt(base.monthly) if base else None, "owed": fmt(owed),
            "charges": [{"period": c.period, "due": fmt(c.due), "paid": fmt(c.paid),
                         "paid_on": c.paid_on.isoformat() if c.paid_on else None} for c in charges]}
