"""The ledger of a year as Beancount text: an independent cross-check (``bean-check`` balances
every transaction and the account openings) and an export to plain-text accounting tools.
Beancount is not a dependency; this only writes its syntax."""
from __future__ import annotations

import re

from services.finance.ledger import load_chart, posted

ROOTS = {"asset": "Assets", "liability": "Liabilities", "net_asset": "Equity", "income": "Income",
         "expense": "Expenses"}


def account_name(account) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", account.category or "").strip("-").title().replace("_", "-")
    return f"{ROOTS[account.kind]}:A{account.code}" + (f"-{slug}" if slug else "")


def export(session, school: str, year: int) -> str:
    chart = load_chart(session)
    names = {code: account_name(a) for code, a in chart.accounts.items()}
    out = [f'; {school} 工会经费总账 {year}', 'option "operating_currency" "CNY"', ""]
    for code, account in sorted(chart.accounts.items()):
        out.append(f"2000-01-01 open {names[code]} CNY ; {account.name}")
    out.append("")
    for seq, _prev, digest, entry in posted(session, school):
        if entry.entry_date.year != year:
            continue
        memo = entry.memo.replace('"', "'")
        out.append(f'{entry.entry_date.isoformat()} * "{memo}"')
        out.append(f'  seq: "{seq}"')
        out.append(f'  hash: "{digest}"')
        for line in entry.lines:
            amount = line.debit - line.credit
            out.append(f"  {names.get(line.account, 'Equity:Unknown')}  {amount} CNY")
        out.append("")
    return "\n".join(out)
