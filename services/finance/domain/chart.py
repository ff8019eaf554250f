"""会计科目表 (chart of accounts) of a school union's funds.

A small version of the 工会会计制度 chart: assets, liabilities, net assets, income and spending.
The district may add accounts or rename them (``configure``); the spending category codes other
services use in their requests (``staff_activities``, ``rights_welfare``, ``business``,
``capital``, ``other``) are fixed, because welfare and events send them.
"""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("asset", "liability", "net_asset", "income", "expense")
DEBIT_NORMAL = ("asset", "expense")


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    kind: str
    category: str | None = None      # the budget / spending or income category code it books

    @property
    def debit_normal(self) -> bool:
        return self.kind in DEBIT_NORMAL


BANK = "1002"
CASH = "1001"
DEFAULT_CHART = (
    Account(CASH, "库存现金", "asset"),
    Account(BANK, "银行存款", "asset"),
    Account("1201", "应收上级经费", "asset"),
    Account("1501", "固定资产", "asset"),
    Account("2101", "应付职工薪酬", "liability"),
    Account("2201", "其他应付款", "liability"),
    Account("3101", "工会资金结余", "net_asset"),
    Account("3201", "固定基金", "net_asset"),
    Account("4101", "会费收入", "income", "dues"),
    Account("4201", "拨缴经费收入", "income", "allocated_funds"),
    Account("4301", "上级补助收入", "income", "upper_subsidy"),
    Account("4401", "行政补助收入", "income", "admin_subsidy"),
    Account("4901", "其他收入", "income", "other_income"),
    Account("5101", "职工活动支出", "expense", "staff_activities"),
    Account("5201", "维权支出", "expense", "rights_welfare"),
    Account("5301", "业务支出", "expense", "business"),
    Account("5401", "资本性支出", "expense", "capital"),
    Account("5901", "其他支出", "expense", "other"),
)
SPENDING_CATEGORIES = ("staff_activities", "rights_welfare", "business", "capital", "other")
INCOME_CATEGORIES = ("dues", "allocated_funds", "upper_subsidy", "admin_subsidy", "other_income")
CATEGORY_LABELS = {a.category: a.name for a in DEFAULT_CHART if a.category}


class Chart:
    """A school's chart: code -> Account, with the category index."""

    def __init__(self, accounts):
        self.accounts = {a.code: a for a in accounts}
        self.by_category = {a.category: a for a in accounts if a.category}

    def __contains__(self, code) -> bool:
        return code in self.accounts

    def get(self, code) -> Account | None:
        return self.accounts.get(code)

    def expense_account(self, category: str) -> Account | None:
        account = self.by_category.get(category)
        return account if account is not None and account.kind == "expense" else None

    def income_account(self, category: str) -> Account | None:
        account = self.by_category.get(category)
        return account if account is not None and account.kind == "income" else None


def default_chart() -> Chart:
    return Chart(DEFAULT_CHART)
