"""Dues, audits with the congress decision and filing, and the reports, against the real tables."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.finance import audits, budgets, dues, reports, requests
from services.finance.domain.chart import BANK
from services.finance.domain.dues import DuesRule
from services.finance.orm import DirectoryMember
from shared.directory import apply_member
from shared.errors import Conflict, NotFound, ValidationFailed

from .support import DAY, S1, S2, cr, dr, request
from .test_finance_requests import LIMITS


def add_member(fin, school, member_id, name):
    with fin.uow(school) as uow:
        apply_member(uow.session, DirectoryMember, {
            "id": member_id, "school": school, "person_key": f"k{member_id}", "name": name, "gender": "female",
            "birth_date": "1980-01-01", "category": "teacher", "status": "active", "version": 1})
        uow.commit()


def test_dues_are_scheduled_from_the_base_collected_into_the_ledger_and_arrears_listed(fin):
    add_member(fin, S1, 1, "张老师")
    add_member(fin, S1, 2, "李老师")
    got = fin.run(S1, dues.set_bases, 2025, [{"member_id": 1, "wage_base": D("6789.00")},
                                             {"member_id": 2, "wage_base": D("5000.00")}], DuesRule())
    assert [i["monthly"] for i in got["items"]] == ["33.90", "25.00"]
    assert fin.run(S1, dues.schedule, 2025, 1, 3)["charges_created"] == 6
    assert fin.run(S1, dues.schedule, 2025, 1, 3)["charges_created"] == 0
    paid = fin.run(S1, dues.collect, {"member_id": 1, "period": "2025-01", "amount": D("33.90")}, "fo", DAY)
    assert paid["paid"] == "33.90" and paid["entry_id"]
    with fin.read(S1) as session:
        owed = dues.arrears_of(session, 2025, "2025-02")
        ie = reports.income_expenditure(session, 2025)
    assert owed["items"] == [{"member_id": 1, "name": "张老师", "owed": "33.90", "months": ["2025-02"]},
                             {"member_id": 2, "name": "李老师", "owed": "50.00", "months": ["2025-01", "2025-02"]}]
    assert owed["total"] == "83.90"
    assert ie["income"][0]["category"] == "dues" and ie["income"][0]["months"]["03"] == "33.90"


def test_a_dues_base_for_a_member_not_in_the_roster_and_an_overpayment_are_refused(fin):
    with pytest.raises(ValidationFailed) as exc:
        fin.run(S1, dues.set_bases, 2025, [{"member_id": 99, "wage_base": D("5000.00")}], DuesRule())
    assert exc.value.fields == {"items.0.member_id": ["dues_member_unknown"]}
    add_member(fin, S1, 1, "张老师")
    fin.run(S1, dues.set_bases, 2025, [{"member_id": 1, "wage_base": D("5000.00")}], DuesRule())
    fin.run(S1, dues.schedule, 2025, 1, 1)
    with pytest.raises(Conflict) as exc:
        fin.run(S1, dues.collect, {"member_id": 1, "period": "2025-01", "amount": D("25.01")}, "fo", DAY)
    assert exc.value.code == "dues_overpaid"
    with pytest.raises(NotFound):
        fin.run(S1, dues.collect, {"member_id": 1, "period": "2025-02", "amount": D("1.00")}, "fo", DAY)


def _audit(fin):
    return fin.run(S1, audits.create, {"year": 2025, "kind": "annual", "title": "2025 年度经费审查"}, "auditor")


def test_an_audit_goes_to_the_congress_and_only_an_approved_report_is_filed(fin):
    audit = _audit(fin)
    fin.run(S1, audits.add_finding, audit["id"], {"severity": "minor", "description": "票据不全"}, "a", DAY)
    submitted = fin.run(S1, audits.submit, audit["id"], {"summary": "经费使用合规"}, DAY)
    assert submitted["status"] == "submitted"
    [event] = [e for e in fin.events() if e["type"] == "finance.audit_report_submitted"]
    assert event["payload"]["audit_id"] == audit["id"] and event["payload"]["findings"] == 1
    with pytest.raises(Conflict) as exc:
        fin.run(S1, audits.file, audit["id"], {}, DAY)
    assert exc.value.code == "audit_not_approved"
    decision = {"audit_id": audit["id"], "school": S1, "decision": "approved", "yes": 40, "no": 2, "abstain": 1,
                "decided_on": "2025-07-01"}
    fin.run(S1, lambda uow, s: audits.decided(uow, decision))
    fin.run(S1, lambda uow, s: audits.decided(uow, dict(decision, decision="rejected")))   # late duplicate: ignored
    filed = fin.run(S1, audits.file, audit["id"], {}, DAY)
    assert filed["status"] == "filed" and filed["votes"] == "40/2/1"
    assert "finance.audit_report_filed" in fin.event_types()
    with fin.read(None) as session:
        roll = audits.filings(session, 2025)
    assert [(i["school"], i["audits"], i["filed"]) for i in roll["items"]] == [(S1, 1, True)]
    _audit(fin)   # a second audit of 2025, still a draft: held, not filed
    with fin.read(S1) as session:
        items = reports.annual_summary(session, S1, 2025)["items"]
        other_year = reports.annual_summary(session, S1, 2024)["items"]
    assert (items["audits"], items["audits_filed"]) == (2, 1)
    assert (other_year["audits"], other_year["audits_filed"]) == (0, 0)


def test_a_rejected_report_is_not_filed_and_may_be_submitted_again(fin):
    audit = _audit(fin)
    fin.run(S1, audits.submit, audit["id"], {"summary": "初稿"}, DAY)
    fin.run(S1, lambda uow, s: audits.decided(uow, {"audit_id": audit["id"], "decision": "rejected", "yes": 1,
                                                     "no": 30, "abstain": 0, "decided_on": "2025-07-01"}))
    with pytest.raises(Conflict):
        fin.run(S1, audits.file, audit["id"], {}, DAY)
    assert fin.run(S1, audits.submit, audit["id"], {"summary": "修改稿"}, DAY)["status"] == "submitted"


def test_adjusting_entries_of_an_audit_go_into_the_adjusting_period_only(fin):
    audit = _audit(fin)
    finding = {"severity": "major", "description": "科目用错", "entry_date": DAY,
               "lines": [{"account": "5301", "debit": D("100.00")}, {"account": "5101", "credit": D("100.00")}]}
    with pytest.raises(Conflict) as exc:
        fin.run(S1, audits.add_finding, audit["id"], finding, "a", DAY)
    assert exc.value.code == "adjusting_period_required"
    fin.set_period(S1, "2025-03", "adjusting")
    got = fin.run(S1, audits.add_finding, audit["id"], finding, "a", DAY)
    assert got["findings"][0]["entry_id"] and fin.verify(S1)["valid"]


def test_the_reports_add_up_and_the_balance_sheet_balances(fin):
    fin.post(S1, dr(BANK, "50000.00"), cr("4201", "50000.00"), kind="receipt", day=date(2025, 1, 10))
    fin.post(S1, dr(BANK, "3000.00"), cr("4101", "3000.00"), kind="receipt", day=date(2025, 2, 10))
    fin.pay(S1, "5101", "1200.00", day=date(2025, 3, 8))
    fin.pay(S1, "5201", "800.00", day=date(2025, 3, 20))
    fin.pay(S2, "5101", "999.00", day=date(2025, 3, 20))
    fin.run(S1, budgets.set_budgets, 2025, [{"category": "staff_activities", "amount": D("10000.00")}], "t")
    with fin.read(S1) as session:
        ie = reports.income_expenditure(session, 2025)
        bs = reports.balance_sheet(session, 2025)
        bva = reports.budget_vs_actual(session, 2025)
        pub = reports.disclosure(session, S1, 2025, 3)
        summary = reports.annual_summary(session, S1, 2025)
    assert (ie["total_income"], ie["total_expense"], ie["surplus"]) == ("53000.00", "2000.00", "51000.00")
    assert {r["category"]: r["months"]["03"] for r in ie["expense"]} == {"staff_activities": "1200.00",
                                                                        "rights_welfare": "800.00"}
    assert bs["balanced"] and bs["total_assets"] == "51000.00"
    assert bva["items"][0]["actual"] == "1200.00" and bva["items"][0]["rate"] == "12.0%"
    assert bva["items"][0]["months"]["03"] == "1200.00" and bva["items"][0]["months"]["01"] == "0.00"
    assert pub["total_income"] == "0.00" and pub["total_spending"] == "2000.00"
    assert summary["items"] == {"total_income": "53000.00", "total_expense": "2000.00", "surplus": "51000.00",
                                "expense_by_category": {"staff_activities": "1200.00", "rights_welfare": "800.00"},
                                "audits": 0, "audits_filed": 0}
    with fin.read(None) as session:
        roll = reports.district_rollup(session, 2025)
    assert [(s["school"], s["expense"]) for s in roll["schools"]] == [(S1, "2000.00"), (S2, "999.00")]
    assert roll["total_expense"] == "2999.00"


def test_the_exports_are_real_xlsx_and_docx_files(fin):
    import io

    from docx import Document
    from openpyxl import load_workbook

    from services.finance import exporting
    fin.pay(S1, "5101", "1200.00")
    with fin.read(S1) as session:
        parts = (reports.income_expenditure(session, 2025), reports.balance_sheet(session, 2025),
                 reports.budget_vs_actual(session, 2025))
    wb = load_workbook(io.BytesIO(exporting.xlsx(S1, *parts)))
    assert wb.sheetnames == ["收支表", "资产负债表", "预算执行"]
    assert any(row[2] == "职工活动支出" for row in wb["收支表"].iter_rows(values_only=True))
    doc = Document(io.BytesIO(exporting.docx(S1, *parts)))
    assert "支出 1200.00 元" in "\n".join(p.text for p in doc.paragraphs)


def test_requests_of_another_school_are_invisible(fin):
    fin.run(S1, budgets.set_budgets, 2025, [{"category": "business", "amount": D("100.00")}], "t")
    got, _ = fin.run(S1, requests.intake, request(1, "10.00", "business"), "events", LIMITS)
    with fin.read(S2) as session:
        with pytest.raises(NotFound):
            requests.get(session, got["id"])
        assert requests.search(session, {})["total"] == 0


def test_a_member_sees_their_own_dues_of_the_year(fin):
    add_member(fin, S1, 1, "张老师")
    fin.run(S1, dues.set_bases, 2025, [{"member_id": 1, "wage_base": D("5000.00")}], DuesRule())
    fin.run(S1, dues.schedule, 2025, 1, 2)
    fin.run(S1, dues.collect, {"member_id": 1, "period": "2025-01", "amount": D("25.00")}, "fo", DAY)
    with fin.read(S1) as session:
        mine = dues.member_dues(session, 1, 2025)
        with pytest.raises(NotFound):
            dues.member_dues(session, 2, 2025)
    assert (mine["monthly"], mine["owed"]) == ("25.00", "25.00")
    assert [(c["period"], c["paid"]) for c in mine["charges"]] == [("2025-01", "25.00"), ("2025-02", "0.00")]


def test_the_beancount_export_has_every_entry_of_the_year_and_each_transaction_sums_to_zero(fin):
    from services.finance import beancount
    fin.pay(S1, "5101", "12.34", day=date(2025, 3, 1))
    fin.post(S1, dr(BANK, "100.00"), cr("4101", "100.00"), kind="receipt", day=date(2025, 4, 1))
    fin.pay(S1, "5101", "1.00", day=date(2024, 12, 31))
    with fin.read(S1) as session:
        text = beancount.export(session, S1, 2025)
    blocks = [b for b in text.split("\n\n") if b.startswith("2025-")]
    assert len(blocks) == 2
    for block in blocks:
        amounts = [D(line.split()[-2]) for line in block.splitlines() if line.endswith(" CNY")]
        assert sum(amounts) == 0 and len(amounts) == 2
    assert "open Expenses:A5101-Staff-Activities CNY" in text
