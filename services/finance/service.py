"""The finance service (工会经费服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

import base64
from datetime import date

from nameko.dependency_providers import Config

from services.finance import audits, beancount, budgets, chart_admin, dues, exporting, ledger, policy, reports, requests
from services.finance import schemas as s
from services.finance import settings as finance_settings
from services.finance.domain import ledger as L
from services.finance.errors import domain_errors
from services.finance.metrics import FinanceGauges
from services.finance.orm import Base, DirectoryGroup, DirectoryMember
from shared.directory import MemberDirectoryMixin
from shared.errors import DomainError, Forbidden
from shared.inbox import consumes
from shared.rpc import rpc
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints
from shared.validation import load

_SETTINGS = []


def config() -> finance_settings.FinanceSettings:
    """Read once, when the service first needs them (not at import)."""
    if not _SETTINGS:
        _SETTINGS.append(finance_settings.load())
    return _SETTINGS[0]


def _rules(uow, school):
    """The school's approval limits and dues rule (district policy over the settings)."""
    return policy.effective(uow.session, school, config())


def _lines(raw) -> tuple:
    return tuple(L.Line(l["account"], l.get("debit") or L.ZERO, l.get("credit") or L.ZERO, l.get("memo")) for l in raw)


class FinanceService(MemberDirectoryMixin, OpsEndpoints):
    name = "finance"
    directory = (DirectoryMember, DirectoryGroup)

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
    gauges = FinanceGauges()

    @property
    def _actor(self):
        return self.ctx.current.actor

    def _write(self, school, fn, *args, **kw):
        with domain_errors(), self.db.unit_of_work(school) as uow:
            result = fn(uow, *args, **kw)
            uow.commit()
            return result

    def _district_only(self):
        if not self.ctx.current.is_district:
            raise Forbidden("role_forbidden")

    # ledger (总账)
    @rpc
    def post_entry(self, school, data):
        data = load(s.EntryCreateSchema, data)
        entry = L.Entry(school, data["entry_date"], data["kind"], data["memo"], _lines(data["lines"]))

        def _post(uow):
            return ledger.entry_dict(uow.session, ledger.post(uow, school, entry, self._actor))
        return self._write(school, _post)

    @rpc
    def reverse_entry(self, school, entry_id, data=None):
        data = load(s.ReverseSchema, data or {})

        def _reverse(uow):
            row = ledger.reverse(uow, school, int(entry_id), data.get("entry_date") or date.today(),
                                 data.get("memo"), self._actor)
            return ledger.entry_dict(uow.session, row)
        return self._write(school, _reverse)

    @rpc
    def get_entry(self, school, entry_id):
        with self.db.read(school) as session:
            return ledger.get_entry(session, int(entry_id))

    @rpc
    def list_entries(self, school, query=None):
        query = load(s.EntryListQuery, query or {})
        with self.db.read(school) as session:
            return ledger.list_entries(session, query)

    @rpc
    def list_periods(self, school, query):
        query = load(s.YearQuery, query)
        with self.db.read(school) as session:
            return ledger.list_periods(session, query["year"])

    @rpc
    def set_period_state(self, school, period, data):
        data = load(s.PeriodStateSchema, data)
        load(s.PeriodPath, {"period": period})
        return self._write(school, lambda uow: ledger.set_period_state(uow, school, period, data["state"],
                                                                       self._actor, date.today()))

    @rpc
    def verify_chain(self, school):
        with self.db.read(school) as session:
            return ledger.verify(session, school)

    @rpc
    def get_chart(self, school=None):
        with self.db.read(district=True) as session:
            return chart_admin.chart(session)

    @rpc
    def district_chart(self):
        self._district_only()
        return self.get_chart()

    @rpc
    def add_account(self, data):
        self._district_only()
        data = load(s.AccountSchema, data)
        with domain_errors(), self.db.unit_of_work(district=True) as uow:
            result = chart_admin.add_account(uow, data)
            uow.commit()
            return result

    # 经费规则 (district policy)
    @rpc
    def get_policy(self, school):
        with self.db.read(school) as session:
            return policy.show(session, school, config())

    @rpc
    def district_policy(self, query=None):
        self._district_only()
        query = load(s.PolicyQuery, query or {})
        with self.db.read(district=True) as session:
            return policy.show(session, query.get("school") or policy.DISTRICT, config())

    @rpc
    def set_policy(self, data):
        self._district_only()
        data = load(s.PolicySchema, data)
        with domain_errors(), self.db.unit_of_work(district=True) as uow:
            result = policy.set_policy(uow, data, self._actor, config())
            uow.commit()
            return result

    # budgets (预算)
    @rpc
    def set_budgets(self, school, year, data):
        data = load(s.BudgetSetSchema, data)
        year = load(s.YearQuery, {"year": year})["year"]
        return self._write(school, budgets.set_budgets, school, year, data["items"], self._actor)

    @rpc
    def get_budgets(self, school, year):
        year = load(s.YearQuery, {"year": year})["year"]
        with self.db.read(school) as session:
            return budgets.budgets_of(session, year)

    # spending requests (经费申请)
    @consumes("welfare", "payment_requested")
    def on_welfare_payment_requested(self, uow, event):
        with domain_errors():
            school = event.school or event.payload["school"]
            requests.intake(uow, school, event.payload, "welfare", _rules(uow, school).limits)

    @consumes("events", "expense_requested")
    def on_events_expense_requested(self, uow, event):
        with domain_errors():
            school = event.school or event.payload["school"]
            requests.intake(uow, school, event.payload, "events", _rules(uow, school).limits)

    @rpc
    def create_request(self, school, data):
        data = load(s.SpendingCreateSchema, data)
        data = {k: v for k, v in data.items() if v is not None}
        return self._write(school, lambda uow: requests.create(uow, school, data, _rules(uow, school).limits))

    @rpc
    def list_requests(self, school, query=None):
        query = load(s.SpendingListQuery, query or {})
        with self.db.read(school) as session:
            return requests.search(session, query)

    @rpc
    def get_request(self, school, spending_id):
        with self.db.read(school) as session:
            return requests.get(session, int(spending_id))

    @rpc
    def approve_request(self, school, spending_id, data=None):
        data = load(s.ApproveSchema, data or {})
        role = self.ctx.current.role
        return self._write(school, lambda uow: requests.approve(uow, int(spending_id), role, self._actor,
                                                                _rules(uow, school).limits,
                                                                data.get("committee_resolution")))

    @rpc
    def approve_requests(self, school, data):
        """批量审批: each request on its own, each answered (one refusal does not stop the others)."""
        data = load(s.BatchApproveSchema, data)
        role = self.ctx.current.role
        with self.db.read(school) as session:
            ids = requests.find_ids(session, data["request_ids"])
        results = []
        with domain_errors(), self.db.unit_of_work(school) as uow:
            limits = _rules(uow, school).limits
            for key in data["request_ids"]:
                if ids[key] is None:
                    results.append({"key": key, "ok": False, "code": "spending_request_not_found"})
                    continue
                # each request in a savepoint: one refusal rolls back only itself, and the batch
                # commits once
                savepoint = uow.session.begin_nested()
                try:
                    with domain_errors():
                        done = requests.approve(uow, ids[key], role, self._actor, limits,
                                                data.get("committee_resolution"))
                    savepoint.commit()
                    results.append({"key": key, "ok": True, "request": done})
                except DomainError as exc:
                    savepoint.rollback()
                    results.append({"key": key, "ok": False, "code": exc.code, "params": exc.params})
            uow.commit()
        return {"results": results, "approved": sum(r["ok"] for r in results), "refused": sum(not r["ok"] for r in results)}

    @rpc
    def reject_request(self, school, spending_id, data):
        data = load(s.RejectSchema, data)
        return self._write(school, requests.reject, int(spending_id), self._actor, data["reason"])

    @rpc
    def pay_request(self, school, spending_id, data=None):
        data = load(s.PaySchema, data or {})
        return self._write(school, requests.pay, school, int(spending_id), self._actor,
                           data.get("paid_on") or date.today(), data["account"])

    # dues (会费)
    @rpc
    def set_dues_bases(self, school, data):
        data = load(s.DuesBasesSchema, data)
        return self._write(school, lambda uow: dues.set_bases(uow, school, data["year"], data["items"],
                                                              _rules(uow, school).dues))

    @rpc
    def schedule_dues(self, school, data):
        data = load(s.DuesScheduleSchema, data)
        return self._write(school, dues.schedule, school, data["year"], data["first_month"], data["last_month"])

    @rpc
    def collect_dues(self, school, data):
        data = load(s.DuesCollectSchema, data)
        return self._write(school, dues.collect, school, data, self._actor, date.today())

    @rpc
    def dues_arrears(self, school, query):
        query = load(s.ArrearsQuery, query)
        up_to = query.get("up_to") or (f"{query['year']}-12" if query["year"] < date.today().year
                                       else L.period_of(date.today()))
        with self.db.read(school) as session:
            return dues.arrears_of(session, query["year"], up_to)

    @rpc
    def member_dues(self, school, member_id, query):
        year = load(s.YearQuery, query)["year"]
        with self.db.read(school) as session:
            return dues.member_dues(session, int(member_id), year)

    @rpc
    def export_ledger(self, school, query):
        query = load(s.LedgerExportQuery, query)
        with self.db.read(school) as session:
            content = beancount.export(session, school, query["year"])
        return {"content_b64": base64.b64encode(content.encode()).decode(), "format": "file",
                "filename": f"ledger-{school}-{query['year']}.beancount"}

    # audits (经费审查)
    @rpc
    def create_audit(self, school, data):
        data = load(s.AuditCreateSchema, data)
        return self._write(school, audits.create, school, data, self._actor)

    @rpc
    def list_audits(self, school, query=None):
        query = load(s.AuditListQuery, query or {})
        with self.db.read(school) as session:
            return audits.list_audits(session, query.get("year"))

    @rpc
    def get_audit(self, school, audit_id):
        with self.db.read(school) as session:
            return audits.get(session, int(audit_id))

    @rpc
    def add_audit_finding(self, school, audit_id, data):
        data = load(s.FindingSchema, data)
        return self._write(school, audits.add_finding, school, int(audit_id), data, self._actor, date.today())

    @rpc
    def submit_audit(self, school, audit_id, data):
        data = load(s.AuditSubmitSchema, data)
        return self._write(school, audits.submit, school, int(audit_id), data, date.today())

    @rpc
    def file_audit(self, school, audit_id, data=None):
        data = load(s.AuditFileSchema, data or {})
        return self._write(school, audits.file, school, int(audit_id), data, date.today())

    @consumes("congress", "audit_report_decided")
    def on_audit_report_decided(self, uow, event):
        audits.decided(uow, event.payload)

    @consumes("membership", "school_registered", scope="district")
    def on_school_registered(self, uow, event):
        chart_admin.remember_school(uow.session, event.payload)

    @consumes("membership", "school_updated", scope="district")
    def on_school_updated(self, uow, event):
        chart_admin.remember_school(uow.session, event.payload)

    # reports (报表), disclosure (财务公开), district
    @rpc
    def income_expenditure(self, school, query):
        year = load(s.YearQuery, query)["year"]
        with self.db.read(school) as session:
            return reports.income_expenditure(session, year)

    @rpc
    def balance_sheet(self, school, query):
        year = load(s.YearQuery, query)["year"]
        with self.db.read(school) as session:
            return reports.balance_sheet(session, year)

    @rpc
    def budget_vs_actual(self, school, query):
        year = load(s.YearQuery, query)["year"]
        with self.db.read(school) as session:
            return reports.budget_vs_actual(session, year)

    @rpc
    def export_report(self, school, query):
        query = load(s.ReportQuery, query)
        year, fmt = query["year"], query["format"]
        with self.db.read(school) as session:
            parts = (reports.income_expenditure(session, year), reports.balance_sheet(session, year),
                     reports.budget_vs_actual(session, year))
        content = (exporting.xlsx if fmt == "xlsx" else exporting.docx)(school, *parts)
        return {"content_b64": base64.b64encode(content).decode(), "format": fmt,
                "filename": f"finance-{school}-{year}.{fmt}"}

    @rpc
    def disclosure(self, school, query):
        query = load(s.DisclosureQuery, query)
        with self.db.read(school) as session:
            return reports.disclosure(session, school, query["year"], query.get("month"))

    @rpc
    def district_rollup(self, query):
        self._district_only()
        year = load(s.YearQuery, query)["year"]
        with self.db.read(district=True) as session:
            return reports.district_rollup(session, year)

    @rpc
    def district_filings(self, query):
        self._district_only()
        year = load(s.YearQuery, query)["year"]
        with self.db.read(district=True) as session:
            return audits.filings(session, year)

    @rpc
    def annual_summary(self, school, year):
        with self.db.read(school) as session:
            return reports.annual_summary(session, school, int(year))
