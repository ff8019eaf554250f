"""财务报表: income and expenditure (收支表) by category and month, the balance sheet (资产负债表),
budget against actual (预算执行), the members' disclosure (财务公开) and the district roll-up.

All figures come from one grouped query over the entry lines of the year (indexed by school,
period and account) and are summed again in Python as exact Decimals.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from services.finance import budgets
from services.finance.domain.chart import CATEGORY_LABELS, Chart
from services.finance.domain.money import ZERO, fmt
from services.finance.ledger import load_chart
from services.finance.orm import Audit, EntryLine, KnownSchool

MONTHS = [f"{m:02d}" for m in range(1, 13)]


def _sums(session, first: str, last: str, by_school: bool = False):
    cols = [EntryLine.school] if by_school else []
    stmt = (select(*cols, EntryLine.account, EntryLine.period, func.sum(EntryLine.debit), func.sum(EntryLine.credit))
            .where(EntryLine.period >= first, EntryLine.period <= last)
            .group_by(*cols, EntryLine.account, EntryLine.period))
    return session.execute(stmt).all()


def _signed(account, debit, credit) -> Decimal:
    d, c = Decimal(debit or 0), Decimal(credit or 0)
    return d - c if account.debit_normal else c - d


def income_expenditure(session, year: int, chart: Chart | None = None) -> dict:
    """收支表: income and spending by category, per month and for the year."""
    chart = chart or load_chart(session)
    rows: dict[tuple, dict] = {}
    for code, period, debit, credit in _sums(session, f"{year}-01", f"{year}-12"):
        account = chart.get(code)
        if account is None or account.kind not in ("income", "expense"):
            continue
        key = (account.kind, account.code)
        row = rows.setdefault(key, {"kind": account.kind, "account": account.code, "name": account.name,
                                    "category": account.category, "months": {m: ZERO for m in MONTHS}})
        row["months"][period[5:]] += _signed(account, debit, credit)
    out = {"income": [], "expense": []}
    totals = {"income": ZERO, "expense": ZERO}
    for (kind, _), row in sorted(rows.items()):
        total = sum(row["months"].values(), ZERO)
        totals[kind] += total
        out[kind].append({**row, "months": {m: fmt(v) for m, v in row["months"].items()}, "total": fmt(total)})
    return {"year": year, "income": out["income"], "expense": out["expense"], "total_income": fmt(totals["income"]),
            "total_expense": fmt(totals["expense"]), "surplus": fmt(totals["income"] - totals["expense"])}


def balance_sheet(session, year: int) -> dict:
    """资产负债表 at the end of ``year``: assets = liabilities + net assets (with the year-to-date surplus)."""
    chart = load_chart(session)
    balances: dict[str, Decimal] = {}
    for code, _period, debit, credit in _sums(session, "0000-00", f"{year}-12"):
        account = chart.get(code)
        if account is not None:
            balances[code] = balances.get(code, ZERO) + _signed(account, debit, credit)
    groups = {k: [] for k in ("asset", "liability", "net_asset")}
    surplus = ZERO
    for code, value in sorted(balances.items()):
        account = chart.get(code)
        if account.kind in groups:
            groups[account.kind].append({"account": code, "name": account.name, "balance": fmt(value)})
        else:
            surplus += value if account.kind == "income" else -value
    total = {k: sum((Decimal(i["balance"]) for i in v), ZERO) for k, v in groups.items()}
    groups["net_asset"].append({"account": "surplus", "name": "本年及以前年度收支结余", "balance": fmt(surplus)})
    net = total["net_asset"] + surplus
    return {"year": year, "assets": groups["asset"], "liabilities": groups["liability"], "net_assets": groups["net_asset"],
            "total_assets": fmt(total["asset"]), "total_liabilities": fmt(total["liability"]),
            "total_net_assets": fmt(net), "balanced": total["asset"] == total["liability"] + net}


def budget_vs_actual(session, year: int) -> dict:
    """预算执行: each budgeted category against what the ledger shows for the year."""
    report = income_expenditure(session, year)
    rows = {r["category"]: r for r in report["income"] + report["expense"] if r["category"]}
    actual = {c: Decimal(r["total"]) for c, r in rows.items()}
    items = []
    for b in budgets.budgets_of(session, year)["items"]:
        got = actual.get(b["category"], ZERO)
        amount = Decimal(b["amount"])
        items.append({"category": b["category"], "label": b["label"], "budget": b["amount"], "actual": fmt(got),
                      "committed": b["committed"], "remaining": fmt(amount - got),
                      "rate": f"{(got / amount * 100).quantize(Decimal('0.1'))}%" if amount else None,
                      "months": rows[b["category"]]["months"] if b["category"] in rows else {m: "0.00" for m in MONTHS}})
    return {"year": year, "items": items}


def disclosure(session, school: str, year: int, month: int | None) -> dict:
    """财务公开 for members: what came in and went out, by category, for a month or the year."""
    report = income_expenditure(session, year)
    key = f"{month:02d}" if month else None

    def pick(rows):
        return [{"category": r["category"], "name": r["name"], "amount": r["months"][key] if key else r["total"]}
                for r in rows if (Decimal(r["months"][key]) if key else Decimal(r["total"])) != 0]
    income, spending = pick(report["income"]), pick(report["expense"])
    tin = sum((Decimal(i["amount"]) for i in income), ZERO)
    tout = sum((Decimal(i["amount"]) for i in spending), ZERO)
    return {"school": school, "year": year, "month": month, "income": income, "spending": spending,
            "total_income": fmt(tin), "total_spending": fmt(tout), "net": fmt(tin - tout)}


def district_rollup(session, year: int) -> dict:
    """全区汇总: income, spending and cash of each school of the year, and the district totals."""
    chart = load_chart(session)
    per: dict[str, dict] = {}
    for school, code, period, debit, credit in _sums(session, f"{year}-01", f"{year}-12", by_school=True):
        account = chart.get(code)
        if account is None:
            continue
        row = per.setdefault(school, {"income": ZERO, "expense": ZERO, "cash_movement": ZERO,
                                      "by_category": {}})
        value = _signed(account, debit, credit)
        if account.kind in ("income", "expense"):
            row[account.kind] += value
            if account.category:
                row["by_category"][account.category] = row["by_category"].get(account.category, ZERO) + value
        elif code in ("1001", "1002"):
            row["cash_movement"] += value
    names = {s.code: s.name for s in session.scalars(select(KnownSchool))}
    items, totals = [], {"income": ZERO, "expense": ZERO}
    for school, row in sorted(per.items()):
        totals["income"] += row["income"]
        totals["expense"] += row["expense"]
        items.append({"school": school, "name": names.get(school, school), "income": fmt(row["income"]),
                      "expense": fmt(row["expense"]), "surplus": fmt(row["income"] - row["expense"]),
                      "cash_movement": fmt(row["cash_movement"]),
                      "by_category": {k: fmt(v) for k, v in sorted(row["by_category"].items())}})
    return {"year": year, "schools": items, "total_income": fmt(totals["income"]),
            "total_expense": fmt(totals["expense"]), "labels": CATEGORY_LABELS}


def annual_summary(session, school: str, year: int) -> dict:
    """What the year-end summary (工作总结) says about the funds: income and spending, and the funds
    review committee's audits of the year's accounts (经费审查) and how many of their reports were
    filed with the district (报区备案)."""
    report = income_expenditure(session, year)
    audits = dict(session.execute(select(Audit.status, func.count()).where(Audit.year == year)
                                  .group_by(Audit.status)).all())
    return {"school": school, "year": year, "items": {
        "total_income": report["total_income"], "total_expense": report["total_expense"],
        "surplus": report["surplus"],
        "expense_by_category": {r["category"]: r["total"] for r in report["expense"] if r["category"]},
        "audits": sum(audits.values()), "audits_filed": audits.get("filed", 0)}}
